package store

import (
	"context"
	"maps"
	"slices"
	"strings"

	"passnum"
)

// Each of a funder's breakdowns of a year is masked within its table
// (applySecrecy), but the tables are published together and a funder
// can set one against another:
//
//   - cells of one table may count the same young people as cells of
//     another: a département and its communes; the agencies that serve a
//     set of départements and nobody else, and those départements; two
//     cells alone (an agency alone in its département, a university whose
//     young people are all of one age band). Their sums are equal, so one
//     cell hidden among them, all others shown, is given back. The
//     communes of a département are public; which agencies serve which
//     communes, a funder may well know;
//   - every breakdown of the year has the same total: a total's figure
//     one table hides and another shows is known;
//   - a figure whose change since the previous publication counts 1 to 4
//     people is hidden (changeHides), and its table then needs a second.
//
// yearTables masks the year's tables together: it hides, beforehand
// (StatsQuery.hidden), what these relations call for, computes the
// tables again, whose own secrecy then adds a second cell where one is
// needed, and goes on until nothing more is called for. Hiding only
// grows, so it ends.

// yearTables computes a funder's breakdowns (StatBreakdowns) of the
// calendar year, masked together, by breakdown; shown are the values last
// shown by the previous publication (lastShown, by view), whose changes
// are masked (changeHides) and whose hidden sets must not give a cell
// back (quietHides). raw are the tables' own figures, from which the
// publication keeps what the next one needs (keptValues, carriedSets).
// shape is how the year's cells go together (yearShapes).
func (tx *Tx) yearTables(ctx context.Context, p passnum.Programme, year string, shape yearShape, shown map[string]lastPublished) (tables, raw map[string]ProgrammeStats, err error) {
	query := func(by string, secret bool, hidden map[string]bool) StatsQuery {
		return StatsQuery{ProgrammeID: p.ID, From: year + "-01", To: year + "-12", By: by, Secret: secret, hidden: hidden}
	}
	// The cells' own figures, which their parents add up and whose
	// changes count.
	maxPerPerson := maxPassesPerPerson(p)
	raw = map[string]ProgrammeStats{}
	hidden := map[string]map[string]bool{}
	for _, by := range StatBreakdowns {
		st, err := tx.programmeStats(ctx, query(by, false, nil), false)
		if err != nil {
			return nil, nil, err
		}
		raw[by] = st
		last := shown[query(by, true, nil).view()]
		hidden[by] = changeHides(&st, by, last.values, maxPerPerson)
		maps.Copy(hidden[by], quietHides(&st, by, last, maxPerPerson))
	}
	tables, stale := map[string]ProgrammeStats{}, slices.Clone(StatBreakdowns)
	for len(stale) > 0 {
		for _, by := range stale {
			st, err := tx.programmeStats(ctx, query(by, true, hidden[by]), false)
			if err != nil {
				return nil, nil, err
			}
			tables[by] = st
		}
		more := linkHides(tables, raw, shape.links, maxPerPerson)
		for by, names := range totalHides(tables) {
			if more[by] == nil {
				more[by] = map[string]bool{}
			}
			maps.Copy(more[by], names)
		}
		if len(more) == 0 {
			// What the linked sets and the totals leave: the audit, the
			// dearest, solves the tables once those hold.
			more = auditHides(tables, raw, shape, maxPerPerson)
		}
		stale = stale[:0]
		for _, by := range StatBreakdowns {
			grew := false
			for name := range more[by] {
				if !hidden[by][name] {
					if hidden[by] == nil {
						hidden[by] = map[string]bool{}
					}
					hidden[by][name], grew = true, true
				}
			}
			if grew {
				stale = append(stale, by)
			}
		}
	}
	return tables, raw, nil
}

// linkDims are the breakdowns whose cells count booklets, between which
// cells may count the same young people.
var linkDims = []string{dimDepartement, dimCommune, dimDistributor, dimAgeBand}

// tableCell is a cell of one of a year's breakdowns.
type tableCell struct{ by, key string }

// linkedSet is cells of two of a year's breakdowns that count the same
// young people together, and no set of fewer does: those of one
// connected part of the graph whose edges join two cells counting a
// booklet in common. Their two sums are equal.
type linkedSet []tableCell

// yearLinks are, by year ("2026"), the linked sets between the year's
// breakdowns counting booklets, from which values of the four go
// together on the booklets handed out in the year (bookletGroups).
func yearLinks(groups []bookletGroup) map[string][]linkedSet {
	cross := map[string][][4]string{}
	for _, g := range groups {
		if g.year != "" {
			cross[g.year] = append(cross[g.year], [4]string{g.departement, g.commune, g.distributor, g.ageBand})
		}
	}
	out := map[string][]linkedSet{}
	for year, c := range cross {
		out[year] = linkedSets(c)
	}
	return out
}

// linkedSets are the linked sets between each two breakdowns counting
// booklets (linkDims), given the values of theirs that go together. A set
// holding every cell of both tables says no more than their totals, and
// is left out.
func linkedSets(cross [][4]string) []linkedSet {
	var out []linkedSet
	for i := range linkDims {
		for j := i + 1; j < len(linkDims); j++ {
			// Union-find over the values of both, "0:" and "1:" apart.
			up := map[string]string{}
			var find func(string) string
			find = func(x string) string {
				if up[x] == "" || up[x] == x {
					up[x] = x
					return x
				}
				r := find(up[x])
				up[x] = r
				return r
			}
			for _, r := range cross {
				a, b := find("0:"+r[i]), find("1:"+r[j])
				if a != b {
					up[a] = b
				}
			}
			sets := map[string]linkedSet{}
			for _, x := range slices.Sorted(maps.Keys(up)) {
				side, value, _ := strings.Cut(x, ":")
				dim := linkDims[i]
				if side == "1" {
					dim = linkDims[j]
				}
				root := find(x)
				sets[root] = append(sets[root], tableCell{dim, value})
			}
			if len(sets) < 2 {
				continue
			}
			for _, root := range slices.Sorted(maps.Keys(sets)) {
				out = append(out, sets[root])
			}
		}
	}
	return out
}

// cellFigure is a figure of people of a breakdown's cells, as the year's
// relations and the changes between publications see it: its name after
// the cell's key (cellFigureName; "" for the cell whole, its young
// people), its value (nil when the table hides it), and whether it
// counts passes, whose people are ceilDiv by the most a person may use.
type cellFigure struct {
	name   string
	get    func(f *StatFigures) *int64
	passes bool
}

// people is how many people the figure counts in f (none when nil).
func (c cellFigure) people(f *StatFigures, maxPerPerson int64) int64 {
	n := orZero(c.get(f))
	if c.passes {
		return ceilDiv(n, maxPerPerson)
	}
	return n
}

// bookletFigures are the figures of people of a breakdown counting
// booklets: its young people, each of figureSecrets, each bucket of the
// first-use wait.
func bookletFigures() []cellFigure {
	figs := []cellFigure{
		{"", func(f *StatFigures) *int64 { return f.BookletsHandedOut }, false},
		{"booklets_replaced", func(f *StatFigures) *int64 { return f.BookletsReplaced }, false},
		{"target_public", func(f *StatFigures) *int64 { return f.TargetPublic }, false},
		{"booklets_started", func(f *StatFigures) *int64 { return f.BookletsStarted }, false},
		{"booklets_completed", func(f *StatFigures) *int64 { return f.BookletsCompleted }, false},
		{"passes_used", func(f *StatFigures) *int64 { return f.PassesUsed }, true},
	}
	for b, lo := range passnum.FirstUseBuckets {
		figs = append(figs, cellFigure{firstUseBucket(lo), func(f *StatFigures) *int64 {
			if f.FirstUse == nil {
				return nil
			}
			return f.FirstUse[b].Booklets
		}, false})
	}
	return figs
}

// linkHides says what the year's tables must hide more (by breakdown,
// names as Masked has them) for each linked set to hold its cells
// securely, figure by figure: its cells' two sums are equal, so they are
// one line whose total is known (nought), and its hidden cells must not
// be given back by it (passnum.MaskColumn: a second cell of the set, the
// smallest that counts somebody). tables are the year's tables as
// masked, raw their own figures.
func linkHides(tables, raw map[string]ProgrammeStats, links []linkedSet, maxPerPerson int64) map[string]map[string]bool {
	more := map[string]map[string]bool{}
	index := map[string]map[string]int{}
	own := map[string]map[string]*StatFigures{}
	for _, by := range linkDims {
		st, r := tables[by], raw[by]
		index[by], own[by] = make(map[string]int, len(st.Cells)), make(map[string]*StatFigures, len(r.Cells))
		for i, c := range st.Cells {
			index[by][c.Key] = i
		}
		for i := range r.Cells {
			own[by][r.Cells[i].Key] = &r.Cells[i].StatFigures
		}
	}
	figs := bookletFigures()
	for _, set := range links {
		in := make([]tableCell, 0, len(set))
		for _, c := range set {
			if _, ok := index[c.by][c.key]; ok {
				in = append(in, c)
			}
		}
		cells := make([]passnum.SecretCell, len(in))
		already := make([]bool, len(in))
		for _, fig := range figs {
			for k, c := range in {
				f := own[c.by][c.key]
				if f == nil {
					f = &StatFigures{}
				}
				st := tables[c.by]
				cells[k] = passnum.SecretCell{Name: c.key, People: fig.people(f, maxPerPerson)}
				if fig.passes {
					cells[k] = passnum.PassesCell(c.key, orZero(fig.get(f)), maxPerPerson)
				}
				already[k] = fig.get(&st.Cells[index[c.by][c.key]].StatFigures) == nil
			}
			masked, _ := passnum.MaskColumn(cells, already)
			for k := range masked {
				if masked[k] && !already[k] {
					if more[in[k].by] == nil {
						more[in[k].by] = map[string]bool{}
					}
					more[in[k].by][cellFigureName(in[k].key, fig.name)] = true
				}
			}
		}
	}
	return more
}

// cellFigureName names figure fig of a cell as Masked does: the cell
// whole for "".
func cellFigureName(key, fig string) string {
	if fig == "" {
		return key
	}
	return FigureMasked(key, fig)
}

// totalHides says which of the total's figures each of the year's tables
// must hide because another hides it (names as Masked has them,
// "total:booklets_started"). A breakdown by place or service has the
// programme's whole total too, and hides it when another does: testing
// read 2023's booklets completed, 14, by place, where the breakdown by age
// band hid them.
func totalHides(tables map[string]ProgrammeStats) map[string]map[string]bool {
	figs := []string{FigHandedOut}
	for _, fs := range figureSecrets {
		figs = append(figs, fs.name)
	}
	for _, lo := range passnum.FirstUseBuckets {
		figs = append(figs, firstUseBucket(lo))
	}
	hides := func(st *ProgrammeStats, fig string) bool {
		if strings.HasPrefix(fig, FigFirstUse+":") {
			f := st.Total.FirstUse
			if st.Hides("total", "") || f == nil {
				return true
			}
			for _, b := range f {
				if firstUseBucket(b.FromDays) == fig {
					return b.Booklets == nil
				}
			}
			return false
		}
		return st.Hides("total", fig)
	}
	more := map[string]map[string]bool{}
	for _, fig := range figs {
		anywhere := false
		for by, st := range tables {
			// A breakdown by place or service hides its total whole when
			// its cells of uses call for it: of that, only the passes
			// used are its to hide; the rest goes with them.
			anywhere = anywhere || (BreakdownCountsBooklets(by) || fig == "passes_used") && hides(&st, fig)
		}
		if !anywhere {
			continue
		}
		for by, st := range tables {
			if !hides(&st, fig) {
				if more[by] == nil {
					more[by] = map[string]bool{}
				}
				more[by][FigureMasked("total", fig)] = true
			}
		}
	}
	return more
}
