package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passnum"
	"passnum/store"
)

// TestBrowserHarness checks the watchers themselves on a page that breaks
// every rule: they must catch its CSP violations, its script error and
// its accessibility faults, else a silent harness would let every other
// browser test pass for nothing.
func TestBrowserHarness(t *testing.T) {
	c := newChrome(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
		if r.URL.Path == "/casse.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(`document.addEventListener("DOMContentLoaded", () => { null.x; });`))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>Mauvaise page</title><script src="/casse.js"></script></head>` +
			`<body><p style="color:red">Rouge</p><script>console.log("inline")</script>` +
			`<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>`))
	}))
	defer bad.Close()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(bad.URL), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.takeProblems(), "\n")
	for _, want := range []string{"Applying inline style violates", "Executing inline script violates", "erreur JavaScript"} {
		if !strings.Contains(got, want) {
			t.Errorf("the console watcher missed %q; it caught:\n%s", want, got)
		}
	}
	if err := chromedp.Do(ctx, axeLoad()); err != nil {
		t.Fatal(err)
	}
	violations, err := chromedp.Run(ctx, axeRun())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, v := range violations {
		ids[v.ID] = true
	}
	for _, want := range []string{"html-has-lang", "image-alt", "label"} {
		if !ids[want] {
			t.Errorf("axe-core missed %s; it found %v", want, ids)
		}
	}
	if p := c.takeProblems(); len(p) > 0 {
		t.Errorf("running axe-core made the console complain:\n%s", strings.Join(p, "\n"))
	}
}

// TestBrowserAccessibility runs axe-core on every main page, signed out,
// as a young person, and signed in with each staff role, with enough data
// for lists, tables and maps to be drawn.
func TestBrowserAccessibility(t *testing.T) {
	c := newChrome(t)
	st := c.st
	ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
	var booklet string
	st.view(func(ctx context.Context, tx *store.Tx) error {
		bs, err := tx.BeneficiaryBooklets(ctx, ben.ID)
		if err == nil && len(bs) == 0 {
			err = fmt.Errorf("no booklet for %s", ben.ID)
		}
		if err == nil {
			booklet = bs[0].ID
		}
		return err
	})
	// Dormant booklets to call back, one of a young person who agreed to
	// be contacted (Alix, whose space offers to stop the reminders).
	_, dormantBooklets := dormantWorld(st)
	st.write(func(ctx context.Context, tx *store.Tx) error {
		days := 10
		_, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{DormantDays: &days})
		return err
	})
	lat, lng := 47.2262, 5.9736
	var site passnum.Site
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		site, err = tx.CreateSite(ctx, passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}, st.place.ID,
			passnum.NewSite{Name: "EPN de Planoise", Address: "6 rue Picasso", CommuneINSEE: "25056", Postcode: "25000",
				Latitude: &lat, Longitude: &lng, Phone: "03 81 87 80 00", OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:00",
				Services: []string{passnum.NationalServices[1], passnum.NationalServices[2]}})
		return err
	})
	// A training with a session that one young person booked, and a
	// place's full application waiting for the operator.
	var session passnum.Session
	var application store.ApplicationReceipt
	placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	st.write(func(ctx context.Context, tx *store.Tx) error {
		tr, err := tx.CreateTraining(ctx, placeActor, passnum.Training{PlaceID: st.place.ID, Title: "Ordinateur : les bases",
			Service: passnum.NationalServices[1], DurationMinutes: 120})
		if err != nil {
			return err
		}
		starts := st.clock.Now().Add(48 * time.Hour)
		if session, err = tx.CreateSession(ctx, placeActor, tr.ID, passnum.NewSession{SiteID: site.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: 8}); err != nil {
			return err
		}
		if _, err = tx.Book(ctx, passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}, session.ID, ben.ID); err != nil {
			return err
		}
		lat, lng := 47.2205, 5.9744
		application, err = tx.ApplyForLabel(ctx, passnum.NewPlaceApplication{
			Name: "Espace numérique des Vaîtes", SIRET: nextSIRET(),
			LegalRep:     passnum.LegalRepresentative{Name: "Claire Dupont", Role: "présidente"},
			ContactEmail: "contact@vaites-numerique.fr", ContactPhone: "03 81 41 00 00",
			Site: passnum.NewSite{Address: "13 avenue de l'Île-de-France", CommuneINSEE: "25056", Postcode: "25000",
				Latitude: &lat, Longitude: &lng, OpeningHours: "Mo-Fr 09:00-17:00", Services: []string{passnum.NationalServices[1]}},
			CharterAccepted: true, CharterVersion: passnum.CharterVersion,
			Bank: passnum.NewBankAccount{Holder: "Association des Vaîtes", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "BNPAFRPP"},
		})
		return err
	})
	pending := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu de Pontarlier", SIRET: nextSIRET(), CommuneINSEE: "25462"})
	applicant := st.mustUser(pending.ID, "pontarlier@exemple.fr")

	page := func(name, path string) {
		t.Helper()
		c.step("ouvrir "+path, c.visit(path))
		c.axe(name)
	}

	// Everyone.
	c.step("sans session", clearCookies())
	page("accueil", "/")
	page("connexion", "/connexion")
	page("mot de passe oublié", "/mot-de-passe-oublie")
	page("recherche de lieux", "/lieux")
	c.step("chercher un lieu", fill("f-q", "Besançon"), submit("Rechercher"), see("EPN de Planoise"))
	c.axe("résultats de la recherche de lieux")
	page("fiche publique d'un lieu", "/lieux/"+site.ID)
	page("accès aux pass", "/mon-pass")
	page("candidature au label", "/candidature")
	c.step("commencer une candidature", fill("f-email", "candidat@exemple.fr"), submit("Commencer ma candidature"),
		c.pathIs(`/candidature/brouillon/[^/]+`))
	c.axe("brouillon de candidature")
	page("déclaration d'accessibilité", "/accessibilite")
	page("mentions légales", "/mentions-legales")
	page("données personnelles", "/confidentialite")

	// The young person.
	c.step("Léa ouvre ses pass", c.visit("/mon-pass"), fill("f-code", codes[0]), fill("f-birth_date", "14/05/2004"),
		submit("Accéder à mes pass"), c.pathIs("/mon-pass/espace"))
	c.axe("espace du bénéficiaire")
	page("lieux proches du bénéficiaire", "/mon-pass/lieux")
	c.step("Alix ouvre ses pass", clearCookies(), c.visit("/mon-pass"), fill("f-code", dormantBooklets[0].Passes[0].Code), fill("f-birth_date", "14/05/2004"),
		submit("Accéder à mes pass"), c.pathIs("/mon-pass/espace"), see("Ne plus recevoir de rappels"))
	c.axe("espace d'un bénéficiaire qui reçoit des rappels")

	// A place waiting for its label.
	c.signIn(applicant, "")
	c.step("lieu en attente", c.pathIs("/lieu/label"))
	c.axe("label en attente")

	// The labelled place: a pass checked, then encashed.
	c.signIn(st.emails[passnum.RolePlace], "")
	page("accueil du lieu", "/lieu")
	c.step("vérifier un pass", fill("f-code", codes[1]), submit("Vérifier le pass"), see("Léa"))
	c.axe("confirmation d'encaissement")
	c.step("encaisser", chooseFirstOption("f-service"), submit("Encaisser ce pass"), see("Pass encaissé"))
	page("encaissements", "/lieu/encaissements")
	page("formations", "/lieu/formations")
	page("inscrits à une session", "/lieu/sessions/"+session.ID)
	page("équipe", "/lieu/equipe")
	page("sites", "/lieu/sites")
	page("un site et ses horaires", "/lieu/sites/"+site.ID)
	c.step("des horaires refusés", choose("f-hours-mo-1-from", "14:00"), choose("f-hours-mo-1-to", "09:00"), submit("Enregistrer les changements", 422),
		see("Horaires du lundi : la fermeture suit l'ouverture"))
	c.axe("un site, horaires refusés")
	page("coordonnées bancaires", "/lieu/coordonnees-bancaires")
	page("compte", "/compte")

	// The counsellor.
	c.signIn(st.emails[passnum.RoleDistributor], "")
	page("accueil du distributeur", "/distributeur")
	page("inscription d'un jeune", "/distributeur/inscrire")
	page("fiche d'un bénéficiaire", "/distributeur/beneficiaires/"+ben.ID)
	page("correction de la fiche", "/distributeur/beneficiaires/"+ben.ID+"/fiche")
	page("réservation d'une séance", "/distributeur/beneficiaires/"+ben.ID+"/seances")
	page("carnet", "/distributeur/carnets/"+booklet)
	page("données d'un bénéficiaire", "/distributeur/beneficiaires/"+ben.ID+"/donnees")
	c.step("effacement sans confirmation", fill("f-reason", "demande écrite"), submit("Effacer son identité", 422),
		see("cochez la case pour confirmer"))
	c.axe("effacement refusé")
	page("stock", "/distributeur/stock")
	page("carnets dormants", "/distributeur/carnets-dormants")
	c.step("carnets dormants listés", see("Dormant Alix"))

	// The operator.
	c.signIn(st.emails[passnum.RoleOperator], "")
	for _, p := range []struct{ name, path string }{
		{"tableau de bord de l'opérateur", "/operateur"},
		{"labellisation", "/operateur/labellisation"},
		{"dossier de candidature", "/operateur/labellisation/" + application.Organisation.ID},
		{"organisations", "/operateur/organisations"},
		{"nouvelle organisation", "/operateur/organisations/nouvelle"},
		{"fiche d'un lieu labellisé", "/operateur/organisations/" + st.place.ID},
		{"fiche d'un lieu en attente", "/operateur/organisations/" + pending.ID},
		{"programmes", "/operateur/programmes"},
		{"nouveau programme", "/operateur/programmes/nouveau"},
		{"programme", "/operateur/programmes/" + st.programme.ID},
		{"réglages d'un programme", "/operateur/programmes/" + st.programme.ID + "/parametres"},
		{"tableau de bord d'un programme", "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord"},
		{"tableau de bord d'un programme par lieu, sur une période", "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord?by=place&from=2026-01&to=2026-12"},
		{"personnes", "/operateur/personnes"},
		{"journal", "/operateur/journal"},
		{"remises confirmées malgré un carnet reçu ailleurs", "/operateur/doublons"},
		{"identité du site", "/operateur/identite"},
		{"jeunes", "/operateur/jeunes"},
		{"données d'un jeune", "/operateur/jeunes/" + ben.ID},
		{"consultations de sa fiche", "/operateur/jeunes/" + ben.ID + "/consultations"},
	} {
		page(p.name, p.path)
	}
	c.step("chercher un jeune", c.visit("/operateur/jeunes"), fill("f-q", "lea mar"), submit("Chercher"), see("Léa Martin"))
	c.axe("jeunes trouvés")
	c.step("effacement sans motif", c.visit("/operateur/jeunes/"+ben.ID), check("f-confirm", true), submit("Effacer son identité", 422),
		see("motif obligatoire"))
	c.axe("effacement refusé par l'opérateur")

	// The funder.
	c.signIn(st.emails[passnum.RoleFunder], "")
	page("tableau de bord du financeur", "/financeur")
	page("programme du financeur", "/financeur/programmes/"+st.programme.ID)
	page("tableau de bord du programme, côté financeur (secret statistique)", "/financeur/programmes/"+st.programme.ID+"/tableau-de-bord?by=service")
}
