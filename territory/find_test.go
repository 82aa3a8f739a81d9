package territory

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Chalon-sur-Saône":         "chalon sur saone",
		"  CHALON   SUR--SAÔNE ":   "chalon sur saone",
		"St-Étienne":               "saint etienne",
		"ste marie":                "sainte marie",
		"Saint-Étienne":            "saint etienne",
		"L'Abergement-Clémenciat":  "l abergement clemenciat",
		"Cœuvres-et-Valsery":       "coeuvres et valsery",
		"Strasbourg":               "strasbourg",
		"st":                       "saint", // a whole word, even the last one
		"Est":                      "est",
		"Oust":                     "oust",
		"Paris 1er Arrondissement": "paris 1er arrondissement",
		"":                         "",
		" - ' ":                    "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindCommunes(t *testing.T) {
	find := func(typed string, want ...string) {
		t.Helper()
		exact, suggestions := FindCommunes(typed)
		if !slices.Equal(codes(exact), want) {
			t.Errorf("FindCommunes(%q) = %v, want %v", typed, codes(exact), want)
		}
		if len(exact) > 0 && suggestions != nil {
			t.Errorf("FindCommunes(%q): suggestions %v beside exact answers", typed, codes(suggestions))
		}
	}
	// An INSEE code, Corsica's in any case.
	find("25056", "25056")
	find(" 2a004 ", "2A004")
	find("75101", "75101")
	// A postcode: its communes; a district rather than its city.
	find("25000", "25056")
	find("75001", "75101")
	find("75116", "75116")
	// A code that is both an INSEE code and a postcode is the INSEE code:
	// 69001 is Affoux, not Lyon 1er; 13008 Aurons, not Marseille 8e.
	find("69001", "69001")
	find("13008", "13008")
	if exact, _ := FindCommunes("01300"); len(exact) < 5 || !slices.Equal(codes(exact), codes(CommunesByPostcode("01300"))) {
		t.Errorf("01300: %v", codes(exact))
	}
	// A name, however typed, with or without its article.
	find("Besançon", "25056")
	find("BESANCON", "25056")
	find("besançon ", "25056")
	find("L'Abergement-Clémenciat", "01001")
	find("abergement clemenciat", "01001")
	find("St-Étienne", "42218")
	find("Paris", "75056")
	find("paris 1er arrondissement", "75101")
	// Nothing at all.
	for _, typed := range []string{"", "   ", "99999", "zzzzqx", "-"} {
		if exact, suggestions := FindCommunes(typed); exact != nil || suggestions != nil {
			t.Errorf("FindCommunes(%q) = %v, %v", typed, codes(exact), codes(suggestions))
		}
	}
	// No exact name: suggestions, for "did you mean".
	exact, suggestions := FindCommunes("besan")
	if exact != nil || len(suggestions) == 0 || suggestions[0].Code != "25056" || len(suggestions) > 12 {
		t.Errorf("besan: %v, %v", codes(exact), codes(suggestions))
	}
	if _, suggestions := FindCommunes("montb"); len(suggestions) != 12 {
		t.Errorf("montb: %d suggestions", len(suggestions))
	}
}

// Communes that share a name are all found, however many share its start
// ("Saint-Martin-de-…"), biggest population first: the same as a scan of
// every commune.
func TestFindCommunesSharedNames(t *testing.T) {
	s := get()
	for _, typed := range []string{"Saint-Martin", "sainte colombe", "Villeneuve", "Les Abymes", "Le Mesnil"} {
		exact, _ := FindCommunes(typed)
		q := Fold(typed)
		var want []Commune
		for i := range s.communes {
			if n := Fold(s.communes[i].Name); n == q || stripArticle(n) == q {
				want = append(want, s.communes[i])
			}
		}
		slices.SortFunc(want, func(a, b Commune) int {
			if a.Population != b.Population {
				return b.Population - a.Population
			}
			if a.Code < b.Code {
				return -1
			}
			return 1
		})
		if !slices.Equal(codes(exact), codes(want)) {
			t.Errorf("%s: found %v, want %v", typed, codes(exact), codes(want))
		}
	}
	if exact, _ := FindCommunes("Sainte-Colombe"); len(exact) < 10 {
		t.Errorf("Sainte-Colombe: only %d communes", len(exact))
	}
}

func TestWithoutSplitCities(t *testing.T) {
	all := CommunesByPostcode("75001")
	if got := codes(WithoutSplitCities(all)); !slices.Equal(got, []string{"75101"}) {
		t.Errorf("75001: %v", got)
	}
	if len(all) != 2 {
		t.Errorf("WithoutSplitCities changed its argument: %v", codes(all))
	}
	if got := codes(WithoutSplitCities(CommunesByPostcode("25000"))); !slices.Equal(got, []string{"25056"}) {
		t.Errorf("25000: %v", got)
	}
}
