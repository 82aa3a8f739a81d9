package web

import (
	"slices"
	"strings"

	"passnum"
	"passnum/territory"
)

// People type a commune as they know it: its INSEE code, its postcode or
// its name. These turn what they typed into the INSEE code the domain
// stores, or say precisely what to type instead. Names are compared as
// territory.Fold folds them.

// resolveCommune reads a commune typed alone (a young person's commune,
// for a counsellor); the error is a field error of field.
func resolveCommune(field, typed string) (string, error) {
	code, detail := findCommune(typed)
	if detail != "" {
		return "", passnum.Invalid(passnum.FieldError{Field: field, Detail: detail})
	}
	return code, nil
}

// findCommune is resolveCommune's work: the commune's code, or what is
// wrong with what was typed.
func findCommune(typed string) (code, detail string) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", "obligatoire : le nom de la commune, son code postal ou son code INSEE (par exemple Besançon, 25000 ou 25056)"
	}
	exact, hits := territory.FindCommunes(typed)
	postcode := len(typed) == 5 && isDigits(typed)
	switch {
	case len(exact) == 1:
		return exact[0].Code, ""
	case postcode && len(exact) == 0:
		return "", "aucune commune ne porte le code INSEE ou le code postal " + typed + " : vérifiez-le, ou saisissez le nom de la commune"
	case postcode:
		return "", "le code postal " + typed + " dessert plusieurs communes : saisissez le code INSEE de la bonne — " + communeChoices(exact)
	case len(exact) > 1:
		return "", "plusieurs communes s'appellent ainsi : saisissez le code INSEE de la bonne — " + communeChoices(exact)
	case len(hits) > 0:
		return "", "commune introuvable sous ce nom. Vouliez-vous dire : " + communeChoices(hits) + " ?"
	}
	return "", "commune introuvable : saisissez son code INSEE à 5 caractères (ex. 25056 pour Besançon), son code postal ou son nom exact"
}

// resolveSiteCommune reads the commune of an address: typed (its name or
// its INSEE code) with the postcode typed beside it. detail says what to
// type instead when it cannot. A postcode that serves one commune is
// enough; a name is looked for among the communes of the postcode first.
func resolveSiteCommune(typed, postcode string) (code, detail string) {
	typed = strings.TrimSpace(typed)
	postcode = strings.TrimSpace(postcode)
	var served []territory.Commune // Paris, Lyon and Marseille included, for their name
	if len(postcode) == 5 && isDigits(postcode) {
		served = territory.CommunesByPostcode(postcode)
	}
	choices := territory.WithoutSplitCities(served)
	if typed == "" {
		switch len(choices) {
		case 1:
			return choices[0].Code, ""
		case 0:
			return "", "commune obligatoire : son nom, par exemple Besançon, ou son code INSEE (25056)"
		}
		return "", "commune obligatoire : le code postal " + postcode + " dessert plusieurs communes — " + communeChoices(choices)
	}
	if up := strings.ToUpper(typed); passnum.ValidINSEECode(up) {
		if c, ok := territory.LookupCommune(up); ok {
			return c.Code, ""
		}
	}
	if len(served) > 0 && !isDigits(typed) {
		exact, _ := territory.FindCommunes(typed)
		for _, c := range served {
			if slices.ContainsFunc(exact, func(e territory.Commune) bool { return e.Code == c.Code }) {
				return c.Code, ""
			}
		}
		return "", "le code postal " + postcode + " ne dessert pas « " + typed + " » : communes de ce code postal — " + communeChoices(choices)
	}
	// The postcode does not help: the commune alone, then the domain
	// checks that the postcode serves it.
	return findCommune(typed)
}

// communeChoices lists a few communes with their codes and départements.
func communeChoices(cs []territory.Commune) string {
	const most = 8
	parts := make([]string, 0, most)
	for i, c := range cs {
		if i == most {
			parts = append(parts, "…")
			break
		}
		dep := c.Departement
		if d, ok := territory.LookupDepartement(dep); ok {
			dep = d.Name
		}
		parts = append(parts, c.Name+" ("+dep+") : "+c.Code)
	}
	return strings.Join(parts, " ; ")
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
