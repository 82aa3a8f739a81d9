package store

import "context"

// RemigrateIdentityForTests undoes migration 00009, lets before write rows
// as the schema before it had them (exec runs one statement, with $1…
// placeholders), and applies 00009 again, in one exclusive write: how the
// migration's filling of identity keys is tested.
func (s *Store) RemigrateIdentityForTests(ctx context.Context, before func(exec func(q string, args ...any) error) error) error {
	return s.WriteExclusive(ctx, func(tx *Tx) error {
		if err := migrate00009DownOn(ctx, tx.q); err != nil {
			return err
		}
		exec := func(q string, args ...any) error {
			_, err := tx.q.ExecContext(ctx, q, args...)
			return err
		}
		if err := before(exec); err != nil {
			return err
		}
		return migrate00009UpOn(ctx, tx.q)
	})
}

// IdentityKeyForTests is identityKey.
func IdentityKeyForTests(first, last, birth string) string { return identityKeyOf(first, last, birth) }
