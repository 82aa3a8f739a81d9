package passnum

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzIBAN: whatever is typed, checking never panics, a refusal is a
// French sentence, and an accepted IBAN is what a bank accepts: letters
// and digits only, its country's length, mod-97 remainder 1; its mask
// keeps the country and key and the last four characters only.
func FuzzIBAN(f *testing.F) {
	for _, s := range []string{"FR76 3000 6000 0112 3456 7890 189", "fr7630006000011234567890189", "DE89370400440532013000",
		"GB29NWBK60161331926819", "", "FR", "FR7", "FR76", "ÉR76", "FR76\u00a03000", "XX00", "FR7630006000011234567890188", "US12345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		iban := NormalizeIBAN(typed)
		msg := CheckIBAN(iban)
		if msg != "" {
			if !utf8.ValidString(msg) || len(msg) < 10 {
				t.Fatalf("refusal of %q: %q", typed, msg)
			}
			return
		}
		if want, ok := ibanLengths[iban[:2]]; !ok || len(iban) != want || ibanMod97(iban) != 1 {
			t.Fatalf("accepted %q (%q)", typed, iban)
		}
		if strings.Trim(iban, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Fatalf("accepted %q with other characters", iban)
		}
		masked := strings.ReplaceAll(MaskIBAN(iban), " ", "")
		if masked[:4] != iban[:4] || masked[len(masked)-4:] != iban[len(iban)-4:] || strings.Count(masked, "*") != len(iban)-8 {
			t.Fatalf("mask of %q: %q", iban, MaskIBAN(iban))
		}
		// A BIC check against it never panics either.
		CheckBIC(NormalizeBIC(typed), iban)
	})
}

// FuzzSIRET: a SIRET is accepted only as 14 digits, and changing any one
// digit of an accepted one is refused (its key catches every single typo),
// but for La Poste's establishments, whose key is a sum (a typo that
// lands on La Poste's SIREN too).
func FuzzSIRET(f *testing.F) {
	for _, s := range []string{"73282932000074", "35600000000048", "35600000012345", "", "7328293200007", "7328293200007a", "١٢٣٤٥٦٧٨٩٠١٢٣٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidSIRET(s) {
			return
		}
		if len(s) != 14 || strings.Trim(s, "0123456789") != "" {
			t.Fatalf("accepted %q", s)
		}
		if strings.HasPrefix(s, laPosteSIREN) {
			return
		}
		for i := range 14 {
			for d := byte('0'); d <= '9'; d++ {
				if d == s[i] {
					continue
				}
				typo := s[:i] + string(d) + s[i+1:]
				if ValidSIRET(typo) && !strings.HasPrefix(typo, laPosteSIREN) {
					t.Fatalf("%q and its typo %q are both accepted", s, typo)
				}
			}
		}
	})
}
