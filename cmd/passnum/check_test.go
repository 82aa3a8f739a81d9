package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"passnum/store"
)

// check --timings prints the sealing and every rule, in order, each with
// its duration, then the verdict.
func TestCheckTimingsNameEveryRule(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "passnum.db")
	s, err := store.Open(ctx, db, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"check", "--db", db, "--timings"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	want := []string{"(scellement)", "seal", "reference", "settled", "conservation", "redemption", "stock", "booklet",
		"holding", "ledger", "funding", "audit", "seats", "settlement", "correction", "shares", "balance",
		"ledger (settlements)", "budget", "stats"}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want)+1 {
		t.Fatalf("%d lines, want %d rules and the verdict:\n%s", len(lines), len(want), out.String())
	}
	for i, rule := range want {
		name, took, ok := strings.Cut(lines[i], "  ")
		if !ok || strings.TrimSpace(name) != rule || !strings.HasSuffix(strings.TrimSpace(took), "s") {
			t.Errorf("line %d: %q, want %q and its duration", i+1, lines[i], rule)
		}
	}
	if lines[len(want)] != "Toutes les vérifications sont passées." {
		t.Errorf("verdict: %q", lines[len(want)])
	}
	out.Reset()
	if err := run(ctx, []string{"check", "--db", db}, &out, &errOut); err != nil || strings.Contains(out.String(), "seal") {
		t.Fatalf("without --timings: %v %q", err, out.String())
	}
}
