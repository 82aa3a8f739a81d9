// Package store keeps passnum's data in SQLite or PostgreSQL through
// database/sql. The public methods own their transaction; the Tx methods
// compose into one atomic unit. All writes go through Store.Write, which on
// SQLite batches concurrent writes into one durable commit (group commit).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passnum"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune a Store; the zero value is usable.
type Options struct {
	// Clock gives "now"; the system clock when nil.
	Clock passnum.Clock
	// Migrate applies pending migrations at open. Without it, a database
	// whose schema is behind is refused.
	Migrate bool
	// MaxBatch caps how many writes share one SQLite commit (default 256).
	MaxBatch int
	// Logger receives internal errors; slog.Default when nil.
	Logger *slog.Logger
	// MaxConns caps PostgreSQL's pool (16 when zero: a few per core serve
	// best, more only queue inside the server); tests that open many
	// stores at once set less, to stay under the server's connection limit.
	MaxConns int
	// GroupRedemptions runs concurrent simple redemptions
	// (Store.RedeemGrouped) together, several in one write of multi-row
	// statements: on by default on both engines. On PostgreSQL it is the
	// only way for them to cost the database less than a transaction each;
	// on SQLite it takes the per-redemption statements off the single
	// writer's path.
	GroupRedemptions Grouping
}

// Grouping is an on/off option whose zero value is the default.
type Grouping int

const (
	GroupDefault Grouping = iota // on
	GroupOn
	GroupOff
)

// Store is the database of one passnum installation.
type Store struct {
	dialect dialect
	db      *sql.DB // PostgreSQL pool, or SQLite's reader connections
	wdb     *sql.DB // SQLite's single writer connection; nil on PostgreSQL
	clock   passnum.Clock
	log     *slog.Logger

	writes   chan *writeRequest
	maxBatch int
	group    *redeemBatcher           // group redemption; nil when off
	auth     atomic.Pointer[sql.Stmt] // Authenticate's query, once prepared
	authMu   sync.Mutex
	stats    writerStats
	done     chan struct{}
	wg       sync.WaitGroup
	closing  sync.Once
}

// Open connects to url: "sqlite:<path>" or a postgres:// URL.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	d, dsn, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	s := &Store{dialect: d, clock: opts.Clock, log: opts.Logger, maxBatch: opts.MaxBatch}
	if s.clock == nil {
		s.clock = passnum.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBatch <= 0 {
		s.maxBatch = 256
	}
	if err := s.connect(ctx, dsn, opts.MaxConns); err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, opts.Migrate); err != nil {
		s.closeDBs()
		return nil, err
	}
	if s.wdb != nil {
		s.writes = make(chan *writeRequest, 4096)
		s.done = make(chan struct{})
		s.wg.Add(2)
		go s.writer()
		go s.checkpointer()
	}
	if opts.GroupRedemptions != GroupOff {
		s.group = s.startRedeemBatcher()
	}
	return s, nil
}

func (s *Store) connect(ctx context.Context, dsn string, maxConns int) error {
	var err error
	switch s.dialect {
	case sqliteDialect:
		// One writer connection: SQLite has one write lock, and holding it in
		// one place means no SQLITE_BUSY between our own requests.
		if s.wdb, err = sql.Open("sqlite", sqliteDSN(dsn, true)); err != nil {
			return err
		}
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		s.wdb.SetConnMaxLifetime(0)
		if err = s.wdb.PingContext(ctx); err != nil {
			s.wdb.Close()
			return fmt.Errorf("impossible d'ouvrir la base SQLite %s (%v) : vérifiez que son dossier existe et que vous pouvez y écrire", dsn, err)
		}
		if s.db, err = sql.Open("sqlite", sqliteDSN(dsn, false)); err != nil {
			s.wdb.Close()
			return err
		}
		s.db.SetMaxOpenConns(8)
		s.db.SetMaxIdleConns(8)
	case postgresDialect:
		if s.db, err = sql.Open("pgx", dsn); err != nil {
			return err
		}
		if maxConns <= 0 {
			maxConns = 16
		}
		s.db.SetMaxOpenConns(maxConns)
		s.db.SetMaxIdleConns(maxConns)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
		if err = s.db.PingContext(ctx); err != nil {
			s.db.Close()
			return fmt.Errorf("connexion à PostgreSQL impossible (%v) : vérifiez que le serveur tourne et l'URL passée à --db ou PASSNUM_DB", err)
		}
	}
	return nil
}

func (s *Store) migrationDB() *sql.DB {
	if s.wdb != nil {
		return s.wdb
	}
	return s.db
}

func (s *Store) migrate(ctx context.Context, apply bool) error {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	var popts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if s.dialect == postgresDialect {
		gd = goose.DialectPostgres
		// Two servers starting together must not both migrate.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		popts = append(popts, goose.WithSessionLocker(locker))
	}
	popts = append(popts, goose.WithGoMigrations(migration00009(), migration00012(s.dialect)))
	p, err := goose.NewProvider(gd, s.migrationDB(), fsys, popts...)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return unavailable("lecture de la version du schéma", err)
	}
	if current > target {
		return fmt.Errorf("le schéma de la base (version %d) est plus récent que ce programme (version %d) : mettez passnum à jour", current, target)
	}
	if current == target {
		return nil
	}
	if !apply {
		return fmt.Errorf("le schéma de la base (version %d) est en retard sur ce programme (version %d) : lancez « passnum serve » ou « passnum migrate » pour le mettre à jour", current, target)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("mise à jour du schéma : %w", err)
	}
	return nil
}

// Close stops the writer after the writes already queued, then closes the
// connections.
func (s *Store) Close() error {
	s.closing.Do(func() {
		if s.group != nil {
			// First, as its last batches are writes (SQLite's writer).
			s.group.stop()
		}
		if s.done != nil {
			close(s.done)
			s.wg.Wait()
		}
	})
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	if st := s.auth.Swap(nil); st != nil {
		errs = append(errs, st.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.dialect.name() }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.clock.Now() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return unavailable("ping", err)
	}
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Tx is one unit of work. Its time is fixed once, so that every row written
// by one action carries the same instant.
type Tx struct {
	s     *Store
	alone bool // SQLite: the only write of its transaction
	q     querier
	stmts *stmtCache // SQLite's writer only: statements prepared once
	now   time.Time
}

// querier is what a Tx runs its statements on: a *sql.Tx, or SQLite's
// writer connection inside a transaction it began itself.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Now is the instant of this unit of work.
func (tx *Tx) Now() time.Time { return tx.now }

// Today is the Paris day of this unit of work.
func (tx *Tx) Today() passnum.Date { return passnum.ParisDate(tx.now) }

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.stmts.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, tx.s.dialect.rebind(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.q.QueryContext(ctx, tx.s.dialect.rebind(query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.q.QueryRowContext(ctx, tx.s.dialect.rebind(query), args...)
}

// stmtCache keeps the writer connection's prepared statements: parsing
// SQL again for every redemption would cost more than running it.
type stmtCache struct {
	conn *sql.Conn
	m    map[string]*sql.Stmt
}

// maxCachedQuery leaves out the long generated statements (issuance's
// multi-row inserts), which are not worth keeping.
const maxCachedQuery = 2048

func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil || len(query) > maxCachedQuery {
		return nil
	}
	if st, ok := c.m[query]; ok {
		return st
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared: the error, if any, surfaces there
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// View runs fn in a read-only transaction (a consistent snapshot).
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	var opts *sql.TxOptions
	if s.dialect == postgresDialect {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	sqlTx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return s.mapErr(err)
	}
	defer sqlTx.Rollback()
	tx := &Tx{s: s, q: sqlTx, now: s.clock.Now()}
	if err := fn(tx); err != nil {
		return s.mapErr(err)
	}
	return s.mapErr(sqlTx.Commit())
}

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
	for i := 0; i < attempts; i++ {
		err = s.writeOnce(ctx, at, fn)
		if !s.dialect.retryable(err) {
			break
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return s.mapErr(err)
}

// writeOnce runs fn in one transaction.
func (s *Store) writeOnce(ctx context.Context, at time.Time, fn func(*Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback() // after a COMMIT, a no-op
	tx := &Tx{s: s, q: sqlTx, now: s.instant(at)}
	if err := runGuarded(tx, fn); err != nil {
		return err
	}
	return sqlTx.Commit()
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
	}
}

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

// writerStats counts the writer's work, to see how well writes group.
type writerStats struct {
	batches, writes atomic.Int64
}

// WriterStats reports how many commits the SQLite writer made and how many
// writes they carried.
func (s *Store) WriterStats() (batches, writes int64) {
	return s.stats.batches.Load(), s.stats.writes.Load()
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
	if w.conn == nil {
		conn, err := s.wdb.Conn(ctx)
		if err != nil {
			fail(err)
			return
		}
		w.conn = conn
	}
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		// A broken connection is replaced for the next batch.
		w.close()
		w.conn.Close()
		w.conn = nil
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

// mapErr turns driver errors into domain errors: a busy or unreachable
// database is "unavailable" (503), a constraint the application should have
// caught is a conflict; anything else is logged and stays internal.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var de *passnum.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return passnum.Errorf(passnum.EUNAVAILABLE, "La requête a été interrompue avant d'aboutir : réessayez.")
	}
	if s.dialect.unavailable(err) || strings.Contains(err.Error(), "sql: database is closed") {
		s.log.Warn("database unavailable", "err", err)
		return passnum.Errorf(passnum.EUNAVAILABLE, "La base de données est momentanément indisponible : réessayez dans quelques secondes.")
	}
	if s.dialect.uniqueViolation(err) {
		return passnum.Errorf(passnum.ECONFLICT, "Cet enregistrement existe déjà.")
	}
	if s.dialect.invalidText(err) {
		return passnum.Errorf(passnum.EINVALID, "Un texte envoyé contient un caractère nul (U+0000) ou n'est pas en UTF-8 : retirez-le et réessayez.")
	}
	return err
}

func unavailable(what string, err error) error {
	return fmt.Errorf("%s : %w", what, err)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
