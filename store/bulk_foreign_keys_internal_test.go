package store

import "context"

// ExecForTests runs one statement in a write of its own, as the store's
// writer runs it (on SQLite, with that connection's pragmas).
func (s *Store) ExecForTests(ctx context.Context, stmt string) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, stmt)
		return err
	})
}
