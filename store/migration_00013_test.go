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

// TestMigration00013FillsTheCounters: a database whose booklets and
// counters predate the statistics gets them from the migration's fill,
// equal to what the writes would have kept.
func TestMigration00013FillsTheCounters(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		r := rand.New(rand.NewPCG(7, 13))
		w := newStatWorld(t, s, clock, r)
		for range 120 {
			w.step(r, clock)
		}
		stats := func() store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: "commune"})
			})
		}
		kept := stats()
		if kept.Total.BookletsHandedOut == nil || *kept.Total.BookletsHandedOut == 0 {
			t.Fatal("nothing handed out")
		}
		// As before the migration: none of its columns or counters.
		// (Counters live in stat_counts, or in stat_deltas until folded.)
		for _, q := range []string{`DELETE FROM stat_counts`, `DELETE FROM stat_deltas`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		rawExec(t, db, `UPDATE booklets SET stat_departement = '', stat_commune = '', stat_age_band = '', stat_month = '', stat_target = 0, stat_replacement = 0, used_passes = 0, first_used_at = NULL WHERE handed_out_at IS NOT NULL`)
		if err := s.RefillStatsForTests(t.Context()); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if filled := stats(); !reflect.DeepEqual(filled, kept) {
			t.Fatalf("filled:\n%s\nkept:\n%s", fmt.Sprint(filled), fmt.Sprint(kept))
		}
	})
}
