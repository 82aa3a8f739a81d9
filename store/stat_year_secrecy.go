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
//   - a cell of one table may be the sum of cells of another: a
//     département of its communes; a mission locale of the communes it
//     alone serves; a département of the agencies that serve it alone.
//     The parent shown, less its children shown, gives back its one
//     child hidden; the parent hidden, whose children are all shown, is
//     their sum. The communes of a département are public; which
//     agencies serve which communes, a funder may well know;
//   - in particular two cells may count the same booklets (a
//     distributor that alone serves one département, a university
//     whose young people are all of one age band): what one hides, the
//     other shows;
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
// are masked (changeHides). kept are, by breakdown, the values last shown
// of the figures the tables hide, for the next publication.
// parts are the year's partitions (yearPartitions).
func (tx *Tx) yearTables(ctx context.Context, p passnum.Programme, year string, parts []partition, shown map[string]map[string]int64) (tables map[string]ProgrammeStats, kept map[string]map[string]int64, err error) {
	query := func(by string, secret bool, hidden map[string]bool) StatsQuery {
		return StatsQuery{ProgrammeID: p.ID, From: year + "-01", To: year + "-12", By: by, Secret: secret, hidden: hidden}
	}
	// The cells' own figures, which their parents add up and whose
	// changes count.
	maxPerPerson := maxPassesPerPerson(p)
	raw, hidden := map[string]ProgrammeStats{}, map[string]map[string]bool{}
	for _, by := range StatBreakdowns {
		st, err := tx.programmeStats(ctx, query(by, false, nil), false)
		if err != nil {
			return nil, nil, err
		}
		raw[by] = st
		hidden[by] = changeHides(&st, by, shown[query(by, true, nil).view()], maxPerPerson)
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
		more := partitionHides(tables, raw, parts, maxPerPerson)
		for by, names := range totalHides(tables) {
			if more[by] == nil {
				more[by] = map[string]bool{}
			}
			maps.Copy(more[by], names)
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
	kept = map[string]map[string]int64{}
	for _, by := range StatBreakdowns {
		st := tables[by]
		kept[by] = keptValues(&st, by, shown[query(by, true, nil).view()])
	}
	return tables, kept, nil
}

// partitionDims are the breakdowns whose cells count booklets, between
// which a cell may be the sum of others.
var partitionDims = []string{dimDepartement, dimCommune, dimDistributor, dimAgeBand}

// tableCell is a cell of one of a year's breakdowns.
type tableCell struct{ by, key string }

// partition is a cell of a year's breakdown that is exactly the sum of
// cells of another (children): each of them counts booklets of the
// parent only, and the parent none but theirs.
type partition struct {
	parent   tableCell
	children []tableCell
}

// yearPartitions are, by year ("2026"), the partitions between the
// year's breakdowns counting booklets, from which values of the four go
// together on the booklets handed out in the year (bookletGroups).
func yearPartitions(groups []bookletGroup) map[string][]partition {
	cross := map[string][][4]string{}
	for _, g := range groups {
		if g.year != "" {
			cross[g.year] = append(cross[g.year], [4]string{g.departement, g.commune, g.distributor, g.ageBand})
		}
	}
	out := map[string][]partition{}
	for year, c := range cross {
		out[year] = partitions(c)
	}
	return out
}

// partitions are the partitions between the breakdowns counting booklets
// (partitionDims) given the values of theirs that go together.
func partitions(cross [][4]string) []partition {
	var out []partition
	for i, parent := range partitionDims {
		for j, child := range partitionDims {
			if i == j {
				continue
			}
			// The values of each dimension each value of the other meets.
			children, parents := map[string]map[string]bool{}, map[string]map[string]bool{}
			for _, r := range cross {
				add(children, r[i], r[j])
				add(parents, r[j], r[i])
			}
			for _, p := range slices.Sorted(maps.Keys(children)) {
				part := partition{parent: tableCell{parent, p}}
				for _, c := range slices.Sorted(maps.Keys(children[p])) {
					if len(parents[c]) != 1 {
						part.children = nil
						break
					}
					part.children = append(part.children, tableCell{child, c})
				}
				if len(part.children) > 0 {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

func add(m map[string]map[string]bool, k, v string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	m[k][v] = true
}

// cellFigure is one figure of the cells of a breakdown counting
// booklets, as the year's relations see it: its name in Masked (after
// the cell's key; "" for the cell whole, its young people), how many
// people it counts in a cell of the raw table, and whether the masked
// table hides it in cell i.
type cellFigure struct {
	name   string
	people func(f *StatFigures) int64
	hides  func(st *ProgrammeStats, i int) bool
}

// cellFigures are the figures a département's cell adds up from its
// communes': its young people, each of figureSecrets, each bucket of the
// first-use wait.
func cellFigures(maxPerPerson int64) []cellFigure {
	figs := []cellFigure{{"", func(f *StatFigures) int64 { return orZero(f.BookletsHandedOut) },
		func(st *ProgrammeStats, i int) bool { return st.Hides(st.Cells[i].Key, "") }}}
	for _, fs := range figureSecrets {
		figs = append(figs, cellFigure{fs.name, func(f *StatFigures) int64 { return fs.people(f, maxPerPerson) },
			func(st *ProgrammeStats, i int) bool { return st.Hides(st.Cells[i].Key, fs.name) }})
	}
	for b, lo := range passnum.FirstUseBuckets {
		figs = append(figs, cellFigure{firstUseBucket(lo),
			func(f *StatFigures) int64 {
				if f.FirstUse == nil {
					return 0
				}
				return orZero(f.FirstUse[b].Booklets)
			},
			func(st *ProgrammeStats, i int) bool {
				f := st.Cells[i].FirstUse
				return f == nil || f[b].Booklets == nil
			}})
	}
	return figs
}

// partitionHides says what the year's tables must hide more (by
// breakdown, names as Masked has them) for each partition to hold its
// children securely, figure by figure: a parent shown is the total of
// its children's line, whose hidden cells must not be given back by it
// (passnum.MaskColumn: a second child, or the parent when none is left);
// a parent hidden must hide one of its children at least, or they add
// up to it. tables are the year's tables as masked, raw their own
// figures.
func partitionHides(tables, raw map[string]ProgrammeStats, parts []partition, maxPerPerson int64) map[string]map[string]bool {
	more := map[string]map[string]bool{}
	hide := func(c tableCell, fig string) {
		if more[c.by] == nil {
			more[c.by] = map[string]bool{}
		}
		more[c.by][cellFigureName(c.key, fig)] = true
	}
	index := map[string]map[string]int{}
	own := map[string]map[string]*StatFigures{}
	for _, by := range partitionDims {
		st, r := tables[by], raw[by]
		index[by], own[by] = make(map[string]int, len(st.Cells)), make(map[string]*StatFigures, len(r.Cells))
		for i, c := range st.Cells {
			index[by][c.Key] = i
		}
		for i := range r.Cells {
			own[by][r.Cells[i].Key] = &r.Cells[i].StatFigures
		}
	}
	figs := cellFigures(maxPerPerson)
	for _, part := range parts {
		pt := tables[part.parent.by]
		at, ok := index[part.parent.by][part.parent.key]
		if !ok {
			continue
		}
		ct := tables[part.children[0].by]
		kids := make([]int, 0, len(part.children))
		for _, c := range part.children {
			if i, ok := index[c.by][c.key]; ok {
				kids = append(kids, i)
			}
		}
		cells := make([]passnum.SecretCell, len(kids))
		already := make([]bool, len(kids))
		for _, fig := range figs {
			for k, i := range kids {
				key := ct.Cells[i].Key
				f := own[ct.By][key]
				if f == nil {
					f = &StatFigures{}
				}
				cells[k] = passnum.SecretCell{Name: key, People: fig.people(f)}
				already[k] = fig.hides(&ct, i)
			}
			var masked []bool
			total := false
			if fig.hides(&pt, at) {
				// The smallest child that counts somebody, when none
				// is hidden.
				masked = slices.Clone(already)
				passnum.HideOneMore(cells, masked)
			} else {
				masked, total = passnum.MaskColumn(cells, already)
			}
			for k := range masked {
				if masked[k] && !already[k] {
					hide(tableCell{ct.By, cells[k].Name}, fig.name)
				}
			}
			if total {
				hide(part.parent, fig.name)
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
// "total:booklets_started"): the figures a breakdown by place or service
// has are its passes used.
func totalHides(tables map[string]ProgrammeStats) map[string]map[string]bool {
	figs := []string{FigHandedOut}
	for _, fs := range figureSecrets {
		figs = append(figs, fs.name)
	}
	for _, lo := range passnum.FirstUseBuckets {
		figs = append(figs, firstUseBucket(lo))
	}
	has := func(by, fig string) bool {
		return BreakdownCountsBooklets(by) || fig == "passes_used"
	}
	hides := func(st *ProgrammeStats, fig string) bool {
		if lo, ok := strings.CutPrefix(fig, FigFirstUse+":"); ok {
			f := st.Total.FirstUse
			if st.Hides("total", "") || f == nil {
				return true
			}
			for _, b := range f {
				if firstUseBucket(b.FromDays) == FigFirstUse+":"+lo {
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
			anywhere = anywhere || has(by, fig) && hides(&st, fig)
		}
		if !anywhere {
			continue
		}
		for by, st := range tables {
			if has(by, fig) && !hides(&st, fig) {
				if more[by] == nil {
					more[by] = map[string]bool{}
				}
				more[by][FigureMasked("total", fig)] = true
			}
		}
	}
	return more
}
