package passnum

import (
	"strings"

	"passnum/territory"
)

// DefaultTerritory is Bourgogne-Franche-Comté, région 27.
var DefaultTerritory = []string{"reg:27"}

// ParseTerritory reads a programme's territory: région or département
// codes, written "reg:27", "dep:25", or bare ("27" is the région when one
// has that code, else the département). It returns the normalised codes.
func ParseTerritory(codes []string) ([]string, error) {
	if len(codes) == 0 {
		return DefaultTerritory, nil
	}
	out := make([]string, 0, len(codes))
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		kind, code, hasKind := strings.Cut(c, ":")
		if !hasKind {
			code = kind
			if _, ok := territory.LookupRegion(code); ok {
				kind = "reg"
			} else {
				kind = "dep"
			}
		}
		code = strings.ToUpper(code)
		switch kind {
		case "reg":
			if _, ok := territory.LookupRegion(code); !ok {
				return nil, Invalid(FieldError{Field: "territory", Detail: "région inconnue : " + c + " (code INSEE de région, par exemple reg:27 pour la Bourgogne-Franche-Comté)"})
			}
		case "dep":
			if _, ok := territory.LookupDepartement(code); !ok {
				return nil, Invalid(FieldError{Field: "territory", Detail: "département inconnu : " + c + " (par exemple dep:25 pour le Doubs)"})
			}
		default:
			return nil, Invalid(FieldError{Field: "territory", Detail: "code de territoire attendu sous la forme reg:27 ou dep:25, reçu " + c})
		}
		n := kind + ":" + code
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// InTerritory reports whether a commune lies in the territory; no codes
// means the default territory.
func InTerritory(codes []string, communeINSEE string) bool {
	if len(codes) == 0 {
		codes = DefaultTerritory
	}
	c, ok := territory.LookupCommune(communeINSEE)
	if !ok {
		return false
	}
	if c.Parent != "" { // a district counts as its city
		if p, ok := territory.LookupCommune(c.Parent); ok {
			c = p
		}
	}
	for _, t := range codes {
		kind, code, _ := strings.Cut(t, ":")
		if (kind == "reg" && c.Region == code) || (kind == "dep" && c.Departement == code) {
			return true
		}
	}
	return false
}

// TerritoryName names a territory in French, for refusals.
func TerritoryName(codes []string) string {
	names := make([]string, 0, len(codes))
	for _, t := range codes {
		kind, code, _ := strings.Cut(t, ":")
		if kind == "reg" {
			if r, ok := territory.LookupRegion(code); ok {
				names = append(names, r.Name)
				continue
			}
		} else if d, ok := territory.LookupDepartement(code); ok {
			names = append(names, d.Name+" ("+d.Code+")")
			continue
		}
		names = append(names, t)
	}
	return strings.Join(names, ", ")
}

// suggestedPopulation is the size of the towns a search outside the
// territory suggests: big enough to have labelled places, many enough
// that one is near.
const suggestedPopulation = 10000

// CommuneToSuggest picks a commune of the territory to search from, for
// someone who searched outside it: the town of the territory (10 000
// inhabitants or more) nearest the point they searched from, or the most
// populated commune of the territory when no point is known (hasPoint
// false) or no town is that big. ok is false for a territory without
// communes.
func CommuneToSuggest(codes []string, lat, lng float64, hasPoint bool) (c territory.Commune, ok bool) {
	if len(codes) == 0 {
		codes = DefaultTerritory
	}
	best, bestKm := -1, 0.0
	communes := territory.CommunesIn(codes...)
	largest := -1
	for i, x := range communes {
		if largest < 0 || x.Population > communes[largest].Population {
			largest = i
		}
		if !hasPoint || !x.HasCoordinates || x.Population < suggestedPopulation {
			continue
		}
		if km := territory.DistanceKm(lat, lng, x.Lat, x.Lng); best < 0 || km < bestKm {
			best, bestKm = i, km
		}
	}
	switch {
	case best >= 0:
		return communes[best], true
	case largest >= 0:
		return communes[largest], true
	}
	return territory.Commune{}, false
}
