package store

import (
	"context"
	"os"
)

// SQLite's write-ahead log is copied back into the database by PASSIVE
// checkpoints off the writer's path (checkpointer). Under sustained writes
// with readers always reading, a passive checkpoint never gets to start
// the log over, and the file grows without end (7.8 GB in 2.5 minutes of
// hand-outs was seen). So the writer looks at the log's size between
// batches, and past walLimit runs a TRUNCATE checkpoint itself: it waits
// for the readers of old snapshots to finish (new ones read the database
// file), copies everything back and empties the log. The log thus stays
// under walLimit plus one batch's pages, whatever the load.

// walLimit is the log size, in bytes, past which the writer empties it.
var walLimit int64 = 256 << 20

// walBound is the writer's view of the log file.
type walBound struct {
	path    string // the -wal file; "" until known, "-" for in-memory
	empties int64  // TRUNCATE checkpoints run
}

// boundWAL runs between the writer's batches.
func (s *Store) boundWAL(w *stmtCache) {
	if w.conn == nil || s.wal.path == "-" {
		return
	}
	ctx := context.Background()
	if s.wal.path == "" {
		var seq int
		var name, file string
		if err := w.conn.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil || file == "" {
			s.wal.path = "-"
			return
		}
		s.wal.path = file + "-wal"
	}
	st, err := os.Stat(s.wal.path)
	if err != nil || st.Size() <= walLimit {
		return
	}
	// Readers of old snapshots are waited for a second at most: writes
	// queue meanwhile. A busy log is tried again after the next batch.
	if _, err := w.conn.ExecContext(ctx, "PRAGMA busy_timeout = 1000"); err != nil {
		return
	}
	defer w.conn.ExecContext(ctx, "PRAGMA busy_timeout = 10000")
	var busy, log, done int
	if err := w.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil {
		s.log.Warn("sqlite checkpoint", "mode", "truncate", "err", err)
		return
	}
	if busy != 0 {
		s.log.Warn("sqlite checkpoint", "mode", "truncate", "busy", true, "wal_bytes", st.Size())
		return
	}
	s.wal.empties++
}
