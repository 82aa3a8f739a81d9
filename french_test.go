package passnum

import (
	"strings"
	"testing"

	"passnum/territory"
)

// show makes the French spaces visible in failure messages.
func show(s string) string {
	return strings.NewReplacer("\u202f", "⍽", "\u00a0", "␣").Replace(s)
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1\u202f000", 2750: "2\u202f750",
		50000: "50\u202f000", 1234567: "1\u202f234\u202f567", -1200: "−1\u202f200"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, show(got), show(want))
		}
	}
	if got := FormatCount(2750); got != FormatCount(int(2750)) {
		t.Errorf("int and int64 differ: %q", got)
	}
}

func TestFormatEuros(t *testing.T) {
	for c, want := range map[int64]string{0: "0\u00a0€", 1000: "10\u00a0€", 1250: "12,50\u00a0€", 1205: "12,05\u00a0€",
		269000: "2\u202f690\u00a0€", 57000000: "570\u202f000\u00a0€", -500: "−5\u00a0€"} {
		if got := FormatEuros(c); got != want {
			t.Errorf("FormatEuros(%d) = %q, want %q", c, show(got), show(want))
		}
	}
	// Counts and money group their thousands the same way.
	if count, money := FormatCount(2690), FormatEuros(269000); !strings.HasPrefix(money, count+"\u00a0") {
		t.Errorf("FormatCount(2690) = %q but FormatEuros(269000) = %q", show(count), show(money))
	}
}

func TestPluralAndCountOf(t *testing.T) {
	for n, want := range map[int]string{0: "0\u00a0carnet", 1: "1\u00a0carnet", 2: "2\u00a0carnets", 30: "30\u00a0carnets", 2750: "2\u202f750\u00a0carnets"} {
		if got := CountOf(n, "carnet", "carnets"); got != want {
			t.Errorf("CountOf(%d) = %q, want %q", n, show(got), show(want))
		}
	}
	if Plural(int64(1), "pass encaissé", "pass encaissés") != "pass encaissé" || Plural(int64(5), "a", "b") != "b" {
		t.Error("Plural picks the wrong form")
	}
}

func TestDe(t *testing.T) {
	for name, want := range map[string]string{
		"Inès":                             "d'Inès",
		"Inès Martin":                      "d'Inès Martin",
		"Théo Lambert":                     "de Théo Lambert",
		"Hugo":                             "d'Hugo",
		"Yanis":                            "de Yanis",
		"Yasmine Benali":                   "de Yasmine Benali",
		"Yves":                             "d'Yves",
		"Émilie":                           "d'Émilie",
		"Auxerre":                          "d'Auxerre",
		"Besançon":                         "de Besançon",
		"Le Creusot":                       "du Creusot",
		"Les Fins":                         "des Fins",
		"La Chaux-de-Gilley":               "de la Chaux-de-Gilley",
		"L'Isle-sur-le-Doubs":              "de L'Isle-sur-le-Doubs",
		"Association des Vaîtes":           "de l'Association des Vaîtes",
		"Médiathèque de Dijon":             "de la Médiathèque de Dijon",
		"Centre social de Planoise":        "du Centre social de Planoise",
		"Espace public numérique":          "de l'Espace public numérique",
		"Mission locale du Grand Besançon": "de la Mission locale du Grand Besançon",
		"France Travail Besançon":          "de France Travail Besançon",
		"Léa":                              "de Léa",
		"  Inès ":                          "d'Inès",
	} {
		if got := De(name); got != want {
			t.Errorf("De(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+33381878000":   "03\u00a081\u00a087\u00a080\u00a000",
		"03 81 87 80 00": "03\u00a081\u00a087\u00a080\u00a000",
		"0381878000":     "03\u00a081\u00a087\u00a080\u00a000",
		"+590590123456":  "05\u00a090\u00a012\u00a034\u00a056",
		"+262262123456":  "02\u00a062\u00a012\u00a034\u00a056",
		"pas un numéro":  "pas un numéro",
		"":               "",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, show(got), show(want))
		}
	}
}

func TestCommuneLabel(t *testing.T) {
	for code, want := range map[string]string{"25056": "Besançon (25000)", "21231": "Dijon (21000)", "99999": "99999"} {
		if got := CommuneLabel(code); got != want {
			t.Errorf("CommuneLabel(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestCommuneToSuggest(t *testing.T) {
	paris, _ := territory.LookupCommune("75056")
	for _, tt := range []struct {
		codes    []string
		lat, lng float64
		hasPoint bool
		want     string
	}{
		{nil, paris.Lat, paris.Lng, true, "Sens"},                    // the town of Bourgogne-Franche-Comté nearest Paris
		{[]string{"reg:27"}, 0, 0, false, "Dijon"},                   // the largest
		{[]string{"dep:25"}, paris.Lat, paris.Lng, true, "Besançon"}, // the town of the Doubs nearest Paris
	} {
		c, ok := CommuneToSuggest(tt.codes, tt.lat, tt.lng, tt.hasPoint)
		if !ok || c.Name != tt.want {
			t.Errorf("CommuneToSuggest(%v, point %v) = %s (ok %v), want %s", tt.codes, tt.hasPoint, c.Name, ok, tt.want)
		}
		if !InTerritory(tt.codes, c.Code) {
			t.Errorf("suggested %s is outside %v", c.Name, tt.codes)
		}
	}
}

func TestFormatBasisPoints(t *testing.T) {
	for bps, want := range map[int64]string{5000: "50\u00a0%", 6667: "66,67\u00a0%", 3330: "33,3\u00a0%", 10000: "100\u00a0%", 5: "0,05\u00a0%", 0: "0\u00a0%"} {
		if got := FormatBasisPoints(bps); got != want {
			t.Errorf("FormatBasisPoints(%d) = %s, want %s", bps, show(got), show(want))
		}
	}
}

func TestCapitalize(t *testing.T) {
	for in, want := range map[string]string{"": "", "année du rapport": "Année du rapport", "élève": "Élève", "Doubs": "Doubs", "1er mai": "1er mai"} {
		if got := Capitalize(in); got != want {
			t.Errorf("Capitalize(%q) = %q, want %q", in, got, want)
		}
	}
}
