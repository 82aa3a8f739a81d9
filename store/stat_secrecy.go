package store

import (
	"slices"

	"passnum"
)

// figureSecret is a figure of a cell that counts people: its name as the
// API writes it, how many people it counts at least, and what hides it
// with the figures that would give it back (a share of a known count, an
// amount, a difference).
type figureSecret struct {
	name   string
	people func(f *StatFigures, maxPerPerson int64) int64
	hide   func(f *StatFigures)
	// passes is the figure when it counts passes (nil otherwise), whose
	// bounds a reader knows in passes.
	passes func(f *StatFigures) *int64
}

// cell is figure fs of f as a cell of its column.
func (fs figureSecret) cell(name string, f *StatFigures, maxPerPerson int64) passnum.SecretCell {
	if fs.passes != nil {
		return passnum.PassesCell(name, orZero(fs.passes(f)), maxPerPerson)
	}
	return passnum.SecretCell{Name: name, People: fs.people(f, maxPerPerson)}
}

func orZero(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

// figureSecrets are the figures statistical secrecy masks one by one in a
// cell it shows: a département of 30 young people may have 2 who
// finished their booklet.
var figureSecrets = []figureSecret{
	{"booklets_replaced", func(f *StatFigures, _ int64) int64 { return orZero(f.BookletsReplaced) },
		func(f *StatFigures) { f.BookletsReplaced = nil }, nil},
	{"target_public", func(f *StatFigures, _ int64) int64 { return orZero(f.TargetPublic) },
		func(f *StatFigures) { f.TargetPublic, f.TargetShare = nil, nil }, nil},
	{"booklets_started", func(f *StatFigures, _ int64) int64 { return orZero(f.BookletsStarted) },
		func(f *StatFigures) {
			f.BookletsStarted, f.UseRate, f.FirstUseMedianDays, f.FirstUse = nil, nil, nil, nil
		}, nil},
	{"booklets_completed", func(f *StatFigures, _ int64) int64 { return orZero(f.BookletsCompleted) },
		func(f *StatFigures) { f.BookletsCompleted = nil }, nil},
	// Passes used count at least one person for each booklet's worth.
	{"passes_used", func(f *StatFigures, maxPerPerson int64) int64 { return ceilDiv(orZero(f.PassesUsed), maxPerPerson) },
		func(f *StatFigures) { f.PassesUsed, f.AmountUsedCents, f.PassesExpired = nil, nil, nil },
		func(f *StatFigures) *int64 { return f.PassesUsed }},
}

// FigureMasked names a figure statistical secrecy hides in a cell (a
// breakdown's key, or "total") in ProgrammeStats.Masked: "25:booklets_started".
func FigureMasked(cell, figure string) string { return cell + ":" + figure }

// applyFigureSecrecy masks, in the total and in each cell not masked whole
// (rowMasked, in Cells' order; raw, their figures before any masking),
// each figure of figureSecrets that counts 1 to 4 people, and in each
// figure's column more cells while the column would give one back
// (passnum.MaskColumn); when no other cell can, the total's figure.
// A total's figure the period must hide (periodHidden) goes, with a cell
// of its column when none is hidden. A cell's figure hidden beforehand
// (hidden, "25:booklets_started") goes, and counts as hidden in its column.
func (out *ProgrammeStats) applyFigureSecrecy(raw []StatFigures, rowMasked []bool, totalMasked bool, maxPerPerson int64, periodHidden, hidden map[string]bool) {
	for _, fs := range figureSecrets {
		cells := make([]passnum.SecretCell, len(out.Cells))
		already := make([]bool, len(out.Cells))
		for i := range out.Cells {
			cells[i] = fs.cell(out.Cells[i].Key, &raw[i], maxPerPerson)
			already[i] = rowMasked[i] || hidden[FigureMasked(out.Cells[i].Key, fs.name)]
		}
		masked, hideTotal := passnum.MaskColumn(cells, already)
		byPeriod := !totalMasked && periodHidden[fs.name]
		if byPeriod {
			passnum.HideOneMore(cells, masked)
		}
		for i, m := range masked {
			if m && !rowMasked[i] {
				fs.hide(&out.Cells[i].StatFigures)
				name := FigureMasked(out.Cells[i].Key, fs.name)
				out.Masked = append(out.Masked, name)
				if cells[i].People > 0 && cells[i].People < passnum.SecrecyThreshold {
					out.small[name] = true
				}
			}
		}
		if totalMasked {
			continue
		}
		if n := fs.people(&out.Total, maxPerPerson); hideTotal || byPeriod || n > 0 && n < passnum.SecrecyThreshold {
			fs.hide(&out.Total)
			name := FigureMasked("total", fs.name)
			out.Masked = append(out.Masked, name)
			if n > 0 && n < passnum.SecrecyThreshold {
				out.small[name] = true
			}
		}
	}
}

// Hides says whether statistical secrecy hides figure fig of cell (a
// breakdown's key, "total" or "month 2026-03"): the whole cell or, fig
// not empty, that figure alone.
func (s *ProgrammeStats) Hides(cell, fig string) bool {
	has := func(k string) bool {
		if s.masked == nil {
			return slices.Contains(s.Masked, k)
		}
		return s.masked[k]
	}
	return has(cell) || fig != "" && has(FigureMasked(cell, fig))
}

// Small says whether what Hides hides of figure fig of cell counts 1 to
// 4 young people itself ("< 5" is true of its counts of people), rather
// than being hidden so that another cannot be given back ("secret"): the
// cell's young people (its booklets handed out) for fig "", else that
// figure's own count, whether it was hidden alone or with its cell (a
// cell of 3 young people, none started, has started "secret", not "< 5").
func (s *ProgrammeStats) Small(cell, fig string) bool {
	if fig == "" {
		return s.small[cell]
	}
	return s.small[FigureMasked(cell, fig)]
}

// smallFigures records, for a cell about to be hidden whole, which of its
// figures of people count 1 to 4 themselves (Small).
func (out *ProgrammeStats) smallFigures(cell string, f *StatFigures, maxPerPerson int64) {
	for _, fs := range figureSecrets {
		if n := fs.people(f, maxPerPerson); n > 0 && n < passnum.SecrecyThreshold {
			out.small[FigureMasked(cell, fs.name)] = true
		}
	}
}

// applyFirstUseSecrecy masks the buckets of the first-use distributions
// shown (those of the rows whose booklets started are): every bucket of
// fewer than 5 booklets, an empty one too, since a zero shown beside a
// hidden bucket says the hidden one counts somebody (a row of no booklet
// started keeps its zeros); then, in each line whose sum is published (a
// row adds up to its booklets started, a bucket's column to the total's
// bucket), more until the hidden buckets
// cannot be told apart (secureLine). Hiding for a row may call for more
// in a column and back, so it runs until nothing changes. A row with a
// bucket hidden is named once ("clé:first_use"), and loses its
// distribution when every bucket is. before says which buckets (by first
// day) of a row ("total" or a cell's key) are hidden beforehand: the
// total's a funder's period hides (holding part of their hidden months,
// periodSecrets), a cell's the year's other tables call for. A column
// whose total's bucket is hidden hides one of its cells when none is, or
// the cells would add up to it.
func (out *ProgrammeStats) applyFirstUseSecrecy(before func(row string, lo int) bool) {
	rows := make([]*StatFigures, 0, len(out.Cells)+1)
	keys := make([]string, 0, len(out.Cells)+1)
	for i := range out.Cells {
		rows, keys = append(rows, &out.Cells[i].StatFigures), append(keys, out.Cells[i].Key)
	}
	rows, keys = append(rows, &out.Total), append(keys, "total")
	last, nb := len(rows)-1, len(passnum.FirstUseBuckets)
	// counts[r][b]: row r's bucket b, read once; hide[r][b]: hidden (all
	// of a row with no distribution shown).
	counts, hide := make([][]int64, len(rows)), make([][]bool, len(rows))
	flat, hidden := make([]int64, len(rows)*nb), make([]bool, len(rows)*nb)
	for r := range rows {
		counts[r], hide[r] = flat[r*nb:(r+1)*nb:(r+1)*nb], hidden[r*nb:(r+1)*nb:(r+1)*nb]
		var started int64
		for b := range nb {
			if rows[r].FirstUse != nil {
				counts[r][b] = *rows[r].FirstUse[b].Booklets
				started += counts[r][b]
			}
		}
		// A row of no booklet started keeps its zeros: they say nobody.
		for b := range nb {
			hide[r][b] = rows[r].FirstUse == nil || started > 0 && counts[r][b] < passnum.SecrecyThreshold || before(keys[r], passnum.FirstUseBuckets[b])
		}
	}
	// A worklist: a line is checked again only once one of its buckets
	// was hidden since, so a breakdown by commune costs about one pass.
	rowDirty, colDirty := make([]bool, len(rows)), make([]bool, nb)
	for r := range rowDirty {
		rowDirty[r] = rows[r].FirstUse != nil
	}
	for b := range colDirty {
		colDirty[b] = true
	}
	for dirty := true; dirty; {
		dirty = false
		for r, d := range rowDirty {
			if !d {
				continue
			}
			rowDirty[r] = false
			secureLine(nb, func(b int) int64 { return counts[r][b] }, func(b int) bool { return hide[r][b] },
				func(b int) { hide[r][b], colDirty[b], dirty = true, true, true })
		}
		for b, d := range colDirty {
			colDirty[b] = false
			if !d {
				continue
			}
			if hide[last][b] {
				// No total's bucket shown: nothing to subtract from, as
				// long as one cell is hidden too.
				pick := -1
				for r := range last {
					if hide[r][b] {
						pick = -1
						break
					}
					if counts[r][b] > 0 && (pick < 0 || counts[r][b] < counts[pick][b]) {
						pick = r
					}
				}
				if pick >= 0 {
					hide[pick][b], rowDirty[pick], dirty = true, true, true
				}
				continue
			}
			if secureLine(last, func(r int) int64 { return counts[r][b] }, func(r int) bool { return hide[r][b] },
				func(r int) { hide[r][b], rowDirty[r], dirty = true, true, true }) {
				hide[last][b], rowDirty[last], dirty = true, true, true
			}
		}
	}
	// One name a row: its hidden buckets read null; a commune breakdown
	// would otherwise name hundreds of thousands.
	for r, f := range rows {
		if f.FirstUse == nil || !slices.Contains(hide[r], true) {
			continue
		}
		out.Masked = append(out.Masked, FigureMasked(keys[r], "first_use"))
		if !slices.Contains(hide[r], false) {
			f.FirstUse = nil
			continue
		}
		for b := range f.FirstUse {
			if hide[r][b] {
				f.FirstUse[b].Booklets = nil
			}
		}
	}
}

// secureLine makes the hidden cells of a line of n cells whose sum is
// published impossible to tell apart: val is a cell's count, hidden says
// whether it is hidden, and hide hides one more. A lone hidden cell that
// counts somebody is given back by the sum, and so are hidden cells all
// under the threshold that add up to the most they can (two hidden cells
// of 4); either way the smallest cell shown is hidden too, and when none
// is left it answers true: the line's sum must go.
func secureLine(n int, val func(int) int64, hidden func(int) bool, hide func(int)) (hideSum bool) {
	for {
		k, sum, small, next := int64(0), int64(0), true, -1
		for i := range n {
			switch {
			case hidden(i):
				k++
				sum += val(i)
				small = small && val(i) < passnum.SecrecyThreshold
			case next < 0 || val(i) < val(next):
				next = i
			}
		}
		if sum == 0 || k >= 2 && !(small && sum == k*(passnum.SecrecyThreshold-1)) {
			return false
		}
		if next < 0 {
			return true
		}
		hide(next)
	}
}

// applySecrecy masks a closing table as the dashboard's breakdown by
// distributor: a line of 1 to 4 young people, and a second where the
// totals would give it back, with their stock; the totals when they count
// 1 to 4; then, in
// the lines shown, the booklets started and the passes used (with the
// passes not used, which they and the booklets handed out give back)
// that count 1 to 4, each with a second in its column. hidden names, as
// Masked does, the lines and figures hidden already (closingHiddenByYears):
// they go, and count as hidden where a second is called for.
func (t *ClosingTable) applySecrecy(maxPerPerson int64, hidden map[string]bool) {
	n := len(t.Distributors)
	people := func(v *int64) int64 { return orZero(v) }
	// Each column's cells as they are, lines hidden whole too: a reader
	// knows their bounds by their marks (passnum.ColumnGivesBack).
	raw := slices.Clone(t.Distributors)
	column := func(of func(d *DistributorClosing) int64, passes bool) []passnum.SecretCell {
		cells := make([]passnum.SecretCell, n)
		for i := range raw {
			cells[i] = passnum.SecretCell{Name: raw[i].DistributorID, People: of(&raw[i])}
			if passes {
				cells[i] = passnum.PassesCell(raw[i].DistributorID, people(raw[i].PassesUsed), maxPerPerson)
			}
		}
		return cells
	}
	// already says which lines (fig "") or which of their figures fig
	// are hidden before their column is masked: by hidden, or with their
	// line (lines).
	already := func(fig string, lines []bool) []bool {
		out := make([]bool, n)
		for i := range t.Distributors {
			name := t.Distributors[i].DistributorID
			if fig != "" {
				name = FigureMasked(name, fig)
			}
			out[i] = hidden[name] || lines != nil && lines[i]
		}
		return out
	}
	// The stock goes with the line: allocated less not handed out is
	// handed out.
	hideLine := func(d *DistributorClosing) {
		d.BookletsAllocated, d.BookletsNotHandedOut = nil, nil
		d.BookletsHandedOut, d.BookletsStarted, d.PassesUsed, d.PassesUnused = nil, nil, nil, nil
	}
	lines, hideTotals := passnum.MaskColumn(column(func(d *DistributorClosing) int64 { return people(d.BookletsHandedOut) }, false), already("", nil))
	for i, m := range lines {
		if m {
			hideLine(&t.Distributors[i])
			t.Masked = append(t.Masked, t.Distributors[i].DistributorID)
		}
	}
	if h := people(t.Totals.BookletsHandedOut); hideTotals || h > 0 && h < passnum.SecrecyThreshold {
		hideLine(&t.Totals)
		t.Masked = append(t.Masked, "totals")
	}
	for _, fig := range []struct {
		name   string
		people func(d *DistributorClosing) int64
		hide   func(d *DistributorClosing)
		passes bool // bounded in passes (passnum.PassesCell)
	}{
		{"booklets_started", func(d *DistributorClosing) int64 { return people(d.BookletsStarted) },
			func(d *DistributorClosing) { d.BookletsStarted = nil }, false},
		{"passes_used", func(d *DistributorClosing) int64 { return ceilDiv(people(d.PassesUsed), maxPerPerson) },
			func(d *DistributorClosing) { d.PassesUsed, d.PassesUnused = nil, nil }, true},
	} {
		masked, hideTotal := passnum.MaskColumn(column(fig.people, fig.passes), already(fig.name, lines))
		for i, m := range masked {
			if m && !lines[i] {
				fig.hide(&t.Distributors[i])
				t.Masked = append(t.Masked, FigureMasked(t.Distributors[i].DistributorID, fig.name))
			}
		}
		if t.Totals.BookletsHandedOut == nil {
			continue
		}
		if p := fig.people(&t.Totals); hideTotal || p > 0 && p < passnum.SecrecyThreshold {
			fig.hide(&t.Totals)
			t.Masked = append(t.Masked, FigureMasked("totals", fig.name))
		}
	}
}
