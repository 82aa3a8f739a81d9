package store

// closingYearFigures are the figures of a closing line a funder's year
// tables by distributor also publish, by the name both give them.
var closingYearFigures = []string{"booklets_started", "passes_used"}

// closingHiddenByYears adds to hidden, named as ClosingTable.Masked names
// them, what a funder's table by distributor of one year hides of each
// distributor (funderViews reads every calendar year the programme
// reports): its id when the year hides its cell whole,
// "id:booklets_started" or "id:passes_used" when it hides that figure.
// The closing table is the whole programme, the sum of those years: a
// closing line shown less the same distributor's years shown would give
// back the year hidden (23 booklets handed out over the programme, 20
// shown in 2027, are the 3 hidden in 2026). The closing table hides them before its own masking, which then
// adds a second line or figure only where its totals call for one.
//
// This suffices: a line shown has every year shown, and tells nothing
// they do not; and each year's hidden cells are among the lines hidden,
// so the sum over those the closing totals give is a year's total less
// its cells shown, year by year, which the year tables already give.
func closingHiddenByYears(hidden map[string]bool, year *ProgrammeStats) {
	for _, c := range year.Cells {
		if year.Hides(c.Key, "") {
			hidden[c.Key] = true
			continue
		}
		for _, fig := range closingYearFigures {
			if year.Hides(c.Key, fig) {
				hidden[FigureMasked(c.Key, fig)] = true
			}
		}
	}
}
