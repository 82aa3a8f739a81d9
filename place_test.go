package passnum_test

import (
	"slices"
	"strings"
	"testing"

	"passnum"
)

func pointerTo[T any](v T) *T { return &v }

// validApplication is a complete application from a Besançon media library.
func validApplication() passnum.NewPlaceApplication {
	return passnum.NewPlaceApplication{
		Name:         "Médiathèque Pierre-Bayle",
		SIRET:        "732 829 320 00074",
		LegalRep:     passnum.LegalRepresentative{Name: "Claire Dupont", Role: "directrice"},
		ContactEmail: "accueil@mediatheque-besancon.fr",
		ContactPhone: "03 81 87 80 00",
		Site: passnum.NewSite{
			Address: "27 rue de la République", CommuneINSEE: "25056", Postcode: "25000",
			Latitude: pointerTo(47.2378), Longitude: pointerTo(6.0241), OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
			Services:        []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"},
			Publics:         []string{"Jeunes"},
			SpecificSupport: []string{"Handicaps moteurs", "Surdité"},
		},
		CharterAccepted: true,
		CharterVersion:  passnum.CharterVersion,
		Bank:            passnum.NewBankAccount{Holder: "Ville de Besançon", IBAN: "fr76 3000 6000 0112 3456 7890 189", BIC: "bnpafrpp"},
	}
}

func TestPlaceApplicationValid(t *testing.T) {
	a := validApplication()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	// Normalised as it will be stored and exported.
	if a.SIRET != "73282932000074" || a.ContactPhone != "+33381878000" || a.Bank.IBAN != "FR7630006000011234567890189" || a.Bank.BIC != "BNPAFRPP" {
		t.Fatalf("not normalised: %+v", a)
	}
	if a.Site.Name != a.Name {
		t.Fatalf("site name %q, want the organisation's", a.Site.Name)
	}
	// Validating again changes nothing.
	b := a
	if err := b.Validate(); err != nil || b.ContactPhone != a.ContactPhone || b.SIRET != a.SIRET {
		t.Fatalf("second validation: %v %+v", err, b)
	}
}

func TestPlaceApplicationInvalid(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(a *passnum.NewPlaceApplication)
		field string
		want  string
	}{
		{"bad SIRET key", func(a *passnum.NewPlaceApplication) { a.SIRET = "73282932000075" }, "siret", "clé de contrôle"},
		{"no name", func(a *passnum.NewPlaceApplication) { a.Name = "  " }, "name", "obligatoire"},
		{"no legal representative", func(a *passnum.NewPlaceApplication) { a.LegalRep.Name = "" }, "legal_representative.name", "obligatoire"},
		{"no role", func(a *passnum.NewPlaceApplication) { a.LegalRep.Role = "" }, "legal_representative.role", "obligatoire"},
		{"bad e-mail", func(a *passnum.NewPlaceApplication) { a.ContactEmail = "accueil@" }, "contact_email", "adresse électronique"},
		{"e-mail with a name", func(a *passnum.NewPlaceApplication) { a.ContactEmail = "Accueil <accueil@mediatheque.fr>" }, "contact_email", "adresse électronique"},
		{"bad phone", func(a *passnum.NewPlaceApplication) { a.ContactPhone = "12 34" }, "contact_phone", "téléphone"},
		{"charter not accepted", func(a *passnum.NewPlaceApplication) { a.CharterAccepted = false }, "charter_accepted", "charte"},
		{"no charter version", func(a *passnum.NewPlaceApplication) { a.CharterVersion = "" }, "charter_version", passnum.CharterVersion},
		{"old charter version", func(a *passnum.NewPlaceApplication) { a.CharterVersion = "2022-01" }, "charter_version", "2022-01"},
		{"unknown commune", func(a *passnum.NewPlaceApplication) { a.Site.CommuneINSEE = "25999" }, "site.commune_insee", "aucune commune"},
		{"postcode as commune", func(a *passnum.NewPlaceApplication) { a.Site.CommuneINSEE = "2500" }, "site.commune_insee", "code INSEE"},
		{"postcode of another commune", func(a *passnum.NewPlaceApplication) { a.Site.Postcode = "21000" }, "site.postcode", "ne dessert pas Besançon"},
		{"malformed postcode", func(a *passnum.NewPlaceApplication) { a.Site.Postcode = "25 000" }, "site.postcode", "5 chiffres"},
		{"no address", func(a *passnum.NewPlaceApplication) { a.Site.Address = "" }, "site.address", "obligatoire"},
		{"address on two lines", func(a *passnum.NewPlaceApplication) { a.Site.Address = "27 rue\nde la République" }, "site.address", "une seule ligne"},
		{"latitude alone", func(a *passnum.NewPlaceApplication) { a.Site.Longitude = nil }, "site.latitude", "ensemble"},
		{"coordinates swapped", func(a *passnum.NewPlaceApplication) {
			a.Site.Latitude, a.Site.Longitude = pointerTo(6.0241), pointerTo(47.2378)
		}, "site.latitude", "inversées"},
		{"coordinates abroad", func(a *passnum.NewPlaceApplication) {
			a.Site.Latitude, a.Site.Longitude = pointerTo(40.4168), pointerTo(-3.7038)
		}, "site.latitude", "pas en France"},
		{"coordinates far from the commune", func(a *passnum.NewPlaceApplication) {
			a.Site.Latitude, a.Site.Longitude = pointerTo(48.8566), pointerTo(2.3522)
		}, "site.latitude", "km du centre de Besançon"},
		{"no service", func(a *passnum.NewPlaceApplication) { a.Site.Services = nil }, "site.services", "au moins un service"},
		{"unknown service", func(a *passnum.NewPlaceApplication) { a.Site.Services = []string{"Cours de piano"} }, "site.services", "Cours de piano"},
		{"unknown public", func(a *passnum.NewPlaceApplication) { a.Site.Publics = []string{"Retraités"} }, "site.publics", "Retraités"},
		{"unknown support", func(a *passnum.NewPlaceApplication) { a.Site.SpecificSupport = []string{"Daltonisme"} }, "site.specific_support", "Daltonisme"},
		{"hours on two lines", func(a *passnum.NewPlaceApplication) { a.Site.OpeningHours = "Mo 09:00-12:00\nTu 09:00-12:00" }, "site.opening_hours", "une seule ligne"},
		{"website without scheme", func(a *passnum.NewPlaceApplication) { a.Site.Website = "www.example.fr" }, "site.website", "https://"},
		{"no holder", func(a *passnum.NewPlaceApplication) { a.Bank.Holder = "" }, "bank_account.holder", "titulaire"},
		{"no IBAN", func(a *passnum.NewPlaceApplication) { a.Bank.IBAN = "" }, "bank_account.iban", "obligatoire"},
		{"IBAN with a wrong key", func(a *passnum.NewPlaceApplication) { a.Bank.IBAN = "FR7630006000011234567890188" }, "bank_account.iban", "clé de contrôle"},
		{"IBAN too short for France", func(a *passnum.NewPlaceApplication) { a.Bank.IBAN = "FR763000600001123456789018" }, "bank_account.iban", "27 caractères"},
		{"BIC too short", func(a *passnum.NewPlaceApplication) { a.Bank.BIC = "BNPAFR" }, "bank_account.bic", "8 ou 11"},
		{"BIC of another country", func(a *passnum.NewPlaceApplication) { a.Bank.BIC = "DEUTDEFF" }, "bank_account.bic", "même RIB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := validApplication()
			c.edit(&a)
			err := a.Validate()
			e := applicationFieldError(t, err, c.field)
			if !strings.Contains(e.Detail, c.want) {
				t.Fatalf("%s: %q, want it to mention %q", c.field, e.Detail, c.want)
			}
		})
	}
}

// Every failure is reported at once, so the form is fixed in one go.
func TestPlaceApplicationReportsEveryField(t *testing.T) {
	a := validApplication()
	a.SIRET = "123"
	a.Site.CommuneINSEE = "99999"
	a.Bank.IBAN = "FR00"
	a.CharterVersion = "1"
	err := a.Validate()
	for _, f := range []string{"siret", "site.commune_insee", "bank_account.iban", "charter_version"} {
		applicationFieldError(t, err, f)
	}
}

func applicationFieldError(t *testing.T, err error, field string) passnum.FieldError {
	t.Helper()
	e, ok := err.(*passnum.Error)
	if !ok || e.Code != passnum.EINVALID {
		t.Fatalf("error %v, want invalid on %s", err, field)
	}
	i := slices.IndexFunc(e.Fields, func(f passnum.FieldError) bool { return f.Field == field })
	if i < 0 {
		t.Fatalf("no error on %s: %+v", field, e.Fields)
	}
	return e.Fields[i]
}

func TestNewSiteDeduplicatesValues(t *testing.T) {
	s := validApplication().Site
	s.Services = []string{" Aide aux démarches administratives", "Aide aux démarches administratives"}
	if err := s.Validate("").Err(); err != nil {
		t.Fatal(err)
	}
	if len(s.Services) != 1 || s.Services[0] != "Aide aux démarches administratives" {
		t.Fatalf("services: %q", s.Services)
	}
}

func TestSiteUpdateApply(t *testing.T) {
	s := passnum.Site{Name: "Médiathèque", Address: "1 rue A", CommuneINSEE: "25056", Postcode: "25000", Services: []string{"Aide aux démarches administratives"},
		Latitude: pointerTo(47.2), Longitude: pointerTo(6.0)}
	n, changed := passnum.SiteUpdate{OpeningHours: pointerTo("Mo 10:00-12:00"), Services: pointerTo([]string{"Loisirs et créations numériques"})}.Apply(s)
	if n.OpeningHours != "Mo 10:00-12:00" || n.Services[0] != "Loisirs et créations numériques" || n.Address != "1 rue A" || *n.Latitude != 47.2 {
		t.Fatalf("applied: %+v", n)
	}
	if !slices.Equal(changed, []string{"opening_hours", "services"}) {
		t.Fatalf("changed: %q", changed)
	}
	if s.Services[0] != "Aide aux démarches administratives" {
		t.Fatal("the site itself was modified")
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := map[string]string{
		"03 81 87 80 00":       "+33381878000",
		"03.81.87.80.00":       "+33381878000",
		"+33 3 81 87 80 00":    "+33381878000",
		"+33 (0)3 81 87 80 00": "+33381878000",
		"0033 381878000":       "+33381878000",
		"06 12 34 56 78":       "+33612345678",
		"0590 12 34 56":        "+590590123456",
		"0262 12 34 56":        "+262262123456",
		"12 34":                "",
		"03 81 87 80":          "",
		"+1 202 555 0100":      "",
		"téléphone":            "",
	}
	for in, want := range cases {
		got, ok := passnum.NormalizePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestSiteOpeningHoursParsed(t *testing.T) {
	s := validApplication().Site
	s.OpeningHours = "lundi 9h-12h"
	e := applicationFieldError(t, s.Validate("site.").Err(), "site.opening_hours")
	if !strings.Contains(e.Detail, "OpenStreetMap") {
		t.Fatalf("opening hours refusal: %q", e.Detail)
	}
	s.OpeningHours = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"
	if err := s.Validate("site.").Err(); err != nil {
		t.Fatal(err)
	}
}
