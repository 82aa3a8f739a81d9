package passnum

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func days(ds ...time.Weekday) uint8 {
	var b uint8
	for _, d := range ds {
		b |= 1 << uint(d)
	}
	return b
}

func TestParseOpeningHoursAccepts(t *testing.T) {
	weekdays := days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	cases := []struct {
		in   string
		want []OpeningRule
	}{
		{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", []OpeningRule{
			{Weekdays: weekdays, Spans: []TimeSpan{{540, 720, false}, {840, 1110, false}}},
			{Weekdays: days(time.Saturday), Spans: []TimeSpan{{510, 720, false}}},
		}},
		{"24/7", []OpeningRule{{Spans: []TimeSpan{{0, 1440, false}}}}},
		{"Mo,We,Fr 10:00-12:00; Su,PH off", []OpeningRule{
			{Weekdays: days(time.Monday, time.Wednesday, time.Friday), Spans: []TimeSpan{{600, 720, false}}},
			{Weekdays: days(time.Sunday), PublicHolidays: true, Closed: true},
		}},
		{"Sa-Mo 22:00-02:00", []OpeningRule{{Weekdays: days(time.Saturday, time.Sunday, time.Monday), Spans: []TimeSpan{{1320, 1560, false}}}}},
		{"Mo-Fr 08:00-24:00", []OpeningRule{{Weekdays: weekdays, Spans: []TimeSpan{{480, 1440, false}}}}},
		{"Tu 14:00+", []OpeningRule{{Weekdays: days(time.Tuesday), Spans: []TimeSpan{{840, 840, true}}}}},
		{"10:00-18:00", []OpeningRule{{Spans: []TimeSpan{{600, 1080, false}}}}},
		{"Mo 10:00-12:00, Tu 14:00-16:00", []OpeningRule{
			{Weekdays: days(time.Monday), Spans: []TimeSpan{{600, 720, false}}},
			{Weekdays: days(time.Tuesday), Spans: []TimeSpan{{840, 960, false}}, Additional: true},
		}},
		{`Mo-Fr 09:00-17:00 "sur rendez-vous"; SH off`, []OpeningRule{
			{Weekdays: weekdays, Spans: []TimeSpan{{540, 1020, false}}, Comment: "sur rendez-vous"},
			{SchoolHolidays: true, Closed: true},
		}},
		{"Mo-Fr 09:00-12:00 || \"sur rendez-vous\"", []OpeningRule{
			{Weekdays: weekdays, Spans: []TimeSpan{{540, 720, false}}},
			{Comment: "sur rendez-vous", Fallback: true},
		}},
		{"  mo-fr  09:00 - 12:00 ;  sa 9:30-12:00; ", []OpeningRule{
			{Weekdays: weekdays, Spans: []TimeSpan{{540, 720, false}}},
			{Weekdays: days(time.Saturday), Spans: []TimeSpan{{570, 720, false}}},
		}},
		{"Mo-Fr 09:00-12:00 unknown", []OpeningRule{{Weekdays: weekdays, Spans: []TimeSpan{{540, 720, false}}, Unknown: true}}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			h, err := ParseOpeningHours(c.in)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(h.Rules, c.want) {
				t.Fatalf("got  %+v\nwant %+v", h.Rules, c.want)
			}
		})
	}
}

func TestParseOpeningHoursRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "vide"},
		{"Lundi 9h-12h", "« Lundi » s'écrit Mo"},
		{"Mo-Fr 9h-12h", "09:00-12:00"},
		{"Mo-Fr 09:00", "suivie d'une heure de fermeture"},
		{"Mo-Fr 25:00-26:00", "heure impossible"},
		{"Mo-Fr 09:60-12:00", "minutes"},
		{"Mo-Fr 09:00-09:00", "même heure"},
		{"Jan-Mar Mo-Fr 09:00-12:00", "périodes de l'année"},
		{"week 1-20 Mo 10:00-12:00", "semaines"},
		{"2024 Mo-Fr 09:00-12:00", "années"},
		{"Mo-Fr sunrise-sunset", "soleil"},
		{"Mo[1] 10:00-12:00", "jours du mois"},
		{"Mo- 10:00-12:00", "un jour est attendu"},
		{"Mo-Fr 09:00-12:00;;", "n'est pas compris"},
		{"Mo-Fr 09:00-12:00 ouvert", "s'écrit open"},
		{"Mo-Fr 09:00-12:00 \"sans fin", "guillemet"},
		{"Mo-Fr 09:00-12:00\nSa 10:00-12:00", "une seule ligne"},
		{"Mo-Fr 09:00-12:00,", "règle est attendue"},
		{"Xy 10:00-12:00", "« Xy » n'est pas compris"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := ParseOpeningHours(c.in)
			if err == nil {
				t.Fatalf("accepted %q", c.in)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "format OpenStreetMap") {
				t.Fatalf("message %q does not say %q", err, c.want)
			}
		})
	}
}

func TestOpeningRuleHas(t *testing.T) {
	h, err := ParseOpeningHours("Mo-Fr 09:00-12:00; 10:00-11:00; PH off")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Rules[0].Has(time.Wednesday) || h.Rules[0].Has(time.Sunday) {
		t.Fatal("Mo-Fr")
	}
	if !h.Rules[1].Has(time.Sunday) {
		t.Fatal("a rule without days holds every day")
	}
	if h.Rules[2].Has(time.Monday) {
		t.Fatal("PH is no weekday")
	}
}

func FuzzParseOpeningHours(f *testing.F) {
	for _, s := range []string{"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "24/7", "Su,PH off", `Mo 10:00+ "x"`, "Sa-Mo 22:00-02:00 || Tu 10:00-11:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseOpeningHours(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty message")
			}
			return
		}
		for _, r := range h.Rules {
			for _, sp := range r.Spans {
				if sp.Start < 0 || sp.Start >= 24*60 || sp.End > 48*60 || (sp.End <= sp.Start && !sp.OpenEnd) {
					t.Fatalf("%q: impossible span %+v", s, sp)
				}
			}
		}
	})
}
