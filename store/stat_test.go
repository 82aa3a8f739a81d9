package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// statWorld is a programme with several agencies, places and young people
// from several communes and ages, driven by random writes.
type statWorld struct {
	*fixture
	prog   passnum.Programme
	dists  []passnum.Actor
	places []passnum.Actor
	bens   map[string][]passnum.Beneficiary // by agency
	held   []passnum.Booklet                // handed out (and not replaced)
	reds   []passnum.Redemption             // active
}

var statCommunes = []string{"25056", "21231", "39300", "70550", "90010", "25462"}

func newStatWorld(t *testing.T, s *store.Store, clock *passnum.FixedClock, r *rand.Rand) *statWorld {
	t.Helper()
	f := newFixture(t, s, clock)
	w := &statWorld{fixture: f, bens: map[string][]passnum.Beneficiary{}}
	w.prog = f.MustProgramme()
	f.MustIssue(w.prog.ID, 60)
	for i := range 3 {
		d := f.MustDistributor(fmt.Sprintf("Mission locale %d", i))
		f.MustAllocate(w.prog.ID, d.OrganisationID, 18)
		w.dists = append(w.dists, d)
		for j := range 6 {
			b := f.MustBeneficiary(d, func(b *passnum.Beneficiary) {
				b.LastName = fmt.Sprintf("Martin %d-%d", i, j)
				b.CommuneINSEE = statCommunes[r.IntN(len(statCommunes))]
				b.BirthDate = passnum.MustDate(fmt.Sprintf("%d-0%d-1%d", 2001+r.IntN(9), 1+r.IntN(9), r.IntN(10)))
			})
			w.bens[d.OrganisationID] = append(w.bens[d.OrganisationID], b)
		}
	}
	w.places = []passnum.Actor{f.MustPlace("Médiathèque"), f.MustPlace("Espace numérique")}
	return w
}

// step makes one random write; refusals (no stock, limits) are fine.
func (w *statWorld) step(r *rand.Rand, clock *passnum.FixedClock) {
	switch k := r.IntN(10); {
	case k < 3:
		d := w.dists[r.IntN(len(w.dists))]
		bens := w.bens[d.OrganisationID]
		if bk, err := w.HandOut(d, bens[r.IntN(len(bens))].ID, w.prog.ID); err == nil {
			w.held = append(w.held, bk)
		}
	case k < 7 && len(w.held) > 0:
		bk := w.held[r.IntN(len(w.held))]
		passes := []passnum.Pass{bk.Passes[r.IntN(len(bk.Passes))]}
		if r.IntN(6) == 0 {
			// Every pass, one after the other: the booklet is
			// completed (and a cancellation later takes it back).
			passes = bk.Passes
		}
		for _, ps := range passes {
			if red, err := w.Redeem(w.places[r.IntN(len(w.places))], ps.Code); err == nil {
				w.reds = append(w.reds, red)
			}
		}
	case k < 8 && len(w.reds) > 0:
		i := r.IntN(len(w.reds))
		if _, err := w.Cancel(w.op, w.reds[i].ID, "erreur"); err == nil {
			w.reds = append(w.reds[:i], w.reds[i+1:]...)
		}
	case k < 9 && len(w.held) > 0:
		i := r.IntN(len(w.held))
		bk := w.held[i]
		if nb, err := w.Replace(w.op, bk.ID, "", "perdu"); err == nil {
			w.held[i] = nb
		}
	default:
		clock.Advance(time.Duration(r.IntN(20*24)) * time.Hour)
	}
}

// TestStatCountersFollowRandomWrites: whatever the order of hand-outs,
// uses, cancellations, replacements and days passing, every counter
// equals its recount from the raw rows (passnum check's "stats" rule).
func TestStatCountersFollowRandomWrites(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				r := rand.New(rand.NewPCG(seed, 13))
				w := newStatWorld(t, s, clock, r)
				completed := false // some booklet had every pass used at some point
				for i := range 120 {
					w.step(r, clock)
					if i%40 == 39 {
						mustCheck(t, s)
					}
					var n int
					if err := db.QueryRow(`SELECT COUNT(*) FROM booklets WHERE stat_month <> '' AND used_passes >= 5`).Scan(&n); err != nil {
						t.Fatal(err)
					}
					completed = completed || n > 0
				}
				if !completed {
					t.Fatal("no booklet completed: the walk no longer tries the completed counters")
				}
				mustCheck(t, s)
				// Folding the deltas (PostgreSQL) changes no figure.
				if _, err := s.FoldStats(t.Context()); err != nil {
					t.Fatal(err)
				}
				mustCheck(t, s)
				var n, left int
				if err := db.QueryRow(`SELECT COUNT(*) FROM stat_counts WHERE metric = 'used' AND n > 0`).Scan(&n); err != nil || n == 0 {
					t.Fatalf("no use counted (%v)", err)
				}
				if err := db.QueryRow(`SELECT COUNT(*) FROM stat_deltas`).Scan(&left); err != nil || left != 0 {
					t.Fatalf("%d delta rows left after a fold (%v)", left, err)
				}
			})
		})
	}
}

// TestCheckNamesACorruptedCounter: a counter off by one, or a booklet's
// use count, is named by passnum check.
func TestCheckNamesACorruptedCounter(t *testing.T) {
	for _, tt := range []struct{ name, sql, mention string }{
		{"a commune's uses", `UPDATE stat_counts SET n = n + 1 WHERE dim = 'commune' AND metric = 'used'`, "commune"},
		{"a distributor's hand-outs", `UPDATE stat_counts SET n = n - 1 WHERE dim = 'distributor' AND metric = 'handed_out'`, "handed_out"},
		{"a counter gone", `DELETE FROM stat_counts WHERE dim = 'age_band' AND metric = 'started'`, "started"},
		{"a distributor's all months", `UPDATE stat_counts SET n = n + 1 WHERE dim = 'distributor' AND month = '' AND metric = 'used'`, "tous les mois"},
		{"a place's month, its all months kept", `UPDATE stat_counts SET n = n + 1 WHERE dim = 'place' AND month <> '' AND month NOT LIKE 'T%' AND metric = 'used'`, "mois 20"},
		{"a distributor's quarter", `UPDATE stat_counts SET n = n + 1 WHERE dim = 'distributor' AND month LIKE 'T%' AND metric = 'handed_out'`, "trimestre "},
		{"a booklet's uses", `UPDATE booklets SET used_passes = used_passes + 1 WHERE used_passes > 0`, "carnet"},
		{"a first use's day", `UPDATE stat_counts SET bucket = bucket + 1 WHERE dim = 'reminders' AND metric = 'first_use_day'`, "first_use_day"},
		{"a booklet marked reminded", `UPDATE booklets SET reminded_at = 1`, "relance"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				w := newWorld(t, s, clock)
				bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
				w.MustRedeem(w.place, bk.Passes[0].Code)
				mustCheck(t, s)
				if _, err := s.FoldStats(t.Context()); err != nil {
					t.Fatal(err)
				}
				rawExec(t, db, tt.sql)
				err := s.Check(t.Context())
				v, ok := err.(*store.Violation)
				if !ok || v.Invariant != "stats" {
					t.Fatalf("Check = %v, want a stats violation", err)
				}
				if !strings.Contains(v.Message, tt.mention) {
					t.Fatalf("message %q does not name %q", v.Message, tt.mention)
				}
				t.Log(v.Message)
			})
		})
	}
}

// TestStatCountersDeltas: on PostgreSQL a redemption adds delta rows
// instead of updating the counters every redemption shares (which would
// keep them locked until commit); SQLite adds to the counters. The
// figures are the sum of both, before and after a fold, which empties
// the deltas.
func TestStatCountersDeltas(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		reds := w.redeemMany(w.place, 7)
		count := func(table string) int {
			t.Helper()
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table + ` WHERE metric = 'used'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		figures := func() (total, byService int64) {
			t.Helper()
			st := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: "service"})
			})
			if st.Total.PassesUsed == nil {
				t.Fatal("passes used masked")
			}
			for _, c := range st.Cells {
				if c.PassesUsed != nil {
					byService += *c.PassesUsed
				}
			}
			return *st.Total.PassesUsed, byService
		}
		postgres := s.Engine() == "postgres"
		if deltas := count("stat_deltas"); postgres != (deltas > 0) {
			t.Fatalf("%s: %d delta rows of uses", s.Engine(), deltas)
		}
		for _, stage := range []string{"before the fold", "after the fold"} {
			if total, bySvc := figures(); total != int64(len(reds)) || bySvc != total {
				t.Errorf("%s: %d passes used, %d by service; want %d", stage, total, bySvc, len(reds))
			}
			mustCheck(t, s)
			if _, err := s.FoldStats(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if deltas := count("stat_deltas"); deltas != 0 {
			t.Errorf("%d delta rows left after a fold", deltas)
		}
	})
}
