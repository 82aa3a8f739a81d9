package store

import "context"

// Analyze refreshes the planner's statistics after a bulk load: a
// PostgreSQL server may run without autovacuum, and plans made on stale
// statistics were seen 3 to 4 times slower; SQLite's planner reads the
// same kind of statistics (sqlite_stat1).
func (s *Store) Analyze(ctx context.Context) error {
	if s.wdb == nil {
		_, err := s.db.ExecContext(ctx, "ANALYZE")
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "ANALYZE")
		return err
	})
}
