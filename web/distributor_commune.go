package web

import (
	"strings"
	"unicode"

	"passnum"
	"passnum/territory"
)

// A counsellor types the young person's commune as they know it: its
// INSEE code, its postcode or its name. distResolveCommune turns that into the
// INSEE code the domain stores, or says precisely what to type instead.
func distResolveCommune(field, typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	bad := func(detail string) error {
		return passnum.Invalid(passnum.FieldError{Field: field, Detail: detail})
	}
	if typed == "" {
		return "", bad("obligatoire : le code INSEE de la commune (ex. 25056 pour Besançon), son code postal ou son nom")
	}
	if code := strings.ToUpper(typed); passnum.ValidINSEECode(code) {
		if c, ok := territory.LookupCommune(code); ok {
			return c.Code, nil
		}
	}
	if distIsDigits(typed) && len(typed) == 5 {
		cs := distWithoutSplitCities(territory.CommunesByPostcode(typed))
		switch len(cs) {
		case 0:
			return "", bad("aucune commune ne porte le code INSEE ou le code postal " + typed + " : vérifiez-le, ou saisissez le nom de la commune")
		case 1:
			return cs[0].Code, nil
		}
		return "", bad("le code postal " + typed + " dessert plusieurs communes : saisissez le code INSEE de la bonne — " + distCommuneChoices(cs))
	}
	want := distFoldName(typed)
	hits := territory.SearchCommunes(typed, 2000)
	var exact []territory.Commune
	for _, c := range hits {
		if n := distFoldName(c.Name); n == want || distStripFrenchArticle(n) == want {
			exact = append(exact, c)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0].Code, nil
	case len(exact) > 1:
		return "", bad("plusieurs communes s'appellent ainsi : saisissez le code INSEE de la bonne — " + distCommuneChoices(exact))
	case len(hits) > 0:
		return "", bad("commune introuvable sous ce nom. Vouliez-vous dire : " + distCommuneChoices(hits) + " ?")
	}
	return "", bad("commune introuvable : saisissez son code INSEE à 5 caractères (ex. 25056 pour Besançon), son code postal ou son nom exact")
}

// distWithoutSplitCities drops Paris, Lyon and Marseille when one of their
// districts is in the list: the district is the more precise answer.
func distWithoutSplitCities(cs []territory.Commune) []territory.Commune {
	parents := map[string]bool{}
	for _, c := range cs {
		if c.Parent != "" {
			parents[c.Parent] = true
		}
	}
	out := cs[:0:0]
	for _, c := range cs {
		if !parents[c.Code] {
			out = append(out, c)
		}
	}
	return out
}

// distCommuneChoices lists a few communes with their codes and départements.
func distCommuneChoices(cs []territory.Commune) string {
	const most = 8
	parts := make([]string, 0, most)
	for i, c := range cs {
		if i == most {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, c.Name+" ("+distDepartementName(c.Departement)+") : "+c.Code)
	}
	return strings.Join(parts, " ; ")
}

func distDepartementName(code string) string {
	if d, ok := territory.LookupDepartement(code); ok {
		return d.Name
	}
	return code
}

// distCommuneLabel names a commune for display: "Besançon (25056)".
func distCommuneLabel(code string) string {
	if c, ok := territory.LookupCommune(code); ok {
		return c.Name + " (" + c.Code + ")"
	}
	return code
}

func distIsDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var distAccents = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "æ", "ae",
	"ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ñ", "n",
	"ò", "o", "ó", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y",
)

// distFoldName lowers a commune name, removes its distAccents and turns every
// run of other characters than letters and digits into one space, and
// "st"/"ste" into "saint"/"sainte".
func distFoldName(s string) string {
	s = distAccents.Replace(strings.ToLower(s))
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return strings.Join(words, " ")
}

func distStripFrenchArticle(name string) string {
	for _, a := range []string{"l ", "le ", "la ", "les "} {
		if rest, ok := strings.CutPrefix(name, a); ok && rest != "" {
			return rest
		}
	}
	return name
}
