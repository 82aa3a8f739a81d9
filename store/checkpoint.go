package store

import (
	"context"
	"time"
)

// SQLite's WAL checkpoints, run off the writer's path.

// checkpointer copies the WAL back into the database file from a reader
// connection, off the writer's path. Only PASSIVE checkpoints run while
// serving: they never take the write lock, and once a checkpoint has copied
// everything the next commit starts the WAL over, so it does not grow
// without end. A TRUNCATE at close leaves a small file behind.
func (s *Store) checkpointer() {
	defer s.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	var lastWrites int64
	for {
		select {
		case <-s.done:
			s.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
			return
		case <-t.C:
		}
		_, writes := s.WriterStats()
		if writes == lastWrites {
			continue
		}
		lastWrites = writes
		if _, err := s.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			s.log.Warn("sqlite checkpoint", "err", err)
		}
	}
}
