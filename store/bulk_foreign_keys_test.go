package store_test

import (
	"strings"
	"testing"

	"passnum"
	"passnum/store/storetest"
)

// TestBulkLoadChecksForeignKeysAtItsEnd: a bulk-load store's SQLite
// writer takes a row whose parent is missing, which any other store
// refuses, and CheckForeignKeys then names it; PostgreSQL refuses it in
// both cases, and its check has nothing to find.
func TestBulkLoadChecksForeignKeysAtItsEnd(t *testing.T) {
	const orphan = `INSERT INTO booklets (id, programme_id, status, distributor_id) VALUES ('01orphan', '01programme', 'allocated', '01nobody')`
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			served, _ := e.Open(t, clock)
			if err := served.ExecForTests(t.Context(), orphan); err == nil {
				t.Fatal("a store opened for serving took a booklet of an agency that does not exist")
			}
			bulk, _ := e.OpenBulkLoad(t, clock)
			if err := bulk.CheckForeignKeys(t.Context()); err != nil {
				t.Fatalf("check of an empty database: %v", err)
			}
			err := bulk.ExecForTests(t.Context(), orphan)
			if e.Name == "postgres" {
				if err == nil {
					t.Fatal("PostgreSQL took a booklet of an agency that does not exist")
				}
				if err := bulk.CheckForeignKeys(t.Context()); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err != nil {
				t.Fatalf("the bulk load's writer checked the foreign key as it wrote: %v", err)
			}
			err = bulk.CheckForeignKeys(t.Context())
			if err == nil || !strings.Contains(err.Error(), "table booklets") || !strings.Contains(err.Error(), "table organisations") {
				t.Fatalf("check after an orphan booklet = %v, want the booklets' row and the organisations named", err)
			}
		})
	}
}
