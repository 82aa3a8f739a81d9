package passnum

import (
	"strings"
	"testing"
	"time"
)

func TestTrainingValidate(t *testing.T) {
	ok := func() Training {
		return Training{Title: "Premiers pas sur smartphone", Service: "Maîtrise des outils numériques du quotidien", DurationMinutes: 120}
	}
	tr := ok()
	tr.Title = "  " + tr.Title + " "
	if err := tr.Validate(); err != nil {
		t.Fatal(err)
	}
	if tr.PassesCost != 1 || tr.Level != LevelAll || tr.Title != "Premiers pas sur smartphone" {
		t.Fatalf("defaults not filled: %+v", tr)
	}
	cases := []struct {
		name  string
		edit  func(*Training)
		field string
	}{
		{"empty title", func(t *Training) { t.Title = "   " }, "title"},
		{"long title", func(t *Training) { t.Title = strings.Repeat("é", 201) }, "title"},
		{"service outside the list", func(t *Training) { t.Service = "Cours de cuisine" }, "service"},
		{"service in another case", func(t *Training) { t.Service = strings.ToLower(t.Service) }, "service"},
		{"unknown level", func(t *Training) { t.Level = "Expert" }, "level"},
		{"no duration", func(t *Training) { t.DurationMinutes = 0 }, "duration_minutes"},
		{"more than a week", func(t *Training) { t.DurationMinutes = MaxTrainingMinutes + 1 }, "duration_minutes"},
		{"negative cost", func(t *Training) { t.PassesCost = -2 }, "passes_cost"},
		{"cost above 20", func(t *Training) { t.PassesCost = 21 }, "passes_cost"},
		{"long description", func(t *Training) { t.Description = strings.Repeat("a", 4001) }, "description"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := ok()
			c.edit(&tr)
			wantCatalogueField(t, tr.Validate(), c.field)
		})
	}
	for _, l := range TrainingLevels {
		tr := ok()
		tr.Level = l
		if err := tr.Validate(); err != nil {
			t.Fatalf("level %q: %v", l, err)
		}
	}
}

func TestNewSessionValidate(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, Paris)
	ok := func() NewSession {
		return NewSession{SiteID: NewID(now), StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour), Capacity: 12}
	}
	n := ok()
	if err := n.Validate(now); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func(*NewSession)
		field string
	}{
		{"malformed site", func(n *NewSession) { n.SiteID = "site-1" }, "site_id"},
		{"no start", func(n *NewSession) { n.StartsAt = time.Time{} }, "starts_at"},
		{"starts now", func(n *NewSession) { n.StartsAt = now }, "starts_at"},
		{"in the past", func(n *NewSession) { n.StartsAt = now.Add(-time.Minute) }, "starts_at"},
		{"too far ahead", func(n *NewSession) {
			n.StartsAt = now.Add(3 * 366 * 24 * time.Hour)
			n.EndsAt = n.StartsAt.Add(time.Hour)
		}, "starts_at"},
		{"no end", func(n *NewSession) { n.EndsAt = time.Time{} }, "ends_at"},
		{"ends when it starts", func(n *NewSession) { n.EndsAt = n.StartsAt }, "ends_at"},
		{"longer than a week", func(n *NewSession) { n.EndsAt = n.StartsAt.Add(MaxSessionLength + time.Minute) }, "ends_at"},
		{"no seat", func(n *NewSession) { n.Capacity = 0 }, "capacity"},
		{"too many seats", func(n *NewSession) { n.Capacity = MaxSessionCapacity + 1 }, "capacity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := ok()
			c.edit(&n)
			wantCatalogueField(t, n.Validate(now), c.field)
		})
	}
}

// wantCatalogueField fails unless err is "invalid" on exactly field.
func wantCatalogueField(t *testing.T, err error, field string) {
	t.Helper()
	e, _ := err.(*Error)
	if e == nil || e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Detail == "" {
		t.Fatalf("got %v, want invalid on %s only", err, field)
	}
}
