package passnum

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text typed by people ends up on pages, in PDF letters, in spreadsheets
// and in other systems' files. Names (of people, organisations, sites,
// trainings, programmes) are one line of visible text: no control
// character (NUL, tab, line breaks, escape…) and no bidirectional override
// or isolate (U+202A–U+202E, U+2066–U+2069), which would make a name read
// differently from what it is ("Médiathèque‮gpj.exe"). Longer free texts
// (descriptions, reasons) may hold line breaks and tabs, nothing else of
// the kind. This is the domain's one rule; the API's decoder and the
// pages' form reader refuse NUL in any input before it gets here.

// bidiControl reports the characters that reorder the text around them.
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// TextProblem says what is wrong with a text's characters, in French, or
// "" when it is acceptable. multiline allows line breaks and tabs.
func TextProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "texte illisible : l'encodage attendu est UTF-8"
	}
	bad := strings.IndexFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || bidiControl(r)
	})
	switch {
	case bad < 0:
		return ""
	case s[bad] == 0:
		return "caractère nul (U+0000) interdit : retapez le texte"
	case !multiline && (s[bad] == '\n' || s[bad] == '\r'):
		return "une seule ligne de texte, sans retour à la ligne"
	case s[bad] < 0x80 || (s[bad] == 0xc2):
		return "caractères de contrôle interdits : retapez le texte plutôt que de le coller"
	}
	return "caractères d'inversion du sens d'écriture (U+202A à U+202E, U+2066 à U+2069) interdits : ils feraient lire le texte autrement qu'il n'est écrit"
}

// HasNUL reports whether s holds a NUL character, which no input may carry
// (PostgreSQL cannot store it in text).
func HasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }
