package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// placeProfileSites lists a place's sites, as the store has them.
func placeProfileSites(st *site, placeID string) []passnum.Site {
	st.t.Helper()
	var out []passnum.Site
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		out, err = tx.PlaceSites(ctx, placeID)
		return err
	})
	return out
}

// placeProfileSiteForm is a complete, valid site form.
func placeProfileSiteForm() url.Values {
	return url.Values{
		"name": {"EPN de Planoise"}, "address": {"6 rue Picasso"}, "address_complement": {"Rez-de-chaussée"},
		"postcode": {"25000"}, "commune": {"Besançon"}, "phone": {"03 81 87 80 00"}, "email": {"epn@exemple.fr"},
		"website": {"https://epn.exemple.fr"}, "opening_hours": {"Mo-Fr 09:00-12:00,14:00-18:00"},
		"services": {passnum.NationalServices[0], passnum.NationalServices[1]}, "publics": {"Jeunes"},
		"specific_support": {"Surdité"},
	}
}

// placeProfileMustSite adds a site to a place through the store.
func placeProfileMustSite(st *site, placeID, name, insee, postcode string) passnum.Site {
	st.t.Helper()
	actor := passnum.Actor{OrganisationID: placeID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	var s passnum.Site
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		s, err = tx.CreateSite(ctx, actor, placeID, passnum.NewSite{Name: name, Address: "1 place de la Mairie", CommuneINSEE: insee,
			Postcode: postcode, Services: []string{passnum.NationalServices[1]}})
		return err
	})
	return s
}

func TestPlaceProfileAddSite(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu/sites")
		if a.Status != http.StatusOK {
			t.Fatalf("/lieu/sites: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{"aucun site", `action="/lieu/sites"`, `name="services"`, `name="publics"`, "Mo-Fr 09:00-12:00,14:00-18:00",
			`href="/lieu/sites" aria-current="page"`, `href="/lieu/coordonnees-bancaires"`, `id="f-commune"`} {
			if !a.has(want) {
				t.Errorf("/lieu/sites lacks %q", want)
			}
		}
		a = b.post("/lieu/sites", placeProfileSiteForm())
		if a.Status != http.StatusSeeOther {
			t.Fatalf("add a site: %d\n%s", a.Status, a.Body)
		}
		a = b.follow(a)
		for _, want := range []string{"EPN de Planoise", "6 rue Picasso", "25000 Besançon", "du lundi au vendredi", passnum.NationalServices[0], "Jeunes", "ajouté"} {
			if !a.has(want) {
				t.Errorf("sites after adding one lack %q", want)
			}
		}
		sites := placeProfileSites(st, st.place.ID)
		if len(sites) != 1 {
			t.Fatalf("%d sites", len(sites))
		}
		s := sites[0]
		if s.CommuneINSEE != "25056" || s.Postcode != "25000" || s.Name != "EPN de Planoise" || len(s.Services) != 2 ||
			!slices.Equal(s.Publics, []string{"Jeunes"}) || !slices.Equal(s.SpecificSupport, []string{"Surdité"}) ||
			s.OpeningHours != "Mo-Fr 09:00-12:00,14:00-18:00" || s.AddressComplement != "Rez-de-chaussée" || s.Latitude != nil {
			t.Fatalf("stored site: %+v", s)
		}
		if !a.has(`href="/lieu/sites/` + s.ID + `"`) {
			t.Error("the site does not link to its edit page")
		}
		// The site is usable: a session is scheduled on it.
		var tr passnum.Training
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			tr, err = tx.CreateTraining(ctx, passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"},
				passnum.Training{Title: "Créer son adresse électronique", Service: passnum.NationalServices[1], Level: passnum.LevelBeginner,
					DurationMinutes: 120, PassesCost: 1})
			return err
		})
		a = b.post("/lieu/formations/"+tr.ID+"/sessions", url.Values{"date": {"12/03/2026"}, "debut": {"14:00"}, "fin": {"16:00"}, "capacity": {"8"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("session on the new site: %d\n%s", a.Status, a.Body)
		}
		var sessions []passnum.Session
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			sessions, _, err = tx.ListSessions(ctx, tr.ID, store.SessionWindow{}, store.Page{})
			return err
		})
		if len(sessions) != 1 || sessions[0].SiteID != s.ID {
			t.Fatalf("sessions: %+v", sessions)
		}
		// A postcode alone is enough when it serves one commune, and
		// coordinates are kept.
		f := placeProfileSiteForm()
		f.Set("name", "Antenne de Dijon")
		f.Set("postcode", "21000")
		f.Set("commune", "")
		f.Set("latitude", "47,322")
		f.Set("longitude", "5.0415")
		if a = b.post("/lieu/sites", f); a.Status != http.StatusSeeOther {
			t.Fatalf("site by postcode: %d\n%s", a.Status, a.Body)
		}
		sites = placeProfileSites(st, st.place.ID)
		if len(sites) != 2 || sites[1].CommuneINSEE != "21231" || sites[1].Latitude == nil || *sites[1].Latitude != 47.322 {
			t.Fatalf("second site: %+v", sites)
		}
		// Only places see these pages.
		if a := st.as(passnum.RoleDistributor).get("/lieu/sites"); a.Status != http.StatusForbidden {
			t.Errorf("distributor on /lieu/sites: %d", a.Status)
		}
	})
}

func TestPlaceProfileSiteErrors(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		// The postcode does not serve the commune typed.
		f := placeProfileSiteForm()
		f.Set("postcode", "21000")
		a := b.post("/lieu/sites", f)
		if a.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong commune: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{`id="f-commune-error"`, "ne dessert pas", `value="Besançon"`, `value="21000"`, `value="6 rue Picasso"`,
			`value="EPN de Planoise"`, `value="` + passnum.NationalServices[0] + `" checked`, `value="Jeunes" checked`, `aria-invalid="true"`, `role="alert"`} {
			if !a.has(want) {
				t.Errorf("wrong commune: the page lacks %q", want)
			}
		}
		if i, j := strings.Index(a.Body, `id="f-commune-error"`), strings.Index(a.Body, `id="f-opening_hours"`); i < 0 || j < i {
			t.Error("the commune's error is not next to its field")
		}
		// A malformed postcode, and a commune that does not exist.
		f = placeProfileSiteForm()
		f.Set("postcode", "2500")
		a = b.post("/lieu/sites", f)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-postcode-error"`) || !a.has("5 chiffres") || !a.has(`value="2500"`) {
			t.Fatalf("bad postcode: %d\n%s", a.Status, a.Body)
		}
		f = placeProfileSiteForm()
		f.Set("postcode", "99999")
		f.Set("commune", "Trifouillis-les-Oies")
		a = b.post("/lieu/sites", f)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-commune-error"`) || !a.has(`value="Trifouillis-les-Oies"`) {
			t.Fatalf("unknown commune: %d\n%s", a.Status, a.Body)
		}
		// No service, unreadable hours: said next to each.
		f = placeProfileSiteForm()
		f.Del("services")
		f.Set("opening_hours", "tous les jours")
		a = b.post("/lieu/sites", f)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-services-error"`) || !a.has(`id="f-opening_hours-error"`) {
			t.Fatalf("no service: %d\n%s", a.Status, a.Body)
		}
		if n := len(placeProfileSites(st, st.place.ID)); n != 0 {
			t.Fatalf("%d sites stored from refused forms", n)
		}
	})
}

func TestPlaceProfileEditSite(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		s := placeProfileMustSite(st, st.place.ID, "EPN de Planoise", "25056", "25000")
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu/sites/" + s.ID)
		if a.Status != http.StatusOK {
			t.Fatalf("edit page: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{`value="EPN de Planoise"`, `value="1 place de la Mairie"`, `value="25000"`, `value="Besançon"`,
			`value="` + passnum.NationalServices[1] + `" checked`, `action="/lieu/sites/` + s.ID + `"`} {
			if !a.has(want) {
				t.Errorf("edit page lacks %q", want)
			}
		}
		// Unreadable hours: refused, what was typed kept.
		f := placeProfileSiteForm()
		f.Set("name", "EPN Planoise — Îlot Picasso")
		f.Set("opening_hours", "lundi matin")
		a = b.post("/lieu/sites/"+s.ID, f)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-opening_hours-error"`) || !a.has(`value="lundi matin"`) ||
			!a.has(`value="EPN Planoise — Îlot Picasso"`) {
			t.Fatalf("bad hours: %d\n%s", a.Status, a.Body)
		}
		f.Set("opening_hours", "Tu-Sa 10:00-18:00")
		if a = b.post("/lieu/sites/"+s.ID, f); a.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("mis à jour") || !a.has("EPN Planoise — Îlot Picasso") {
			t.Fatalf("after the edit:\n%s", a.Body)
		}
		sites := placeProfileSites(st, st.place.ID)
		if len(sites) != 1 {
			t.Fatalf("%d sites", len(sites))
		}
		got := sites[0]
		if got.ID != s.ID || got.Name != "EPN Planoise — Îlot Picasso" || got.Address != "6 rue Picasso" || got.OpeningHours != "Tu-Sa 10:00-18:00" ||
			len(got.Services) != 2 || !slices.Equal(got.Publics, []string{"Jeunes"}) || got.Phone == "" {
			t.Fatalf("edited site: %+v", got)
		}
		// Unchecking every public empties the list.
		f.Del("publics")
		if a = b.post("/lieu/sites/"+s.ID, f); a.Status != http.StatusSeeOther {
			t.Fatalf("edit publics: %d\n%s", a.Status, a.Body)
		}
		if got = placeProfileSites(st, st.place.ID)[0]; len(got.Publics) != 0 {
			t.Fatalf("publics: %v", got.Publics)
		}
	})
}

func TestPlaceProfileOtherPlaceSite(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		theirs := placeProfileMustSite(st, st.otherPlace.ID, "Médiathèque de Dijon", "21231", "21000")
		b := st.as(passnum.RolePlace)
		if a := b.get("/lieu/sites/" + theirs.ID); a.Status != http.StatusNotFound {
			t.Fatalf("GET another place's site: %d", a.Status)
		}
		if a := b.post("/lieu/sites/"+theirs.ID, placeProfileSiteForm()); a.Status != http.StatusNotFound {
			t.Fatalf("POST another place's site: %d", a.Status)
		}
		bad := placeProfileSiteForm()
		bad.Set("postcode", "x")
		if a := b.post("/lieu/sites/"+theirs.ID, bad); a.Status != http.StatusNotFound {
			t.Fatalf("POST an invalid form on another place's site: %d", a.Status)
		}
		if a := b.get("/lieu/sites/pas-un-identifiant"); a.Status != http.StatusNotFound {
			t.Fatalf("malformed id: %d", a.Status)
		}
		if a := b.get("/lieu/sites"); a.has("Médiathèque de Dijon") {
			t.Error("another place's site is listed")
		}
		after := placeProfileSites(st, st.otherPlace.ID)
		if len(after) != 1 || after[0].Name != "Médiathèque de Dijon" || after[0].Address != theirs.Address {
			t.Fatalf("another place's site changed: %+v", after)
		}
	})
}

func TestPlaceProfileBankDetails(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu/coordonnees-bancaires")
		if a.Status != http.StatusOK || !a.has("Aucun compte validé") || !a.has(`action="/lieu/coordonnees-bancaires"`) || !a.has("validation de l") {
			t.Fatalf("bank page: %d\n%s", a.Status, a.Body)
		}
		// A wrong check digit in the IBAN.
		a = b.post("/lieu/coordonnees-bancaires", url.Values{"holder": {"Association Planoise numérique"}, "iban": {"FR76 3000 6000 0112 3456 7890 188"}, "bic": {"BNPAFRPP"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-iban-error"`) || !a.has(`value="Association Planoise numérique"`) ||
			!a.has(`value="FR76 3000 6000 0112 3456 7890 188"`) {
			t.Fatalf("bad IBAN: %d\n%s", a.Status, a.Body)
		}
		if i, j := strings.Index(a.Body, `id="f-iban-error"`), strings.Index(a.Body, `id="f-iban"`); i < 0 || j < i {
			t.Error("the IBAN's error is not next to its field")
		}
		var accounts []passnum.BankAccount
		list := func() {
			st.view(func(ctx context.Context, tx *store.Tx) error {
				var err error
				accounts, err = tx.BankAccounts(ctx, st.place.ID)
				return err
			})
		}
		if list(); len(accounts) != 0 {
			t.Fatalf("%d accounts stored from a refused form", len(accounts))
		}
		a = b.post("/lieu/coordonnees-bancaires", url.Values{"holder": {"Association Planoise numérique"}, "iban": {"fr76 3000 6000 0112 3456 7890 189"}, "bic": {"bnpafrpp"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("propose: %d\n%s", a.Status, a.Body)
		}
		a = b.follow(a)
		masked := passnum.MaskIBAN("FR7630006000011234567890189")
		for _, want := range []string{"en attente de validation", masked, "Association Planoise numérique", "BNPAFRPP", "attendent la validation"} {
			if !a.has(want) {
				t.Errorf("bank page after proposing lacks %q", want)
			}
		}
		if a.has("3000 6000 0112") || a.has("30006000011234567890189") {
			t.Error("the IBAN is shown unmasked")
		}
		if a.has(`action="/lieu/coordonnees-bancaires"`) {
			t.Error("a second proposal is offered while one waits")
		}
		if list(); len(accounts) != 1 || accounts[0].Status != passnum.BankPending || accounts[0].IBAN != "FR7630006000011234567890189" {
			t.Fatalf("accounts: %+v", accounts)
		}
		// A second proposal while one waits is refused, and said so.
		a = b.post("/lieu/coordonnees-bancaires", url.Values{"holder": {"Autre"}, "iban": {"FR14 2004 1010 0505 0001 3M02 606"}, "bic": {"PSSTFRPPDIJ"}})
		if a.Status != http.StatusConflict || !a.has("un seul changement") {
			t.Fatalf("second proposal: %d\n%s", a.Status, a.Body)
		}
	})
}

// TestPlaceProfileHoursWeek: the opening hours are typed as a French week
// (days, two ranges a day), stored in the OpenStreetMap syntax, shown in
// French, and read back into the week to be changed.
func TestPlaceProfileHoursWeek(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu/sites")
		for _, want := range []string{`<legend>Lundi</legend>`, `<legend>Dimanche</legend>`, `name="hours.mo.1.from"`, `name="hours.su.2.to"`, `type="time"`,
			`<span class="visually-hidden">Lundi matin, </span>de</label>`, "Fermé les jours fériés", "Horaires plus complexes"} {
			if !a.has(want) {
				t.Errorf("the site form lacks %q", want)
			}
		}
		if a.has("jours en anglais abrégés : Mo (lundi)") && !a.has("Horaires plus complexes") {
			t.Error("the OpenStreetMap syntax is asked first")
		}
		week := func() url.Values {
			f := placeProfileSiteForm()
			f.Del("opening_hours")
			for _, d := range []string{"mo", "tu", "we", "th", "fr"} {
				f.Set("hours."+d+".1.from", "09:00")
				f.Set("hours."+d+".1.to", "12:00")
				f.Set("hours."+d+".2.from", "14:00")
				f.Set("hours."+d+".2.to", "17:30")
			}
			f.Set("hours.sa.1.from", "9h")
			f.Set("hours.sa.1.to", "12 h")
			f.Set("hours.ph_off", "1")
			return f
		}
		// A range that closes before it opens: said on its day, by name.
		f := week()
		f.Set("hours.we.2.to", "13:00")
		a = b.post("/lieu/sites", f)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-hours-we-error"`) || !a.has(`<a href="#f-hours-we-1-from">Horaires du mercredi : la fermeture suit l&#39;ouverture`) ||
			!a.has(`name="hours.we.2.to" value="13:00"`) {
			t.Fatalf("closing before opening: %d\n%s", a.Status, a.Body)
		}
		// Typed twice, in the week and in the OpenStreetMap field: refused.
		f = week()
		f.Set("opening_hours", "Mo-Su 08:00-20:00")
		if a = b.post("/lieu/sites", f); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-opening_hours-error"`) || !a.has("donnés deux fois") {
			t.Fatalf("hours given twice: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/lieu/sites", week()); a.Status != http.StatusSeeOther {
			t.Fatalf("add a site with its week: %d\n%s", a.Status, a.Body)
		}
		a = b.follow(a)
		if !a.has("du lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30") || !a.has("samedi : 9 h – 12 h") || !a.has("jours fériés : fermé") ||
			!a.has("03 81 87 80 00") {
			t.Errorf("the site's hours and phone are not shown in French\n%s", a.Body)
		}
		s := placeProfileSites(st, st.place.ID)[0]
		if want := "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off"; s.OpeningHours != want {
			t.Fatalf("stored %q, want %q", s.OpeningHours, want)
		}
		// The edit form reads them back into the week; the advanced field stays empty.
		a = b.get("/lieu/sites/" + s.ID)
		for _, want := range []string{`name="hours.fr.2.to" value="17:30"`, `name="hours.sa.1.from" value="09:00"`, `name="hours.su.1.from" value=""`,
			`id="f-hours-ph_off" name="hours.ph_off" value="1" checked`, `name="opening_hours" value=""`, `value="03 81 87 80 00"`} {
			if !a.has(want) {
				t.Errorf("the edit form lacks %q", want)
			}
		}
		// Hours the week cannot say stay in the OpenStreetMap field, open.
		st.write(func(ctx context.Context, tx *store.Tx) error {
			hours := `Mo-Fr 09:00-17:00 "sur rendez-vous"`
			_, err := tx.UpdateSite(ctx, passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}, s.ID, st.place.ID,
				passnum.SiteUpdate{OpeningHours: &hours})
			return err
		})
		a = b.get("/lieu/sites/" + s.ID)
		if !a.has(`<details class="hours-raw" open>`) || !a.has(`value="Mo-Fr 09:00-17:00 &#34;sur rendez-vous&#34;"`) || !a.has(`name="hours.mo.1.from" value=""`) {
			t.Errorf("hours beyond the week are not kept as typed\n%s", a.Body)
		}
	})
}
