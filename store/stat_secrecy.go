package store

import "passnum"

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
