package store_test

import (
	"database/sql"
	"regexp"
	"slices"
	"testing"

	"modernc.org/sqlite"

	"passnum"
	"passnum/store"
)

// TestStatusTypesMatchSchema: each status type's list of values is what
// the schema's CHECK constraint on its table allows, on both engines, so
// that a value added on one side only fails here rather than at the first
// write or read of it.
func TestStatusTypesMatchSchema(t *testing.T) {
	tables := []struct {
		table  string
		values []string
	}{
		{"redemptions", texts(passnum.RedemptionStatuses)},
		{"settlements", texts(passnum.SettlementStatuses)},
		{"booklets", texts(passnum.BookletStatuses)},
		{"passes", texts(passnum.StoredPassStatuses)},
		{"bank_accounts", texts(passnum.BankStatuses)},
		{"organisations", texts(passnum.OrgStatuses)},
		{"sessions", texts(passnum.SessionStatuses)},
		{"bookings", texts(passnum.BookingStatuses)},
	}
	eachWithDB(t, func(t *testing.T, _ *store.Store, _ *passnum.FixedClock, db *sql.DB) {
		for _, tt := range tables {
			got := checkedStatuses(t, db, tt.table)
			want := slices.Sorted(slices.Values(tt.values))
			if !slices.Equal(got, want) {
				t.Errorf("%s.status: the schema allows %q, the type %q", tt.table, got, want)
			}
		}
	})
}

// texts turns a status list into its stored texts.
func texts[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

var (
	// SQLite keeps the table's CREATE statement: CHECK (status IN ('a', 'b')).
	sqliteStatusCheck = regexp.MustCompile(`CHECK \(status IN \(([^)]*)\)\)`)
	// PostgreSQL rewrites it: CHECK ((status = ANY (ARRAY['a'::text, 'b'::text]))).
	postgresStatusCheck = regexp.MustCompile(`CHECK \(\(status = ANY \(ARRAY\[([^\]]*)\]\)\)\)`)
	quoted              = regexp.MustCompile(`'([^']*)'`)
)

// checkedStatuses returns, sorted, the values the CHECK constraint on
// table's status column allows.
func checkedStatuses(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	var defs []string
	re := postgresStatusCheck
	if _, ok := db.Driver().(*sqlite.Driver); ok {
		re = sqliteStatusCheck
		defs = rawStrings(t, db, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '`+table+`'`)
	} else {
		defs = rawStrings(t, db, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid = '`+table+`'::regclass`)
	}
	var out []string
	for _, d := range defs {
		for _, m := range re.FindAllStringSubmatch(d, -1) {
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				out = append(out, q[1])
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no CHECK constraint on status found in %q", table, defs)
	}
	slices.Sort(out)
	return out
}
