package store

import (
	"context"
	"strings"
)

// RunMigration00018ForTests runs the statements of migration 00018's SQL
// file in one direction ("Up" or "Down"), as goose would.
func (s *Store) RunMigration00018ForTests(ctx context.Context, direction string) error {
	b, err := migrationFiles.ReadFile("migrations/00018_stat_quarters.sql")
	if err != nil {
		return err
	}
	up, down, _ := strings.Cut(string(b), "-- +goose Down")
	_, up, _ = strings.Cut(up, "-- +goose Up")
	part := up
	if direction == "Down" {
		part = down
	}
	return s.Write(ctx, func(tx *Tx) error {
		for _, stmt := range strings.Split(part, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.q.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}
