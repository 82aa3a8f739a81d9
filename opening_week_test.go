package passnum

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func span(from, to string) TimeSpan {
	f, _ := ParseClock(from, false)
	t, _ := ParseClock(to, true)
	return TimeSpan{Start: f, End: t}
}

func TestWeekHoursOSM(t *testing.T) {
	am, pm := span("9:00", "12:00"), span("14:00", "17:00")
	var w WeekHours
	for i := 0; i < 5; i++ {
		w.Days[i] = []TimeSpan{am, pm}
	}
	w.Days[5] = []TimeSpan{am}
	w.HolidaysClosed = true
	if got, want := w.OSM(), "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"; got != want {
		t.Fatalf("OSM() = %q, want %q", got, want)
	}
	w = WeekHours{}
	w.Days[0], w.Days[2], w.Days[3], w.Days[6] = []TimeSpan{am}, []TimeSpan{am}, []TimeSpan{pm}, []TimeSpan{am}
	if got, want := w.OSM(), "Mo,We,Su 09:00-12:00; Th 14:00-17:00"; got != want {
		t.Fatalf("OSM() = %q, want %q", got, want)
	}
	if got := (WeekHours{HolidaysClosed: true}).OSM(); got != "" {
		t.Fatalf("a week never open writes %q, want nothing", got)
	}
}

// TestWeekHoursRoundTrip: any week the form can hold is written in the
// OpenStreetMap syntax, which the parser reads, and read back into the
// same week.
func TestWeekHoursRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	for n := 0; n < 2000; n++ {
		var w WeekHours
		w.HolidaysClosed = rng.IntN(2) == 0
		for d := range w.Days {
			at := 6*60 + 15*rng.IntN(8)
			for k := rng.IntN(WeekRanges + 1); k > 0; k-- {
				end := at + 15*(1+rng.IntN(20))
				if end > 23*60+59 {
					break
				}
				w.Days[d] = append(w.Days[d], TimeSpan{Start: at, End: end})
				at = end + 15*rng.IntN(8)
			}
		}
		osm := w.OSM()
		if w.IsZero() {
			if osm != "" {
				t.Fatalf("empty week written %q", osm)
			}
			continue
		}
		h, err := ParseOpeningHours(osm)
		if err != nil {
			t.Fatalf("%q does not parse: %v", osm, err)
		}
		back, ok := WeekHoursOf(h)
		if !ok || !reflect.DeepEqual(back, w) {
			t.Fatalf("%q read back as %+v (ok %v), want %+v", osm, back, ok, w)
		}
	}
}

func TestWeekHoursOf(t *testing.T) {
	fits := map[string]string{
		"Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off": "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off",
		"Mo-Sa 09:00-18:00; We off":                             "Mo,Tu,Th-Sa 09:00-18:00",
		"Mo-Fr 09:00-12:00, Mo-Fr 14:00-17:00":                  "Mo-Fr 09:00-12:00,14:00-17:00",
		"14:00-17:00":                                           "Mo-Su 14:00-17:00",
	}
	for in, want := range fits {
		h, err := ParseOpeningHours(in)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := WeekHoursOf(h)
		if !ok || w.OSM() != want {
			t.Errorf("WeekHoursOf(%q) = %q (ok %v), want %q", in, w.OSM(), ok, want)
		}
	}
	for _, in := range []string{
		"Mo-Fr 09:00-12:00,13:00-15:00,16:00-18:00", // three ranges
		"Mo-Fr 09:00-18:00 \"sur rendez-vous\"",
		"Mo-Fr 09:00-18:00 || \"sur rendez-vous\"",
		"SH off; Mo-Fr 09:00-18:00",
		"Mo-Fr 18:00-02:00",
		"Mo-Fr 18:00+",
		"PH 10:00-12:00",
		"24/7",
		"Mo-Fr open",
	} {
		h, err := ParseOpeningHours(in)
		if err != nil {
			t.Fatal(in, err)
		}
		if _, ok := WeekHoursOf(h); ok {
			t.Errorf("WeekHoursOf(%q) fits the form, but the form would lose part of it", in)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"9": 540, "9h": 540, "9 h 30": 570, "09:30": 570, "9h30": 570, "9.30": 570, " 14:00 ": 840, "0": 0, "23:59": 1439} {
		if got, err := ParseClock(in, false); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if got, err := ParseClock("24:00", true); err != nil || got != 1440 {
		t.Errorf("ParseClock(24:00, end) = %d, %v", got, err)
	}
	for _, in := range []string{"", "24:00", "9:60", "25", "neuf heures", "9:3:0", "-1", "+9", "123:00"} {
		if _, err := ParseClock(in, false); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

func TestFrenchHours(t *testing.T) {
	got := strings.Join(FrenchHours("Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; Tu,Th 18:00+; PH off"), " | ")
	want := "du lundi au vendredi : 9\u00a0h – 12\u00a0h, 14\u00a0h – 17\u00a0h\u00a030 | samedi : 9\u00a0h – 12\u00a0h | mardi et jeudi : à partir de 18\u00a0h | jours fériés : fermé"
	if got != want {
		t.Errorf("FrenchHours = %q\nwant %q", show(got), show(want))
	}
	if got := FrenchHours("lundi 9h-12h"); len(got) != 1 || got[0] != "lundi 9h-12h" {
		t.Errorf("unreadable hours shown as %q, want them as typed", got)
	}
	if FrenchHours("  ") != nil {
		t.Error("no hours should give no line")
	}
}
