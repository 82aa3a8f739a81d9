package store_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// TestMigration00022FillsTheCohorts: a database whose replacements were
// made before the cohorts were counted (as before migration 00022) gets
// each replacement's cohort along its chain and the cohort_used counters
// from the migration, so that passnum check passes and the passes
// expired are what the writes kept.
func TestMigration00022FillsTheCohorts(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		r := rand.New(rand.NewPCG(22, 22))
		w := newStatWorld(t, s, clock, r)
		// A chain of replacements over three months, which the
		// migration fills a link at a time, then a walk.
		d := w.dists[0]
		bk, err := w.HandOut(d, w.bens[d.OrganisationID][0].ID, w.prog.ID)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			clock.Advance(35 * 24 * time.Hour)
			if bk, err = w.Replace(w.op, bk.ID, "", "perdu"); err != nil {
				t.Fatal(err)
			}
		}
		for range 200 {
			w.step(r, clock)
		}
		for !passnum.ParisDate(clock.Now()).After(w.prog.LastRedeemDay()) {
			clock.Advance(24 * time.Hour)
		}
		cohorts := func() map[string]string {
			rows, err := db.Query(`SELECT id, stat_cohort FROM booklets WHERE stat_cohort <> ''`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]string{}
			for rows.Next() {
				var id, c string
				if err := rows.Scan(&id, &c); err != nil {
					t.Fatal(err)
				}
				out[id] = c
			}
			return out
		}
		expired := func() map[string]int64 {
			out := map[string]int64{}
			for _, by := range []string{"", "distributor", "commune"} {
				for _, pd := range [][2]string{{"", ""}, {"2026-01", "2026-04"}, {"2026-05", "2026-12"}} {
					st := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
						return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: by, From: pd[0], To: pd[1]})
					})
					out[by+pd[0]+pd[1]] = val(st.Total.PassesExpired)
					for _, c := range st.Cells {
						out[by+pd[0]+pd[1]+c.Key] = val(c.PassesExpired)
					}
				}
			}
			return out
		}
		keptCohorts, keptExpired := cohorts(), expired()
		var links int
		if err := db.QueryRow(`SELECT COUNT(*) FROM booklets c JOIN booklets b ON b.replaced_by = c.id WHERE c.stat_cohort <> b.stat_month`).Scan(&links); err != nil || links < 2 {
			t.Fatalf("%d replacements of a replacement of an earlier month (%v): the migration's chains are not tried", links, err)
		}
		if err := s.RunMigration00022ForTests(t.Context(), "Down"); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.QueryRow(`SELECT COUNT(*) FROM stat_counts WHERE metric = 'cohort_used'`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d cohorts' counters left by the way down (%v)", left, err)
		}
		if err := s.RunMigration00022ForTests(t.Context(), "Up"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if got := cohorts(); !reflect.DeepEqual(got, keptCohorts) {
			t.Fatalf("after the migration, cohorts %v; kept %v", got, keptCohorts)
		}
		if got := expired(); !reflect.DeepEqual(got, keptExpired) {
			t.Fatalf("after the migration, passes expired %v; kept %v", got, keptExpired)
		}
	})
}
