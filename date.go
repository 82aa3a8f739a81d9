package passnum

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Date is a civil day, with no time zone: birth dates, validity bounds.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD and refuses days that do not exist (2005-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date attendue au format AAAA-MM-JJ, et qui existe (reçu %q)", s)
	}
	return DateOf(t), nil
}

// MustDate parses s or panics; for fixtures and tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar day of t in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParisDate returns the Paris day of instant t.
func ParisDate(t time.Time) Date { return DateOf(t.In(Paris)) }

// String writes YYYY-MM-DD, which also sorts correctly as text.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.Year == 0 }

// YearMonth is the day's month as the statistics key it, "2026-03".
func (d Date) YearMonth() string { return fmt.Sprintf("%04d-%02d", d.Year, d.Month) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.String() < o.String() }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return o.Before(d) }

// AgeOn returns the age in whole years of someone born on d, on day on.
func (d Date) AgeOn(on Date) int {
	age := on.Year - d.Year
	if on.Month < d.Month || (on.Month == d.Month && on.Day < d.Day) {
		age--
	}
	return age
}

// EndInstant is the first instant after day d in Paris: a validity that ends
// on d includes the whole of d.
func (d Date) EndInstant() time.Time {
	return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, Paris)
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the day as YYYY-MM-DD text, the columns' format on both
// engines; the zero Date is stored as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a stored day and refuses one that is not YYYY-MM-DD or does
// not exist, rather than reading it as the zero day: a NULL reads as the
// zero Date.
func (d *Date) Scan(src any) error {
	if src == nil {
		*d = Date{}
		return nil
	}
	v, err := scanText(src)
	if err != nil {
		return err
	}
	day, err := ParseDate(v)
	if err != nil {
		return fmt.Errorf("jour enregistré illisible : %w", err)
	}
	*d = day
	return nil
}

// ParseFrenchDate reads a date as people type it in France: 14/04/2007,
// 14-04-2007, 14.04.2007, 14 04 2007, 1/4/2007, eight digits with no
// separator (14042007, what a numeric keypad invites), or an ISO date
// (2007-04-14, what a browser's date field sends; 2007/04/14 too). The year has four
// digits: "14/04/07" is refused rather than guessed. The error, in
// French, says what to type.
func ParseFrenchDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, errors.New("date obligatoire, au format JJ/MM/AAAA")
	}
	bad := fmt.Errorf("date attendue au format JJ/MM/AAAA, par exemple 05/03/2006 (reçu « %s »)", clip(s, 20))
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		if d, err := ParseDate(s); err == nil && d.Year >= 1000 {
			return d, nil
		}
	}
	var day, month, year string
	if len(s) == 8 && allDigits(s) {
		day, month, year = s[0:2], s[2:4], s[4:8]
	} else {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
		if len(parts) != 3 {
			return Date{}, bad
		}
		day, month, year = parts[0], parts[1], parts[2]
		if len(day) == 4 && len(year) <= 2 { // 2007/04/14: the year first
			day, year = year, day
		}
	}
	if len(day) > 2 || len(month) > 2 || len(year) != 4 || !allDigits(day) || !allDigits(month) || !allDigits(year) {
		if len(year) == 2 && allDigits(year) {
			return Date{}, fmt.Errorf("année sur quatre chiffres attendue, par exemple 05/03/2006 (reçu « %s »)", clip(s, 20))
		}
		return Date{}, bad
	}
	d, m, y := atoi(day), atoi(month), atoi(year)
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if y < 1000 || m < 1 || m > 12 || d < 1 || t.Day() != d {
		return Date{}, fmt.Errorf("cette date n'existe pas : %s ; vérifiez le jour et le mois (JJ/MM/AAAA)", clip(s, 20))
	}
	return Date{y, time.Month(m), d}, nil
}

// atoi reads digits already checked.
func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// clip shortens what is quoted back to people.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
