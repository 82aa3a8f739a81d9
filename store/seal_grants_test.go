package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"passnum"
	"passnum/store/storetest"
)

// TestPostgresGrantsKeepTrailAppendOnly applies deploy/postgres-grants.sql
// to a migrated database for a new role, as docs/deployment.md says, and
// sees that role add audit and ledger entries but never change or delete
// them.
func TestPostgresGrantsKeepTrailAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, u := storetest.OpenPostgres(t, passnum.NewFixedClock(storetest.Epoch))
	defer s.Close()
	script, err := os.ReadFile("../deploy/postgres-grants.sql")
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	rand.Read(b[:])
	role := "passnum_app_" + hex.EncodeToString(b[:])
	db := storetest.RawDB(t, u)
	mustExec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE ROLE ` + role)
	t.Cleanup(func() {
		db.ExecContext(ctx, `RESET ROLE`)
		db.ExecContext(ctx, `DROP OWNED BY `+role)
		db.ExecContext(ctx, `DROP ROLE `+role)
	})
	mustExec(strings.ReplaceAll(string(script), "passnum_app", role))
	mustExec(`SET ROLE ` + role)

	mustExec(`INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id)
		VALUES ('grant-test', 1, 'org', 'user', 'u', 'key.create', 'key', 'k')`)
	var seq int64
	if err := db.QueryRowContext(ctx, `SELECT seq FROM audit_log WHERE id = 'grant-test'`).Scan(&seq); err != nil || seq < 1 {
		t.Fatalf("the entry added by the server's role has seq %d (%v)", seq, err)
	}
	for _, q := range []string{
		`UPDATE audit_log SET reason = 'changé' WHERE id = 'grant-test'`,
		`DELETE FROM audit_log WHERE id = 'grant-test'`,
		`UPDATE ledger_entries SET amount_cents = 1`,
		`DELETE FROM ledger_entries`,
		`DELETE FROM seals`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as the server's role = %v; want permission denied", q, err)
		}
	}
	// What the server does elsewhere stays allowed.
	mustExec(`UPDATE settlement_sequence SET last_number = last_number WHERE id = 1`)
}
