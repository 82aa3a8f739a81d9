package store

import "context"

// ExecForSearchTests runs one statement in the transaction: the search and
// activity tests write their sites, trainings and sessions straight in SQL.
func (tx *Tx) ExecForSearchTests(ctx context.Context, q string, args ...any) error {
	_, err := tx.exec(ctx, q, args...)
	return err
}
