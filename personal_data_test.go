package passnum

import (
	"strings"
	"testing"
	"time"
)

// Contact details are kept only with the person's consent, and a minor's
// consent needs a legal guardian's, named.
func TestContactNeedsConsent(t *testing.T) {
	today := MustDate("2026-12-04")
	adult := Beneficiary{FirstName: "Léa", LastName: "Martin", BirthDate: MustDate("2004-05-01"), CommuneINSEE: "25056", JobSeeker: true}
	minor := adult
	minor.BirthDate = MustDate("2009-06-01") // 17
	for _, tc := range []struct {
		name  string
		b     Beneficiary
		edit  func(b *Beneficiary)
		field string // the field refused, "" when accepted
	}{
		{"nothing", adult, func(b *Beneficiary) {}, ""},
		{"e-mail without consent", adult, func(b *Beneficiary) { b.Email = "lea@exemple.fr" }, "contact_consent"},
		{"mobile without consent", adult, func(b *Beneficiary) { b.Phone = "06 12 34 56 78" }, "contact_consent"},
		{"consent without contact", adult, func(b *Beneficiary) { b.ContactConsent = true }, "contact_consent"},
		{"adult with consent", adult, func(b *Beneficiary) { b.Email, b.ContactConsent = "lea@exemple.fr", true }, ""},
		{"bad e-mail", adult, func(b *Beneficiary) { b.Email, b.ContactConsent = "lea@", true }, "email"},
		{"e-mail with a name", adult, func(b *Beneficiary) { b.Email, b.ContactConsent = "Léa <lea@exemple.fr>", true }, "email"},
		{"landline", adult, func(b *Beneficiary) { b.Phone, b.ContactConsent = "03 81 00 00 00", true }, "phone"},
		{"minor without guardian", minor, func(b *Beneficiary) { b.Phone, b.ContactConsent = "0612345678", true }, "guardian_consent"},
		{"minor, guardian unnamed", minor, func(b *Beneficiary) { b.Phone, b.ContactConsent, b.GuardianConsent = "0612345678", true, true }, "guardian_name"},
		{"minor with guardian", minor, func(b *Beneficiary) {
			b.Phone, b.ContactConsent, b.GuardianConsent, b.GuardianName = "+33 7 12 34 56 78", true, true, "Marie Martin"
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.b
			tc.edit(&b)
			err := b.Validate(today)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			pe, ok := err.(*Error)
			if !ok || pe.Code != EINVALID {
				t.Fatalf("want invalid %s, got %v", tc.field, err)
			}
			found := false
			for _, f := range pe.Fields {
				found = found || f.Field == tc.field
				if f.Detail == "" || strings.Contains(f.Detail, tc.field) {
					t.Errorf("detail of %s is not French words: %q", f.Field, f.Detail)
				}
			}
			if !found {
				t.Errorf("want a refusal of %s, got %+v", tc.field, pe.Fields)
			}
		})
	}
	// Normalised, flagged, and nothing of a guardian kept for an adult.
	b := minor
	b.Phone, b.ContactConsent, b.GuardianConsent, b.GuardianName = "07.12.34.56.78", true, true, " Marie  Martin "
	if err := b.Validate(today); err != nil || b.Phone != "+33712345678" || !b.Minor || b.GuardianName != "Marie Martin" || FormatPhone(b.Phone) != "07\u00a012\u00a034\u00a056\u00a078" {
		t.Errorf("minor: %v %+v", err, b)
	}
	a := adult
	a.Email, a.ContactConsent, a.GuardianConsent, a.GuardianName = "lea@exemple.fr", true, true, "X"
	if err := a.Validate(today); err != nil || a.Minor || a.GuardianConsent || a.GuardianName != "" {
		t.Errorf("adult: %v %+v", err, a)
	}
	// A minor is judged on the day of registration, not today.
	late := minor
	late.CreatedAt = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	late.Phone, late.ContactConsent = "0612345678", true
	if err := late.Validate(MustDate("2030-01-01")); err == nil {
		t.Error("a minor at registration still needs the guardian's consent years later")
	}
}

func TestRetentionDue(t *testing.T) {
	end := MustDate("2023-01-31")
	for _, tc := range []struct {
		today string
		due   bool
	}{
		{"2026-01-30", false}, {"2026-01-31", true}, {"2026-02-01", true}, {"2025-12-31", false},
	} {
		if got := RetentionDue(end, MustDate(tc.today), 36); got != tc.due {
			t.Errorf("%s: due %v, want %v", tc.today, got, tc.due)
		}
	}
	if CheckRetentionMonths(0) == nil || CheckRetentionMonths(121) == nil || CheckRetentionMonths(DefaultRetentionMonths) != nil {
		t.Error("retention months bounds")
	}
}

func TestReadPurpose(t *testing.T) {
	if p, err := ParseReadPurpose("", ReadSupport); err != nil || p != ReadSupport {
		t.Error(p, err)
	}
	if _, err := ParseReadPurpose("curiosity", ReadSupport); ErrorCode(err) != EINVALID {
		t.Error(err)
	}
	for _, p := range ReadPurposes {
		if p.Label() == string(p) && p != ReadCorrection {
			t.Errorf("%s has no French label", p)
		}
	}
}
