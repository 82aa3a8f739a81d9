package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"passnum"
	"passnum/store"
)

// The place's profile: its sites ("points de présence", where it welcomes
// the public and holds its sessions) and its bank details, which the
// operator approves before any payment goes to them.

// placeProfilePages: the sites and the bank details of a place.
func placeProfilePages() []*page {
	p := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: placeRole, Handle: h}
	}
	return []*page{
		p("GET", "/lieu/sites", lieuSitesPage),
		p("POST", "/lieu/sites", lieuCreateSite),
		p("GET", "/lieu/sites/{id}", lieuSitePage),
		p("POST", "/lieu/sites/{id}", lieuUpdateSite),
		p("GET", "/lieu/coordonnees-bancaires", lieuBankPage),
		p("POST", "/lieu/coordonnees-bancaires", lieuProposeBank),
	}
}

// --- The site form -------------------------------------------------------

// lieuSiteForm is the site form's fields, in the order they are shown.
type lieuSiteForm struct {
	Address  []field
	Groups   []checkGroup
	Hours    hoursForm
	Contact  []field
	Position []field
}

// lieuSiteFields builds the site form over f; editing says whether an
// existing site is changed (its name is then kept when left empty, and so
// are its coordinates).
func lieuSiteFields(f *form, editing bool) lieuSiteForm {
	nameHint := "Facultatif : par défaut, le nom de votre structure. Par exemple : Espace public numérique de Planoise."
	posHint := "Facultatif, en degrés décimaux, par exemple 47.2378. Sans coordonnées, la recherche des lieux place le site au centre de sa commune."
	if editing {
		nameHint = "Laissé vide, le site garde son nom actuel."
		posHint = "En degrés décimaux, par exemple 47.2378. Laissées vides, les coordonnées déjà enregistrées sont conservées ; sans coordonnées, la recherche des lieux place le site au centre de sa commune."
	}
	return lieuSiteForm{
		Address: []field{
			newField(f, "name", "Nom du site", "text", "hint="+nameHint),
			newField(f, "address", "Adresse (numéro et voie)", "text", "required", "autocomplete=address-line1", "hint=Par exemple : 12 rue de la République."),
			newField(f, "address_complement", "Complément d'adresse", "text", "autocomplete=address-line2", "hint=Facultatif : bâtiment, étage…"),
			newField(f, "postcode", "Code postal", "text", "required", "autocomplete=postal-code", "attr:inputmode=numeric", "hint=5 chiffres, par exemple 25000."),
			newField(f, "commune", "Commune", "text", "required", "autocomplete=address-level2",
				"hint=Son nom, par exemple Besançon, ou son code INSEE (25056 pour Besançon, à ne pas confondre avec le code postal)."),
		},
		Groups: []checkGroup{
			{Form: f, Name: "services", Legend: "Services proposés", Hint: "Au moins un, dans le référentiel national de la médiation numérique.", Values: passnum.NationalServices, Required: true},
			{Form: f, Name: "publics", Legend: "Publics spécifiquement accueillis", Hint: "Facultatif.", Values: passnum.PlacePublics},
			{Form: f, Name: "specific_support", Legend: "Prises en charge spécifiques (accessibilité)", Hint: "Facultatif.", Values: passnum.PlaceSpecificSupports},
		},
		Contact: []field{
			newField(f, "phone", "Téléphone du site", "tel", "autocomplete=off", "hint=Facultatif, par exemple 03 81 87 80 00."),
			newField(f, "email", "Adresse électronique du site", "email", "autocomplete=off", "hint=Facultatif : publiée dans l'annuaire des lieux."),
			newField(f, "website", "Site internet", "url", "autocomplete=off", "hint=Facultatif, commençant par https://"),
			newField(f, "accessibility_url", "Fiche d'accessibilité", "url", "autocomplete=off", "hint=Facultatif : adresse de la fiche Acceslibre du site, commençant par https://"),
		},
		Hours: newHoursForm(f, ""),
		Position: []field{
			newField(f, "latitude", "Latitude", "text", "attr:inputmode=decimal", "hint="+posHint),
			newField(f, "longitude", "Longitude", "text", "attr:inputmode=decimal", "hint=Avec la latitude, par exemple 6.0241."),
		},
	}
}

// lieuSiteValues fills a form with a site as it is, to edit it.
func lieuSiteValues(s passnum.Site) *form {
	v := url.Values{
		"name": {s.Name}, "address": {s.Address}, "address_complement": {s.AddressComplement}, "postcode": {s.Postcode},
		"commune": {s.CommuneName}, "phone": {passnum.FormatPhone(s.Phone)}, "email": {s.Email},
		"website": {s.Website}, "accessibility_url": {s.AccessibilityURL},
		"services": slices.Clone(s.Services), "publics": slices.Clone(s.Publics), "specific_support": slices.Clone(s.SpecificSupport),
	}
	setHoursValues(v, "", s.OpeningHours)
	if s.CommuneName == "" {
		v.Set("commune", s.CommuneINSEE)
	}
	if s.Latitude != nil && s.Longitude != nil {
		v.Set("latitude", strconv.FormatFloat(*s.Latitude, 'f', -1, 64))
		v.Set("longitude", strconv.FormatFloat(*s.Longitude, 'f', -1, 64))
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// lieuReadSite reads the site form into what the domain validates: the
// site is validated, and every failure returned at once, with those found
// while reading the form (a commune that cannot be found, coordinates
// that are not numbers).
func lieuReadSite(f *form) (passnum.NewSite, error) {
	n, fe := siteFromForm(f, "")
	fe = append(fe, n.Validate("")...)
	return n, fe.Err()
}

// lieuSiteFailed explains a refused site form above it, in French.
func lieuSiteFailed(f *form, err error) bool {
	if !f.Fail(err, "commune_insee", "commune") {
		return false
	}
	if passnum.ErrorCode(err) == passnum.EINVALID {
		f.Message = "Le site n'a pas été enregistré : corrigez les champs signalés."
	}
	return true
}

// --- The sites -----------------------------------------------------------

type lieuSitesView struct {
	Sites  []passnum.Site
	Fields lieuSiteForm
}

func lieuSitesPage(q *request) error {
	return lieuSites(q, http.StatusOK, &form{Values: url.Values{}, Errors: map[string]string{}})
}

func lieuSites(q *request, status int, f *form) error {
	v := lieuSitesView{Fields: lieuSiteFields(f, false)}
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.Sites, err = tx.PlaceSites(q.ctx(), q.org())
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "place/sites", "Sites", v, f)
}

func lieuCreateSite(q *request) error {
	f := newForm(q.r)
	n, err := lieuReadSite(f)
	var s passnum.Site
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			var err error
			s, err = tx.CreateSite(q.ctx(), q.actor(), q.org(), n)
			return err
		})
	}
	if err == nil {
		return q.redirect("/lieu/sites", "Site « "+s.Name+" » ajouté : vous pouvez y programmer des sessions, et il paraît dans la recherche des lieux.")
	}
	if !lieuSiteFailed(f, err) {
		return err
	}
	return lieuSites(q, lieuStatusOf(err), f)
}

type lieuSiteView struct {
	Site   passnum.Site
	Fields lieuSiteForm
}

func lieuSitePage(q *request) error {
	return lieuSite(q, http.StatusOK, nil)
}

// lieuSite draws a site's edit form: as the site is, or as typed (f) when
// the change was refused.
func lieuSite(q *request, status int, f *form) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var v lieuSiteView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.Site, err = tx.Site(q.ctx(), id, q.org())
		return err
	}); err != nil {
		return err
	}
	if f == nil {
		f = lieuSiteValues(v.Site)
	}
	v.Fields = lieuSiteFields(f, true)
	return q.render(status, "place/site", "Site « "+v.Site.Name+" »", v, f)
}

func lieuUpdateSite(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	n, invalid := lieuReadSite(f)
	var s passnum.Site
	err = q.write(func(tx *store.Tx) error {
		// Another place's site is not found, whatever the form says.
		if _, err := tx.Site(q.ctx(), id, q.org()); err != nil {
			return err
		}
		if invalid != nil {
			return invalid
		}
		u := passnum.SiteUpdate{Name: &n.Name, Address: &n.Address, AddressComplement: &n.AddressComplement, CommuneINSEE: &n.CommuneINSEE,
			Postcode: &n.Postcode, Latitude: n.Latitude, Longitude: n.Longitude, OpeningHours: &n.OpeningHours, Phone: &n.Phone,
			Email: &n.Email, Website: &n.Website, AccessibilityURL: &n.AccessibilityURL,
			Services: &n.Services, Publics: &n.Publics, SpecificSupport: &n.SpecificSupport}
		var err error
		s, err = tx.UpdateSite(q.ctx(), q.actor(), id, q.org(), u)
		return err
	})
	if err == nil {
		return q.redirect("/lieu/sites", "Site « "+s.Name+" » mis à jour.")
	}
	if passnum.ErrorCode(err) == passnum.ENOTFOUND || !lieuSiteFailed(f, err) {
		return err
	}
	return lieuSite(q, lieuStatusOf(err), f)
}

// --- Bank details --------------------------------------------------------

type lieuBankView struct {
	// Accounts is the history, newest first, IBANs masked.
	Accounts []passnum.BankAccount
	Current  *passnum.BankAccount
	Pending  *passnum.BankAccount
}

func lieuBankPage(q *request) error {
	return lieuBankDetails(q, http.StatusOK, nil)
}

func lieuBankDetails(q *request, status int, f *form) error {
	var v lieuBankView
	if err := q.view(func(tx *store.Tx) error {
		list, err := tx.BankAccounts(q.ctx(), q.org())
		if err != nil {
			return err
		}
		for _, b := range list {
			// The place sees its IBANs masked, as the API shows them: a
			// session left open must not leak the account.
			b = b.Masked()
			v.Accounts = append(v.Accounts, b)
			switch b.Status {
			case passnum.BankApproved:
				v.Current = &b
			case passnum.BankPending:
				v.Pending = &b
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return q.render(status, "place/bank", "Coordonnées bancaires", v, f)
}

func lieuProposeBank(q *request) error {
	f := newForm(q.r)
	n := passnum.NewBankAccount{Holder: f.Get("holder"), IBAN: f.Get("iban"), BIC: f.Get("bic")}
	err := n.Validate("").Err()
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			_, err := tx.ProposeBankAccount(q.ctx(), q.actor(), q.org(), n)
			return err
		})
	}
	if err == nil {
		return q.redirect("/lieu/coordonnees-bancaires", "Coordonnées bancaires envoyées : elles attendent la validation de l'opérateur du programme. D'ici là, vos remboursements restent versés sur le compte validé.")
	}
	if !f.Fail(err) {
		return err
	}
	if passnum.ErrorCode(err) == passnum.EINVALID {
		f.Message = "Les coordonnées bancaires n'ont pas été envoyées : corrigez les champs signalés."
	}
	return lieuBankDetails(q, lieuStatusOf(err), f)
}
