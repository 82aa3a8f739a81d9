package store

import (
	"context"
	"encoding/json"
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

// lastShown are, for each breakdown of the latest publication before the
// month's (by view), the value each figure was last shown with: shown
// there, or kept by it.
func (tx *Tx) lastShown(ctx context.Context, programmeID string) (map[string]map[string]int64, error) {
	rows, err := tx.query(ctx, `SELECT view, body FROM stat_publications WHERE programme_id = ? AND view LIKE 'stats:%' AND month = (
		SELECT MAX(month) FROM stat_publications WHERE programme_id = ? AND view = ? AND month < ?)`,
		programmeID, programmeID, monthViews, tx.Today().YearMonth())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var view, body string
		if err := rows.Scan(&view, &body); err != nil {
			return nil, err
		}
		var pub statsPublication
		if err := json.Unmarshal([]byte(body), &pub); err != nil {
			return nil, err
		}
		shown := make(map[string]int64, len(pub.Kept))
		for name, v := range pub.Kept {
			shown[name] = v
		}
		by, _, _ := strings.Cut(strings.TrimPrefix(view, "stats:"), ":")
		eachChangeFigure(&pub.ProgrammeStats, by, func(name string, v *int64, _ bool) {
			if v != nil {
				shown[name] = *v
			}
		})
		out[view] = shown
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
