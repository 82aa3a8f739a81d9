package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"passnum"
)

// The unit of work. A Tx is handed to the function given to Store.View or
// Store.Write and lives as long as it runs: its instant is fixed once, its
// statements run on a *sql.Tx (readers, PostgreSQL) or on SQLite's writer
// connection through the statement cache (stmt_cache.go). Unexported Tx
// methods take no transaction of their own, so any of them compose into
// one atomic unit. Also here: how instants are stored (microseconds).

// Tx is one unit of work. Its time is fixed once, so that every row written
// by one action carries the same instant.
type Tx struct {
	s     *Store
	alone bool // SQLite: the only write of its transaction
	q     querier
	stmts *stmtCache // SQLite's writer only: statements prepared once
	now   time.Time
	// refused lists the limits CountAttempt refused in this run of the
	// write's function, told to the store's Events when the write ends.
	refused []string
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
