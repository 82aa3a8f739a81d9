package store

import (
	"context"
	"slices"
)

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
		n = len(counters)
		for _, t := range []string{"stat_counts", "stat_deltas"} {
			if _, err := tx.q.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		keys := make([]statKey, 0, len(counters))
		for k := range counters {
			keys = append(keys, k)
		}
		// In key order, so that the same data gives the same table.
		slices.SortFunc(keys, compareStatKeys)
		rows := make([][]any, len(keys))
		for i, k := range keys {
			v := counters[k]
			rows[i] = []any{k.programme, k.dim, k.value, k.month, k.metric, k.bucket, v.n, v.amount}
		}
		return tx.execRows(ctx, `stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents) VALUES `,
			`(?, ?, ?, ?, ?, ?, ?, ?)`, "", rows)
	})
	return n, err
}
