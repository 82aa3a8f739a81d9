package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"passnum"
	"passnum/internal/linear"
	"passnum/store"
)

// TestFunderPeriodsGiveNothingBack plays a funder who asks for every
// period of the programme's months, the table of uses, and the year's
// breakdown, then solves: the published figures, as linear equations in
// each figure's monthly values (rates and passes not used included),
// must not fix any month that counts 1 to 4 people. Before the period's
// secrecy, "251 handed out" for the whole programme less 247 up to
// November gave back December's 4.
func TestFunderPeriodsGiveNothingBack(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				r := rand.New(rand.NewPCG(seed, 31))
				w := newStatWorld(t, s, clock, r)
				for range 150 {
					w.step(r, clock)
				}
				checkFunderPeriods(t, s, db, w.prog)
			})
		})
	}
}

// The figures the test solves for, each a series of monthly unknowns.
const (
	figHanded = iota
	figTarget
	figReplaced
	figStarted
	figCompleted
	figUsed
	figCount
)

// figureEquations calls eq with each equation a published row of figures
// gives, as the weights of its figures (figHanded…figUsed): each figure
// shown, and what gives one back beside another (the passes handed out,
// the amount, the shares of the booklets handed out, the passes not
// used, size to a booklet).
func figureEquations(f store.StatFigures, size float64, eq func(w [figCount]float64)) {
	one := func(fig int) {
		var w [figCount]float64
		w[fig] = 1
		eq(w)
	}
	known := map[int]bool{}
	for fig, p := range [figCount]*int64{figHanded: f.BookletsHandedOut, figTarget: f.TargetPublic, figReplaced: f.BookletsReplaced,
		figStarted: f.BookletsStarted, figCompleted: f.BookletsCompleted, figUsed: f.PassesUsed} {
		if p != nil {
			one(fig)
			known[fig] = true
		}
	}
	if f.PassesHandedOut != nil {
		one(figHanded)
	}
	if f.AmountUsedCents != nil {
		one(figUsed)
	}
	if f.TargetShare != nil && (known[figTarget] || known[figHanded]) {
		one(figTarget)
		one(figHanded)
	}
	if f.UseRate != nil && (known[figStarted] || known[figHanded]) {
		one(figStarted)
		one(figHanded)
	}
	if f.PassesExpired != nil {
		var w [figCount]float64
		w[figHanded], w[figUsed] = size, -1
		eq(w)
	}
}

func checkFunderPeriods(t *testing.T, s *store.Store, db *sql.DB, prog passnum.Programme) {
	t.Helper()
	// The months with anything counted, and each figure's true value in
	// each, recounted from the raw rows.
	var months []string
	var truth [][figCount]int64
	for y := 2025; y <= 2027; y++ {
		for m := 1; m <= 12; m++ {
			month := fmt.Sprintf("%d-%02d", y, m)
			c := rawStats(t, db, prog.ID, "", month, month)[""]
			if c == nil {
				c = &rawCell{}
			}
			v := [figCount]int64{c.handed, c.target, c.replaced, c.started, c.completed, c.used}
			if v != ([figCount]int64{}) || len(months) > 0 {
				months = append(months, month)
				truth = append(truth, v)
			}
		}
	}
	for len(truth) > 0 && truth[len(truth)-1] == ([figCount]int64{}) {
		months, truth = months[:len(months)-1], truth[:len(truth)-1]
	}
	if len(months) < 3 {
		t.Fatalf("the random programme spans %d months: too few to try periods", len(months))
	}
	nm := len(months)
	size := float64(prog.BookletSize)
	maxPerPerson := int64(prog.BookletSize) * int64(prog.MaxBookletsPerBeneficiary)
	var eqs [][]float64
	// span adds to an equation figure fig over months from..to, k times.
	row := func() []float64 { return make([]float64, figCount*nm) }
	span := func(v []float64, fig int, from, to int, k float64) {
		for m := from; m <= to; m++ {
			v[fig*nm+m] += k
		}
	}
	published := func(f store.StatFigures, from, to int) {
		figureEquations(f, size, func(w [figCount]float64) {
			v := row()
			for fig, k := range w {
				span(v, fig, from, to, k)
			}
			eqs = append(eqs, v)
		})
	}
	funder := func(q store.StatsQuery) store.ProgrammeStats {
		q.ProgrammeID, q.Secret = prog.ID, true
		return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
			return tx.ProgrammeStats(ctx, q)
		})
	}
	for from := range nm {
		for to := from; to < nm; to++ {
			st := funder(store.StatsQuery{From: months[from], To: months[to]})
			published(st.Total, from, to)
			for _, m := range st.Months {
				if m.PassesUsed != nil {
					i := slices.Index(months, m.Month)
					v := row()
					span(v, figUsed, i, i, 1)
					eqs = append(eqs, v)
				}
			}
		}
	}
	// The years' breakdowns: a figure shown in every cell adds up to the
	// year's total, hidden or not.
	type cut struct {
		q        store.StatsQuery
		from, to int
	}
	var cuts []cut
	first, _ := strconv.Atoi(months[0][:4])
	last, _ := strconv.Atoi(months[nm-1][:4])
	for year := first; year <= last; year++ {
		y := strconv.Itoa(year)
		from, to := nm, -1
		for i, m := range months {
			if m[:4] == y {
				from, to = min(from, i), max(to, i)
			}
		}
		if to >= 0 {
			for _, by := range []string{"departement", "distributor"} {
				cuts = append(cuts, cut{store.StatsQuery{From: y + "-01", To: y + "-12", By: by}, from, to})
			}
		}
	}
	for _, c := range cuts {
		st, from, to := funder(c.q), c.from, c.to
		// sum holds a zero for each figure every cell shows: published
		// reads it as the year's equation.
		sum := store.StatFigures{}
		for _, get := range []func(f *store.StatFigures) **int64{
			func(f *store.StatFigures) **int64 { return &f.BookletsHandedOut }, func(f *store.StatFigures) **int64 { return &f.TargetPublic },
			func(f *store.StatFigures) **int64 { return &f.BookletsReplaced }, func(f *store.StatFigures) **int64 { return &f.BookletsStarted },
			func(f *store.StatFigures) **int64 { return &f.BookletsCompleted }, func(f *store.StatFigures) **int64 { return &f.PassesUsed },
		} {
			all := true
			for i := range st.Cells {
				all = all && *get(&st.Cells[i].StatFigures) != nil
			}
			if all {
				*get(&sum) = new(int64)
			}
		}
		published(sum, from, to)
	}
	for fig := range figCount {
		for m := range nm {
			people := truth[m][fig]
			if fig == figUsed {
				people = (people + maxPerPerson - 1) / maxPerPerson
			}
			if people > 0 && people < passnum.SecrecyThreshold && linear.Determined(eqs, fig*nm+m) {
				t.Errorf("figure %d of %s (%d people) given back by the periods a funder may ask for (months %v)", fig, months[m], people, months)
			}
		}
	}
}
