package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"passnum"
)

// BenchmarkFirstUseSecrecy masks the first-use distributions of a
// breakdown by commune at national scale: 35,000 communes, most of them
// with a few booklets started.
func BenchmarkFirstUseSecrecy(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	base := ProgrammeStats{Total: StatFigures{FirstUse: make([]FirstUseBucket, len(passnum.FirstUseBuckets))}}
	for i := range base.Total.FirstUse {
		base.Total.FirstUse[i].Booklets = ptr(int64(0))
	}
	for c := range 35000 {
		f := StatFigures{FirstUse: make([]FirstUseBucket, len(passnum.FirstUseBuckets))}
		for j, lo := range passnum.FirstUseBuckets {
			n := int64(r.IntN(3) * r.IntN(12))
			f.FirstUse[j] = FirstUseBucket{FromDays: lo, Booklets: ptr(n)}
			*base.Total.FirstUse[j].Booklets += n
		}
		base.Cells = append(base.Cells, StatCell{Key: fmt.Sprintf("%05d", c), StatFigures: f})
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := base
		s.Masked = nil
		s.Cells = make([]StatCell, len(base.Cells))
		for i, c := range base.Cells {
			c.FirstUse = append([]FirstUseBucket(nil), c.FirstUse...)
			for j := range c.FirstUse {
				c.FirstUse[j].Booklets = ptr(*c.FirstUse[j].Booklets)
			}
			s.Cells[i] = c
		}
		s.Total.FirstUse = append([]FirstUseBucket(nil), base.Total.FirstUse...)
		b.StartTimer()
		s.applyFirstUseSecrecy(func(string, int) bool { return false })
	}
}

// TestSecureLine: the hidden cells of a line whose sum is published are
// not given back by it.
func TestSecureLine(t *testing.T) {
	for _, c := range []struct {
		vals     []int64
		hidden   []int
		want     []int // hidden after
		wantLine bool
	}{
		{[]int64{7, 3, 0, 0}, []int{1, 2, 3}, []int{1, 2, 3}, false}, // 3 over three buckets
		{[]int64{10, 3, 6}, []int{1}, []int{1, 2}, false},            // a lone 3: the 6 too
		{[]int64{4, 4, 9}, []int{0, 1}, []int{0, 1, 2}, false},       // two 4s: the 9 too
		{[]int64{0, 0, 9}, []int{0, 1}, []int{0, 1}, false},          // zeros say nobody
		{[]int64{3}, []int{0}, []int{0}, true},                       // nothing else: the sum goes
	} {
		hidden := make([]bool, len(c.vals))
		for _, i := range c.hidden {
			hidden[i] = true
		}
		line := secureLine(len(c.vals), func(i int) int64 { return c.vals[i] }, func(i int) bool { return hidden[i] }, func(i int) { hidden[i] = true })
		var got []int
		for i, h := range hidden {
			if h {
				got = append(got, i)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) || line != c.wantLine {
			t.Errorf("%v hiding %v: hidden %v, sum hidden %v; want %v, %v", c.vals, c.hidden, got, line, c.want, c.wantLine)
		}
	}
}

// TestSmallIsTrue: a cell hidden whole for its 3 young people reads "< 5"
// for them and for its 2 started, but its completed, none, is "secret":
// "< 5" of a zero was false (testing saw "carnets terminés < 5" for 0).
func TestSmallIsTrue(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	out := ProgrammeStats{Cells: []StatCell{
		{Key: "39", StatFigures: StatFigures{BookletsHandedOut: n(3), BookletsStarted: n(2), BookletsCompleted: n(0), PassesUsed: n(4)}},
		{Key: "25", StatFigures: StatFigures{BookletsHandedOut: n(300), BookletsStarted: n(200), BookletsCompleted: n(50), PassesUsed: n(900)}},
		{Key: "21", StatFigures: StatFigures{BookletsHandedOut: n(200), BookletsStarted: n(100), BookletsCompleted: n(40), PassesUsed: n(600)}},
	}, Total: StatFigures{BookletsHandedOut: n(503), BookletsStarted: n(302), BookletsCompleted: n(90), PassesUsed: n(1504)}}
	out.applySecrecy([]passnum.SecretCell{{Name: "39", People: 3}, {Name: "25", People: 300}, {Name: "21", People: 200}}, 503, 5, nil, nil, nil)
	if !out.Hides("39", "") {
		t.Fatalf("the cell of 3 is shown: %v", out.Masked)
	}
	for fig, want := range map[string]bool{"": true, "booklets_started": true, "booklets_completed": false, "target_public": false} {
		if got := out.Small("39", fig); got != want {
			t.Errorf("Small(39, %q) = %v, want %v", fig, got, want)
		}
	}
}

// TestPeriodHiddenTotalHidesACell: a year's breakdown whose total's
// figures the period must hide (a funder's year holding part of their
// hidden months) hides a cell of each line too, or the cells shown would
// add up to the total: the booklets handed out (a whole line), started,
// and each bucket of the first-use wait.
func TestPeriodHiddenTotalHidesACell(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	firstUse := func(per int64) []FirstUseBucket {
		out := make([]FirstUseBucket, len(passnum.FirstUseBuckets))
		for i, lo := range passnum.FirstUseBuckets {
			out[i] = FirstUseBucket{FromDays: lo, Booklets: n(per)}
		}
		return out
	}
	nb := int64(len(passnum.FirstUseBuckets))
	build := func() ProgrammeStats {
		return ProgrammeStats{Cells: []StatCell{
			{Key: "25", StatFigures: StatFigures{BookletsHandedOut: n(300), BookletsStarted: n(30 * nb), BookletsCompleted: n(50), PassesUsed: n(900), FirstUse: firstUse(30)}},
			{Key: "39", StatFigures: StatFigures{BookletsHandedOut: n(90), BookletsStarted: n(20 * nb), BookletsCompleted: n(40), PassesUsed: n(600), FirstUse: firstUse(20)}},
			{Key: "70", StatFigures: StatFigures{BookletsHandedOut: n(200), BookletsStarted: n(10 * nb), BookletsCompleted: n(30), PassesUsed: n(500), FirstUse: firstUse(10)}},
		}, Total: StatFigures{BookletsHandedOut: n(590), BookletsStarted: n(60 * nb), BookletsCompleted: n(120), PassesUsed: n(2000), FirstUse: firstUse(60)}}
	}
	cells := []passnum.SecretCell{{Name: "25", People: 300}, {Name: "39", People: 90}, {Name: "70", People: 200}}
	// Every bucket of the first-use wait, hidden by the period.
	withFirstUse := func(m map[string]bool) map[string]bool {
		for _, lo := range passnum.FirstUseBuckets {
			m[firstUseBucket(lo)] = true
		}
		return m
	}

	// Nothing for the period to hide: everything shows.
	out := build()
	out.applySecrecy(cells, 590, 5, nil, nil, nil)
	if len(out.Masked) != 0 {
		t.Fatalf("masked with nothing small: %v", out.Masked)
	}

	out = build()
	out.applySecrecy(cells, 590, 5, withFirstUse(map[string]bool{FigHandedOut: true, "booklets_started": true}), nil, nil)
	if out.Total.BookletsHandedOut != nil || out.Total.PassesHandedOut != nil || out.Total.UseRate != nil || out.Total.BookletsStarted != nil ||
		out.Total.FirstUse != nil {
		t.Fatalf("the total's figures the period hides are shown: %+v", out.Total)
	}
	if out.Total.BookletsCompleted == nil || out.Total.PassesUsed == nil {
		t.Fatalf("the total's other figures are hidden: %+v", out.Total)
	}
	// The smallest line goes whole (90 young people), and so its started
	// and its buckets: no other cell needs hiding.
	if !out.Hides("39", "") || out.Hides("25", "") || out.Hides("70", "") || out.Small("39", "") {
		t.Fatalf("lines hidden: %v", out.Masked)
	}
	// Started alone: a cell's started goes, the smallest.
	out = build()
	out.applySecrecy(cells, 590, 5, map[string]bool{"booklets_started": true}, nil, nil)
	if out.Total.BookletsStarted != nil || !out.Hides("70", "booklets_started") || out.Hides("25", "booklets_started") || out.Hides("39", "booklets_started") {
		t.Fatalf("started hidden in %v", out.Masked)
	}
	// The first-use wait alone: in each bucket's column a cell's bucket.
	out = build()
	out.applySecrecy(cells, 590, 5, withFirstUse(map[string]bool{}), nil, nil)
	if out.Total.FirstUse != nil {
		t.Fatalf("the total's first use is shown: %+v", out.Total.FirstUse)
	}
	for b := range passnum.FirstUseBuckets {
		hidden := 0
		for _, c := range out.Cells {
			if c.FirstUse == nil || c.FirstUse[b].Booklets == nil {
				hidden++
			}
		}
		if hidden == 0 {
			t.Fatalf("bucket %d: every cell shown, adding up to the total hidden (%v)", b, out.Masked)
		}
	}
}

// TestPeriodSecretsCountMonthsNotRows: a month with no counter row is a
// month still, so the dashboard's hidden months of uses are those the
// consumption page's table (every month) hides; counted in rows, the
// neighbour of a small month across an empty one was the other side.
func TestPeriodSecretsCountMonthsNotRows(t *testing.T) {
	// 3 uses in May (small), 6 in March, nothing in April, 7 in June:
	// the nearest month that counts somebody is June, not March, the
	// smaller but two months off.
	s := statSeries{statCodeUsed: {"2026-03": 6, "2026-05": 3, "2026-06": 7}}
	_, used := s.periodSecrets("", "", 1)
	dense := []string{"2026-03", "2026-04", "2026-05", "2026-06"}
	hidden, _ := secretMonths(dense, []int64{6, 0, 3, 7}, 1)
	for i, m := range dense {
		if used[m] != hidden[i] {
			t.Errorf("%s: dashboard hides %v, consumption page %v", m, used[m], hidden[i])
		}
	}
	if !used["2026-06"] || used["2026-03"] {
		t.Errorf("hidden months %v, want May and June", used)
	}
}
