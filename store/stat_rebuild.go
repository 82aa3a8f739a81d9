package store

import "context"

// RebuildStats replaces the statistics' counters by their recount from
// the raw rows, after a bulk load (BulkHandOut, BulkRedeem) that left
// them alone, and returns how many there are. It must run with no other
// writer: a write between the recount and the replacement would be lost
// from the counters.
func (s *Store) RebuildStats(ctx context.Context) (int, error) {
	n := 0
	err := s.WriteExclusive(ctx, func(tx *Tx) error {
		counters, err := recountStats(ctx, tx.q)
		if err != nil {
			return err
		}
		n = counters.len()
		for _, t := range []string{"stat_counts", "stat_deltas"} {
			if _, err := tx.q.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		// In key order, so that the same data gives the same table; a
		// statement's rows at a time, not every counter's at once.
		const chunk = 25 * bulkRows
		rows := make([][]any, 0, chunk)
		flush := func() error {
			err := tx.execRows(ctx, `stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents) VALUES `,
				`(?, ?, ?, ?, ?, ?, ?, ?)`, "", rows)
			rows = rows[:0]
			return err
		}
		err = counters.sorted(func(k statKey, v statVal) error {
			rows = append(rows, []any{k.programme, k.dim, k.value, k.month, k.metric, k.bucket, v.n, v.amount})
			if len(rows) == chunk {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
	return n, err
}
