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
