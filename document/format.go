package document

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"passnum"
	"unicode/utf8"
)

// FormatDate formats a calendar date as dd/mm/yyyy. The time is taken as a
// date in its own location: no time-zone conversion happens.
func FormatDate(t time.Time) string { return t.Format("02/01/2006") }

// FormatDistance formats a distance in kilometres with one decimal and a
// decimal comma: "2,3 km".
func FormatDistance(km float64) string {
	if km < 0 {
		km = 0
	}
	return strings.Replace(strconv.FormatFloat(km, 'f', 1, 64), ".", ",", 1) + " km"
}

// FormatAmount formats an amount in cents with its two decimals always, as
// statements and accounts write money: "10,00 €", "1 234,50 €".
func FormatAmount(cents int64) string { return passnum.FormatAmount(cents) }

// FormatDay formats a calendar day as JJ/MM/AAAA; the zero day as "".
func FormatDay(d passnum.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}

// FormatParisDay formats the Paris day of instant t as JJ/MM/AAAA; the
// zero instant as "".
func FormatParisDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatDay(passnum.ParisDate(t))
}

// FormatCount formats a whole number with its thousands grouped: "10 000".
func FormatCount(n int64) string { return passnum.FormatCount(n) }

// counted writes n and its noun, singular up to 1 as French does: "0 pass
// encaissé", "10 000 pass encaissés".
func counted(n int64, one, many string) string {
	if n <= 1 {
		return FormatCount(n) + " " + one
	}
	return FormatCount(n) + " " + many
}

// BookletFileName names a booklet's PDF for the counsellor who downloads
// it: whose it is, by the first name's initial and the last name, and the
// day it was printed, "carnet-T-LAMBERT-2026-12-04.pdf". Only the
// download's file name says it: the address of the PDF holds ids only.
// Letters are written without accents, so that every system keeps the
// name as it is.
func BookletFileName(firstName, lastName string, printed time.Time) string {
	parts := []string{"carnet"}
	if f := asciiName(firstName); f != "" {
		r, _ := utf8.DecodeRuneInString(f)
		parts = append(parts, string(r))
	}
	if l := asciiName(lastName); l != "" {
		if len(l) > 30 {
			l = strings.TrimRight(l[:30], "-")
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, "-") + "-" + printed.Format("2006-01-02") + ".pdf"
}

// asciiName writes a name in capitals without accents, words joined by
// dashes: "Le Goff-Hervé" → "LE-GOFF-HERVE".
func asciiName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(s) {
		if f, ok := unaccented[r]; ok {
			b.WriteString(f)
			dash = false
			continue
		}
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

var unaccented = map[rune]string{
	'À': "A", 'Â': "A", 'Ä': "A", 'Á': "A", 'Ã': "A", 'Å': "A", 'Æ': "AE", 'Ç': "C", 'É': "E", 'È': "E", 'Ê': "E", 'Ë': "E",
	'Î': "I", 'Ï': "I", 'Í': "I", 'Ì': "I", 'Ô': "O", 'Ö': "O", 'Ó': "O", 'Ò': "O", 'Õ': "O", 'Ø': "O", 'Œ': "OE",
	'Ù': "U", 'Û': "U", 'Ü': "U", 'Ú': "U", 'Ÿ': "Y", 'Ý': "Y", 'Ñ': "N", 'ß': "SS",
}
