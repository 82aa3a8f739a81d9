package passnum

import (
	"slices"
	"strings"
	"testing"
)

func fptr(v float64) *float64 { return &v }

// validRecord is a complete, valid row: a médiathèque in Besançon.
func validRecord() SiteRecord {
	return SiteRecord{
		OpenDataID: "bfc-0001", Pivot: "73282932000074", Name: "Médiathèque Pierre-Bayle",
		CommuneName: "Besançon", Postcode: "25000", CommuneINSEE: "25056", Address: "27 rue de la République",
		Latitude: fptr(47.2378), Longitude: fptr(6.0241), Phone: "03 81 87 80 00",
		Emails: []string{"accueil@bm-besancon.fr"}, Websites: []string{"https://www.bm-besancon.fr"},
		OpeningHours: "Tu-Sa 10:00-18:00", Services: []string{"Maîtrise des outils numériques du quotidien"},
		Fees: []string{"gratuit"}, UpdatedOn: MustDate("2026-03-01"),
	}
}

func fieldsOf(fe FieldErrors) []string {
	var out []string
	for _, f := range fe {
		out = append(out, f.Field)
	}
	return out
}

func TestSiteRecordCheckValid(t *testing.T) {
	r := validRecord()
	r.Pivot = " 732 829 320 00074 "
	problems, warnings := r.Check()
	if len(problems) > 0 || len(warnings) > 0 {
		t.Fatalf("problems %v, warnings %v", problems, warnings)
	}
	if r.Phone != "+33381878000" || r.Pivot != "73282932000074" || r.Fees[0] != "Gratuit" {
		t.Fatalf("not normalised: %q %q %v", r.Phone, r.Pivot, r.Fees)
	}
}

func TestSiteRecordCheckProblems(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(r *SiteRecord)
		field  string
		detail string
	}{
		{"no id", func(r *SiteRecord) { r.OpenDataID = " " }, "id", "obligatoire"},
		{"no name", func(r *SiteRecord) { r.Name = "" }, "nom", "obligatoire"},
		{"no address", func(r *SiteRecord) { r.Address = "" }, "adresse", "obligatoire"},
		{"no date", func(r *SiteRecord) { r.UpdatedOn = Date{} }, "date_maj", "obligatoire"},
		{"bad SIRET key", func(r *SiteRecord) { r.Pivot = "73282932000075" }, "pivot", "clé de contrôle"},
		{"bad SIREN key", func(r *SiteRecord) { r.Pivot = "732829321" }, "pivot", "SIREN invalide"},
		{"not a SIRET", func(r *SiteRecord) { r.Pivot = "ABC123" }, "pivot", "SIRET (14 chiffres)"},
		{"malformed INSEE", func(r *SiteRecord) { r.CommuneINSEE = "ABCDE" }, "code_insee", "code INSEE"},
		{"postcode as INSEE", func(r *SiteRecord) { r.CommuneINSEE = "25000" }, "code_insee", "aucune commune ne porte le code INSEE 25000"},
		{"postcode of another commune", func(r *SiteRecord) { r.Postcode = "21000" }, "code_postal", "ne dessert pas Besançon"},
		{"postcode shape", func(r *SiteRecord) { r.Postcode = "2500" }, "code_postal", "5 chiffres"},
		{"ambiguous name", func(r *SiteRecord) {
			r.CommuneINSEE, r.CommuneName, r.Postcode, r.Latitude, r.Longitude = "", "Besançon", "25870", nil, nil
		}, "commune", "Châtillon-le-Duc (25133)"},
		{"unknown postcode", func(r *SiteRecord) { r.CommuneINSEE, r.Postcode = "", "25999" }, "code_postal", "aucune commune n'a le code postal"},
		{"one coordinate", func(r *SiteRecord) { r.Longitude = nil }, "latitude", "ensemble"},
		{"outside France", func(r *SiteRecord) { r.Latitude, r.Longitude = fptr(40.4168), fptr(-3.7038) }, "latitude", "ne sont pas en France"},
		{"inverted", func(r *SiteRecord) { r.Latitude, r.Longitude = fptr(6.0241), fptr(47.2378) }, "latitude", "inversées"},
		{"impossible", func(r *SiteRecord) { r.Latitude = fptr(123) }, "latitude", "impossibles"},
		{"hours", func(r *SiteRecord) { r.OpeningHours = "Lundi 9h-12h" }, "horaires", "Mo"},
		{"phone", func(r *SiteRecord) { r.Phone = "12" }, "telephone", "+33381878000"},
		{"summary too long", func(r *SiteRecord) { r.Summary = strings.Repeat("é", 281) }, "presentation_resume", "280 caractères"},
		{"unknown service", func(r *SiteRecord) { r.Services = []string{"Cours de cuisine"} }, "services", "Cours de cuisine"},
		{"unknown fee", func(r *SiteRecord) { r.Fees = []string{"Gratuit", "Sur devis"} }, "frais_a_charge", "Gratuit sous condition"},
		{"unknown public", func(r *SiteRecord) { r.Publics = []string{"Adultes"} }, "publics_specifiquement_adresses", "Jeunes"},
		{"itinerance", func(r *SiteRecord) { r.Itinerance = []string{"Mobile"} }, "itinerance", "Itinérant"},
		{"two lines", func(r *SiteRecord) { r.Address = "27 rue\nde la République" }, "adresse", "une seule ligne"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRecord()
			c.edit(&r)
			problems, _ := r.Check()
			for _, p := range problems {
				if p.Field == c.field && strings.Contains(p.Detail, c.detail) {
					return
				}
			}
			t.Fatalf("want a problem on %s saying %q, got %v", c.field, c.detail, problems)
		})
	}
}

func TestSiteRecordCommuneResolution(t *testing.T) {
	cases := []struct {
		name, commune, postcode, want string
		warn                          bool
	}{
		{"exact", "Besançon", "25000", "25056", false},
		{"without accents, other case", "BESANCON", "25000", "25056", false},
		{"among several", "Chalon sur Saone", "71100", "71076", false},
		{"saint abbreviated", "St-Claude", "39200", "39478", false},
		{"article dropped", "Rixouse", "39200", "39460", false},
		{"district", "Paris 15e Arrondissement", "75015", "75115", false},
		{"city of districts", "Paris", "75015", "75056", false},
		{"single commune, other name", "Besac", "25000", "25056", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRecord()
			r.CommuneINSEE, r.CommuneName, r.Postcode, r.Latitude, r.Longitude = "", c.commune, c.postcode, nil, nil
			problems, warnings := r.Check()
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if r.CommuneINSEE != c.want {
				t.Fatalf("resolved to %q, want %q", r.CommuneINSEE, c.want)
			}
			if got := slices.Contains(fieldsOf(warnings), "commune"); got != c.warn {
				t.Fatalf("warning on commune: %v, want %v (%v)", got, c.warn, warnings)
			}
		})
	}
}

func TestSiteRecordWarnings(t *testing.T) {
	r := validRecord()
	r.Latitude, r.Longitude = fptr(43.52609), fptr(5.41423) // Aix-en-Provence, not Besançon
	r.CommuneName = "Dijon"
	r.Emails = []string{"accueil@bm-besancon.fr", "pas une adresse"}
	r.Websites = []string{"www.bm-besancon.fr"}
	problems, warnings := r.Check()
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := []string{"commune", "latitude", "courriels", "site_web"} // in the standard's column order
	if got := fieldsOf(warnings); !slices.Equal(got, want) {
		t.Fatalf("warnings on %v, want %v: %v", got, want, warnings)
	}
	if !strings.Contains(warnings[1].Detail, "km du centre de Besançon") {
		t.Fatalf("distance warning: %s", warnings[1].Detail)
	}
}

func TestSiteRecordPivots(t *testing.T) {
	for _, p := range []string{"73282932000074", "35600000000048", "356000000", "434933123", "W251001234"} {
		if msg := checkPivot(p); msg != "" {
			t.Errorf("%s refused: %s", p, msg)
		}
	}
	for _, p := range []string{"73282932000075", "434933124", "W25100123", "X251001234", "7328293200007"} {
		if checkPivot(p) == "" {
			t.Errorf("%s accepted", p)
		}
	}
}

func TestSiteRecordValues(t *testing.T) {
	var r SiteRecord
	if len(OpenDataFields) != 32 || OpenDataFields[0] != "id" || OpenDataFields[31] != "prise_rdv" {
		t.Fatalf("columns: %v", OpenDataFields)
	}
	if !slices.Equal(OpenDataRequired, []string{"id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"}) {
		t.Fatalf("required: %v", OpenDataRequired)
	}
	for field, v := range map[string]string{
		"services": "Aide aux démarches administratives|Loisirs et créations numériques", "latitude": "47.2378",
		"longitude": "6.0241", "date_maj": "2026-03-01", "courriels": "a@b.fr|c@d.fr", "nom": "L'Atelier, « numérique »",
	} {
		if msg := r.Set(field, v); msg != "" {
			t.Fatalf("%s: %s", field, msg)
		}
		if got := r.Value(field); got != v {
			t.Fatalf("%s: %q read back as %q", field, v, got)
		}
	}
	if msg := r.Set("latitude", "47,2378"); msg != "" || r.Value("latitude") != "47.2378" {
		t.Fatalf("decimal comma: %q %q", msg, r.Value("latitude"))
	}
	if r.Set("latitude", "nord") == "" || r.Set("date_maj", "02/04/2024") == "" {
		t.Fatal("bad values accepted")
	}
	if r.Set("courriels", " a@b.fr || c@d.fr "); len(r.Emails) != 2 {
		t.Fatalf("list not trimmed: %q", r.Emails)
	}
}

func TestSiteRecordPublishedAndCompare(t *testing.T) {
	r := validRecord()
	r.Fees = []string{"Payant"}
	r.Labelled = true
	p := r.Published()
	if got := p.Value("frais_a_charge"); got != "Payant|Gratuit sous condition" {
		t.Fatalf("labelled fees: %q", got)
	}
	if r.Value("frais_a_charge") != "Payant" {
		t.Fatal("Published changed its receiver")
	}
	if again := p.Published(); again.Value("frais_a_charge") != p.Value("frais_a_charge") {
		t.Fatal("fee added twice")
	}

	old := validRecord()
	n := validRecord()
	n.UpdatedOn = MustDate("2027-01-01")
	if !n.SameOpenData(&old) {
		t.Fatal("date_maj alone makes a difference")
	}
	n.OpeningHours, n.Phone, n.Services = "", "", nil
	n.KeepAbsent(&old, map[string]bool{"id": true, "telephone": true})
	if n.OpeningHours != old.OpeningHours || n.Services[0] != old.Services[0] || n.Phone != "" {
		t.Fatalf("KeepAbsent: %+v", n)
	}
	if got := n.ChangedFields(&old); !slices.Equal(got, []string{"telephone"}) {
		t.Fatalf("changed: %v", got)
	}
}

func TestImportReportSort(t *testing.T) {
	rep := ImportReport{Warnings: []ImportIssue{{Line: 3, Field: "latitude"}, {Line: 2, Field: "code_insee"}, {Line: 3, Field: "code_insee"}, {Line: 1, Field: "colonne"}}}
	rep.SortIssues()
	var got []string
	for _, w := range rep.Warnings {
		got = append(got, w.Field)
	}
	if !slices.Equal(got, []string{"colonne", "code_insee", "code_insee", "latitude"}) || rep.Rejected == nil {
		t.Fatalf("%v", rep)
	}
}
