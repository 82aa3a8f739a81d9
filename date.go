package passnum

import (
	"fmt"
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
