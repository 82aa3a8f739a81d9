package passnum

import (
	"strings"
	"testing"
	"time"
)

func TestTextProblem(t *testing.T) {
	for _, tt := range []struct {
		s         string
		multiline bool
		says      string
	}{
		{"Médiathèque Pierre-Bayle", false, ""},
		{"=HYPERLINK(\"http://x\")", false, ""}, // neutralised where it is written (package sheet)
		{"Léa\x00", false, "caractère nul"},
		{"Léa\tMartin", false, "contrôle"},
		{"Léa\nMartin", false, "une seule ligne"},
		{"Léa\u0085", false, "contrôle"},
		{"Médiathèque\u202Egpj.exe", false, "inversion"},
		{"a\u2066b\u2069", false, "inversion"},
		{"deux lignes\nd'explication\tet une tabulation", true, ""},
		{"ligne\x00", true, "caractère nul"},
		{"ligne\x1b[31m", true, "contrôle"},
		{"\xff", false, "UTF-8"},
	} {
		got := TextProblem(tt.s, tt.multiline)
		if (tt.says == "") != (got == "") || !strings.Contains(got, tt.says) {
			t.Errorf("TextProblem(%q, %v) = %q, want %q", tt.s, tt.multiline, got, tt.says)
		}
	}
	// Names go through it everywhere the domain validates one.
	b := Beneficiary{FirstName: "Léa\u202E", LastName: "Martin", BirthDate: MustDate("2006-03-05"), CommuneINSEE: "25056"}
	if err := b.Validate(MustDate("2026-03-10")); err == nil || !strings.Contains(err.Error(), "first_name") {
		t.Errorf("beneficiary: %v", err)
	}
	o := NewOrganisation{Kind: RoleDistributor, Name: "Mission\x00locale"}
	if err := o.Validate(); err == nil {
		t.Error("an organisation name with NUL passed")
	}
	tr := Training{Title: "Atelier\u2067", Service: NationalServices[0], DurationMinutes: 60}
	if err := tr.Validate(); err == nil {
		t.Error("a training title with a bidi isolate passed")
	}
}

func TestLimitRefusal(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, Paris)
	e := PassHolderLimit.Refusal(now, now.Add(23*time.Hour+10*time.Minute))
	if e.Code != ETOOMANYATTEMPTS || e.RetryAfter != 23*time.Hour+10*time.Minute || !strings.Contains(e.Message, "24 heures") || !strings.Contains(e.Message, "conseill") {
		t.Fatalf("%+v", e)
	}
	if got := WaitFR(30 * time.Second); got != "une minute" {
		t.Fatal(got)
	}
	if got := WaitFR(14*time.Minute + time.Second); got != "15 minutes" {
		t.Fatal(got)
	}
	for _, l := range Limits() {
		if l.Kind == "" || l.Max < 1 || l.Window <= 0 || !strings.Contains(l.refused, "%s") {
			t.Errorf("limit %+v", l)
		}
	}
}

func TestTOTPStep(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 3, 10, 10, 0, 15, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := totpCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step := now.Unix() / 30
	if s, ok := TOTPStep(secret, code(now), now); !ok || s != step {
		t.Fatalf("now: %d %v", s, ok)
	}
	if s, ok := TOTPStep(secret, code(now.Add(-30*time.Second)), now); !ok || s != step-1 {
		t.Fatalf("previous step: %d %v", s, ok)
	}
	if _, ok := TOTPStep(secret, code(now.Add(-90*time.Second)), now); ok {
		t.Fatal("a code three steps old was accepted")
	}
	for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
		if _, ok := TOTPStep(secret, bad, now); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || NormaliseRecoveryCode(c) == "" || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		if HashRecoveryCode("u1", c) != HashRecoveryCode("u1", strings.ToLower(strings.ReplaceAll(c, "-", " "))) {
			t.Fatalf("typing %q loosely changes its hash", c)
		}
		if HashRecoveryCode("u1", c) == HashRecoveryCode("u2", c) {
			t.Fatal("the hash is not salted with the person")
		}
	}
	if len(codes) != RecoveryCodeCount {
		t.Fatal(len(codes))
	}
	if NormaliseRecoveryCode("123456") != "" {
		t.Fatal("a TOTP code reads as a recovery code")
	}
}
