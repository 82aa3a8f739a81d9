package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect keeps every difference between the two engines in one place.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) name() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// parseURL reads --db: "sqlite:<path>" or "postgres://…"/"postgresql://…".
func parseURL(u string) (dialect, string, error) {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return 0, "", fmt.Errorf("base de données %q : chemin du fichier SQLite manquant (exemple : sqlite:passnum.db)", u)
		}
		return sqliteDialect, path, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return postgresDialect, u, nil
	}
	return 0, "", fmt.Errorf("base de données %q non reconnue : utilisez sqlite:<fichier> ou une URL postgres://", u)
}

// sqliteDSN sets the pragmas every connection needs: WAL for concurrent
// readers, synchronous=FULL so that a commit survives a power cut, foreign
// keys (all but a bulk load's writer, see Options.BulkLoad), and a busy
// timeout for other processes (the CLI) sharing the file.
func sqliteDSN(path string, writer bool, cacheKiB int, foreignKeys bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	if foreignKeys {
		q.Add("_pragma", "foreign_keys(1)")
	} else {
		q.Add("_pragma", "foreign_keys(0)")
	}
	// A larger page cache keeps big transactions (issuing a million
	// passes) from spilling to disk before their commit.
	q.Add("_pragma", "cache_size("+strconv.Itoa(-cacheKiB)+")")
	// Savepoints copy the pages they touch to a sub-journal: in memory
	// rather than in a temporary file, that costs no system call.
	q.Add("_pragma", "temp_store(memory)")
	if writer {
		q.Set("_txlock", "immediate")
		// The writer never checkpoints: a background connection does,
		// so that copying the WAL back never delays a commit.
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	// A SQLite URI filename decodes %XX and ends at ? or #: a path holding
	// them (a folder named after a test, "…#01") is escaped.
	path = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + path + "?" + q.Encode()
}

// sqliteCacheKiB is each SQLite connection's page cache, in KiB. The
// pure-Go SQLite's allocator rounds each cached page up, so that a full
// cache takes about twice this in memory.
const sqliteCacheKiB = 65536

// walkCacheKiB is the page cache of a write that walks a big table once,
// in its order (a settlement run): what it needs cached is the one leaf
// page per place it writes to in each of two indexes, about ten thousand
// pages for 5,000 places; the rest of a full cache would only hold pages
// it never comes back to (measured: 64 MiB, 18 s and 206 MB; 48 MiB, 26 s
// and 176 MB; 32 MiB, 37 s and 148 MB, for a million redemptions).
const walkCacheKiB = 49152

// bulkCacheKiB is the SQLite writer's page cache in a process that loads
// history in bulk (BulkHandOut, BulkRedeem). A national programme's booklets are handed
// out in the order of their ids, which are random against the table's
// storage order, so each hand-out touches a booklet page, its passes'
// page and four index pages anywhere in a few gigabytes: with the
// default cache, every one is read again and the dirty pages spill to
// the log before commit. A gigabyte keeps most of them (about two in
// memory, see sqliteCacheKiB): for an offline load (Options.BulkLoad),
// not for serving.
const bulkCacheKiB = 1 << 20

// narrowCache gives the transaction's connection a small page cache for a
// write that walks a big table once, and returns what puts it back. On
// PostgreSQL, whose buffers are the server's, it does nothing.
func (d dialect) narrowCache(ctx context.Context, tx *Tx) (restore func(), err error) {
	if d != sqliteDialect {
		return func() {}, nil
	}
	if _, err := tx.q.ExecContext(ctx, "PRAGMA cache_size = "+strconv.Itoa(-walkCacheKiB)); err != nil {
		return nil, err
	}
	return func() {
		tx.q.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = "+strconv.Itoa(-sqliteCacheKiB))
	}, nil
}

var rebound sync.Map // query text → PostgreSQL text

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries never
// contain a literal question mark.
func (d dialect) rebind(q string) string {
	if d != postgresDialect {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	if len(q) < 4096 {
		rebound.Store(q, out)
	}
	return out
}

// bulkInsert starts an INSERT of many rows. Alone in its SQLite
// transaction, a conflict may roll the whole transaction back ("OR
// ROLLBACK"), which spares SQLite a statement journal of every page the
// statement touches; batched with other writes, it must not.
func (d dialect) bulkInsert(alone bool) string {
	if d == sqliteDialect && alone {
		return "INSERT OR ROLLBACK INTO "
	}
	return "INSERT INTO "
}

// bulkUpdate starts an UPDATE of many rows, as bulkInsert an INSERT: alone
// in its SQLite transaction, a broken CHECK rolls the transaction back
// rather than the statement, which spares SQLite a statement journal of
// every page the statement changes (a settlement run's UPDATE changes a
// million rows: the journal would hold them all in memory).
func (d dialect) bulkUpdate(alone bool) string {
	if d == sqliteDialect && alone {
		return "UPDATE OR ROLLBACK "
	}
	return "UPDATE "
}

// skipLocked lets concurrent PostgreSQL transactions pick different free
// rows; SQLite has a single writer and needs nothing.
func (d dialect) skipLocked() string {
	if d == postgresDialect {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// inTableOrder makes the rows of table chosen by where be visited in the
// table's own storage order by the UPDATE it ends, in rounds of at most
// limit rows (zero: one round), which the caller repeats until a round
// changes fewer. On SQLite an UPDATE otherwise walks the index it chose,
// which for the redemptions of many places revisits every table page once
// per place; the rowids are taken in rounds, smallest first, so that what
// SQLite keeps of them in memory stays small. PostgreSQL's bitmap scans
// already visit the table in its order.
func (d dialect) inTableOrder(table, where string) (string, int64) {
	if d == sqliteDialect {
		const round = 100_000
		return "rowid IN (SELECT rowid FROM " + table + " WHERE " + where + " ORDER BY rowid LIMIT " + strconv.Itoa(round) + ")", round
	}
	return where, 0
}

// concurrentWriters reports whether other transactions may commit rows
// while a write runs: on PostgreSQL, yes, so that a statement may see
// rows an earlier one of the same transaction did not; on SQLite the
// single writer holds the database's write lock for its whole transaction.
func (d dialect) concurrentWriters() bool { return d == postgresDialect }

func (d dialect) uniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

func (d dialect) unavailable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection; 53: resources; 57: operator intervention.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57")
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "connection refused") || errors.Is(err, driver.ErrBadConn)
}

// invalidText reports PostgreSQL refusing a text it cannot store: a NUL
// character (22021) or bytes that are not UTF-8 (22P05). The API and the
// pages refuse NUL before any query; this is the last guard, so that such
// input is never an internal error.
func (d dialect) invalidText(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "22021" || pe.Code == "22P05"
	}
	return false
}

// retryable reports PostgreSQL serialization failures and deadlocks, which
// are safe to run again.
func (d dialect) retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// programmeScan names table, with its alias, for a query that reads all
// of a programme's rows (rows of them, about): on SQLite, when they are
// half the table or more, a scan of the whole table, which reads its
// pages in order, rather than a walk of the programme's index entries,
// each of which looks its row up from the table's root. For the closing
// table of a national programme's 2 million booklets that is 4.0 s
// rather than 8.7 s (BENCHMARKS.md). PostgreSQL's planner chooses so
// itself from its statistics.
func (tx *Tx) programmeScan(ctx context.Context, table, alias string, rows int64) (string, error) {
	named := strings.TrimSpace(table + " " + alias)
	if tx.s.dialect != sqliteDialect {
		return named, nil
	}
	var last sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT MAX(rowid) FROM `+table).Scan(&last); err != nil {
		return "", err
	}
	if 2*rows < last.Int64 {
		return named, nil
	}
	return named + " NOT INDEXED", nil
}
