package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"passnum"
)

// How a write reaches the disk.
//
// Every write goes through Store.Write (or WriteAt, WriteExclusive), whose
// function receives a Tx and whose nil answer means "durable".
//
// On PostgreSQL each write is a transaction of its own on the pool
// (writePostgres), retried a few times on a serialization failure or a
// deadlock; PostgreSQL groups the commits of concurrent transactions
// itself.
//
// On SQLite, which has one write lock, one writer goroutine owns the only
// write connection (writer). Writes are queued to it; it takes whatever is
// waiting, without waiting for more (up to Options.MaxBatch), and runs the
// batch in one transaction (runBatch): each write under its own savepoint,
// so that one failing write rolls back alone, and one COMMIT, one fsync,
// for all. A write alone in its batch runs without a savepoint; an
// exclusive write (WriteExclusive) always runs alone. Statements stay
// prepared across batches (stmt_cache.go). The WAL is copied back into the
// database file off this path (checkpoint.go).
//
// The deadlock rule: a function running inside a Write must never wait on
// another write (call Store.Write, Store.RedeemGrouped or anything that
// opens its own writes): on SQLite the writer would wait on itself. The
// types enforce it where they can: inside a write there is only a Tx, and
// the Tx methods never open a write; only Store methods do, and those that
// do say so.

type writeRequest struct {
	ctx       context.Context
	at        time.Time // zero: the clock's now
	exclusive bool      // runs in a transaction of its own
	fn        func(*Tx) error
	done      chan error
}

// Write runs fn as one atomic write. When fn returns an error, nothing it
// wrote is kept. When Write returns nil, the change is durable.
//
// On SQLite, concurrent writes are queued to one writer goroutine which runs
// each under its own savepoint inside a shared transaction and commits once
// for the whole batch: one fsync for many requests, and a failing request
// rolls back to its savepoint without touching its batch-mates. On
// PostgreSQL, which groups concurrent commits itself, each write is its own
// transaction on the pool.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	return s.WriteAt(ctx, time.Time{}, fn)
}

// WriteAt is Write with the transaction's instant set to at (when not
// zero): for loading history, such as the demo's past months or an import
// from an earlier system, with the dates things really happened.
func (s *Store) WriteAt(ctx context.Context, at time.Time, fn func(*Tx) error) error {
	return s.write(ctx, &writeRequest{ctx: ctx, at: at, fn: fn, done: make(chan error, 1)})
}

// WriteExclusive is Write for a big write (issuing booklets, importing a
// file): on SQLite it runs in a transaction of its own, never batched with
// others, so that it may use statements that roll the whole transaction
// back on a conflict instead of keeping a statement journal.
func (s *Store) WriteExclusive(ctx context.Context, fn func(*Tx) error) error {
	return s.write(ctx, &writeRequest{ctx: ctx, exclusive: true, fn: fn, done: make(chan error, 1)})
}

func (s *Store) write(ctx context.Context, req *writeRequest) error {
	if s.wdb == nil {
		return s.writePostgres(ctx, req.at, req.fn)
	}
	select {
	case s.writes <- req:
	case <-req.ctx.Done():
		return s.mapErr(ctx.Err())
	case <-s.done:
		return passnum.Errorf(passnum.EUNAVAILABLE, "Le service s'arrête : réessayez dans un instant.")
	}
	// Once queued, the request will be answered: wait for it even if the
	// client goes away, so that "no answer" never hides a committed write.
	return <-req.done
}

func (s *Store) writePostgres(ctx context.Context, at time.Time, fn func(*Tx) error) error {
	const attempts = 5
	var err error
	var refused []string
	for i := 0; i < attempts; i++ {
		refused, err = s.writeOnce(ctx, at, fn)
		if !s.dialect.retryable(err) {
			break
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	// Only the last run's refusals: a retried run's never happened.
	s.tellRefused(refused)
	return s.mapErr(err)
}

// writeOnce runs fn in one transaction; refused is what its run refused.
func (s *Store) writeOnce(ctx context.Context, at time.Time, fn func(*Tx) error) (refused []string, err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer sqlTx.Rollback() // after a COMMIT, a no-op
	tx := &Tx{s: s, q: sqlTx, now: s.instant(at)}
	if err := runGuarded(tx, fn); err != nil {
		return tx.refused, err
	}
	return tx.refused, sqlTx.Commit()
}

func (s *Store) instant(at time.Time) time.Time {
	if at.IsZero() {
		return s.clock.Now()
	}
	return at
}

// runGuarded turns a panic in fn into an error so one bad request cannot
// kill the writer.
func runGuarded(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(tx)
}

func (s *Store) writer() {
	defer s.wg.Done()
	w := &stmtCache{m: map[string]*sql.Stmt{}}
	defer func() {
		if w.conn != nil {
			w.close()
			w.conn.Close()
		}
	}()
	batch := make([]*writeRequest, 0, s.maxBatch)
	var carried *writeRequest // an exclusive write that must wait for its own batch
	for {
		var first *writeRequest
		if carried != nil {
			first, carried = carried, nil
		} else {
			select {
			case first = <-s.writes:
			case <-s.done:
				// Answer what is still queued, then stop.
				for {
					select {
					case r := <-s.writes:
						s.runBatch(w, []*writeRequest{r})
					default:
						return
					}
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < s.maxBatch && !first.exclusive {
			select {
			case r := <-s.writes:
				if r.exclusive {
					carried = r
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(w, batch)
		s.boundWAL(w)
	}
}

// writerStats counts the writer's work, to see how well writes group.
type writerStats struct {
	batches, writes atomic.Int64
}

// WriterStats reports how many commits the SQLite writer made and how many
// writes they carried.
func (s *Store) WriterStats() (batches, writes int64) {
	return s.stats.batches.Load(), s.stats.writes.Load()
}

// beginBatch opens the writer's transaction, on its connection (opened
// on first use). A connection that cannot begin is closed, to be replaced
// for the next batch; the error is the batch's.
func (s *Store) beginBatch(ctx context.Context, w *stmtCache) error {
	if w.conn == nil {
		conn, err := s.wdb.Conn(ctx)
		if err != nil {
			return err
		}
		w.conn = conn
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		w.close()
		w.conn.Close()
		w.conn = nil
		return err
	}
	return nil
}

// runBatch runs a batch of writes in one transaction on the writer's own
// connection, which it begins and ends itself so that its prepared
// statements live across transactions.
func (s *Store) runBatch(w *stmtCache, batch []*writeRequest) {
	results := make([]error, len(batch))
	ctx := context.Background()
	s.stats.batches.Add(1)
	s.stats.writes.Add(int64(len(batch)))
	fail := func(err error) {
		if w.conn != nil {
			w.conn.ExecContext(ctx, "ROLLBACK")
		}
		for i, r := range batch {
			if results[i] == nil {
				r.done <- s.mapErr(err)
			} else {
				r.done <- results[i]
			}
		}
	}
	if err := s.beginBatch(ctx, w); err != nil {
		fail(err)
		return
	}
	// A write alone in its batch needs no savepoint: on error the whole
	// transaction rolls back. This matters for big writes (issuing a
	// million passes), whose every page a savepoint would copy aside.
	alone := len(batch) == 1
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = s.mapErr(err)
			continue
		}
		if !alone {
			if _, err := w.conn.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				fail(err)
				return
			}
		}
		tx := &Tx{s: s, q: w.conn, stmts: w, now: s.instant(r.at), alone: alone}
		err := runGuarded(tx, r.fn)
		s.tellRefused(tx.refused) // a write's function runs once here
		if err != nil {
			results[i] = s.mapErr(err)
			if alone {
				w.conn.ExecContext(ctx, "ROLLBACK")
				r.done <- results[i]
				return
			}
			if _, rerr := w.conn.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
				fail(rerr)
				return
			}
		} else {
			ok++
		}
		if !alone {
			if _, err := w.conn.ExecContext(ctx, "RELEASE w"); err != nil {
				fail(err)
				return
			}
		}
	}
	end := "COMMIT"
	if ok == 0 {
		end = "ROLLBACK"
	}
	if _, err := w.conn.ExecContext(ctx, end); err != nil && ok > 0 {
		fail(err)
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}
