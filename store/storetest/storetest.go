// Package storetest opens fresh databases for tests: a temporary SQLite
// file always, and a new PostgreSQL database created for the test and
// dropped after it. PostgreSQL is found through PASSNUM_TEST_POSTGRES (a
// URL to an existing database used to create the fresh ones), by default
// the local server. In CI (CI=true) a PostgreSQL that cannot be reached
// fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Epoch is the instant test clocks start at: a Tuesday inside the usual
// test programme (2026-03-10 10:00 Paris).
var Epoch = time.Date(2026, 3, 10, 10, 0, 0, 0, passnum.Paris)

// Engine is one database engine under test.
type Engine struct {
	Name string
	Open func(t testing.TB, clock passnum.Clock) (*store.Store, string)
}

// Engines returns SQLite and PostgreSQL.
func Engines() []Engine {
	return []Engine{{"sqlite", OpenSQLite}, {"postgres", OpenPostgres}}
}

// Each runs fn once per engine as a subtest, with a fresh store and a fixed
// clock at Epoch.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store, clock *passnum.FixedClock)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(Epoch)
			s, _ := e.Open(t, clock)
			fn(t, s, clock)
		})
	}
}

// OpenSQLite opens a store on a new SQLite file in a temporary folder and
// returns it with its --db URL.
func OpenSQLite(t testing.TB, clock passnum.Clock) (*store.Store, string) {
	t.Helper()
	u := "sqlite:" + filepath.Join(t.TempDir(), "passnum.db")
	return open(t, u, clock), u
}

// PostgresAdminURL is where fresh databases are created from.
func PostgresAdminURL() string {
	if u := os.Getenv("PASSNUM_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// InCI reports whether missing services must fail tests.
func InCI() bool { return os.Getenv("CI") == "true" }

// OpenPostgres creates a fresh database, opens a store on it and drops the
// database when the test ends.
func OpenPostgres(t testing.TB, clock passnum.Clock) (*store.Store, string) {
	t.Helper()
	u := NewPostgresDatabase(t)
	return open(t, u, clock), u
}

// NewPostgresDatabase creates an empty database and returns its URL; it is
// dropped when the test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := PostgresAdminURL()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if InCI() {
			t.Fatalf("PostgreSQL unreachable at %s in CI: %v", admin, err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set PASSNUM_TEST_POSTGRES): %v", admin, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "passnum_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		db.Close()
	})
	pu, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}

// OpenBulkLoad opens a store as passnum seed does (Options.BulkLoad) on a
// fresh database of engine e, and returns it with its --db URL.
func (e Engine) OpenBulkLoad(t testing.TB, clock passnum.Clock) (*store.Store, string) {
	t.Helper()
	u := "sqlite:" + filepath.Join(t.TempDir(), "passnum.db")
	if e.Name == "postgres" {
		u = NewPostgresDatabase(t)
	}
	return openWith(t, u, store.Options{Clock: clock, Migrate: true, MaxConns: 12, BulkLoad: true}), u
}

func open(t testing.TB, u string, clock passnum.Clock) *store.Store {
	t.Helper()
	return openWith(t, u, store.Options{Clock: clock, Migrate: true, MaxConns: 12})
}

func openWith(t testing.TB, u string, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), u, opts)
	if err != nil {
		t.Fatalf("open %s: %v", strings.SplitN(u, "?", 2)[0], err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
