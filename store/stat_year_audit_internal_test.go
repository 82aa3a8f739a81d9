package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"passnum"
	"passnum/internal/linear"
)

// auditWorld is a random territory: departments, communes, agencies
// serving them (pairs), each cell's people and whether its table hides
// it.
type auditWorld struct {
	pairs      []territoryPair
	people     map[tableCell]int64
	hidden     map[tableCell]bool
	totalShown bool
}

func randomAuditWorld(r *rand.Rand, people func() int64) auditWorld {
	nDept, nCommune, nAgency := 1+r.IntN(3), 2+r.IntN(6), 1+r.IntN(4)
	w := auditWorld{people: map[tableCell]int64{}, hidden: map[tableCell]bool{}, totalShown: r.IntN(2) == 0}
	for c := range nCommune {
		for _, a := range r.Perm(nAgency)[:1+r.IntN(min(2, nAgency))] {
			w.pairs = append(w.pairs, territoryPair{fmt.Sprint("d", c%nDept), fmt.Sprint("c", c), fmt.Sprint("a", a)})
		}
	}
	for _, p := range w.pairs {
		for _, c := range w.cellsOf(p) {
			if _, ok := w.hidden[c]; !ok {
				w.hidden[c], w.people[c] = r.IntN(5) < 2, people()
			}
		}
	}
	return w
}

func (w auditWorld) cellsOf(p territoryPair) []tableCell {
	return []tableCell{{dimDepartement, p.departement}, {dimCommune, p.commune}, {dimDistributor, p.distributor}}
}

// audit is the world's audit of young people, its tables as published.
func (w auditWorld) audit() *territoryAudit {
	shown := int64(1)
	return testAudit(w.pairs, w.people, w.hidden, &shown, nil, w.totalShown)
}

// testAudit is the audit of the booklets handed out of tables whose
// cells count values, hidden or not, and whose total, when shown, reads
// shown (raw, the true one, nil when not told).
func testAudit(pairs []territoryPair, values map[tableCell]int64, hidden map[tableCell]bool, shown, raw *int64, totalShown bool) *territoryAudit {
	tables, raws := map[string]ProgrammeStats{}, map[string]ProgrammeStats{}
	for _, c := range slices.SortedFunc(maps.Keys(hidden), compareCells) {
		n := values[c]
		cell := StatCell{Key: c.key}
		if !hidden[c] {
			cell.BookletsHandedOut = &n
		}
		st, rw := tables[c.by], raws[c.by]
		st.Cells = append(st.Cells, cell)
		rw.Cells = append(rw.Cells, StatCell{Key: c.key, StatFigures: StatFigures{BookletsHandedOut: &n}})
		rw.Total.BookletsHandedOut = raw
		if totalShown {
			st.Total.BookletsHandedOut = shown
		}
		tables[c.by], raws[c.by] = st, rw
	}
	return newTerritoryAudit(tables, raws, pairs, bookletFigures()[0], 1)
}

// givenBack says whether an attacker solving for the young people of
// each commune with each agency (one unknown a pair) from the shown cells
// fixes hidden cell c.
func (w auditWorld) givenBack(c tableCell) bool {
	row := func(c tableCell) []float64 {
		v := make([]float64, len(w.pairs))
		for i, p := range w.pairs {
			if c.by == "" || slices.Contains(w.cellsOf(p), c) {
				v[i] = 1
			}
		}
		return v
	}
	var rows [][]float64
	for _, s := range slices.SortedFunc(maps.Keys(w.hidden), compareCells) {
		if !w.hidden[s] {
			rows = append(rows, row(s))
		}
	}
	if w.totalShown {
		rows = append(rows, row(tableCell{}))
	}
	return linear.Rank(append(slices.Clone(rows), row(c))) == linear.Rank(rows)
}

// TestAuditAgreesWithTheUnknowns sets the audit's equations, which reason
// on the cells' moves along the territory's graph, against an attacker
// who solves for the young people of each commune with each agency: on
// random territories and random hidden cells, a cell is fixed by the
// equations alone for one exactly when for the other. (The marks' bounds
// come on top: TestAuditLeavesNothingPinned.)
func TestAuditAgreesWithTheUnknowns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	tried, given := 0, 0
	for round := range 400 {
		w := randomAuditWorld(r, func() int64 { return 1 })
		got := map[tableCell]bool{}
		a := w.audit()
		eq := a.equations()
		for _, c := range a.order {
			if c.hidden {
				got[c.tableCell] = a.fixesAlone(eq, c)
			}
		}
		for _, c := range slices.SortedFunc(maps.Keys(w.hidden), compareCells) {
			if !w.hidden[c] {
				continue
			}
			want := w.givenBack(c)
			if got[c] != want {
				t.Fatalf("round %d: %v hidden, given back: audit %v, attacker %v; pairs %v, hidden %v, total shown %v", round, c, got[c], want, w.pairs, w.hidden, w.totalShown)
			}
			tried++
			if want {
				given++
			}
		}
	}
	if given < 50 || tried-given < 50 {
		t.Fatalf("%d hidden cells tried, %d given back: the territories try too little", tried, given)
	}
}

// TestAuditHidesUntilSafe: once the audit has hidden what it calls for,
// the attacker fixes no hidden cell of 1 to 4 people, and the audit hid
// only shown cells.
func TestAuditHidesUntilSafe(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2))
	hid := 0
	for round := range 400 {
		w := randomAuditWorld(r, func() int64 { return r.Int64N(9) })
		before := maps.Clone(w.hidden)
		for _, c := range w.audit().hideUntilSafe() {
			if w.hidden[c] || c == auditTotal && !w.totalShown {
				t.Fatalf("round %d: %v hidden twice", round, c)
			}
			if c == auditTotal {
				w.totalShown = false
				continue
			}
			w.hidden[c] = true
			hid++
		}
		for _, c := range slices.SortedFunc(maps.Keys(w.hidden), compareCells) {
			if n := w.people[c]; w.hidden[c] && n >= 1 && n <= 4 && w.givenBack(c) {
				t.Errorf("round %d: %v (%d) still given back; pairs %v, hidden before %v, total shown %v", round, c, n, w.pairs, before, w.totalShown)
			}
		}
	}
	if hid < 50 {
		t.Fatalf("the audit hid %d cells: the territories try too little", hid)
	}
}

// pinnedWorld is a small territory with its young people by commune and
// agency (a pair's count), from which every cell's count follows.
type pinnedWorld struct {
	pairs      []territoryPair
	n          []int64 // by pair
	hidden     map[tableCell]bool
	totalShown bool
}

func randomPinnedWorld(r *rand.Rand) pinnedWorld {
	nDept, nCommune, nAgency := 1+r.IntN(2), 2+r.IntN(3), 1+r.IntN(3)
	w := pinnedWorld{hidden: map[tableCell]bool{}, totalShown: r.IntN(3) > 0}
	for c := range nCommune {
		for _, a := range r.Perm(nAgency)[:1+r.IntN(min(2, nAgency))] {
			if len(w.pairs) < 5 {
				w.pairs = append(w.pairs, territoryPair{fmt.Sprint("d", c%nDept), fmt.Sprint("c", c), fmt.Sprint("a", a)})
				w.n = append(w.n, 1+r.Int64N(4))
			}
		}
	}
	for c, v := range w.values(w.n) {
		if c != auditTotal {
			w.hidden[c] = v < passnum.SecrecyThreshold || r.IntN(4) == 0
		}
	}
	return w
}

// values are each cell's count for pairs' counts n, the total's under
// auditTotal.
func (w pinnedWorld) values(n []int64) map[tableCell]int64 {
	out := map[tableCell]int64{}
	for i, p := range w.pairs {
		for _, c := range []tableCell{{dimDepartement, p.departement}, {dimCommune, p.commune}, {dimDistributor, p.distributor}, auditTotal} {
			out[c] += n[i]
		}
	}
	return out
}

func (w pinnedWorld) audit() *territoryAudit {
	values := w.values(w.n)
	total := values[auditTotal]
	return testAudit(w.pairs, values, w.hidden, &total, &total, w.totalShown)
}

// pinned are the hidden cells of 1 to 4 that an attacker fixes: one who
// knows which agency serves which commune, the shown cells and the total
// when shown, and what each hidden cell's mark says (1 to 4 for « < 5 »;
// nought, or 5 and more, which of the two taken as known), and tries
// every count of each pair.
func (w pinnedWorld) pinned() []tableCell {
	truth := w.values(w.n)
	// A pair counts no more than any cell it is in may: shown, its
	// value; « < 5 », 4; the total.
	hi := make([]int64, len(w.pairs))
	for i, p := range w.pairs {
		hi[i] = truth[auditTotal]
		for _, c := range []tableCell{{dimDepartement, p.departement}, {dimCommune, p.commune}, {dimDistributor, p.distributor}} {
			switch t := truth[c]; {
			case !w.hidden[c] || t == 0:
				hi[i] = min(hi[i], t)
			case t < passnum.SecrecyThreshold:
				hi[i] = min(hi[i], passnum.SecrecyThreshold-1)
			}
		}
	}
	seen := map[tableCell]map[int64]bool{}
	n := make([]int64, len(w.pairs))
	var try func(i int)
	try = func(i int) {
		if i < len(n) {
			for v := int64(0); v <= hi[i]; v++ {
				n[i] = v
				try(i + 1)
			}
			return
		}
		got := w.values(n)
		if w.totalShown && got[auditTotal] != truth[auditTotal] {
			return
		}
		for c, t := range truth {
			if c == auditTotal {
				continue
			}
			v := got[c]
			switch {
			case !w.hidden[c] && v != t,
				w.hidden[c] && t == 0 && v != 0,
				w.hidden[c] && t >= 1 && t < passnum.SecrecyThreshold && (v < 1 || v >= passnum.SecrecyThreshold),
				w.hidden[c] && t >= passnum.SecrecyThreshold && v < passnum.SecrecyThreshold:
				return
			}
		}
		for c := range truth {
			if w.hidden[c] {
				if seen[c] == nil {
					seen[c] = map[int64]bool{}
				}
				seen[c][got[c]] = true
			}
		}
	}
	try(0)
	var out []tableCell
	for c, t := range truth {
		if w.hidden[c] && t >= 1 && t < passnum.SecrecyThreshold && len(seen[c]) == 1 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, compareCells)
	return out
}

// maskColumns masks each table's column as the year's tables do before
// the audit (passnum.MaskColumn): the total, when shown, hides the
// total.
func (w *pinnedWorld) maskColumns() {
	values := w.values(w.n)
	for _, by := range []string{dimDepartement, dimCommune, dimDistributor} {
		var keys []tableCell
		for c := range w.hidden {
			if c.by == by {
				keys = append(keys, c)
			}
		}
		slices.SortFunc(keys, compareCells)
		cells := make([]passnum.SecretCell, len(keys))
		already := make([]bool, len(keys))
		for i, c := range keys {
			cells[i], already[i] = passnum.SecretCell{Name: c.key, People: values[c]}, w.hidden[c]
		}
		if !w.totalShown {
			continue
		}
		masked, total := passnum.MaskColumn(cells, already)
		for i, m := range masked {
			w.hidden[keys[i]] = w.hidden[keys[i]] || m
		}
		if total {
			w.totalShown = false
		}
	}
}

// TestAuditLeavesNothingPinned: on small random territories, once each
// table's column is masked and the audit has hidden what it calls for,
// an attacker trying every count of each commune with each agency,
// bounded by the marks, fixes no hidden cell of 1 to 4 people, but those
// the marks alone fix with every cell and the total hidden: an agency
// « < 5 » with as many communes « < 5 » has 1 in each, whatever is hidden
// (two marks: a product decision, see README).
func TestAuditLeavesNothingPinned(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 7))
	pinnedBefore, byMarks := 0, 0
	for round := range 300 {
		w := randomPinnedWorld(r)
		pinnedBefore += len(w.pinned())
		w.maskColumns()
		for _, c := range w.audit().hideUntilSafe() {
			if c == auditTotal {
				w.totalShown = false
				continue
			}
			w.hidden[c] = true
		}
		p := w.pinned()
		if len(p) == 0 {
			continue
		}
		all := pinnedWorld{pairs: w.pairs, n: w.n, hidden: map[tableCell]bool{}}
		for c := range w.hidden {
			all.hidden[c] = true
		}
		if marks := all.pinned(); !slices.Equal(p, marks) {
			t.Errorf("round %d: %v still fixed, %v by the marks alone; pairs %v, counts %v, hidden %v, total shown %v", round, p, marks, w.pairs, w.n, w.hidden, w.totalShown)
		}
		byMarks++
	}
	if pinnedBefore < 50 || byMarks > 10 {
		t.Fatalf("%d cells fixed before the audit, %d territories fixed by the marks alone: the territories try too little", pinnedBefore, byMarks)
	}
}
