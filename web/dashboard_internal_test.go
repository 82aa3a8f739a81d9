package web

import (
	"fmt"
	"strings"
	"testing"

	"passnum"
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

// TestRemindersChart: the reminders' effect reads as shares of the slept
// booklets started since, each group's figures in the table beside the
// bars; what secrecy hides reads "secret" in both, and a group without a
// slept booklet has no share.
func TestRemindersChart(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	e := store.ReminderEffect{DormantDays: 60, Through: "2026-03", RecentSince: "2026-11", Reminded: n(40), RemindedStarted: n(10),
		RecentlyReminded: n(0), RecentlyRemindedStarted: n(0), NotReminded: n(200), NotRemindedStarted: n(20)}
	c := dashRemindersChart(e)
	if !strings.Contains(c.Table.Caption, "60 jours") || !strings.Contains(c.Table.Caption, "mars 2026") || !strings.Contains(c.Table.Caption, "depuis novembre 2026") || !strings.Contains(c.Title, "tout le programme") {
		t.Errorf("title %q, caption %q", c.Title, c.Table.Caption)
	}
	// None reminded lately (an ended programme): no row for them.
	want := []string{"Relancés [25\u00a0% 40 10]", "Jamais relancés [10\u00a0% 200 20]"}
	if len(c.Table.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(c.Table.Rows), len(want))
	}
	for i, r := range c.Table.Rows {
		if got := r.Head + " " + fmt.Sprint(r.Cells); got != want[i] {
			t.Errorf("row %d: %q, want %q", i, got, want[i])
		}
	}
	if !strings.Contains(string(c.SVG), "25\u00a0%") {
		t.Errorf("the bars do not say the share:\n%s", c.SVG)
	}
	hidden := []string{"reminded", "reminded_started", "recently_reminded", "recently_reminded_started", "not_reminded", "not_reminded_started"}
	// A programme ended before last month: no reminder can be recent, no
	// row for them, hidden or not (testing saw a funder's "relancés
	// récemment, secret" for a programme ended two years before).
	if c := dashRemindersChart(store.ReminderEffect{DormantDays: 60, Through: "2023-10", Masked: hidden}); len(c.Table.Rows) != 2 || strings.Contains(c.Table.Caption, "récemment") {
		t.Errorf("ended programme: %v, %q", c.Table.Rows, c.Table.Caption)
	}
	e = store.ReminderEffect{DormantDays: 60, SentDormant: n(3), RecentSince: "2026-11", Masked: hidden}
	c = dashRemindersChart(e)
	if !strings.Contains(c.Table.Caption, "aucun mois") {
		t.Errorf("caption %q", c.Table.Caption)
	}
	if len(c.Table.Rows) != 3 {
		t.Errorf("%d rows for the funder, want the 3, hidden", len(c.Table.Rows))
	}
	for _, r := range c.Table.Rows {
		if r.Cells[0] != passnum.MaskedFigure || r.Cells[1] != passnum.MaskedFigure || r.Cells[2] != passnum.MaskedFigure { // share, slept, started
			t.Errorf("a hidden figure shows: %v", r.Cells)
		}
	}
}

// TestHandedOutHiddenByPeriod: a funder's year that holds part of the
// booklets handed out's hidden months hides them alone, and what gives
// them back (passes handed out, the use rate, the target's share); the
// key figures, the funnel and the table say "secret", not "—" or 0,
// while the uses stay shown.
func TestHandedOutHiddenByPeriod(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	s := store.ProgrammeStats{By: "departement", Masked: []string{store.FigureMasked("total", store.FigHandedOut)},
		Total: store.StatFigures{PassesIssued: n(500), BookletsStarted: n(40), BookletsCompleted: n(10), TargetPublic: n(30), PassesUsed: n(120), AmountUsedCents: n(1200_00)}}
	keys := map[string]string{}
	for _, k := range dashKeys(s) {
		keys[k.Label] = k.Value
	}
	for label, want := range map[string]string{"carnets remis à des jeunes": passnum.MaskedFigure, "pass remis": passnum.MaskedFigure,
		"taux d'utilisation (carnets commencés sur carnets remis)": passnum.MaskedFigure, "part du public cible parmi les carnets remis": passnum.MaskedFigure,
		"pass utilisés": "120", "carnets commencés (un pass utilisé au moins)": "40"} {
		if keys[label] != want {
			t.Errorf("key %q: %q, want %q (%v)", label, keys[label], want, keys)
		}
	}
	if f := dashFunnelChart(s, "en 2026"); f.Table.Rows[0].Cells[0] != passnum.MaskedFigure || f.Table.Rows[1].Cells[0] != "40" {
		t.Errorf("funnel %v", f.Table.Rows)
	}
	b := dashBreakdownTable(s, "departement")
	head := b.Head
	row := b.Rows[0].Cells
	for i, h := range head[1:] {
		switch h {
		case "Carnets remis", "Pass remis", "Part du public cible", "Taux d'utilisation":
			if row[i] != passnum.MaskedFigure {
				t.Errorf("total's %s: %q", h, row[i])
			}
		case "Pass utilisés":
			if row[i] != "120" {
				t.Errorf("total's %s: %q", h, row[i])
			}
		}
	}
}

// TestFirstUseHiddenWhole: a first-use wait hidden whole (a funder's
// period holding part of its hidden months) reads "secret" in the key
// figures, the chart's table and the breakdown's total, not "—", "no data"
// or an empty cell.
func TestFirstUseHiddenWhole(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	s := store.ProgrammeStats{By: "departement", Masked: []string{store.FigureMasked("total", store.FigFirstUse)},
		Total: store.StatFigures{BookletsHandedOut: n(200), BookletsStarted: n(113), PassesUsed: n(300)}}
	for _, k := range dashKeys(s) {
		if strings.HasPrefix(k.Label, "délai médian") && k.Value != passnum.MaskedFigure {
			t.Errorf("median wait: %q", k.Value)
		}
	}
	c := dashFirstUseChart(s)
	if len(c.Table.Rows) != len(passnum.FirstUseBuckets) || c.Table.Rows[0].Cells[0] != passnum.MaskedFigure || strings.Contains(string(c.SVG), "Aucune donnée") {
		t.Errorf("first-use chart: %v\n%s", c.Table.Rows, c.SVG)
	}
	b := dashBreakdownTable(s, "departement")
	for i, h := range b.Head[1:] {
		if strings.HasPrefix(h, "Délai médian") && b.Rows[0].Cells[i] != passnum.MaskedFigure {
			t.Errorf("total's median wait: %q", b.Rows[0].Cells[i])
		}
	}
}
