package demo

import (
	"time"

	"passnum"
)

// parisAt is the instant of hour:minute on day d in Paris.
func parisAt(d passnum.Date, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, passnum.Paris)
}

func weekday(d passnum.Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// daysBetween counts the days from a to b (negative when b is before a).
func daysBetween(a, b passnum.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// holiday reports the French public holidays on which no one hands out
// booklets or trains (Whit Monday, often worked, is left out).
func holiday(d passnum.Date) bool {
	switch {
	case d.Month == time.January && d.Day == 1,
		d.Month == time.May && (d.Day == 1 || d.Day == 8),
		d.Month == time.July && d.Day == 14,
		d.Month == time.August && d.Day == 15,
		d.Month == time.November && (d.Day == 1 || d.Day == 11),
		d.Month == time.December && d.Day == 25:
		return true
	}
	e := easter(d.Year)
	return d == e.AddDays(1) || d == e.AddDays(39) // Easter Monday, Ascension
}

// easter is Easter Sunday of year y (anonymous Gregorian algorithm).
func easter(y int) passnum.Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	return passnum.Date{Year: y, Month: time.Month((h + l - 7*m + 114) / 31), Day: (h+l-7*m+114)%31 + 1}
}

// open reports whether a structure works on day d: distributors on
// weekdays, places also on Saturdays.
func open(d passnum.Date, saturday bool) bool {
	switch weekday(d) {
	case time.Sunday:
		return false
	case time.Saturday:
		if !saturday {
			return false
		}
	}
	return !holiday(d)
}

// nextOpen is d, or the first open day after it.
func nextOpen(d passnum.Date, saturday bool) passnum.Date {
	for !open(d, saturday) {
		d = d.AddDays(1)
	}
	return d
}

// prevOpen is d, or the last open day before it.
func prevOpen(d passnum.Date, saturday bool) passnum.Date {
	for !open(d, saturday) {
		d = d.AddDays(-1)
	}
	return d
}

// frDate writes a day the French way: 23/06/2022.
func frDate(d passnum.Date) string {
	s := d.String()
	return s[8:10] + "/" + s[5:7] + "/" + s[:4]
}
