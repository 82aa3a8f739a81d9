package passnum_test

import (
	"strings"
	"testing"

	"passnum"
)

func TestCheckIBAN(t *testing.T) {
	valid := []string{
		"FR76 3000 6000 0112 3456 7890 189",
		"fr7630006000011234567890189",
		"FR14 2004 1010 0505 0001 3M02 606", // letters in the BBAN
		"DE89 3704 0044 0532 0130 00",
		"GB29 NWBK 6016 1331 9268 19",
		"BE68 5390 0754 7034",
		"NL91 ABNA 0417 1643 00",
		"ES91 2100 0418 4502 0005 1332",
		"IT60 X054 2811 1010 0000 0123 456",
		"CH93 0076 2011 6238 5295 7",
		"NO93 8601 1117 947",
		"MT84 MALT 0110 0001 2345 MTLC AST0 01S",
		"LU28 0019 4006 4475 0000",
		"MC58 1122 2000 0101 2345 6789 030",
		"PT50 0002 0123 1234 5678 9015 4",
		"AT61 1904 3002 3457 3201",
		"IE29 AIBK 9311 5212 3456 78",
	}
	for _, s := range valid {
		if msg := passnum.CheckIBAN(passnum.NormalizeIBAN(s)); msg != "" {
			t.Errorf("%s: %s", s, msg)
		}
		if !passnum.ValidIBAN(s) {
			t.Errorf("ValidIBAN(%q) = false", s)
		}
	}
	invalid := []struct{ iban, want string }{
		{"FR76 3000 6000 0112 3456 7890 188", "clé de contrôle"},     // last digit mistyped
		{"FR76 3000 6000 0112 3456 7890 819", "clé de contrôle"},     // two neighbours swapped
		{"FR67 3000 6000 0112 3456 7890 189", "clé de contrôle"},     // key swapped
		{"FR76 3000 6000 0112 3456 7890 18", "27 caractères"},        // one missing
		{"FR76 3000 6000 0112 3456 7890 1890", "27 caractères"},      // one too many
		{"DE89 3704 0044 0532 0130 000", "22 caractères"},            // German length
		{"BE68 5390 0754 703", "16 caractères"},                      // Belgian length
		{"XX76 3000 6000 0112 3456 7890 189", "pays « XX » inconnu"}, // no such country
		{"7630 0060 0011 2345 6789 0189", "code du pays"},            // country left out
		{"FRAB 3000 6000 0112 3456 7890 189", "deux chiffres"},       // key not digits
		{"FR76 3000 6000 0112 3456 7890 18é", "lettres et des chiffres"},
		{"SA03 8000 0000 6080 1016 7519", "zone SEPA"}, // valid, but not payable by SEPA transfer
		{"", "trop court"},
	}
	for _, c := range invalid {
		msg := passnum.CheckIBAN(passnum.NormalizeIBAN(c.iban))
		if !strings.Contains(msg, c.want) {
			t.Errorf("%q: %q, want it to mention %q", c.iban, msg, c.want)
		}
		if passnum.ValidIBAN(c.iban) {
			t.Errorf("ValidIBAN(%q) = true", c.iban)
		}
	}
}

// Every single-character substitution of a valid IBAN is caught by mod 97.
func TestIBANCatchesEverySingleTypo(t *testing.T) {
	iban := "FR7630006000011234567890189"
	for i := 4; i < len(iban); i++ {
		for c := byte('0'); c <= '9'; c++ {
			if c == iban[i] {
				continue
			}
			typo := iban[:i] + string(c) + iban[i+1:]
			if passnum.ValidIBAN(typo) {
				t.Fatalf("typo at %d accepted: %s", i, typo)
			}
		}
	}
}

func TestCheckBIC(t *testing.T) {
	const fr = "FR7630006000011234567890189"
	cases := []struct {
		bic, iban, want string
	}{
		{"BNPAFRPP", fr, ""},
		{"BNPAFRPPXXX", fr, ""},
		{"AGRIFRPP882", fr, ""},
		{"CEPAFRPP213", fr, ""},
		{"BNPAGPGP", fr, ""}, // a Guadeloupe branch with a FR IBAN
		{"DEUTDEFF", "DE89370400440532013000", ""},
		{"NWBKGB2L", "GB29NWBK60161331926819", ""},
		{"BNPAFRPP", "", ""}, // no valid IBAN to compare with
		{"BNPAFRP", fr, "8 ou 11 caractères"},
		{"BNPAFRPPXX", fr, "8 ou 11 caractères"},
		{"BNP1FRPP", fr, "6 premiers caractères"},
		{"BNPAF1PP", fr, "6 premiers caractères"},
		{"BNPAFRP-", fr, "lettres et des chiffres"},
		{"BNPAFR0P", fr, "code de la ville"},
		{"BNPAFR1P", fr, "code de la ville"},
		{"BNPAFRPO", fr, "code de la ville"},
		{"DEUTDEFF", fr, "l'IBAN est un compte « FR »"},
		{"BNPAFRPP", "DE89370400440532013000", "pays « FR »"},
	}
	for _, c := range cases {
		msg := passnum.CheckBIC(passnum.NormalizeBIC(c.bic), c.iban)
		if c.want == "" && msg != "" || c.want != "" && !strings.Contains(msg, c.want) {
			t.Errorf("CheckBIC(%q, %q) = %q, want %q", c.bic, c.iban, msg, c.want)
		}
	}
	if got := passnum.NormalizeBIC(" bnpa frpp "); got != "BNPAFRPP" {
		t.Errorf("NormalizeBIC: %q", got)
	}
}

func TestMaskIBAN(t *testing.T) {
	if got := passnum.MaskIBAN("FR7630006000011234567890189"); got != "FR76 **** **** **** **** ***0 189" {
		t.Fatalf("MaskIBAN: %q", got)
	}
	if got := passnum.FormatIBAN("BE68539007547034"); got != "BE68 5390 0754 7034" {
		t.Fatalf("FormatIBAN: %q", got)
	}
}
