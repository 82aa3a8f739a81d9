package sepa

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLatin(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Médiathèque Pierre-Bayle", 70, "Mediatheque Pierre-Bayle"},
		{"Cœur de Ville, Œuvres", 70, "Coeur de Ville, OEuvres"},
		{"Straße", 70, "Strasse"},
		{"Ça, c'est « l'été » !", 70, "Ca, c'est 'l'ete' ."},
		{"Dupont & Fils", 70, "Dupont + Fils"},
		{"L’Atelier “numérique” — 2026", 70, "L'Atelier 'numerique' - 2026"},
		{"  espaces   multiples\t\n ", 70, "espaces multiples"},
		{"🎉🎉 fête 🎉", 70, "fete"},
		{"🎉", 70, ""},
		{"a\u200db\u00ade", 70, "abe"}, // zero-width joiner, soft hyphen
		{"Ærø, Łódź, Ñandú, İstanbul, Ğ", 70, "AEro, Lodz, Nandu, Istanbul, G"},
		{"prix : 10 € ; 50 % ; n° 3 ; a@b.fr ; #1", 70, "prix : 10 EUR , 50 , no 3 , a b.fr , 1"},
		{"abcdéfgh", 4, "abcd"},
		{"abc défgh", 4, "abc"}, // no trailing space after a cut
		{"éééé", 2, "ee"},
		{"x", 0, ""},
		{"bad \xff\xfe utf-8", 70, "bad utf-8"},
	} {
		if got := Latin(c.in, c.max); got != c.want {
			t.Errorf("Latin(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestIdentifier(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"PN-20261130-0007", 35, "PN-20261130-0007"},
		{"/PN//2026/", 35, "PN/2026"},
		{"réf. n° 12 / 2026", 35, "ref.no12/2026"},
		{"abcdef/", 6, "abcdef"},
		{"abcde/gh", 6, "abcde"},
		{"⑽", 35, "(10)"},
	} {
		if got := Identifier(c.in, c.max); got != c.want {
			t.Errorf("Identifier(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// checkLatin asserts what Latin promises for any input.
func checkLatin(t *testing.T, in string, max int) {
	out := Latin(in, max)
	if len(out) > max && max >= 0 {
		t.Fatalf("Latin(%q, %d) = %q is longer than %d", in, max, out, max)
	}
	if !utf8.ValidString(out) {
		t.Fatalf("Latin(%q) = %q is not UTF-8", in, out)
	}
	for _, c := range out {
		if !allowed(c) {
			t.Fatalf("Latin(%q) = %q holds %q, outside the SEPA character set", in, out, c)
		}
	}
	if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
		t.Fatalf("Latin(%q) = %q has stray spaces", in, out)
	}
	if again := Latin(out, max); again != out {
		t.Fatalf("Latin is not stable: %q then %q", out, again)
	}
	id := Identifier(in, MaxIDLen)
	if len(id) > MaxIDLen || strings.ContainsAny(id, " ") || strings.Contains(id, "//") || strings.HasPrefix(id, "/") || strings.HasSuffix(id, "/") {
		t.Fatalf("Identifier(%q) = %q breaks the rules of identifiers", in, id)
	}
	for _, c := range id {
		if !allowed(c) {
			t.Fatalf("Identifier(%q) = %q holds %q", in, id, c)
		}
	}
}

func FuzzLatin(f *testing.F) {
	for _, s := range trickyNames {
		f.Add(s, 70)
	}
	for _, s := range []string{
		"", " ", "é", "ß", "œŒæÆ", "« »", "&<>\"'", "🎉", "👩‍👩‍👧‍👦", "a\u0301\u0301\u0301",
		"\u00a0\u202f\u2009", "ﷺ ﷽", "⑽⒇㎉", "\xff\xfe\xc3", "//a//", strings.Repeat("é", 200),
		"\x00\x01\x7f", "İı", "ǅǆ", "Ｆｕｌｌ", "1⁄2",
	} {
		f.Add(s, 35)
		f.Add(s, 140)
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max < 0 || max > 1000 {
			max = 140
		}
		checkLatin(t, in, max)
	})
}
