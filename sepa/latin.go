package sepa

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Banks of the SEPA scheme must accept only the basic Latin character set
// of the EPC's implementation guidelines:
//
//	a-z A-Z 0-9 / - ? : ( ) . , ' + space
//
// Anything else may be refused or garbled by one of the banks on the way,
// so every text of a file is transliterated to it first: accents are
// dropped (é → e), ligatures and sharp s spelled out (œ → oe, ß → ss),
// typographic quotes and dashes made plain, other symbols replaced.

// allowed reports whether c is in the SEPA Latin character set.
func allowed(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '/', '-', '?', ':', '(', ')', '.', ',', '\'', '+', ' ':
		return true
	}
	return false
}

// spelled are the letters that no Unicode decomposition reduces to ASCII,
// and the symbols worth keeping in a readable form.
var spelled = map[rune]string{
	'œ': "oe", 'Œ': "OE", 'æ': "ae", 'Æ': "AE", 'ß': "ss", 'ẞ': "SS",
	'ø': "o", 'Ø': "O", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D",
	'ł': "l", 'Ł': "L", 'ħ': "h", 'Ħ': "H", 'ı': "i", 'ŋ': "n", 'Ŋ': "N",
	'ŧ': "t", 'Ŧ': "T", 'þ': "th", 'Þ': "TH", 'ĸ': "k", 'ƒ': "f", 'ſ': "s",
	// Quotes, French ones included, become the apostrophe.
	'"': "'", '`': "'", '´': "'", '‘': "'", '’': "'", '‚': "'", '‛': "'",
	'“': "'", '”': "'", '„': "'", '‟': "'", '«': "'", '»': "'", '‹': "'", '›': "'",
	'′': "'", '″': "'",
	// Dashes and the underscore become the hyphen.
	'_': "-", '‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'&': "+", ';': ",", '!': ".", '·': ".", '•': ".",
	'[': "(", ']': ")", '{': "(", '}': ")", '<': "(", '>': ")",
	'\\': "/", '|': "/",
	'€': "EUR", '°': "o", '№': "No",
}

// Latin returns s in the SEPA Latin character set, with runs of spaces
// collapsed, no leading or trailing space, and at most max characters
// (bytes: the result is ASCII, so no cut falls inside a character). It may
// return "" when s holds nothing that can be written.
func Latin(s string, max int) string {
	if max <= 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(min(len(s), max+8))
	space := false // a space is pending, written only before the next text
	hug := false   // spaces after an opening French quote are dropped
	put := func(t string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space, hug = false, false
		b.WriteString(t)
	}
	// NFKD splits a letter from its accents (é → e + ´) and spells out
	// compatibility forms (ﬁ → fi, ½ → 1⁄2, full-width letters → ASCII).
	// ASCII is its own NFKD.
	form := norm.NFKD
	if isASCII(s) {
		form = norm.NFC
	}
	var it norm.Iter
	it.InitString(form, s)
	for !it.Done() && b.Len() < max {
		seg := it.Next()
		for len(seg) > 0 {
			c, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			switch {
			case c == utf8.RuneError && size <= 1:
				// invalid UTF-8: dropped
			case allowed(c) && c != ' ':
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space, hug = false, false
				b.WriteByte(byte(c))
			case unicode.IsSpace(c):
				space = !hug
			case unicode.Is(unicode.Mn, c) || unicode.IsControl(c) || unicode.Is(unicode.Cf, c):
				// accents, controls, zero-width joiners: dropped
			case c == '«' || c == '‹': // French quotes hug their text once plain
				put("'")
				hug = true
			case c == '»' || c == '›':
				space = false
				put("'")
			default:
				if t, ok := spelled[c]; ok {
					put(t)
				} else if c == '⁄' { // the fraction slash of ½
					put("/")
				} else {
					space = true // any other symbol, emoji included
				}
			}
		}
	}
	out := b.String()
	if len(out) > max {
		out = out[:max]
	}
	return strings.TrimRight(out, " ")
}

// Identifier returns s as an identifier of a SEPA file: the Latin set
// without spaces, not starting or ending with "/" and never holding "//"
// (the EPC's rules for references), at most max characters.
func Identifier(s string, max int) string {
	// NFKD may spell a character longer than it was typed (⑽ → (10)).
	l := strings.ReplaceAll(Latin(s, 3*len(s)+8), " ", "")
	for strings.Contains(l, "//") {
		l = strings.ReplaceAll(l, "//", "/")
	}
	l = strings.Trim(l, "/")
	if len(l) > max {
		l = strings.TrimRight(l[:max], "/")
	}
	return l
}

// validIdentifier reports whether s is already an identifier as the
// EPC's rules want it, up to max characters.
func validIdentifier(s string, max int) bool {
	return s != "" && len(s) <= max && Identifier(s, max) == s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
