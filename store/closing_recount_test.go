package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"passnum"
	"passnum/store"
)

// TestClosingTableEqualsARecount: the operator's closing table, read from
// the booklets' own count of passes used, equals a recount from the
// passes themselves, over random hand-outs, uses, cancellations and
// replacements of lost booklets (whose voided passes are not used).
func TestClosingTableEqualsARecount(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				r := rand.New(rand.NewPCG(seed, 7))
				w := newStatWorld(t, s, clock, r)
				for range 120 {
					w.step(r, clock)
				}
				table := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
					return tx.ClosingTable(ctx, w.prog.ID, false)
				})
				rows, err := db.Query(`SELECT b.distributor_id, COUNT(*),
						SUM(CASE WHEN b.status IN ('handed_out', 'blocked') THEN 1 ELSE 0 END),
						SUM(CASE WHEN b.status = 'allocated' THEN 1 ELSE 0 END),
						SUM(CASE WHEN u.used > 0 THEN 1 ELSE 0 END),
						COALESCE(SUM(u.used), 0),
						COALESCE(SUM(CASE WHEN b.status IN ('handed_out', 'blocked') THEN u.unused ELSE 0 END), 0)
					FROM booklets b
					LEFT JOIN (SELECT booklet_id, SUM(CASE WHEN status = 'redeemed' THEN 1 ELSE 0 END) AS used,
							SUM(CASE WHEN status <> 'redeemed' THEN 1 ELSE 0 END) AS unused
						FROM passes GROUP BY booklet_id) u ON u.booklet_id = b.id
					WHERE b.programme_id = '` + w.prog.ID + `' AND b.distributor_id IS NOT NULL
					GROUP BY b.distributor_id`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				want := map[string][6]int64{}
				for rows.Next() {
					var id string
					var v [6]int64
					if err := rows.Scan(&id, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
						t.Fatal(err)
					}
					want[id] = v
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				var replaced, used int
				for _, d := range table.Distributors {
					got := [6]int64{val(d.BookletsAllocated), val(d.BookletsHandedOut), val(d.BookletsNotHandedOut), val(d.BookletsStarted), val(d.PassesUsed), val(d.PassesUnused)}
					if got != want[d.DistributorID] {
						t.Errorf("%s: closing table %v, recount from the passes %v", d.DistributorName, got, want[d.DistributorID])
					}
					used += int(got[4])
					delete(want, d.DistributorID)
				}
				if len(want) > 0 {
					t.Errorf("distributors missing from the closing table: %v", want)
				}
				if err := db.QueryRow(`SELECT COUNT(*) FROM booklets WHERE programme_id = '` + w.prog.ID + `' AND status = 'blocked'`).Scan(&replaced); err != nil {
					t.Fatal(err)
				}
				if replaced == 0 || used == 0 {
					t.Errorf("the random programme has %d booklets replaced and %d passes used: the recount checks too little", replaced, used)
				}
			})
		})
	}
}
