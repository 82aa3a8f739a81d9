package passnum

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseFrenchDate(t *testing.T) {
	want := Date{2007, time.April, 14}
	for _, in := range []string{"14/04/2007", "14042007", " 14/04/2007 ", "14-04-2007", "14.04.2007", "14 04 2007", "2007-04-14", "14/4/2007", "2007/04/14", "14/04/2007/"} {
		got, err := ParseFrenchDate(in)
		if err != nil || got != want {
			t.Errorf("ParseFrenchDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := ParseFrenchDate("1/2/2006"); err != nil || got != (Date{2006, time.February, 1}) {
		t.Errorf("ParseFrenchDate(1/2/2006) = %v, %v", got, err)
	}
	for in, says := range map[string]string{
		"":             "obligatoire",
		"14/04/07":     "quatre chiffres",
		"140407":       "JJ/MM/AAAA",
		"31/02/2007":   "n'existe pas",
		"31022007":     "n'existe pas",
		"00/01/2007":   "n'existe pas",
		"14/13/2007":   "n'existe pas",
		"14/04/2007/1": "JJ/MM/AAAA",
		"quatorze":     "JJ/MM/AAAA",
		"2007-02-30":   "n'existe pas",
		"1404200７":     "JJ/MM/AAAA", // a full-width digit
		"14/04/0999":   "n'existe pas",
	} {
		_, err := ParseFrenchDate(in)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseFrenchDate(%q) error = %v, want one that says %q", in, err, says)
		}
	}
}

// FuzzParseFrenchDate: whatever is typed, the parser never panics; what it
// accepts is a day that exists, and the same day written JJ/MM/AAAA, in
// eight digits or in ISO is read back as that day. Its seed corpus is in
// testdata/fuzz/FuzzParseFrenchDate, beside the seeds added here.
func FuzzParseFrenchDate(f *testing.F) {
	for _, s := range []string{"14/04/2007", "14042007", "2007-04-14", "29/02/2004", "29022005", "1/1/2000", "", " ", "//", "99/99/9999", "31.12.9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseFrenchDate(s)
		if err != nil {
			if d != (Date{}) {
				t.Fatalf("ParseFrenchDate(%q) failed but returned %v", s, d)
			}
			if err.Error() == "" {
				t.Fatalf("ParseFrenchDate(%q): empty message", s)
			}
			return
		}
		tm := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
		if DateOf(tm) != d || d.Year < 1000 || d.Year > 9999 {
			t.Fatalf("ParseFrenchDate(%q) = %v, not a day that exists", s, d)
		}
		for _, form := range []string{
			fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year),
			fmt.Sprintf("%02d%02d%04d", d.Day, d.Month, d.Year),
			d.String(),
		} {
			back, err := ParseFrenchDate(form)
			if err != nil || back != d {
				t.Fatalf("ParseFrenchDate(%q) = %v, %v; want %v (accepted from %q)", form, back, err, d, s)
			}
		}
	})
}
