package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"passnum"
)

// TestWALStaysBounded writes in a loop while readers read without pause,
// which keeps passive checkpoints from starting the log over, and checks
// after every write that the -wal file is under walLimit plus what one
// write adds: one batch of one write (MaxBatch 1) touches at most
// pagesPerWrite pages (its row and its overflow pages, the table's and
// each index's pages along the way), each a frame of a header and a page.
func TestWALStaysBounded(t *testing.T) {
	defer func(old int64) { walLimit = old }(walLimit)
	walLimit = 1 << 20
	path := filepath.Join(t.TempDir(), "wal.db")
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+path, Options{Migrate: true, MaxBatch: 1, Clock: passnum.NewFixedClock(passnum.SystemClock{}.Now())})
	if err != nil {
		t.Fatal(err)
	}
	// Closed before walLimit is restored (defers run last first): the
	// writer reads it until it stops.
	defer s.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.View(ctx, func(tx *Tx) error {
					var n int
					return tx.queryRow(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
				})
			}
		}()
	}
	const writes, rowBytes = 400, 16 << 10
	const pageSize, frameHeader, walHeader, pagesPerWrite = 4096, 24, 32, 64
	// A TRUNCATE that finds a reader in the log's way is tried again after
	// the next batch (wal.go), so the log may hold two writes past the
	// limit, never more.
	bound := walLimit + walHeader + 2*pagesPerWrite*(pageSize+frameHeader)
	details := strings.Repeat("x", rowBytes)
	var biggest int64
	for i := range writes {
		err := s.Write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, details)
				VALUES (?, ?, 'o', 'key', 'k', 'test.write', 'test', ?, ?)`, passnum.NewID(tx.now), i, passnum.NewID(tx.now), details)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path + "-wal"); err == nil {
			biggest = max(biggest, st.Size())
			if st.Size() > bound {
				t.Fatalf("after write %d the WAL holds %d bytes, over the bound %d", i, st.Size(), bound)
			}
		}
	}
	close(stop)
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.wal.empties == 0 {
		t.Fatalf("%d bytes written and the log never emptied by the writer (largest %d bytes)", writes*rowBytes, biggest)
	}
	t.Logf("largest WAL %d bytes (bound %d), emptied %d times", biggest, bound, s.wal.empties)
}
