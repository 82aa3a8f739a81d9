package store

import "context"

// RunMigration00022ForTests runs migration 00022 one way ("Up" or
// "Down") on the database as it stands, in one write, as goose would.
func (s *Store) RunMigration00022ForTests(ctx context.Context, direction string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if direction == "Down" {
			return migrate00022Down(ctx, tx.q)
		}
		return migrate00022Up(ctx, tx.q)
	})
}
