package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"passnum"
	"passnum/store"
)

// TestMigration00018AddsTheQuarters: a database whose breakdown cells have
// no quarters' rows (as before migration 00018) gets them from the
// migration, deltas not yet folded included; passnum check names their
// absence before and passes after, and every figure, over the whole
// programme and over periods that hold whole quarters, stays the same.
func TestMigration00018AddsTheQuarters(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		r := rand.New(rand.NewPCG(18, 13))
		w := newStatWorld(t, s, clock, r)
		for range 200 {
			w.step(r, clock)
		}
		periods := [][2]string{{"", ""}, {"2026-01", "2026-06"}, {"2026-04", "2026-09"}, {"2026-02", ""}}
		stats := func() map[string]store.ProgrammeStats {
			out := map[string]store.ProgrammeStats{}
			for _, by := range store.StatBreakdowns {
				for _, pd := range periods {
					out[by+" "+pd[0]+".."+pd[1]] = view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
						return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: by, From: pd[0], To: pd[1]})
					})
				}
			}
			return out
		}
		kept := stats()
		count := func() (n int) {
			if err := db.QueryRow(`SELECT COUNT(*) FROM (SELECT dim, dim_value, month, metric, bucket FROM
				(SELECT dim, dim_value, month, metric, bucket, n FROM stat_counts WHERE month LIKE 'T%'
				 UNION ALL SELECT dim, dim_value, month, metric, bucket, n FROM stat_deltas WHERE month LIKE 'T%') AS a
				GROUP BY dim, dim_value, month, metric, bucket HAVING SUM(n) <> 0) AS k`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		quarters := count()
		var distinct int
		if err := db.QueryRow(`SELECT COUNT(DISTINCT month) FROM (SELECT month FROM stat_counts UNION ALL SELECT month FROM stat_deltas) AS m WHERE month LIKE 'T%'`).Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		if quarters == 0 || distinct < 2 {
			t.Fatalf("%d quarters' counters in %d quarters kept by the writes: the walk no longer spans two quarters", quarters, distinct)
		}
		if err := s.RunMigration00018ForTests(t.Context(), "Down"); err != nil {
			t.Fatal(err)
		}
		if count() != 0 {
			t.Fatal("quarters' rows left by the way down")
		}
		if v, ok := s.Check(t.Context()).(*store.Violation); !ok || v.Invariant != "stats" {
			t.Fatalf("Check without the quarters' rows = %v, want a stats violation", v)
		}
		if err := s.RunMigration00018ForTests(t.Context(), "Up"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if got := count(); got != quarters {
			t.Fatalf("%d quarters' counters after the migration, %d kept by the writes", got, quarters)
		}
		for k, got := range stats() {
			if !reflect.DeepEqual(got, kept[k]) {
				t.Fatalf("%s after the migration:\n%s\nkept:\n%s", k, fmt.Sprint(got), fmt.Sprint(kept[k]))
			}
		}
	})
}
