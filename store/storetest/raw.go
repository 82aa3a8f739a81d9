package storetest

import (
	"database/sql"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// RawDB opens a plain connection to the database at u (a --db URL), behind
// the store's back: for tests that tamper with rows as an intruder would.
// Its statements take "?" placeholders on both engines (see Bind).
func RawDB(t testing.TB, u string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", u
	if path, ok := strings.CutPrefix(u, "sqlite:"); ok {
		driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// Bind turns "?" placeholders into PostgreSQL's "$1, $2…" when the URL u
// is PostgreSQL's.
func Bind(u, q string) string {
	if strings.HasPrefix(u, "sqlite:") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IndexDefinitions lists the indexes of the database at u, each as its
// name and the statement that builds it, in name order.
func IndexDefinitions(t testing.TB, db *sql.DB, u string) []string {
	t.Helper()
	q := `SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name`
	if !strings.HasPrefix(u, "sqlite:") {
		q = `SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`
	}
	return Strings(t, db, q)
}

// Strings runs a query and returns its first column.
func Strings(t testing.TB, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
