package document

import (
	"strconv"
	"strings"
	"time"
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
