// Package store keeps passnum's data in SQLite or PostgreSQL through
// database/sql. The public methods own their transaction; the Tx methods
// compose into one atomic unit. All writes go through Store.Write, which on
// SQLite batches concurrent writes into one durable commit (group commit).
//
// The machinery, one file per job:
//
//   - store.go: Options, opening the connections and closing them.
//   - migrate.go: the embedded migrations, applied or checked at open.
//   - dialect.go: what differs between SQLite and PostgreSQL.
//   - tx.go: the unit of work (Tx), Store.View, how instants are stored.
//   - write.go: how a write reaches the disk: Store.Write, the SQLite
//     writer goroutine and its group commit, and the rule that keeps it
//     from deadlocking.
//   - stmt_cache.go: the statements the SQLite writer keeps prepared.
//   - checkpoint.go: copying SQLite's WAL back, off the writer's path.
//   - error_map.go: driver errors as the product answers them.
//
// Every other file is one concept of the domain (redemption.go,
// settlement.go...); redeem_decide.go holds the one statement that decides
// a redemption, redeem_batch*.go the group redemption paths.
package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"passnum"
)

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
	// DigestKey, when set, signs the daily digests (DailyDigest) instead
	// of a key made and kept in the database, which then holds only its
	// public half: someone who can rewrite the database cannot sign a
	// rewritten chain. Read from a file by "passnum serve --digest-key".
	DigestKey ed25519.PrivateKey
	// BulkLoad gives the SQLite writer a page cache of a gigabyte
	// (bulkCacheKiB) and leaves its foreign keys to one check at the end
	// of the load (CheckForeignKeys), for a process that loads history
	// with the bulk path (passnum seed); never for serving. A multi-row
	// statement that may break an immediate foreign key makes SQLite keep
	// a journal of every page it changes, to undo the statement alone:
	// at 10 M passes, allocating and freeing it took a sixth of the
	// load's processor time, most of it for the hand-outs' booklets.
	BulkLoad bool
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

	digestKey ed25519.PrivateKey // nil: the database's own key
	events    atomic.Pointer[eventsBox]

	writes   chan *writeRequest
	maxBatch int
	group    *redeemBatcher           // group redemption; nil when off
	auth     atomic.Pointer[sql.Stmt] // Authenticate's query, once prepared
	authMu   sync.Mutex
	stats    writerStats
	wal      walBound // the writer's only
	done     chan struct{}
	wg       sync.WaitGroup
	closing  sync.Once
	pubs     publications // a funder's figures published for the month
	// pubDB writes them on PostgreSQL: a pool of its own, as a reading
	// that publishes holds one of the main pool's (stat_publication.go).
	pubDB *sql.DB
}

// Open connects to url: "sqlite:<path>" or a postgres:// URL.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	d, dsn, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	s := &Store{dialect: d, clock: opts.Clock, log: opts.Logger, maxBatch: opts.MaxBatch, digestKey: opts.DigestKey}
	if s.clock == nil {
		s.clock = passnum.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxBatch <= 0 {
		s.maxBatch = 256
	}
	if err := s.connect(ctx, dsn, opts); err != nil {
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

// connect opens the connections: on SQLite one writer connection and a
// pool of readers, on PostgreSQL one pool.
func (s *Store) connect(ctx context.Context, dsn string, opts Options) error {
	var err error
	maxConns, writerCache := opts.MaxConns, sqliteCacheKiB
	if opts.BulkLoad {
		writerCache = bulkCacheKiB
	}
	switch s.dialect {
	case sqliteDialect:
		// One writer connection: SQLite has one write lock, and holding it in
		// one place means no SQLITE_BUSY between our own requests.
		if s.wdb, err = sql.Open("sqlite", sqliteDSN(dsn, true, writerCache, !opts.BulkLoad)); err != nil {
			return err
		}
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		s.wdb.SetConnMaxLifetime(0)
		if err = s.wdb.PingContext(ctx); err != nil {
			s.wdb.Close()
			return fmt.Errorf("impossible d'ouvrir la base SQLite %s (%v) : vérifiez que son dossier existe et que vous pouvez y écrire", dsn, err)
		}
		if s.db, err = sql.Open("sqlite", sqliteDSN(dsn, false, sqliteCacheKiB, true)); err != nil {
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
		if s.pubDB, err = sql.Open("pgx", dsn); err != nil {
			s.db.Close()
			return err
		}
		s.pubDB.SetMaxOpenConns(2)
		s.pubDB.SetConnMaxIdleTime(time.Minute)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
		if err = s.db.PingContext(ctx); err != nil {
			s.db.Close()
			s.pubDB.Close()
			return fmt.Errorf("connexion à PostgreSQL impossible (%v) : vérifiez que le serveur tourne et l'URL passée à --db ou PASSNUM_DB", err)
		}
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
	if s.pubDB != nil {
		errs = append(errs, s.pubDB.Close())
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
