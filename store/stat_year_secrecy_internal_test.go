package store

import (
	"testing"

	"passnum"
)

// TestTotalHidesSpread: a total's figure one of the year's tables hides
// is hidden in every table, since they share the total, a breakdown by
// place too.
func TestTotalHidesSpread(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	shown := func() ProgrammeStats {
		return ProgrammeStats{Total: StatFigures{BookletsHandedOut: n(9), BookletsStarted: n(7), PassesUsed: n(20)}, Masked: []string{}}
	}
	hiding := shown()
	hiding.Total.BookletsStarted, hiding.Total.PassesUsed = nil, nil
	hiding.Masked = []string{FigureMasked("total", "booklets_started"), FigureMasked("total", "passes_used")}
	more := totalHides(map[string]ProgrammeStats{dimCommune: hiding, dimDepartement: shown(), dimPlace: shown()})
	for by, want := range map[string][]string{
		dimDepartement: {"total:booklets_started", "total:passes_used"},
		dimPlace:       {"total:booklets_started", "total:passes_used"},
		dimCommune:     nil,
	} {
		if len(more[by]) != len(want) {
			t.Errorf("%s: hides %v more, want %v", by, more[by], want)
		}
		for _, name := range want {
			if !more[by][name] {
				t.Errorf("%s: %s not hidden (%v)", by, name, more[by])
			}
		}
	}
}

// TestTotalHidesSpreadFromPlaces: a breakdown by place that hides its
// total whole (its cells of uses call for it) spreads only the passes
// used: the booklets' figures go with them there, and nowhere else.
func TestTotalHidesSpreadFromPlaces(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	shown := ProgrammeStats{Total: StatFigures{BookletsHandedOut: n(9), BookletsStarted: n(7), PassesUsed: n(20)}, Masked: []string{}}
	places := ProgrammeStats{Total: StatFigures{}, Masked: []string{"total"}}
	more := totalHides(map[string]ProgrammeStats{dimPlace: places, dimDepartement: shown})
	if len(more[dimDepartement]) != 1 || !more[dimDepartement]["total:passes_used"] {
		t.Errorf("the département table hides %v more, want its total's passes used only", more[dimDepartement])
	}
}

// TestHiddenBeforehand: a cell the year's other tables call for is
// hidden ("secret", not "< 5"), and counts as hidden in its column: a
// lone small cell beside it needs no other second.
func TestHiddenBeforehand(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	build := func() ProgrammeStats {
		return ProgrammeStats{Cells: []StatCell{
			{Key: "25", StatFigures: StatFigures{BookletsHandedOut: n(3), BookletsStarted: n(3)}},
			{Key: "39", StatFigures: StatFigures{BookletsHandedOut: n(40), BookletsStarted: n(20)}},
			{Key: "70", StatFigures: StatFigures{BookletsHandedOut: n(9), BookletsStarted: n(8)}},
		}, Total: StatFigures{BookletsHandedOut: n(52), BookletsStarted: n(31)}}
	}
	cells := []passnum.SecretCell{{Name: "25", People: 3}, {Name: "39", People: 40}, {Name: "70", People: 9}}
	alone := build()
	alone.applySecrecy(cells, 52, 5, nil, nil, nil)
	if !alone.Hides("25", "") || !alone.Hides("70", "") || alone.Hides("39", "") {
		t.Fatalf("on its own the table hides %v, want 25 and 70", alone.Masked)
	}
	before := build()
	before.applySecrecy(cells, 52, 5, nil, nil, map[string]bool{"39": true, FigureMasked("70", "booklets_started"): true})
	if !before.Hides("25", "") || !before.Hides("39", "") || before.Hides("70", "") {
		t.Fatalf("with 39 hidden beforehand the table hides %v, want 25 and 39", before.Masked)
	}
	if before.Small("39", "") || !before.Small("25", "") {
		t.Errorf("39 hidden beforehand reads < 5 (%v), or 25 does not (%v)", before.Small("39", ""), before.Small("25", ""))
	}
	if !before.Hides("70", "booklets_started") || before.Cells[2].BookletsStarted != nil {
		t.Errorf("70's booklets started hidden beforehand are shown: %v", before.Cells[2].BookletsStarted)
	}
}
