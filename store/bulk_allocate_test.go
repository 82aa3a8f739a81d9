package store_test

import (
	"context"
	"database/sql"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// TestBulkAllocateGivesBookletsInOrder: the k-th stock booklet goes to the
// k-th distributor named, each distributor's booklets are one allocation
// with its stock and audit entry, and the whole passes the check; a
// request over the stock or naming an unknown distributor writes nothing.
func TestBulkAllocateGivesBookletsInOrder(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 10)
		a, b := f.MustDistributor("Mission locale A"), f.MustDistributor("Mission locale B")
		order := []string{a.OrganisationID, b.OrganisationID, b.OrganisationID, a.OrganisationID, b.OrganisationID}
		bulk := func(dists []string) ([]passnum.Allocation, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Allocation, error) {
				return tx.BulkAllocate(ctx, f.op, prog.ID, dists)
			})
		}
		allocs, err := bulk(order)
		if err != nil {
			t.Fatal(err)
		}
		if len(allocs) != 2 || allocs[0].DistributorID != a.OrganisationID || allocs[0].Booklets != 2 || allocs[1].Booklets != 3 {
			t.Fatalf("allocations %+v", allocs)
		}
		got := storetest.Strings(t, db, `SELECT distributor_id FROM booklets WHERE programme_id = $1 AND status = 'allocated' ORDER BY id`, prog.ID)
		if len(got) != len(order) {
			t.Fatalf("%d booklets allocated, want %d", len(got), len(order))
		}
		for k := range order {
			if got[k] != order[k] {
				t.Fatalf("booklet %d went to %s, want %s", k, got[k], order[k])
			}
		}
		if st := f.Stock(prog.ID, b.OrganisationID); st.AllocatedBooklets != 3 || st.AvailableBooklets != 3 {
			t.Fatalf("stock of B %+v", st)
		}
		var audited int
		if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'programme.allocate'`).Scan(&audited); err != nil || audited != 2 {
			t.Fatalf("%d allocation audit entries (%v)", audited, err)
		}
		// Each distributor hands out its lowest booklet first: B's first
		// is the stock's second.
		ben := f.MustBeneficiary(b)
		bk := f.MustHandOut(b, ben.ID, prog.ID)
		var second string
		if err := db.QueryRow(`SELECT id FROM booklets WHERE programme_id = $1 ORDER BY id LIMIT 1 OFFSET 1`, prog.ID).Scan(&second); err != nil || bk.ID != second {
			t.Fatalf("B handed out %s, want the stock's second booklet %s (%v)", bk.ID, second, err)
		}
		mustCheck(t, s)

		if _, err := bulk(make([]string, 6)); passnum.ErrorCode(err) != passnum.EINVALID {
			t.Fatalf("unknown distributor: %v", err)
		}
		over := []string{a.OrganisationID, a.OrganisationID, a.OrganisationID, a.OrganisationID, a.OrganisationID, a.OrganisationID}
		if _, err := bulk(over); passnum.ErrorCode(err) != passnum.EINSUFFICIENTSTOCK {
			t.Fatalf("six booklets out of five: %v", err)
		}
		if st := f.Stock(prog.ID, a.OrganisationID); st.AllocatedBooklets != 2 {
			t.Fatalf("a refused allocation changed A's stock: %+v", st)
		}
		mustCheck(t, s)
	})
}
