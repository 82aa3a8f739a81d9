package store

import (
	"slices"
	"strconv"

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
		func(f *StatFigures) { f.BookletsReplaced = nil }},
	{"target_public", func(f *StatFigures, _ int64) int64 { return orZero(f.TargetPublic) },
		func(f *StatFigures) { f.TargetPublic, f.TargetShare = nil, nil }},
	{"booklets_started", func(f *StatFigures, _ int64) int64 { return orZero(f.BookletsStarted) },
		func(f *StatFigures) {
			f.BookletsStarted, f.UseRate, f.FirstUseMedianDays, f.FirstUse = nil, nil, nil, nil
		}},
	{"booklets_completed", func(f *StatFigures, _ int64) int64 { return orZero(f.BookletsCompleted) },
		func(f *StatFigures) { f.BookletsCompleted = nil }},
	// Passes used count at least one person for each booklet's worth.
	{"passes_used", func(f *StatFigures, maxPerPerson int64) int64 { return ceilDiv(orZero(f.PassesUsed), maxPerPerson) },
		func(f *StatFigures) { f.PassesUsed, f.AmountUsedCents, f.PassesExpired = nil, nil, nil }},
}

// FigureMasked names a figure statistical secrecy hides in a cell (a
// breakdown's key, or "total") in ProgrammeStats.Masked: "25:booklets_started".
func FigureMasked(cell, figure string) string { return cell + ":" + figure }

// applyFigureSecrecy masks, in the total and in each cell not masked whole
// (rowMasked, in Cells' order), each figure of figureSecrets that counts 1
// to 4 people, and in each figure's column a second cell where the column
// would give a lone one back; when no other cell can, the total's figure.
func (out *ProgrammeStats) applyFigureSecrecy(rowMasked []bool, totalMasked bool, maxPerPerson int64) {
	for _, fs := range figureSecrets {
		cells := make([]passnum.SecretCell, len(out.Cells))
		for i := range out.Cells {
			cells[i] = passnum.SecretCell{Name: out.Cells[i].Key, People: fs.people(&out.Cells[i].StatFigures, maxPerPerson)}
		}
		masked, hideTotal := passnum.MaskColumn(cells, rowMasked)
		for i, m := range masked {
			if m && !rowMasked[i] {
				fs.hide(&out.Cells[i].StatFigures)
				out.Masked = append(out.Masked, FigureMasked(out.Cells[i].Key, fs.name))
			}
		}
		if totalMasked {
			continue
		}
		if n := fs.people(&out.Total, maxPerPerson); hideTotal || n > 0 && n < passnum.SecrecyThreshold {
			fs.hide(&out.Total)
			out.Masked = append(out.Masked, FigureMasked("total", fs.name))
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

// FirstUseFigure names a bucket of the first-use distribution in
// ProgrammeStats.Masked, after its first day: "25:first_use_8".
func FirstUseFigure(fromDays int) string { return "first_use_" + strconv.Itoa(fromDays) }

// applyFirstUseSecrecy masks the buckets of the first-use distributions
// shown (those of the rows whose booklets started are): a bucket of 1 to
// 4 booklets, and a second one where a sum would give a lone one back.
// Each distribution adds up to its row's booklets started, and each
// bucket's column to the total's bucket, so both are checked, as rows and
// as columns; a second bucket masked for one may call for another in the
// other, so it runs until nothing changes.
func (out *ProgrammeStats) applyFirstUseSecrecy() {
	rows := make([]*StatFigures, 0, len(out.Cells)+1)
	keys := make([]string, 0, len(out.Cells)+1)
	for i := range out.Cells {
		rows, keys = append(rows, &out.Cells[i].StatFigures), append(keys, out.Cells[i].Key)
	}
	total := out.Total.FirstUse != nil
	rows, keys = append(rows, &out.Total), append(keys, "total")
	nb := len(passnum.FirstUseBuckets)
	// counts[r][b]: row r's bucket b, read once.
	counts := make([][]int64, len(rows))
	flat := make([]int64, len(rows)*nb)
	for r := range rows {
		counts[r] = flat[r*nb : (r+1)*nb : (r+1)*nb]
		if rows[r].FirstUse != nil {
			for b := range nb {
				counts[r][b] = *rows[r].FirstUse[b].Booklets
			}
		}
	}
	count := func(r, b int) int64 { return counts[r][b] }
	// hide[r][b]: row r's bucket b is hidden; a row with no distribution
	// shown hides every bucket.
	hide := make([][]bool, len(rows))
	hidden := make([]bool, len(rows)*nb)
	for r := range rows {
		hide[r] = hidden[r*nb : (r+1)*nb : (r+1)*nb]
		if rows[r].FirstUse == nil {
			for b := range hide[r] {
				hide[r][b] = true
			}
		}
	}
	names := make([]string, nb)
	for b, lo := range passnum.FirstUseBuckets {
		names[b] = strconv.Itoa(lo)
	}
	// A worklist: a row or a column is checked again only once a bucket
	// of it was hidden since, so a breakdown by commune costs little more
	// than one pass.
	last := len(rows) - 1
	rowDirty, colDirty := make([]bool, len(rows)), make([]bool, nb)
	for r := range rowDirty {
		rowDirty[r] = rows[r].FirstUse != nil
	}
	for b := range colDirty {
		colDirty[b] = total
	}
	cells := make([]passnum.SecretCell, 0, max(nb, len(rows)))
	already := make([]bool, last)
	for dirty := true; dirty; {
		dirty = false
		for r, d := range rowDirty {
			if !d {
				continue
			}
			rowDirty[r] = false
			cells = cells[:0]
			for b := range nb {
				cells = append(cells, passnum.SecretCell{Name: names[b], People: count(r, b)})
			}
			masked, _ := passnum.MaskColumn(cells, hide[r])
			for b, m := range masked {
				if m && !hide[r][b] {
					hide[r][b] = true
					if total {
						colDirty[b], dirty = true, true
					}
				}
			}
		}
		for b, d := range colDirty {
			// No total shown, or its bucket hidden: nothing to subtract
			// from.
			if !d || hide[last][b] {
				colDirty[b] = false
				continue
			}
			colDirty[b] = false
			cells = cells[:0]
			for r := range last {
				cells = append(cells, passnum.SecretCell{Name: keys[r], People: count(r, b)})
				already[r] = hide[r][b]
			}
			masked, hideTotal := passnum.MaskColumn(cells, already)
			for r, m := range masked {
				if m && !hide[r][b] {
					hide[r][b], rowDirty[r], dirty = true, true, true
				}
			}
			if hideTotal && !hide[last][b] {
				hide[last][b], rowDirty[last], dirty = true, true, true
			}
		}
	}
	for r, f := range rows {
		if f.FirstUse == nil {
			continue
		}
		for b := range f.FirstUse {
			if hide[r][b] {
				f.FirstUse[b].Booklets = nil
				out.Masked = append(out.Masked, FigureMasked(keys[r], FirstUseFigure(f.FirstUse[b].FromDays)))
			}
		}
	}
}

// applySecrecy masks a closing table as the dashboard's breakdown by
// distributor: a line of 1 to 4 young people, and a second where the
// totals would give it back; the totals when they count 1 to 4; then, in
// the lines shown, the booklets started and the passes used (with the
// passes not used, which they and the booklets handed out give back)
// that count 1 to 4, each with a second in its column.
func (t *ClosingTable) applySecrecy(maxPerPerson int64) {
	n := len(t.Distributors)
	people := func(v *int64) int64 { return orZero(v) }
	column := func(of func(d *DistributorClosing) int64) []passnum.SecretCell {
		cells := make([]passnum.SecretCell, n)
		for i := range t.Distributors {
			cells[i] = passnum.SecretCell{Name: t.Distributors[i].DistributorID, People: of(&t.Distributors[i])}
		}
		return cells
	}
	hideLine := func(d *DistributorClosing) {
		d.BookletsHandedOut, d.BookletsStarted, d.PassesUsed, d.PassesUnused = nil, nil, nil, nil
	}
	lines, hideTotals := passnum.MaskCells(column(func(d *DistributorClosing) int64 { return people(d.BookletsHandedOut) }))
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
	}{
		{"booklets_started", func(d *DistributorClosing) int64 { return people(d.BookletsStarted) },
			func(d *DistributorClosing) { d.BookletsStarted = nil }},
		{"passes_used", func(d *DistributorClosing) int64 { return ceilDiv(people(d.PassesUsed), maxPerPerson) },
			func(d *DistributorClosing) { d.PassesUsed, d.PassesUnused = nil, nil }},
	} {
		masked, hideTotal := passnum.MaskColumn(column(fig.people), lines)
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
