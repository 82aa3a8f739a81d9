package store

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"passnum"
)

// Two publications a month apart differ by a month's activity. Each is
// masked on its own, so a funder who kept last month's could read, in a
// cell shown both times, how many young people it gained: "2 more in
// Vesoul", "1 more with the university", "1 more aged 25", a month in
// which the programme handed out 1 booklet. A cell's change is therefore
// masked as the cell is: a figure whose change since its value last shown
// counts 1 to 4 people is hidden ("secret") until its change counts 5 or
// more, with a second cell where its table calls for one (the year's
// tables are masked together, yearTables). The value last shown is the
// previous publication's, or, for a figure it hid, the one it kept
// (statsPublication.Kept), which is never shown.
//
// A year's figures only grow. A cell hidden one month and shown later
// with the value last shown before had that value in the month that hid
// it: its table's hidden cells that month add up to the total less those
// shown, and when all of them but one are so known, the last is given
// back (testing: Nièvre hidden in November beside the university, shown
// in December at 14 as in October, gave November's university, 18 - 14).
// Each publication therefore keeps its hidden sets, and those of earlier
// months not yet safe (carriedSets), and quietHides keeps one more cell
// hidden where a set would give back one of 1 to 4.

// changeFigures are the figures of a breakdown by by whose changes are
// masked: those of people it shows (a place's or a service's cell whole
// is its passes used).
func changeFigures(by string) []cellFigure {
	if !BreakdownCountsBooklets(by) {
		return []cellFigure{{"", func(f *StatFigures) *int64 { return f.PassesUsed }, true}}
	}
	return bookletFigures()
}

// eachChangeFigure calls fn for each figure of changeFigures of each cell
// of a breakdown by by, with the name the figure is hidden by
// (StatsQuery.hidden, as Masked names it). The total's changes are not
// masked here: the total is the programme's figure over the year, which
// a funder reads for any period (publishedProgrammeStats).
func eachChangeFigure(st *ProgrammeStats, by string, fn func(name string, v *int64, passes bool)) {
	figs := changeFigures(by)
	for i := range st.Cells {
		for _, fig := range figs {
			fn(cellFigureName(st.Cells[i].Key, fig.name), fig.get(&st.Cells[i].StatFigures), fig.passes)
		}
	}
}

// lastPublished is what the latest publication before the month's said
// of a breakdown.
type lastPublished struct {
	values map[string]int64 // by figure's name, the value last shown: there, or kept by it
	sets   []hiddenSet      // its hidden sets not yet safe, its own and those it carried
}

// lastShown is, by view, what the latest publication before the month's
// said of each breakdown.
func (tx *Tx) lastShown(ctx context.Context, programmeID string) (map[string]lastPublished, error) {
	rows, err := tx.query(ctx, `SELECT view, body FROM stat_publications WHERE programme_id = ? AND view LIKE 'stats:%' AND month = (
		SELECT MAX(month) FROM stat_publications WHERE programme_id = ? AND view = ? AND month < ?)`,
		programmeID, programmeID, monthViews, tx.Today().YearMonth())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]lastPublished{}
	for rows.Next() {
		var view, body string
		if err := rows.Scan(&view, &body); err != nil {
			return nil, err
		}
		var pub statsPublication
		if err := json.Unmarshal([]byte(body), &pub); err != nil {
			return nil, err
		}
		last := lastPublished{values: make(map[string]int64, len(pub.Kept)), sets: pub.Sets}
		maps.Copy(last.values, pub.Kept)
		by, _, _ := strings.Cut(strings.TrimPrefix(view, "stats:"), ":")
		eachChangeFigure(&pub.ProgrammeStats, by, func(name string, v *int64, _ bool) {
			if v != nil {
				last.values[name] = *v
			}
		})
		out[view] = last
	}
	return out, rows.Err()
}

// changeHides are the figures of a breakdown (raw: its own figures) whose
// change since last shown counts 1 to 4 people. A breakdown of one cell
// that counts anybody is its total, whose change the programme's figures
// give (a funder reads them over any period): hiding it would hide the
// total in every table and protect nothing.
func changeHides(raw *ProgrammeStats, by string, last map[string]int64, maxPerPerson int64) map[string]bool {
	out := map[string]bool{}
	counted := 0
	for i := range raw.Cells {
		f := &raw.Cells[i].StatFigures
		if orZero(f.BookletsHandedOut) > 0 || orZero(f.BookletsReplaced) > 0 || orZero(f.PassesUsed) > 0 {
			counted++
		}
	}
	if len(last) == 0 || counted < 2 {
		return out
	}
	eachChangeFigure(raw, by, func(name string, v *int64, passes bool) {
		was, ok := last[name]
		if !ok {
			return
		}
		d := orZero(v) - was
		if d < 0 {
			d = -d
		}
		if passes {
			d = ceilDiv(d, maxPerPerson)
		}
		if d > 0 && d < passnum.SecrecyThreshold {
			out[name] = true
		}
	})
	return out
}

// keptValues are the values last shown (last) of the figures a breakdown
// as published (st) hides: the next publication's changes are from them.
func keptValues(st *ProgrammeStats, by string, last map[string]int64) map[string]int64 {
	var out map[string]int64
	eachChangeFigure(st, by, func(name string, v *int64, _ bool) {
		if was, ok := last[name]; ok && v == nil {
			if out == nil {
				out = map[string]int64{}
			}
			out[name] = was
		}
	})
	return out
}

// hiddenSet is one figure's hidden cells in a column of a past
// publication whose total it showed: a funder knows their sum then (the
// total less the cells shown). Each stays unknown until shown with the
// value it was last shown with before (it had that value then too, the
// figures only growing): that one is then known, and taken from the sum.
// When all but one are known, the last is given back. A cell that has
// changed since can no longer be known: with two such, the set is safe,
// and dropped.
type hiddenSet struct {
	Fig string `json:"fig"` // changeFigures' name
	Sum int64  `json:"sum"` // of the cells still in it, then
	// By figure's name, the value each was last shown with before;
	// unknownValue when never shown or changed since.
	Cells map[string]int64 `json:"cells"`
}

// unknownValue marks a hidden set's cell that can no longer be known.
const unknownValue = -1

// hiddenSetsOf are the hidden sets of a breakdown as published (pub,
// with Kept) not yet safe.
func hiddenSetsOf(pub *statsPublication, by string) []hiddenSet {
	var out []hiddenSet
	for _, fig := range changeFigures(by) {
		total := fig.get(&pub.Total)
		if total == nil {
			continue
		}
		set := hiddenSet{Fig: fig.name, Sum: *total, Cells: map[string]int64{}}
		lost := 0
		for i := range pub.Cells {
			name := cellFigureName(pub.Cells[i].Key, fig.name)
			if v := fig.get(&pub.Cells[i].StatFigures); v != nil {
				set.Sum -= *v
			} else if was, ok := pub.Kept[name]; ok {
				set.Cells[name] = was
			} else {
				set.Cells[name] = unknownValue
				lost++
			}
		}
		if len(set.Cells) > 0 && lost < 2 {
			out = append(out, set)
		}
	}
	return out
}

// rawValues are a breakdown's own figures of changeFigures, by name, and
// the people each counts.
func rawValues(raw *ProgrammeStats, by string, maxPerPerson int64) (values, people map[string]int64) {
	values, people = map[string]int64{}, map[string]int64{}
	eachChangeFigure(raw, by, func(name string, v *int64, passes bool) {
		values[name], people[name] = orZero(v), orZero(v)
		if passes {
			people[name] = ceilDiv(orZero(v), maxPerPerson)
		}
	})
	return values, people
}

// quietHides are the figures of a breakdown (raw: its own figures) to
// keep hidden so that no hidden set (last.sets) gives back one of 1 to 4
// people: a cell of a set whose value is still the one it was last shown
// with, 0 or 5 people and more, would now be shown and known; when all of
// the set's cells but one would be known, and that one's value then (the
// set's sum less the others) counts 1 to 4 people, the smallest of those
// stays hidden. One that counted 5 or more then may be given back: the
// funder learns, months later, that it had changed since shown, by 1 to 4
// maybe; holding its partner hidden until it changes (tried) hid most
// small tables within a few months.
func quietHides(raw *ProgrammeStats, by string, last lastPublished, maxPerPerson int64) map[string]bool {
	out := map[string]bool{}
	values, people := rawValues(raw, by, maxPerPerson)
	passes := map[string]bool{}
	for _, fig := range changeFigures(by) {
		passes[fig.name] = fig.passes
	}
	for _, set := range last.sets {
		var known []passnum.SecretCell
		rest, unknown := set.Sum, 0
		for name, was := range set.Cells {
			if n := people[name]; was != unknownValue && values[name] == was && (n == 0 || n >= passnum.SecrecyThreshold) {
				known = append(known, passnum.SecretCell{Name: name, People: n})
				rest -= was
			} else {
				unknown++
			}
		}
		if passes[set.Fig] {
			rest = ceilDiv(rest, maxPerPerson)
		}
		if unknown != 1 || len(known) == 0 || rest < 1 || rest >= passnum.SecrecyThreshold {
			continue
		}
		out[slices.MinFunc(known, passnum.ComparePartners).Name] = true
	}
	return out
}

// carriedSets are the hidden sets (last.sets, and the breakdown's own of
// this publication, hiddenSetsOf) the next publication must keep from
// giving back, once the breakdown is published as st (raw: its own
// figures): each cell shown with its value last shown is known and taken
// from its set's sum; a cell that has changed can no longer be.
func carriedSets(pub *statsPublication, raw *ProgrammeStats, by string, last lastPublished, maxPerPerson int64) []hiddenSet {
	values, _ := rawValues(raw, by, maxPerPerson)
	shown := map[string]bool{}
	eachChangeFigure(&pub.ProgrammeStats, by, func(name string, v *int64, _ bool) { shown[name] = v != nil })
	var out []hiddenSet
	for _, set := range last.sets {
		next := hiddenSet{Fig: set.Fig, Sum: set.Sum, Cells: map[string]int64{}}
		lost := 0
		for name, was := range set.Cells {
			switch {
			case was != unknownValue && values[name] == was && shown[name]:
				next.Sum -= was // known
			case was == unknownValue || values[name] != was:
				next.Cells[name] = unknownValue
				lost++
			default:
				next.Cells[name] = was
			}
		}
		if len(next.Cells) > 0 && lost < 2 {
			out = append(out, next)
		}
	}
	return append(out, hiddenSetsOf(pub, by)...)
}
