package store

import (
	"context"
	"fmt"
	"strings"
)

// RunMigrationSQLForTests runs one direction ("Up" or "Down") of an SQL
// migration file (migrations/NAME) in one write, as goose would, on the
// database as it stands: for testing what a migration does to data.
func (s *Store) RunMigrationSQLForTests(ctx context.Context, name, direction string) error {
	b, err := migrationFiles.ReadFile("migrations/" + name)
	if err != nil {
		return err
	}
	_, up, ok := strings.Cut(string(b), "-- +goose Up")
	if !ok {
		return fmt.Errorf("%s: no Up section", name)
	}
	up, down, ok := strings.Cut(up, "-- +goose Down")
	if !ok {
		return fmt.Errorf("%s: no Down section", name)
	}
	text := map[string]string{"Up": up, "Down": down}[direction]
	return s.Write(ctx, func(tx *Tx) error {
		for _, q := range strings.Split(text, ";\n") {
			if strings.TrimSpace(q) == "" {
				continue
			}
			if _, err := tx.q.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
}
