package store

import (
	"cmp"
	"maps"
	"slices"

	"passnum"
	"passnum/internal/linear"
)

// The linked sets (linkHides) hold cells of two tables that count the
// same young people. A cell may also count a part of another's: an agency
// serving Dijon and Beaune only is within Côte-d'Or, and Côte-d'Or, shown,
// less the agency, shown, is the département's young people served by
// other agencies. When they all live in one commune, hidden, it is given
// back. No pair of tables sees it: it takes three (département, commune
// and distributor) and the total, set against each other.
//
// auditHides solves those tables as a funder would. The unknowns are the
// young people of each commune with each agency that serves it. A
// commune's or an agency's cell is their sum over its agencies or
// communes, a département's over its communes, the total over all. Which
// agency serves which commune is taken as known (territoryPair, from the
// booklets). A hidden cell is given back when the shown ones fix it, which
// the audit finds without the unknowns themselves:
//
//   - a set of values of the hidden cells may be moved, all shown cells
//     kept, when the moves of the communes and those of the agencies of
//     each connected part of the graph joining a commune to its agencies
//     (a component) add up to the same, and those of the communes of a
//     département or of the whole, where shown, to nought: any such set
//     is met by moving the young people between the agencies and
//     communes along the graph's edges;
//   - hidden cells of a component in the same département move together
//     (a class): one alone in its class and fixed by the equations above
//     (linear.Span) is given back; several whose sum is fixed are given
//     back when it and their marks' bounds leave one a single value (two
//     adding up to 2 are 1 each).
//
// yearTables runs it once the linked sets and the totals hold, which do
// most of the work cheaply: on a national programme it then has nothing
// left to hide, and its equations cost 0.16 s of the publication's 13.7
// (BENCHMARKS.md). A cell given back that counts 1 to 4 people calls for
// one more cell to hide: first a shown one of its class, whose own value
// then goes with it and neither can be told apart, else the smallest near
// it whose hiding frees it. The age bands are left to linkHides: their
// few cells count many.

// territoryPair is a commune, of its département, and an agency that
// hands out booklets to young people living there.
type territoryPair struct{ departement, commune, distributor string }

// yearShape is what a year's booklets say of how its tables' cells go
// together: its linked sets, and its territory pairs, of the booklets
// handed out in the year (whose figures the year counts) and of those
// handed out until its end (whose passes it counts used).
type yearShape struct {
	links        []linkedSet
	handed, upTo []territoryPair
}

// yearShapes are the shapes of years ("2026"), from the programme's
// booklets' groups. A year may have none handed out and still count
// passes used: the grace days after the hand-outs end (testing: a funder's
// tables of such a year, with no shape, had every cell given back, and
// the audit hid without end).
func yearShapes(groups []bookletGroup, years []string) map[string]yearShape {
	pairs := map[string]map[territoryPair]bool{}
	for _, g := range groups {
		if g.year == "" {
			continue
		}
		if pairs[g.year] == nil {
			pairs[g.year] = map[territoryPair]bool{}
		}
		pairs[g.year][territoryPair{g.departement, g.commune, g.distributor}] = true
	}
	sorted := func(set map[territoryPair]bool) []territoryPair {
		return slices.SortedFunc(maps.Keys(set), func(a, b territoryPair) int {
			return cmp.Or(cmp.Compare(a.commune, b.commune), cmp.Compare(a.distributor, b.distributor))
		})
	}
	out := map[string]yearShape{}
	links := yearLinks(groups)
	for _, year := range years {
		upTo := map[territoryPair]bool{}
		for y, set := range pairs {
			if y <= year {
				maps.Copy(upTo, set)
			}
		}
		out[year] = yearShape{links: links[year], handed: sorted(pairs[year]), upTo: sorted(upTo)}
	}
	return out
}

// auditHides says what the year's tables must hide more (by breakdown,
// names as Masked has them) so that no cell of a département, commune or
// distributor hidden, counting 1 to 4 people, is given back by the shown
// cells of the three and the total, figure by figure. tables are the
// year's tables as masked, raw their own figures.
func auditHides(tables, raw map[string]ProgrammeStats, shape yearShape, maxPerPerson int64) map[string]map[string]bool {
	more := map[string]map[string]bool{}
	for _, fig := range bookletFigures() {
		pairs := shape.handed
		if fig.passes {
			pairs = shape.upTo
		}
		a := newTerritoryAudit(tables, raw, pairs, fig, maxPerPerson)
		for _, c := range a.hideUntilSafe() {
			bys, name := []string{c.by}, cellFigureName(c.key, fig.name)
			if c == auditTotal {
				bys, name = []string{dimDepartement, dimCommune, dimDistributor}, FigureMasked("total", cmp.Or(fig.name, FigHandedOut))
			}
			for _, by := range bys {
				if more[by] == nil {
					more[by] = map[string]bool{}
				}
				more[by][name] = true
			}
		}
	}
	return more
}

// auditCell is a cell of a département, commune or distributor, as the
// audit of one figure sees it.
type auditCell struct {
	tableCell
	hidden bool
	people int64
	// secret is the cell as the marks' bounds see it (in passes for a
	// figure of passes).
	secret passnum.SecretCell
	comp   int    // a commune's or distributor's component
	dept   string // a commune's département
}

// territoryAudit is the year's tables of one figure, as equations.
type territoryAudit struct {
	cells    map[tableCell]*auditCell
	communes map[string][]*auditCell // by département
	members  map[int][]*auditCell    // a component's communes and distributors
	order    []*auditCell            // the cells, in a steady order
	total    *auditCell              // auditTotal
}

func newTerritoryAudit(tables, raw map[string]ProgrammeStats, pairs []territoryPair, fig cellFigure, maxPerPerson int64) *territoryAudit {
	a := &territoryAudit{cells: map[tableCell]*auditCell{}, communes: map[string][]*auditCell{}, members: map[int][]*auditCell{},
		total: &auditCell{tableCell: auditTotal, hidden: true}}
	for _, by := range []string{dimDepartement, dimCommune, dimDistributor} {
		st, r := tables[by], raw[by]
		if fig.get(&st.Total) != nil {
			a.total.hidden = false
		}
		a.total.people = max(a.total.people, fig.people(&r.Total, maxPerPerson))
		for i := range st.Cells {
			c := tableCell{by, st.Cells[i].Key}
			a.cells[c] = &auditCell{tableCell: c, hidden: fig.get(&st.Cells[i].StatFigures) == nil}
		}
		for i := range r.Cells {
			if c := a.cells[tableCell{by, r.Cells[i].Key}]; c != nil {
				c.people = fig.people(&r.Cells[i].StatFigures, maxPerPerson)
				c.secret = passnum.SecretCell{Name: c.key, People: c.people}
				if fig.passes {
					c.secret = passnum.PassesCell(c.key, orZero(fig.get(&r.Cells[i].StatFigures)), maxPerPerson)
				}
			}
		}
	}
	// Components: union-find over communes and distributors, joined by
	// each pair. A cell no pair names stands alone, which fixes it: an
	// audit that knows less of the graph than the funder hides more.
	up := map[tableCell]tableCell{}
	var find func(tableCell) tableCell
	find = func(x tableCell) tableCell {
		if p, ok := up[x]; ok && p != x {
			r := find(p)
			up[x] = r
			return r
		}
		up[x] = x
		return x
	}
	depts := map[string]string{}
	for _, p := range pairs {
		c, d := find(tableCell{dimCommune, p.commune}), find(tableCell{dimDistributor, p.distributor})
		if c != d {
			up[c] = d
		}
		depts[p.commune] = p.departement
	}
	roots := map[tableCell]int{}
	for _, k := range slices.SortedFunc(maps.Keys(a.cells), compareCells) {
		c := a.cells[k]
		a.order = append(a.order, c)
		if c.by == dimDepartement {
			continue
		}
		root := find(k)
		if _, ok := roots[root]; !ok {
			roots[root] = len(roots)
		}
		c.comp = roots[root]
		a.members[c.comp] = append(a.members[c.comp], c)
		if c.by == dimCommune {
			c.dept = depts[c.key]
			a.communes[c.dept] = append(a.communes[c.dept], c)
		}
	}
	return a
}

func compareCells(a, b tableCell) int {
	return cmp.Or(cmp.Compare(a.by, b.by), cmp.Compare(a.key, b.key))
}

// auditClass is the hidden cells of a component that move together: its
// communes of one département, or its distributors (dept "").
type auditClass struct {
	comp int
	dept string
	dist bool
}

// equations are the year's tables of the figure as equations in the
// classes' moves: the span of what the shown cells fix.
type equations struct {
	span  linear.Span
	index map[auditClass]int
	size  map[auditClass]int
	// rows are the equations added to span; sums, once asked for
	// (classSums), each class's sum's bounds.
	rows []map[int]int64
	sums [][2]int64
}

func (a *territoryAudit) classOf(c *auditCell) auditClass {
	if c.by == dimDistributor {
		return auditClass{comp: c.comp, dist: true}
	}
	return auditClass{comp: c.comp, dept: c.dept}
}

func (a *territoryAudit) equations() *equations {
	eq := &equations{index: map[auditClass]int{}, size: map[auditClass]int{}}
	for _, c := range a.order {
		if c.hidden && c.by != dimDepartement {
			cl := a.classOf(c)
			if _, ok := eq.index[cl]; !ok {
				eq.index[cl] = len(eq.index)
			}
			eq.size[cl]++
		}
	}
	add := func(row map[int]int64) {
		if len(row) > 0 {
			eq.span.Add(row)
			eq.rows = append(eq.rows, row)
		}
	}
	// Each component: its communes' moves and its distributors' add up
	// to the same.
	for comp := range len(a.members) {
		row := map[int]int64{}
		for _, c := range a.members[comp] {
			if c.hidden {
				if c.by == dimDistributor {
					row[eq.index[a.classOf(c)]] = -1
				} else {
					row[eq.index[a.classOf(c)]] = 1
				}
			}
		}
		add(row)
	}
	// Each département shown, and the total: its communes' to nought.
	total := map[int]int64{}
	for _, dept := range slices.Sorted(maps.Keys(a.communes)) {
		row := a.deptRow(dept, eq.index)
		if d := a.cells[tableCell{dimDepartement, dept}]; d == nil || !d.hidden {
			add(row)
		}
		maps.Copy(total, row)
	}
	if !a.total.hidden {
		add(total)
	}
	return eq
}

// fixes says whether the equations fix hidden cell c: alone in its class
// when they fix the class's sum; or with other hidden cells of its table
// when they fix their sum, and it and the bounds of each by its mark
// leave c one value (passnum.GivenBackWithin: Côte-d'Or less ML Dijon
// gave two hidden communes together as 2, so 1 each). The sums tried are
// those the tables make of a commune's or an agency's: its class, its
// département's hidden communes, its component's. A table's whole column
// is MaskColumn's, which the cells hidden since only widen.
func (a *territoryAudit) fixes(eq *equations, c *auditCell) bool {
	return a.fixesAlone(eq, c) || a.fixesWithBounds(eq, c)
}

// fixesAlone says whether the equations alone fix hidden cell c.
func (a *territoryAudit) fixesAlone(eq *equations, c *auditCell) bool {
	if c.by == dimDepartement {
		return eq.span.Holds(a.deptRow(c.key, eq.index))
	}
	cl := a.classOf(c)
	return eq.size[cl] == 1 && eq.span.Holds(map[int]int64{eq.index[cl]: 1})
}

// fixesWithBounds says whether the equations and the marks' bounds fix
// hidden cell c, counting somebody, with others (fixes).
func (a *territoryAudit) fixesWithBounds(eq *equations, c *auditCell) bool {
	if c.people < 1 {
		return false
	}
	if c.by == dimDepartement {
		return a.deptBounds(c, c) || a.deptBySums(eq, c)
	}
	if c.by == dimCommune && a.deptBounds(a.cells[tableCell{dimDepartement, c.dept}], c) {
		return true
	}
	if class := a.sumsOf(c)[0]; len(class) > 0 {
		sum := a.classSums(eq)[eq.index[a.classOf(c)]]
		cells, hidden, at := secretsOf(class, c)
		if passnum.GivenBackBetween(cells, hidden, sum[0], sum[1], at) {
			return true
		}
	}
	for _, set := range a.sumsOf(c) {
		if len(set) < 2 {
			continue
		}
		row := map[int]int64{}
		for _, m := range set {
			row[eq.index[a.classOf(m)]] = 1
		}
		if !eq.span.Holds(row) {
			continue
		}
		if cells, hidden, at := secretsOf(set, c); passnum.GivenBackWithin(cells, hidden, at) {
			return true
		}
	}
	return false
}

// secretsOf are set's cells as the marks' bounds see them, all hidden,
// and c's place among them (-1 when not there).
func secretsOf(set []*auditCell, c *auditCell) (cells []passnum.SecretCell, hidden []int, at int) {
	at = -1
	for i, m := range set {
		cells, hidden = append(cells, m.secret), append(hidden, i)
		if m == c {
			at = i
		}
	}
	return cells, hidden, at
}

// deptBounds says whether a département hidden, d, and its communes
// give back c, d or one of them: its communes shown are known, so its
// hidden ones add up to d less those, which its mark bounds, and d to
// those plus theirs, which their marks bound (testing: Jura « < 5 » with
// four communes « < 5 » and the others nought was 4, each 1).
func (a *territoryAudit) deptBounds(d, c *auditCell) bool {
	if d == nil || !d.hidden || c.people < 1 {
		return false
	}
	var shown int64
	var set []*auditCell
	for _, m := range a.communes[d.key] {
		if m.hidden {
			set = append(set, m)
		} else {
			_, _, v := m.secret.Bounds()
			shown += v
		}
	}
	cells, hidden, at := secretsOf(set, c)
	lo, hi, _ := d.secret.Bounds()
	if c == d {
		sumLo, sumHi := passnum.SumBounds(cells, hidden)
		return max(lo, shown+sumLo) == min(hi, shown+sumHi)
	}
	return at >= 0 && passnum.GivenBackBetween(cells, hidden, lo-shown, hi-shown, at)
}

// deptBySums says whether département d, hidden, is given back by its
// communes shown and its hidden ones' classes' sums (classSums).
func (a *territoryAudit) deptBySums(eq *equations, d *auditCell) bool {
	sums := a.classSums(eq)
	var lo, hi int64
	seen := map[int]bool{}
	for _, m := range a.communes[d.key] {
		if !m.hidden {
			_, _, v := m.secret.Bounds()
			lo, hi = lo+v, hi+v
			continue
		}
		if k := eq.index[a.classOf(m)]; !seen[k] {
			seen[k] = true
			lo, hi = lo+sums[k][0], hi+sums[k][1]
		}
	}
	l, u, _ := d.secret.Bounds()
	return max(l, lo) == min(u, hi)
}

// classSums are the bounds of each class's sum (by its index) that the
// equations and the marks give together: each class's members' marks
// bound its sum, each equation (a component's communes and agencies, a
// département shown, the total) fixes a sum of classes, and each
// département hidden bounds its communes' by its mark; each bound is
// carried to the others until none tightens (testing: an agency of 6,
// shown, over three communes « < 5 », two in a département « secret »,
// so 5 or more, left the third at 1).
func (a *territoryAudit) classSums(eq *equations) [][2]int64 {
	if eq.sums != nil {
		return eq.sums
	}
	n := len(eq.index)
	lo, hi, truth := make([]int64, n), make([]int64, n), make([]int64, n)
	for _, c := range a.order {
		if c.hidden && c.by != dimDepartement {
			k := eq.index[a.classOf(c)]
			l, u, v := c.secret.Bounds()
			lo[k], hi[k], truth[k] = lo[k]+l, hi[k]+u, truth[k]+v
		}
	}
	// Each constraint: coefficients (1 or -1) of classes, and the bounds
	// of their sum.
	type bounded struct {
		row      map[int]int64
		min, max int64
	}
	var cons []bounded
	for _, row := range eq.rows {
		var v int64
		for k, co := range row {
			v += co * truth[k]
		}
		cons = append(cons, bounded{row, v, v})
	}
	for dept, communes := range a.communes {
		d := a.cells[tableCell{dimDepartement, dept}]
		if d == nil || !d.hidden {
			continue
		}
		row, shown := map[int]int64{}, int64(0)
		for _, m := range communes {
			if m.hidden {
				row[eq.index[a.classOf(m)]] = 1
			} else {
				_, _, v := m.secret.Bounds()
				shown += v
			}
		}
		if len(row) > 0 {
			l, u, _ := d.secret.Bounds()
			cons = append(cons, bounded{row, l - shown, u - shown})
		}
	}
	// An equation holding a département's hidden communes whole bounds
	// the rest of its classes by the département's bounds: a département
	// « < 5 » beside a total of 12 leaves the other's communes 8 or more.
	exact := len(cons)
	for _, d := range cons[len(eq.rows):] {
		for _, c := range cons[:exact] {
			sign, whole := int64(0), true
			for k := range d.row {
				co := c.row[k]
				if co == 0 || sign != 0 && co != sign {
					whole = false
					break
				}
				sign = co
			}
			if !whole || len(c.row) == len(d.row) {
				continue
			}
			rest := map[int]int64{}
			for k, co := range c.row {
				if d.row[k] == 0 {
					rest[k] = co
				}
			}
			if sign > 0 {
				cons = append(cons, bounded{rest, c.min - d.max, c.max - d.min})
			} else {
				cons = append(cons, bounded{rest, c.min + d.min, c.max + d.max})
			}
		}
	}
	for range 20 {
		tightened := false
		for _, c := range cons {
			// The row's sum's least and most, then each class's from the
			// others'.
			var sumLo, sumHi int64
			for k, co := range c.row {
				if co > 0 {
					sumLo, sumHi = sumLo+lo[k], sumHi+hi[k]
				} else {
					sumLo, sumHi = sumLo-hi[k], sumHi-lo[k]
				}
			}
			for k, co := range c.row {
				var othersLo, othersHi int64
				if co > 0 {
					othersLo, othersHi = sumLo-lo[k], sumHi-hi[k]
				} else {
					othersLo, othersHi = sumLo+hi[k], sumHi+lo[k]
				}
				// co * x = sum - others
				l, u := c.min-othersHi, c.max-othersLo
				if co < 0 {
					l, u = -u, -l
				}
				if l > lo[k] {
					lo[k], tightened = l, true
				}
				if u < hi[k] {
					hi[k], tightened = u, true
				}
			}
		}
		if !tightened {
			break
		}
	}
	eq.sums = make([][2]int64, n)
	for k := range n {
		eq.sums[k] = [2]int64{lo[k], hi[k]}
	}
	return eq.sums
}

// sumsOf are the sets of hidden cells of c's table (a commune's or an
// agency's), c among them, whose sums the tables may fix: its class, its
// component's and, for a commune, its département's.
func (a *territoryAudit) sumsOf(c *auditCell) [][]*auditCell {
	var class, comp, dept []*auditCell
	for _, m := range a.members[c.comp] {
		if m.hidden && m.by == c.by {
			comp = append(comp, m)
			if a.classOf(m) == a.classOf(c) {
				class = append(class, m)
			}
		}
	}
	if c.by == dimCommune {
		for _, m := range a.communes[c.dept] {
			if m.hidden {
				dept = append(dept, m)
			}
		}
	}
	return [][]*auditCell{class, comp, dept}
}

// givenBack are the hidden cells counting 1 to 4 people that the shown
// ones fix, in a steady order, and the equations that fix them.
func (a *territoryAudit) givenBack() ([]*auditCell, *equations) {
	eq := a.equations()
	var out []*auditCell
	for _, c := range a.order {
		if c.hidden && c.people >= 1 && c.people < passnum.SecrecyThreshold && a.fixes(eq, c) {
			out = append(out, c)
		}
	}
	return out, eq
}

// deptRow is the sum of a département's hidden communes, by class.
func (a *territoryAudit) deptRow(dept string, index map[auditClass]int) map[int]int64 {
	row := map[int]int64{}
	for _, c := range a.communes[dept] {
		if c.hidden {
			row[index[a.classOf(c)]] = 1
		}
	}
	return row
}

// auditTotal stands for the total among the cells the audit hides.
var auditTotal = tableCell{"", "total"}

// tries is how many cells, nearest first, the audit tries hiding beside
// one given back before it hides the nearest and looks again.
const tries = 4

// hideUntilSafe hides one more cell for each given back, and again, until
// none is; it answers the cells it hid (auditTotal for the total). With
// every cell and the total hidden, none is given back: it ends.
func (a *territoryAudit) hideUntilSafe() []tableCell {
	var hid []tableCell
	for {
		given, eq := a.givenBack()
		if len(given) == 0 {
			return hid
		}
		grew := false
		hide := func(m *auditCell) {
			m.hidden, eq, grew = true, nil, true
			hid = append(hid, m.tableCell)
		}
		for _, c := range given {
			if eq == nil {
				eq = a.equations()
			}
			if !a.fixes(eq, c) {
				continue // a cell hidden for another already does
			}
			cands := a.partners(c, eq)
			if len(cands) == 0 {
				continue
			}
			if cands[0].by != dimDepartement && cands[0].by == c.by && a.classOf(cands[0]) == a.classOf(c) {
				// Of its class: c cannot be told apart from it.
				hide(cands[0])
				continue
			}
			pick := 0
			for i := range min(tries, len(cands)) {
				cands[i].hidden = true
				safe := !a.fixes(a.equations(), c)
				cands[i].hidden = false
				if safe {
					pick = i
					break
				}
			}
			hide(cands[pick])
		}
		if !grew {
			return hid // every cell hidden: nothing more to do
		}
	}
}

// partners are the shown cells to hide beside c, given back, the first
// first: those of its class, which c then cannot be told apart from; the
// others near it (its component's, its département's; the total for a
// département, which may be the whole programme); the others of the three
// tables and the total; each the smallest first. Left out, as hiding
// them changes nothing: a cell that would join a class of hidden cells
// already in eq, other than c's, changes none of the equations; one that
// would be the only class hidden in its component is fixed by it (an
// agency's commune hidden alone is the agency, shown).
func (a *territoryAudit) partners(c *auditCell, eq *equations) []*auditCell {
	classes := map[int]int{} // hidden classes by component
	for cl := range eq.size {
		classes[cl.comp]++
	}
	useless := func(m *auditCell) bool {
		if m.by == dimDepartement || m == a.total {
			return false
		}
		cl := a.classOf(m)
		if c.by != dimDepartement && cl == a.classOf(c) {
			return false
		}
		return eq.size[cl] > 0 || classes[m.comp] == 0
	}
	var out, first, near, rest []*auditCell
	switch c.by {
	case dimCommune:
		for _, m := range a.members[c.comp] {
			if m.by == dimCommune && m.dept == c.dept {
				first = append(first, m)
			} else {
				near = append(near, m)
			}
		}
		near = append(near, a.communes[c.dept]...)
		if d := a.cells[tableCell{dimDepartement, c.dept}]; d != nil {
			near = append(near, d)
		}
	case dimDistributor:
		for _, m := range a.members[c.comp] {
			if m.by == dimDistributor {
				first = append(first, m)
			} else {
				near = append(near, m)
			}
		}
	default:
		for _, m := range a.communes[c.key] {
			near = append(near, a.members[m.comp]...)
		}
		near = append(near, a.total)
	}
	rest = append(slices.Clone(a.order), a.total)
	seen := map[*auditCell]bool{}
	for _, cells := range [][]*auditCell{first, near, rest} {
		var shown []*auditCell
		for _, m := range cells {
			if useless(m) {
				continue
			}
			if !m.hidden && !seen[m] {
				seen[m] = true
				shown = append(shown, m)
			}
		}
		slices.SortFunc(shown, smaller)
		out = append(out, shown...)
	}
	if len(out) > 0 {
		return out
	}
	// None left that would change anything alone: the smallest shown,
	// which may with the next.
	for _, m := range rest {
		if !m.hidden && m != c {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, smaller)
	return out
}

// smaller orders cells as MaskColumn picks a second one
// (passnum.ComparePartners), then by table and key.
func smaller(a, b *auditCell) int {
	return cmp.Or(passnum.ComparePartners(passnum.SecretCell{People: a.people}, passnum.SecretCell{People: b.people}), compareCells(a.tableCell, b.tableCell))
}
