package web

import (
	"strconv"
	"strings"

	"passnum"
)

// siteFromForm reads a site form (a place's own, or the site of an
// application, whose fields are named with prefix "site.") into what the
// domain validates; pre are the failures found while reading it, named
// as the form's fields: a commune that cannot be found, coordinates that
// are not numbers. The site itself is not validated.
func siteFromForm(f *form, prefix string) (site passnum.NewSite, pre passnum.FieldErrors) {
	get := func(name string) string { return f.Get(prefix + name) }
	list := func(name string) []string { // the non-empty values of a group of checkboxes
		out := []string{}
		for _, v := range f.Values[prefix+name] {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	site = passnum.NewSite{
		Name: get("name"), Address: get("address"), AddressComplement: get("address_complement"), Postcode: get("postcode"),
		Phone: get("phone"), Email: get("email"), Website: get("website"),
		AccessibilityURL: get("accessibility_url"),
		Services:         list("services"), Publics: list("publics"), SpecificSupport: list("specific_support"),
	}
	hours, hoursErrs := readHours(f, prefix)
	site.OpeningHours = hours
	pre = append(pre, hoursErrs...)
	code, msg := resolveSiteCommune(get("commune"), site.Postcode)
	if msg != "" {
		pre.Add(prefix+"commune", msg)
	}
	site.CommuneINSEE = code
	lat, lng := get("latitude"), get("longitude")
	if lat != "" || lng != "" {
		la, errLa := strconv.ParseFloat(strings.Replace(lat, ",", ".", 1), 64)
		lo, errLo := strconv.ParseFloat(strings.Replace(lng, ",", ".", 1), 64)
		switch {
		case lat == "" || lng == "":
			pre.Add(prefix+"latitude", "donnez la latitude et la longitude ensemble, ou aucune des deux")
		case errLa != nil:
			pre.Add(prefix+"latitude", "latitude attendue en degrés décimaux, par exemple 47.2378")
		case errLo != nil:
			pre.Add(prefix+"longitude", "longitude attendue en degrés décimaux, par exemple 6.0241")
		default:
			site.Latitude, site.Longitude = &la, &lo
		}
	}
	return site, pre
}
