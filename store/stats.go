package store

import "database/sql"

// Stats is what the store reports for monitoring (the /metrics page).
type Stats struct {
	// Pool is the connection pool: PostgreSQL's, or SQLite's readers.
	Pool sql.DBStats
	// WriterQueue is the number of writes waiting for SQLite's writer;
	// WriterBatches and WriterWrites count its commits and the writes
	// they carried. All zero on PostgreSQL.
	WriterQueue                 int
	WriterBatches, WriterWrites int64
}

// Stats reads the store's counters; it takes no lock and runs no query.
func (s *Store) Stats() Stats {
	st := Stats{Pool: s.db.Stats(), WriterQueue: len(s.writes)}
	st.WriterBatches, st.WriterWrites = s.WriterStats()
	return st
}
