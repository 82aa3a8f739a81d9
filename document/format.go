package document

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"passnum"
)

// FormatEuros formats an amount in cents the French way: "10 €", "12,50 €",
// "1 234,56 €". Whole amounts have no decimals.
func FormatEuros(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	euros, rest := u/100, u%100
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(strconv.FormatUint(euros, 10)))
	if rest != 0 {
		b.WriteByte(',')
		if rest < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatUint(rest, 10))
	}
	b.WriteString(" €")
	return b.String()
}

// groupThousands inserts a space every three digits from the right.
func groupThousands(digits string) string {
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
			b.WriteByte(' ')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

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
// statements and accounts write money: "10,00 €", "1 234,50 €", "-12,50 €".
func FormatAmount(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(strconv.FormatUint(u/100, 10)))
	b.WriteByte(',')
	if u%100 < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatUint(u%100, 10))
	b.WriteString(" €")
	return b.String()
}

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

// FormatCount formats a whole number with its thousands separated: "10 000".
func FormatCount(n int64) string {
	if n < 0 {
		return "-" + groupThousands(strconv.FormatInt(-n, 10))
	}
	return groupThousands(strconv.FormatInt(n, 10))
}

// counted writes n and its noun, singular up to 1 as French does: "0 pass
// encaissé", "10 000 pass encaissés".
func counted(n int64, one, many string) string {
	if n <= 1 {
		return FormatCount(n) + " " + one
	}
	return FormatCount(n) + " " + many
}
