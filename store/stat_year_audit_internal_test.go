package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

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
	tables, raw := map[string]ProgrammeStats{}, map[string]ProgrammeStats{}
	one := int64(1)
	for _, c := range slices.SortedFunc(maps.Keys(w.hidden), compareCells) {
		n := w.people[c]
		cell := StatCell{Key: c.key}
		if !w.hidden[c] {
			cell.BookletsHandedOut = &n
		}
		st, rw := tables[c.by], raw[c.by]
		st.Cells = append(st.Cells, cell)
		rw.Cells = append(rw.Cells, StatCell{Key: c.key, StatFigures: StatFigures{BookletsHandedOut: &n}})
		tables[c.by], raw[c.by] = st, rw
	}
	for by, st := range tables {
		st.Total.BookletsHandedOut = &one
		if !w.totalShown {
			st.Total.BookletsHandedOut = nil
		}
		tables[by] = st
	}
	return newTerritoryAudit(tables, raw, w.pairs, bookletFigures()[0], 1)
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

// TestAuditAgreesWithTheUnknowns sets the audit, which reasons on the
// cells' moves along the territory's graph, against an attacker who
// solves for the young people of each commune with each agency: on
// random territories and random hidden cells, each counting one person,
// a cell is given back for one exactly when for the other.
func TestAuditAgreesWithTheUnknowns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	tried, given := 0, 0
	for round := range 400 {
		w := randomAuditWorld(r, func() int64 { return 1 })
		got := map[tableCell]bool{}
		back, _ := w.audit().givenBack()
		for _, c := range back {
			got[c.tableCell] = true
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
