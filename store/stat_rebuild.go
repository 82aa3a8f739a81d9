package store

import (
	"context"
	"database/sql"
)

// RebuildStats replaces the statistics' counters by their recount from
// the raw rows, after a bulk load (BulkHandOut, BulkRedeem) that left
// them alone, and returns how many there are. The booklets' used passes
// and first use, which the recount reads, must be set before
// (RebuildBookletUses). It must run with no other writer: a write between
// the recount and the replacement would be lost from the counters.
func (s *Store) RebuildStats(ctx context.Context) (int, error) {
	n := 0
	err := s.WriteExclusive(ctx, func(tx *Tx) error {
		counters, err := recountStats(ctx, tx.q, currentSchema)
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

// usesChunk is how many booklets RebuildBookletUses sets in one write on
// SQLite: a few tens of megabytes of WAL between checkpoints.
const usesChunk = 100_000

// RebuildBookletUses sets each booklet's used passes and first use
// (used_passes, first_used_at) to its active redemptions', as Redeem and
// CancelRedemption keep them one by one: a bulk load leaves them to the
// end, one statement a range of booklets, instead of recounting the
// booklets of each batch of uses (the most part of the uses' time, on
// PostgreSQL at 10 M passes). Only booklets whose values change are
// written. Run before RestoreIndexes, it writes no entry in the deferred
// indexes (the dormant booklets' holds used_passes): they are built
// from the final values.
func (s *Store) RebuildBookletUses(ctx context.Context) error {
	last := ""
	for {
		var hi sql.NullString
		// PostgreSQL sets them all in one statement: its plan reads the
		// passes and redemptions whole whatever the range (hash joins), and
		// its WAL needs no bound between writes.
		bound := `SELECT MAX(id) FROM booklets WHERE id > ? AND ? > 0`
		if s.dialect == sqliteDialect {
			bound = `SELECT MAX(id) FROM (SELECT id FROM booklets WHERE id > ? ORDER BY id LIMIT ?) c`
		}
		err := s.View(ctx, func(tx *Tx) error {
			return tx.q.QueryRowContext(ctx, tx.s.dialect.rebind(bound), last, usesChunk).Scan(&hi)
		})
		if err != nil || !hi.Valid {
			return err
		}
		err = s.Write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE booklets SET used_passes = f.n, first_used_at = f.first
				FROM (SELECT b.id, COALESCE(u.n, 0) AS n, u.first FROM booklets b
					LEFT JOIN `+activeUses("AND ps.booklet_id > ? AND ps.booklet_id <= ?")+` ON u.booklet_id = b.id
					WHERE b.id > ? AND b.id <= ? AND `+bookletUsesDiffer+`) f
				WHERE booklets.id = f.id`, last, hi.String, last, hi.String)
			return err
		})
		if err != nil {
			return err
		}
		last = hi.String
	}
}
