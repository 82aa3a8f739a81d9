package web

import (
	"testing"

	"passnum/store"
)

// TestRankingLeavesHiddenOut: a top-10 ranking shows the cells it can
// rank; hidden ones, sorted last, would fill its last places in the order
// of their names instead of the next biggest shown.
func TestRankingLeavesHiddenOut(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	s := store.ProgrammeStats{Masked: []string{"autun", "lure:passes_used"}, Cells: []store.StatCell{
		{Key: "autun", Label: "Autun"},
		{Key: "gresilles", Label: "Grésilles", StatFigures: store.StatFigures{PassesUsed: n(18)}},
		{Key: "lure", Label: "Lure"},
		{Key: "chalon", Label: "Grand Chalon", StatFigures: store.StatFigures{PassesUsed: n(13)}},
	}}
	var got []string
	for _, c := range dashUsed(s, 10) {
		got = append(got, c.Key)
	}
	if len(got) != 2 || got[0] != "gresilles" || got[1] != "chalon" {
		t.Errorf("top 10: %v, want gresilles, chalon", got)
	}
	// The whole list (limit 0) keeps every cell, the hidden last.
	if all := dashUsed(s, 0); len(all) != 4 || all[2].Key != "autun" || all[3].Key != "lure" {
		t.Errorf("all: %+v", all)
	}
}
