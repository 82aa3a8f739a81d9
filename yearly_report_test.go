package passnum

import (
	"strings"
	"testing"
)

func TestParseReportYear(t *testing.T) {
	p := &Programme{Name: "Pass 2025-2026", ValidFrom: MustDate("2025-03-01"), ValidUntil: MustDate("2026-12-20"), GraceDays: 30}
	if first, last := p.ReportYears(); first != 2025 || last != 2027 {
		t.Fatalf("years %d-%d, want 2025-2027 (the grace days run into 2027)", first, last)
	}
	for _, ok := range []string{"2025", " 2026 ", "2027"} {
		if _, err := ParseReportYear(ok, p); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"":      "année du rapport manquante",
		"26":    "n'est pas une année",
		"deux":  "n'est pas une année",
		"+2026": "n'est pas une année",
		"2024":  "court de 2025 à 2027",
		"2028":  "court de 2025 à 2027",
	} {
		_, err := ParseReportYear(in, p)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%q: %v, want an invalid error saying %q", in, err, want)
		}
	}
	one := &Programme{Name: "P", ValidFrom: MustDate("2026-01-01"), ValidUntil: MustDate("2026-06-30")}
	if _, err := ParseReportYear("2025", one); !strings.Contains(ErrorMessage(err), "court en 2026") {
		t.Errorf("one year: %v", err)
	}
}

// A funder's yearly reports are those of the years its figures are
// published for: begun, the first at least; the error and its examples say
// only those.
func TestParseFunderReportYear(t *testing.T) {
	p := &Programme{Name: "Pass 2025-2026", ValidFrom: MustDate("2025-03-01"), ValidUntil: MustDate("2026-12-20"), GraceDays: 30}
	today := MustDate("2026-05-10")
	if first, last := p.FunderYears(today); first != 2025 || last != 2026 {
		t.Fatalf("funder's years %d-%d on %s, want 2025-2026", first, last, today)
	}
	if y, err := ParseFunderReportYear("2026", p, today); err != nil || y != 2026 {
		t.Errorf("2026: %d, %v", y, err)
	}
	for in, want := range map[string]string{
		"2027": "publiés pour les années commencées (2025 à 2026)",
		"2024": "publiés pour les années commencées (2025 à 2026)",
		"":     "par exemple 2026",
		"deux": "par exemple 2026",
	} {
		_, err := ParseFunderReportYear(in, p, today)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%q: %v, want an invalid error saying %q", in, err, want)
		}
	}
	// Before it begins, its first year, with nothing in it yet.
	if first, last := p.FunderYears(MustDate("2024-11-02")); first != 2025 || last != 2025 {
		t.Errorf("funder's years before the programme begins: %d-%d, want 2025-2025", first, last)
	}
}

// The year a funder is pointed to when it asks for one the programme has
// not published: the nearest it has, not the dashboard's default.
func TestNearestFunderYear(t *testing.T) {
	p := &Programme{Name: "Pass 2024-2025", ValidFrom: MustDate("2024-01-01"), ValidUntil: MustDate("2025-12-31"), GraceDays: 31}
	today := MustDate("2026-03-10")
	if d := p.DefaultReportYear(today); d != 2025 {
		t.Fatalf("default year %d, want 2025 (the grace days run into 2026)", d)
	}
	for asked, want := range map[int]int{2019: 2024, 2023: 2024, 2024: 2024, 2025: 2025, 2026: 2026, 2027: 2026, 2040: 2026} {
		if got := p.NearestFunderYear(asked, today); got != want {
			t.Errorf("asked %d: %d, want %d", asked, got, want)
		}
	}
}
