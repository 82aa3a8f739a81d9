package store

import "context"

// foldStatsSQL moves every delta row into the counters in one statement:
// the DELETE takes exactly the rows it returns (a delta committed after it
// began stays for the next fold), and the INSERT adds their sums.
const foldStatsSQL = `WITH moved AS (DELETE FROM stat_deltas
		RETURNING programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	SELECT programme_id, dim, dim_value, month, metric, bucket, CAST(SUM(n) AS BIGINT), CAST(SUM(amount_cents) AS BIGINT)
	FROM moved GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6` + statUpsert

// foldLockKey is the advisory lock that makes folds of several instances
// on one PostgreSQL database take turns ("passnum-stat-fold").
const foldLockKey = 0x7061_7373_666f_6c64

// FoldStats folds the statistics' delta rows into their counters
// (PostgreSQL; SQLite has none) and returns how many counter rows it
// changed.
// The figures read are the same before and after: readers sum both
// tables. serve runs it every few seconds; several instances may run it
// at once, one fold at a time.
func (s *Store) FoldStats(ctx context.Context) (int64, error) {
	if s.dialect != postgresDialect {
		return 0, nil
	}
	var moved int64
	err := s.Write(ctx, func(tx *Tx) error {
		var got bool
		if err := tx.queryRow(ctx, `SELECT pg_try_advisory_xact_lock(?)`, int64(foldLockKey)).Scan(&got); err != nil || !got {
			return err
		}
		res, err := tx.exec(ctx, foldStatsSQL)
		if err != nil {
			return err
		}
		moved, err = res.RowsAffected()
		return err
	})
	return moved, err
}
