package passnum

import (
	"strings"

	"passnum/territory"
)

// Where a search for places starts: a commune, typed as its INSEE code or
// one of its postcodes, resolved against the reference territory. The API
// and the pages both start their searches here.

// SearchOrigin is the commune a search starts from.
type SearchOrigin struct {
	CommuneINSEE string  `json:"commune_insee" doc:"code INSEE de la commune de départ"`
	Commune      string  `json:"commune" doc:"nom de la commune de départ"`
	Postcode     string  `json:"postcode" doc:"code postal demandé, ou code postal principal de la commune"`
	Latitude     float64 `json:"latitude" doc:"centre de la commune (WGS84)"`
	Longitude    float64 `json:"longitude" doc:"centre de la commune (WGS84)"`
	// OtherCommunes lists the other communes a postcode serves, when the
	// search had to choose one of them.
	OtherCommunes []SearchCommune `json:"other_communes,omitempty" doc:"autres communes desservies par le code postal"`
	Note          string          `json:"note,omitempty" doc:"explication quand le code postal dessert plusieurs communes"`
}

// SearchCommune names a commune.
type SearchCommune struct {
	Code string `json:"commune_insee"`
	Name string `json:"commune"`
}

// ResolveOrigin finds the commune a search starts from: an INSEE code, or
// a postcode. A postcode served by several communes starts from the most
// populated one (a district rather than its whole city), and Note says so.
func ResolveOrigin(commune, postcode string) (SearchOrigin, error) {
	commune, postcode = strings.TrimSpace(commune), strings.TrimSpace(postcode)
	switch {
	case commune != "" && postcode != "":
		return SearchOrigin{}, Invalid(FieldError{Field: "commune", Detail: "indiquez soit commune (code INSEE), soit postcode (code postal), pas les deux"})
	case commune == "" && postcode == "":
		return SearchOrigin{}, Invalid(FieldError{Field: "commune", Detail: "indiquez d'où chercher : commune=25056 (code INSEE) ou postcode=25000 (code postal)"})
	case commune != "":
		return originFromCommune(commune)
	}
	return originFromPostcode(postcode)
}

func originFromCommune(code string) (SearchOrigin, error) {
	c, ok := territory.LookupCommune(code)
	if !ok {
		return SearchOrigin{}, unknownCommune(code)
	}
	if !c.HasCoordinates {
		return SearchOrigin{}, communeWithoutCentre("commune", c)
	}
	o := SearchOrigin{CommuneINSEE: c.Code, Commune: c.Name, Latitude: c.Lat, Longitude: c.Lng}
	if len(c.Postcodes) > 0 {
		o.Postcode = c.Postcodes[0]
	}
	return o, nil
}

// unknownCommune says what to type instead: the code of a commune whose
// name or postcode was typed, when there is one.
func unknownCommune(code string) error {
	field := func(d string) *Error { return Invalid(FieldError{Field: "commune", Detail: d}) }
	if cs := territory.CommunesByPostcode(code); len(cs) > 0 {
		c := pickCommune(cs)
		return field(code + " est un code postal, pas un code INSEE : cherchez avec postcode=" + code + ", ou avec commune=" + c.Code + " (" + c.Name + ")")
	}
	hint := "code INSEE de commune attendu, 5 caractères (par exemple commune=25056 pour Besançon), ou un code postal avec postcode=25000"
	if !ValidINSEECode(code) {
		if hits := territory.SearchCommunes(code, 3); len(hits) > 0 {
			var names []string
			for _, h := range hits {
				names = append(names, h.Name+" : commune="+h.Code)
			}
			e := field("« " + code + " » n'est pas un code INSEE. Vouliez-vous dire " + strings.Join(names, " ; ") + " ?")
			e.Extra = map[string]any{"suggestions": searchCommunes(hits)}
			return e
		}
		return field("« " + code + " » n'est pas un code INSEE : " + hint)
	}
	return field("aucune commune ne porte le code INSEE " + code + " : vérifiez-le (" + hint + ")")
}

func communeWithoutCentre(field string, c territory.Commune) error {
	return Invalid(FieldError{Field: field, Detail: "la commune " + c.Name + " (" + c.Code + ") n'a pas de coordonnées de référence : cherchez depuis une commune voisine"})
}

func searchCommunes(cs []territory.Commune) []SearchCommune {
	out := make([]SearchCommune, len(cs))
	for i, c := range cs {
		out[i] = SearchCommune{Code: c.Code, Name: c.Name}
	}
	return out
}

// pickCommune chooses among the communes of one postcode: the districts of
// Paris, Lyon and Marseille rather than their whole city (more precise),
// then the most populated, then the first by code.
func pickCommune(cs []territory.Commune) territory.Commune {
	hasDistrict := map[string]bool{}
	for _, c := range cs {
		if c.Parent != "" {
			hasDistrict[c.Parent] = true
		}
	}
	best := -1
	for i, c := range cs {
		if hasDistrict[c.Code] || !c.HasCoordinates {
			continue
		}
		if best < 0 || c.Population > cs[best].Population || (c.Population == cs[best].Population && c.Code < cs[best].Code) {
			best = i
		}
	}
	if best < 0 {
		return cs[0]
	}
	return cs[best]
}

func originFromPostcode(postcode string) (SearchOrigin, error) {
	cs := territory.CommunesByPostcode(postcode)
	if len(cs) == 0 {
		detail := "aucune commune n'a le code postal " + postcode + " : tapez les 5 chiffres du code postal (par exemple postcode=25000), ou cherchez avec commune= et le code INSEE"
		if len(postcode) != 5 {
			detail = "code postal attendu, 5 chiffres (par exemple postcode=25000), reçu « " + postcode + " »"
		}
		return SearchOrigin{}, Invalid(FieldError{Field: "postcode", Detail: detail})
	}
	c := pickCommune(cs)
	if !c.HasCoordinates {
		return SearchOrigin{}, communeWithoutCentre("postcode", c)
	}
	o := SearchOrigin{CommuneINSEE: c.Code, Commune: c.Name, Postcode: postcode, Latitude: c.Lat, Longitude: c.Lng}
	var others []territory.Commune
	for _, x := range cs {
		if x.Code != c.Code && x.Code != c.Parent {
			others = append(others, x)
		}
	}
	if len(others) > 0 {
		o.OtherCommunes = searchCommunes(others)
		var names []string
		for _, x := range others {
			names = append(names, x.Name+" ("+x.Code+")")
		}
		o.Note = "Le code postal " + postcode + " dessert plusieurs communes : la recherche part du centre de " + c.Name + " (" + c.Code +
			"). Autres communes : " + strings.Join(names, ", ") + ". Pour partir de l'une d'elles, cherchez avec commune= et son code INSEE."
	}
	return o, nil
}
