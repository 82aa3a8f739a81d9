package passnum

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2005-02-28", Date{2005, time.February, 28}, true},
		{"2004-02-29", Date{2004, time.February, 29}, true},
		{"2000-02-29", Date{2000, time.February, 29}, true},
		{"2026-12-31", Date{2026, time.December, 31}, true},
		{"2005-02-30", Date{}, false},
		{"2005-02-29", Date{}, false},
		{"1900-02-29", Date{}, false},
		{"2026-04-31", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-00-10", Date{}, false},
		{"2026-01-00", Date{}, false},
		{"2026-3-10", Date{}, false},
		{"10/03/2026", Date{}, false},
		{"2026-03-10T10:00:00Z", Date{}, false},
		{" 2026-03-10", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDate(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if tt.ok && got.String() != tt.in {
				t.Fatalf("ParseDate(%q).String() = %q", tt.in, got.String())
			}
		})
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		name      string
		born, day string
		want      int
	}{
		{"day before the 16th birthday", "2010-03-10", "2026-03-09", 15},
		{"16th birthday", "2010-03-10", "2026-03-10", 16},
		{"day after", "2010-03-10", "2026-03-11", 16},
		{"last day at 25", "2000-03-10", "2026-03-09", 25},
		{"26th birthday", "2000-03-10", "2026-03-10", 26},
		{"born on the last day of the year", "2009-12-31", "2026-12-30", 16},
		{"new year's eve birthday", "2009-12-31", "2026-12-31", 17},
		{"earlier month", "2008-11-30", "2026-03-10", 17},
		{"later month", "2008-05-01", "2026-03-10", 17},
		{"born 29 February, 28 February of a common year", "2008-02-29", "2026-02-28", 17},
		{"born 29 February, 1 March of a common year", "2008-02-29", "2026-03-01", 18},
		{"born 29 February, 29 February of a leap year", "2008-02-29", "2028-02-29", 20},
		{"born 29 February, 28 February of a leap year", "2008-02-29", "2028-02-28", 19},
		{"born 28 February, 29 February", "2008-02-28", "2028-02-29", 20},
		{"birth day", "2026-03-10", "2026-03-10", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MustDate(tt.born).AgeOn(MustDate(tt.day)); got != tt.want {
				t.Fatalf("born %s, on %s: age %d, want %d", tt.born, tt.day, got, tt.want)
			}
		})
	}
}

func TestParisDate(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"winter, before Paris midnight", time.Date(2026, 3, 9, 22, 59, 59, 0, time.UTC), "2026-03-09"},
		{"winter, Paris midnight is 23:00 UTC", time.Date(2026, 3, 9, 23, 0, 0, 0, time.UTC), "2026-03-10"},
		{"winter, 23:30 UTC is already tomorrow in Paris", time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC), "2026-03-10"},
		{"summer, before Paris midnight", time.Date(2026, 7, 14, 21, 59, 59, 0, time.UTC), "2026-07-14"},
		{"summer, Paris midnight is 22:00 UTC", time.Date(2026, 7, 14, 22, 0, 0, 0, time.UTC), "2026-07-15"},
		{"new year in Paris, still 31 December in UTC", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-01-01"},
		{"offset of the instant does not matter", time.Date(2026, 3, 10, 8, 0, 0, 0, time.FixedZone("UTC+9", 9*3600)), "2026-03-10"},
		{"offset of the instant does not matter, evening", time.Date(2026, 3, 10, 7, 0, 0, 0, time.FixedZone("UTC+9", 9*3600)), "2026-03-09"},
		{"day clocks go forward", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), "2026-03-29"},
		{"day clocks go back", time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC), "2026-10-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParisDate(tt.at).String(); got != tt.want {
				t.Fatalf("ParisDate(%s) = %s, want %s", tt.at.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestEndInstant(t *testing.T) {
	tests := []struct {
		day  string
		want time.Time
	}{
		{"2026-03-10", time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC)},
		{"2026-07-14", time.Date(2026, 7, 14, 22, 0, 0, 0, time.UTC)},
		{"2026-12-31", time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"2026-03-28", time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)},  // the night clocks go forward
		{"2026-10-24", time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC)}, // the night clocks go back
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			d := MustDate(tt.day)
			end := d.EndInstant()
			if !end.Equal(tt.want) {
				t.Fatalf("%s.EndInstant() = %s, want %s", tt.day, end.UTC(), tt.want)
			}
			// The whole day is inside, the end is the next day.
			if got := ParisDate(end.Add(-time.Nanosecond)); got != d {
				t.Fatalf("just before the end: Paris day %s, want %s", got, d)
			}
			if got := ParisDate(end); got != d.AddDays(1) {
				t.Fatalf("at the end: Paris day %s, want %s", got, d.AddDays(1))
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		days int
		want string
	}{
		{"2026-12-31", 31, "2027-01-31"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-03-28", 1, "2026-03-29"},
		{"2026-10-25", 1, "2026-10-26"},
		{"2026-01-01", 0, "2026-01-01"},
		{"2026-01-01", 365, "2027-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			if got := MustDate(tt.from).AddDays(tt.days).String(); got != tt.want {
				t.Fatalf("%s + %d days = %s, want %s", tt.from, tt.days, got, tt.want)
			}
		})
	}
	a, b := MustDate("2026-09-30"), MustDate("2026-10-01")
	if !a.Before(b) || a.After(b) || !b.After(a) || b.Before(a) || a.Before(a) || a.After(a) {
		t.Fatalf("ordering of %s and %s is wrong", a, b)
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Fatal("IsZero is wrong")
	}
}

func TestDateJSON(t *testing.T) {
	var v struct {
		D Date `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2008-02-29"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.D != (Date{2008, time.February, 29}) {
		t.Fatalf("decoded %v", v.D)
	}
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"d":"2008-02-29"}` {
		t.Fatalf("encoded %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2005-02-30"}`), &v); err == nil {
		t.Fatal("2005-02-30 decoded without error")
	}
}

func TestMustDatePanicsOnImpossibleDay(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustDate(2005-02-30) did not panic")
		}
	}()
	MustDate("2005-02-30")
}

// A stored day reads back as itself; NULL as the zero day; a malformed or
// impossible one is an error, never a silent zero.
func TestDateScanValue(t *testing.T) {
	d := MustDate("2026-02-28")
	v, err := d.Value()
	if err != nil || v != "2026-02-28" {
		t.Fatalf("Value = %v, %v", v, err)
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Fatalf("zero Value = %v, want NULL", v)
	}
	for _, src := range []any{"2026-02-28", []byte("2026-02-28")} {
		var got Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%v) = %v, %v", src, got, err)
		}
	}
	got := MustDate("2000-01-01")
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", got, err)
	}
	for _, src := range []any{"2026-02-30", "28/02/2026", "", int64(20260228)} {
		var got Date
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%#v) accepted as %v", src, got)
		}
	}
}
