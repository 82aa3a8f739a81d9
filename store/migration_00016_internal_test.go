package store

import "context"

// RunMigration00016ForTests runs migration 00016 one way ("Up" or
// "Down") on the database as it stands, in one write, as goose would.
func (s *Store) RunMigration00016ForTests(ctx context.Context, direction string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if direction == "Down" {
			return migrate00016Down(ctx, tx.q, s.dialect)
		}
		return migrate00016Up(ctx, tx.q, s.dialect)
	})
}
