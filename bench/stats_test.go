package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"passnum"
	"passnum/seed"
	"passnum/store/storetest"
)

// RunStats refuses an empty database in French, and on a seeded one reads
// every view, then the full recount, and reports them by name.
func TestRunStatsReportsEveryView(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	var out bytes.Buffer
	if err := RunStats(ctx, s, StatsOptions{Runs: 2}, &out); err == nil || !strings.Contains(err.Error(), "aucun programme") {
		t.Fatalf("empty database: %v", err)
	}
	if _, err := seed.Run(ctx, s, seed.Options{Passes: 5000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := RunStats(ctx, s, StatsOptions{Runs: 2}, &out); err != nil {
		t.Fatal(err)
	}
	views := statsViews("p", "d")
	if len(views) < 10 {
		t.Fatalf("%d views", len(views))
	}
	for _, v := range append(views, statsView{name: "recomptage complet depuis les lignes brutes"}) {
		if !strings.Contains(out.String(), v.name) {
			t.Errorf("no line for %q:\n%s", v.name, out.String())
		}
	}
}
