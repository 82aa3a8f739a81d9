package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

var draftRE = regexp.MustCompile(`/candidature/brouillon/[A-Za-z0-9_-]+`)

// applicationForm is a complete, valid application.
func applicationForm(siret string) url.Values {
	return url.Values{
		"name": {"Tiers-lieu du Doubs"}, "siret": {siret},
		"legal_representative.name": {"Camille Durand"}, "legal_representative.role": {"présidente"},
		"contact_email": {"contact@tiers-lieu.fr"}, "contact_phone": {"03 81 00 00 00"},
		"site.address": {"3 rue Battant"}, "site.postcode": {"25000"}, "site.commune": {"Besançon"},
		"site.opening_hours": {"Mo-Fr 09:00-17:00"},
		"site.services":      {passnum.NationalServices[0], passnum.NationalServices[1]}, "site.publics": {"Jeunes"},
		"charter_accepted":    {"1"},
		"bank_account.holder": {"Association Tiers-lieu du Doubs"}, "bank_account.iban": {"FR76 3000 6000 0112 3456 7890 189"}, "bank_account.bic": {"AGRIFRPP"},
	}
}

func TestApplicationDraftAndSubmit(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.browser()
		if a := b.get("/candidature"); a.Status != http.StatusOK || !a.has("charte") || !a.has(`name="email"`) {
			t.Fatalf("start page: %d", a.Status)
		}
		if a := b.post("/candidature", url.Values{"email": {"pas une adresse"}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-email-error"`) {
			t.Fatalf("bad address: %d", a.Status)
		}
		a := b.post("/candidature", url.Values{"email": {"Candidate@Tiers-Lieu.fr"}})
		if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/candidature/brouillon/") {
			t.Fatalf("start: %d %q", a.Status, a.Location)
		}
		draft := draftRE.FindString(st.lastMail())
		if draft == "" || draft != a.Location || !strings.Contains(st.lastMail(), "candidate@tiers-lieu.fr") {
			t.Fatalf("draft link %q, mail:\n%s", a.Location, st.lastMail())
		}
		a = b.follow(a)
		if a.Status != http.StatusOK || !a.has("Candidature au label") || !a.has(`value="candidate@tiers-lieu.fr"`) || !a.has("Un lien pour le reprendre") {
			t.Fatalf("draft page: %d\n%s", a.Status, a.Body)
		}

		// An incomplete draft is saved as it is, and found again later, by
		// another browser holding the link.
		partial := url.Values{"action": {"enregistrer"}, "name": {"Tiers-lieu du Doubs"}, "site.commune": {"Besançon"},
			"site.services": {passnum.NationalServices[2]}, "bank_account.iban": {"FR76 3000"}}
		if a = b.post(draft, partial); a.Status != http.StatusSeeOther || a.Location != draft {
			t.Fatalf("save: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = st.browser().get(draft)
		for _, want := range []string{`value="Tiers-lieu du Doubs"`, `value="Besançon"`, `value="FR76 3000"`, `value="` + passnum.NationalServices[2] + `" checked`} {
			if !a.has(want) {
				t.Errorf("saved draft: %q missing", want)
			}
		}
		if a.has(`value="` + passnum.NationalServices[0] + `" checked`) {
			t.Error("a service not chosen is checked")
		}

		// Submitted with a bad SIRET: refused, the error next to the field,
		// everything typed kept, nothing created.
		bad := applicationForm("12345678901234")
		bad.Set("action", "deposer")
		a = b.post(draft, bad)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-siret-error"`) || !a.has("SIRET invalide") {
			t.Fatalf("bad SIRET: %d\n%s", a.Status, a.Body)
		}
		if !a.has(`value="Tiers-lieu du Doubs"`) || !a.has(`value="Camille Durand"`) || !a.has(`value="12345678901234"`) || !a.has(`id="f-charter_accepted" name="charter_accepted" value="1" checked`) {
			t.Errorf("values not kept after a refusal:\n%s", a.Body)
		}
		// … and kept in the draft: the link, opened later elsewhere, finds
		// what was typed, hours of the week included.
		withHours := applicationForm("12345678901234")
		withHours.Set("action", "deposer")
		withHours.Set("site.hours.tu.1.from", "10:00")
		withHours.Set("site.hours.tu.1.to", "18:00")
		if a = b.post(draft, withHours); a.Status != http.StatusUnprocessableEntity || !a.has("enregistré dans le brouillon") {
			t.Fatalf("refused submission: %d\n%s", a.Status, a.Body)
		}
		a = st.browser().get(draft)
		for _, want := range []string{`value="Camille Durand"`, `value="12345678901234"`, `name="site.hours.tu.1.from" value="10:00"`, `id="f-charter_accepted" name="charter_accepted" value="1" checked`} {
			if !a.has(want) {
				t.Errorf("the draft lost %q after a refused submission", want)
			}
		}
		// A commune the postcode does not serve is said next to the commune.
		wrong := applicationForm(nextSIRET())
		wrong.Set("action", "deposer")
		wrong.Set("site.commune", "Dijon")
		if a = b.post(draft, wrong); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-site.commune-error"`) {
			t.Fatalf("wrong commune: %d\n%s", a.Status, a.Body)
		}
		// Without services nor the charter.
		none := applicationForm(nextSIRET())
		none.Set("action", "deposer")
		none.Del("site.services")
		none.Del("charter_accepted")
		if a = b.post(draft, none); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-site-services-error"`) || !a.has(`id="f-charter_accepted-error"`) {
			t.Fatalf("no services nor charter: %d\n%s", a.Status, a.Body)
		}

		// Submitted valid: the place is pending, the applicant invited.
		siret := nextSIRET()
		good := applicationForm(siret)
		good.Set("action", "deposer")
		a = b.post(draft, good)
		if a.Status != http.StatusSeeOther || a.Location != draft {
			t.Fatalf("submit: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		var org passnum.Organisation
		st.view(func(ctx context.Context, tx *store.Tx) error {
			orgs, _, err := tx.ListOrganisations(ctx, string(passnum.RolePlace), "", store.Page{Limit: 100})
			for _, o := range orgs {
				if o.SIRET == siret {
					org = o
				}
			}
			return err
		})
		if org.ID == "" || org.Status != passnum.OrgPending || org.Name != "Tiers-lieu du Doubs" || org.CommuneINSEE != "25056" {
			t.Fatalf("organisation %+v", org)
		}
		st.view(func(ctx context.Context, tx *store.Tx) error {
			app, err := tx.PlaceApplication(ctx, org.ID, true)
			if err != nil {
				return err
			}
			if len(app.Sites) != 1 || app.Sites[0].Postcode != "25000" || len(app.Sites[0].Services) != 2 || app.CharterVersion != passnum.CharterVersion ||
				len(app.BankAccounts) != 1 || app.BankAccounts[0].IBAN != "FR7630006000011234567890189" || app.LegalRepresentative.Name != "Camille Durand" {
				t.Errorf("application stored: %+v", app)
			}
			return nil
		})
		invite := st.mailedLink()
		if !strings.HasPrefix(invite, "/lien/invite/") || !strings.Contains(st.lastMail(), "candidate@tiers-lieu.fr") {
			t.Fatalf("invitation %q", invite)
		}
		a = b.follow(a)
		if a.Status != http.StatusOK || !a.has("à l'étude") || !a.has(`href="/connexion"`) || a.has(`name="siret"`) {
			t.Fatalf("status page: %d\n%s", a.Status, a.Body)
		}
		// The applicant chooses a password and signs in to the place's space.
		if a = b.post(invite, url.Values{"password": {"une phrase de passe solide"}, "confirm": {"une phrase de passe solide"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("invitation used: %d", a.Status)
		}
		a = b.post("/connexion", url.Values{"email": {"candidate@tiers-lieu.fr"}, "password": {"une phrase de passe solide"}})
		if a.Status != http.StatusSeeOther || a.Location != "/lieu/label" {
			t.Fatalf("applicant sign-in: %d %q", a.Status, a.Location)
		}

		// A submitted draft is not changed any more.
		again := applicationForm(nextSIRET())
		again.Set("action", "enregistrer")
		again.Set("name", "Autre nom")
		if a = b.post(draft, again); a.Status != http.StatusSeeOther {
			t.Fatalf("after submission: %d", a.Status)
		}
		if a = b.get(draft); a.has("Autre nom") || !a.has("Tiers-lieu du Doubs") {
			t.Fatal("a submitted draft was changed")
		}
		// Once labelled, the page says so.
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetPlaceStatus(ctx, st.op, org.ID, passnum.OrgLabelled, "")
			return err
		})
		if a = b.get(draft); !a.has("labellisé") {
			t.Fatalf("labelled:\n%s", a.Body)
		}
		// A second application with the same SIRET is refused next to it.
		a = b.post("/candidature", url.Values{"email": {"autre@tiers-lieu.fr"}})
		other := a.Location
		dup := applicationForm(siret)
		dup.Set("action", "deposer")
		if a = b.post(other, dup); a.Status != http.StatusConflict || !a.has(`id="f-siret-error"`) || !a.has("Un compte existe déjà pour ce SIRET") {
			t.Fatalf("same SIRET: %d\n%s", a.Status, a.Body)
		}
		// An unknown draft.
		if a = b.get("/candidature/brouillon/" + strings.Repeat("x", 43)); a.Status != http.StatusNotFound {
			t.Fatalf("unknown draft: %d", a.Status)
		}
	})
}

// Without a mail server, the draft's link is shown on its page, and the
// applicant's account waits for an invitation from the operator.
func TestApplicationWithoutMail(t *testing.T) {
	clock := passnum.NewFixedClock(storetest.Epoch)
	s, _ := storetest.OpenSQLite(t, clock)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	w, err := web.New(s, slog.New(slog.DiscardHandler), web.Config{PublicURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	w.Register(mux)
	st := &site{t: t, s: s, clock: clock, srv: srv}
	b := st.browser()
	a := b.post("/candidature", url.Values{"email": {"candidate@tiers-lieu.fr"}})
	draft := a.Location
	if a.Status != http.StatusSeeOther || !draftRE.MatchString(draft) {
		t.Fatalf("start: %d %q", a.Status, draft)
	}
	a = b.follow(a)
	if a.Status != http.StatusOK || !a.has("L&#39;envoi de courriels n&#39;est pas configuré") || !a.has(`href="`+srv.URL+draft+`"`) {
		t.Fatalf("draft page without mail: %d\n%s", a.Status, a.Body)
	}
	good := applicationForm(nextSIRET())
	good.Set("action", "deposer")
	if a = b.post(draft, good); a.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", a.Status, a.Body)
	}
	if a = b.follow(a); !a.has("à l'étude") || !a.has("Votre compte est ouvert") {
		t.Fatalf("status page: %d\n%s", a.Status, a.Body)
	}
	st.view(func(ctx context.Context, tx *store.Tx) error {
		cred, err := tx.UserCredentials(ctx, "candidate@tiers-lieu.fr")
		if err == nil && (cred.User.Role != passnum.RolePlace || cred.User.OrganisationStatus != passnum.OrgPending) {
			t.Errorf("applicant account %+v", cred.User)
		}
		return err
	})
}
