package store

import (
	"context"
	"strings"
)

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

// AnalyzeLoaded refreshes PostgreSQL's statistics of tables a bulk load
// has just filled, before the load's next stage queries them. Without
// them the planner takes a freshly filled table for a small one: on
// booklets just issued it read every stock booklet through the
// (distributor_id, status) index for each of an allocation's rows, and
// allocating 38,000 booklets took 2 min 52 s instead of seconds
// (BENCHMARKS.md, "PostgreSQL's planner on a table just filled").
// SQLite's planner without statistics already takes the primary key, and
// its ANALYZE reads whole indexes: it is left to the load's end.
func (s *Store) AnalyzeLoaded(ctx context.Context, tables ...string) error {
	if s.dialect != postgresDialect || len(tables) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return err
}
