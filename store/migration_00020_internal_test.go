package store

import "context"

// RunMigration00020ForTests runs migration 00020 one way ("Up" or
// "Down") on the database as it stands, in one write, as goose would.
func (s *Store) RunMigration00020ForTests(ctx context.Context, direction string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if direction == "Down" {
			return migrate00020Down(ctx, tx.q)
		}
		return migrate00020Up(ctx, tx.q)
	})
}
