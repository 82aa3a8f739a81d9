package passnum

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"passnum/territory"
)

// How the product writes numbers, money, plurals, phone numbers and
// "de + name" in French. The pages, the printed booklet and the e-mails
// all call these, so that "2 750" next to "2 690 €" reads the same
// everywhere.

// Spaces of French typography: a narrow no-break space groups thousands
// ("2 750"), a no-break space sits before a unit ("10 €").
const (
	thinNBSP = "\u202f"
	nbsp     = "\u00a0"
)

// FormatCount writes a whole number with its thousands grouped by a
// narrow no-break space: 2750 → "2 750", -1200 → "−1 200".
func FormatCount[N ~int | ~int64 | ~int32](n N) string {
	v := int64(n)
	if v < 0 {
		return "−" + groupDigits(strconv.FormatUint(uint64(-v), 10))
	}
	return groupDigits(strconv.FormatInt(v, 10))
}

func groupDigits(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(thinNBSP)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// FormatEuros writes an amount in cents the French way, with the grouping
// of FormatCount: "10 €", "12,50 €", "2 690 €", "−5 €".
func FormatEuros(cents int64) string { return formatEuros(cents, false) }

// FormatAmount writes an amount with its cents always, as statements and
// accounts write money: "10,00 €", "1 234,50 €", "−12,50 €".
func FormatAmount(cents int64) string { return formatEuros(cents, true) }

func formatEuros(cents int64, withCents bool) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	s := groupDigits(strconv.FormatUint(u/100, 10))
	if r := u % 100; r != 0 || withCents {
		s += "," + strconv.FormatUint(r/10, 10) + strconv.FormatUint(r%10, 10)
	}
	if neg {
		s = "−" + s
	}
	return s + nbsp + "€"
}

// Plural picks the singular for 0 and 1 and the plural above, as French
// does ("0 carnet", "1 carnet", "2 carnets").
func Plural[N ~int | ~int64 | ~int32](n N, one, many string) string {
	if n <= 1 && n >= -1 {
		return one
	}
	return many
}

// CountOf writes a number and its noun: "1 carnet", "2 750 carnets".
func CountOf[N ~int | ~int64 | ~int32](n N, one, many string) string {
	return FormatCount(n) + nbsp + Plural(n, one, many)
}

// De writes the preposition "de" before a name as French does: "d'Inès",
// "de Théo", "du Creusot", "des Fins", "de la Chaux", "de l'Association
// des Vaîtes", "de la Médiathèque de Dijon", "du Centre social". Names of
// structures that begin with a common noun take its article; the name
// itself is never changed.
func De(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "de"
	}
	first, rest, _ := strings.Cut(name, " ")
	lower := strings.ToLower(first)
	switch {
	case lower == "le" && rest != "":
		return "du " + rest
	case lower == "les" && rest != "":
		return "des " + rest
	case lower == "la" && rest != "":
		return "de la " + rest
	case strings.HasPrefix(lower, "l'") || strings.HasPrefix(lower, "l’"):
		return "de " + name
	}
	if g, ok := structureNouns[strings.TrimRight(lower, ",")]; ok {
		switch {
		case startsWithVowelSound(name):
			return "de l'" + name
		case g == 'f':
			return "de la " + name
		default:
			return "du " + name
		}
	}
	if startsWithVowelSound(name) {
		return "d'" + name
	}
	return "de " + name
}

// structureNouns are the common nouns that begin the names of the
// structures of the scheme, with their gender: "Association des Vaîtes"
// is "l'Association des Vaîtes", "Médiathèque de Dijon" "la Médiathèque".
var structureNouns = map[string]byte{
	"association": 'f', "médiathèque": 'f', "bibliothèque": 'f', "mairie": 'f', "commune": 'f', "ville": 'f',
	"maison": 'f', "mission": 'f', "communauté": 'f', "fédération": 'f', "agence": 'f', "université": 'f',
	"région": 'f', "préfecture": 'f', "fondation": 'f', "coopérative": 'f', "société": 'f', "école": 'f',
	"direction": 'f', "caisse": 'f', "cyber-base": 'f', "ludothèque": 'f', "régie": 'f', "entreprise": 'f',
	"centre": 'm', "espace": 'm', "département": 'm', "conseil": 'm', "syndicat": 'm', "club": 'm',
	"collectif": 'm', "atelier": 'm', "tiers-lieu": 'm', "lycée": 'm', "collège": 'm', "office": 'm',
	"établissement": 'm', "point": 'm', "pôle": 'm', "foyer": 'm', "fablab": 'm', "fab": 'm', "groupement": 'm',
	"institut": 'm', "service": 'm', "relais": 'm', "café": 'm', "comité": 'm', "état": 'm',
}

// startsWithVowelSound says whether "de" elides before s: a vowel, a Y,
// or an H, which is silent in most first names (Hugo, Hélène).
func startsWithVowelSound(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	r = unicode.ToLower(r)
	switch r {
	case 'h':
		return true
	case 'y':
		// A y before a vowel is heard as a consonant ("de Yanis", "de
		// Yasmine"), before a consonant as a vowel ("d'Yves").
		next, _ := utf8.DecodeRuneInString(s[n:])
		return !isVowel(unicode.ToLower(next))
	}
	return isVowel(r)
}

func isVowel(r rune) bool { return strings.ContainsRune("aeiouyàâäéèêëîïôöùûüæœ", r) }

// Capitalize puts the first letter of s in capitals, as a sentence or a
// name starts ("année du rapport…" → "Année du rapport…").
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// FormatPhone writes a phone number the French way, as people read it:
// "+33381878000" → "03 81 87 80 00", "+590590123456" → "05 90 12 34 56".
// What it cannot read is returned as it is.
func FormatPhone(p string) string {
	n, ok := NormalizePhone(p)
	if !ok {
		return p
	}
	var national string
	for _, cc := range []string{"+33", "+590", "+594", "+596", "+262"} {
		if rest, found := strings.CutPrefix(n, cc); found && len(rest) == 9 {
			national = "0" + rest
			break
		}
	}
	if national == "" {
		return n
	}
	parts := make([]string, 0, 5)
	for i := 0; i < 10; i += 2 {
		parts = append(parts, national[i:i+2])
	}
	return strings.Join(parts, nbsp)
}

// CommuneLabel names a commune for people: "Besançon (25000)", with its
// main postcode; an unknown code is returned as it is.
func CommuneLabel(insee string) string {
	c, ok := territory.LookupCommune(insee)
	if !ok {
		return insee
	}
	if len(c.Postcodes) == 0 {
		return c.Name
	}
	return c.Name + " (" + c.Postcodes[0] + ")"
}

// FormatShare writes a share (0 to 1) as a French percentage: 0.425 →
// "42,5 %", 0.5 → "50 %" (a non-breaking space before the sign).
func FormatShare(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + "\u00a0%"
}

// FormatBasisPoints writes basis points as a percentage: 5000 → "50 %",
// 3333 → "33,33 %".
func FormatBasisPoints(bps int64) string {
	s := strconv.FormatInt(bps/100, 10)
	if r := bps % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(",%02d", r), "0")
	}
	return s + "\u00a0%"
}

// frenchMonths are the months' names, January first.
var frenchMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// MonthLabel writes a month "2026-03" as "mars 2026"; anything else is
// returned as it is.
func MonthLabel(m string) string {
	y, mm, ok := strings.Cut(m, "-")
	n, err := strconv.Atoi(mm)
	if !ok || err != nil || n < 1 || n > 12 || len(y) != 4 {
		return m
	}
	return frenchMonths[n-1] + " " + y
}
