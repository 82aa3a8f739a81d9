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

// TestMigration00016RollsUpTheMonths: a database whose breakdown cells
// have their months' counters only (as before migration 00016) gets each
// cell's all-months rows from the migration, deltas not yet folded
// included, and every figure stays the same.
func TestMigration00016RollsUpTheMonths(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		r := rand.New(rand.NewPCG(16, 13))
		w := newStatWorld(t, s, clock, r)
		for range 150 {
			w.step(r, clock)
		}
		stats := func(by string) store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: by})
			})
		}
		kept := map[string]store.ProgrammeStats{}
		for _, by := range store.StatBreakdowns {
			kept[by] = stats(by)
			if len(kept[by].Cells) == 0 {
				t.Fatalf("no cell by %s", by)
			}
		}
		count := func() (n int) {
			// Counters and deltas not yet folded (PostgreSQL), by key.
			if err := db.QueryRow(`SELECT COUNT(*) FROM (SELECT dim, dim_value, metric, bucket FROM
				(SELECT dim, dim_value, metric, bucket, n FROM stat_counts WHERE month = ''
				 UNION ALL SELECT dim, dim_value, metric, bucket, n FROM stat_deltas WHERE month = '') AS a
				GROUP BY dim, dim_value, metric, bucket HAVING SUM(n) <> 0) AS k`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		rolled := count()
		if rolled == 0 {
			t.Fatal("no all-months counter kept by the writes")
		}
		// Before the migration: the months alone, which passnum check
		// finds short of the all-months rows.
		if err := s.RunMigration00016ForTests(t.Context(), "Down"); err != nil {
			t.Fatal(err)
		}
		if count() != 0 {
			t.Fatal("all-months rows left by the way down")
		}
		if v, ok := s.Check(t.Context()).(*store.Violation); !ok || v.Invariant != "stats" {
			t.Fatalf("Check without the all-months rows = %v, want a stats violation", v)
		}
		if err := s.RunMigration00016ForTests(t.Context(), "Up"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if got := count(); got != rolled {
			t.Fatalf("%d all-months rows after the migration, %d kept by the writes", got, rolled)
		}
		for _, by := range store.StatBreakdowns {
			if got := stats(by); !reflect.DeepEqual(got, kept[by]) {
				t.Fatalf("by %s after the migration:\n%s\nkept:\n%s", by, fmt.Sprint(got), fmt.Sprint(kept[by]))
			}
		}
	})
}
