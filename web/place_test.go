package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passnum"
	"passnum/store"
)

const placeService = "Maîtrise des outils numériques du quotidien"

// placeTypo changes one symbol of a code: the check symbol catches it.
func placeTypo(code string) string {
	b := []byte(code)
	if b[3] == 'A' {
		b[3] = 'B'
	} else {
		b[3] = 'A'
	}
	return string(b)
}

func placeRedemptions(st *site, placeID string) []passnum.Redemption {
	st.t.Helper()
	var out []passnum.Redemption
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		out, _, err = tx.ListRedemptions(ctx, placeID, store.Page{})
		return err
	})
	return out
}

func TestPlaceRedeemPageForPhones(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu")
		if a.Status != http.StatusOK {
			t.Fatalf("/lieu: %d", a.Status)
		}
		for _, want := range []string{`<meta name="viewport"`, `class="passcode"`, `name="code"`, `autocomplete="off"`, `autocapitalize="characters"`,
			`spellcheck="false"`, `inputmode="text"`, `action="/lieu/verifier"`, "Vérifier le pass", `id="scan-start" class="big" hidden`,
			"Scanner le QR code", `/static/scan.js`, `/static/place.css`, `hx-post="/lieu/verifier?fragment=1"`} {
			if !a.has(want) {
				t.Errorf("/lieu lacks %q", want)
			}
		}
		// Other roles are kept out.
		if a := st.as(passnum.RoleDistributor).get("/lieu"); a.Status != http.StatusForbidden {
			t.Errorf("distributor on /lieu: %d", a.Status)
		}
	})
}

func TestPlaceCheckShowsHolder(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RolePlace)
		// Typed in lower case with dashes, as people do.
		a := b.post("/lieu/verifier", url.Values{"code": {strings.ToLower(passnum.FormatPassCode(codes[0]))}})
		if a.Status != http.StatusOK {
			t.Fatalf("check: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{"Léa", "2004", "10\u00a0€", "31/12/2026", "Encaisser ce pass", `action="/lieu/encaisser"`,
			`name="code" value="` + codes[0] + `"`, `name="service"`, placeService} {
			if !a.has(want) {
				t.Errorf("confirmation page lacks %q", want)
			}
		}
		if a.has("Martin") || a.has("14/05/2004") {
			t.Error("the confirmation shows more than the first name and birth year")
		}
		// Nothing is redeemed by a check.
		if n := len(placeRedemptions(st, st.place.ID)); n != 0 {
			t.Fatalf("%d redemptions after a check", n)
		}
	})
}

func TestPlaceCheckTypoAndUnknownCode(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RolePlace)
		typo := placeTypo(codes[0])
		a := b.post("/lieu/verifier", url.Values{"code": {typo}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("faute de frappe : vérifiez chaque caractère") || !a.has(`id="f-code-error"`) {
			t.Fatalf("typo: %d\n%s", a.Status, a.Body)
		}
		if !a.has(`value="` + typo + `"`) {
			t.Error("the code typed is not kept")
		}
		// While typing (htmx): only the feedback, with status 200 so that
		// htmx shows it.
		a = b.post("/lieu/verifier?fragment=1", url.Values{"code": {typo}})
		if a.Status != http.StatusOK || !a.has("faute de frappe") || a.has("<html") {
			t.Fatalf("fragment for a typo: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/lieu/verifier?fragment=1", url.Values{"code": {codes[0][:6]}}); a.Status != http.StatusOK || strings.TrimSpace(a.Body) != "" {
			t.Fatalf("fragment for a code being typed: %d %q", a.Status, a.Body)
		}
		if a = b.post("/lieu/verifier?fragment=1", url.Values{"code": {"AB#"}}); !a.has("ne peut pas figurer") {
			t.Fatalf("fragment for a foreign character: %q", a.Body)
		}
		if a = b.post("/lieu/verifier?fragment=1", url.Values{"code": {codes[0]}}); !a.has("sans faute de frappe") {
			t.Fatalf("fragment for a good code: %q", a.Body)
		}
		// A well-formed code that is no pass.
		a = b.post("/lieu/verifier", url.Values{"code": {passnum.NewPassCode()}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("Aucun pass ne correspond à ce code") {
			t.Fatalf("unknown code: %d\n%s", a.Status, a.Body)
		}
	})
}

func TestPlaceRedeemTwiceRefusedWithDate(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RolePlace)
		// The service is required.
		a := b.post("/lieu/encaisser", url.Values{"code": {codes[0]}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("choisissez le service") || !a.has("Léa") {
			t.Fatalf("without a service: %d\n%s", a.Status, a.Body)
		}
		a = b.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "service": {placeService}})
		if a.Status != http.StatusSeeOther || a.Location != "/lieu" {
			t.Fatalf("redeem: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		if a = b.follow(a); !a.has("Pass encaissé : 10\u00a0€ seront remboursés à votre structure.") {
			t.Fatalf("no flash after redeeming:\n%s", a.Body)
		}
		reds := placeRedemptions(st, st.place.ID)
		if len(reds) != 1 || reds[0].Code != codes[0] || reds[0].Service != placeService {
			t.Fatalf("redemptions: %+v", reds)
		}
		a = b.get("/lieu/encaissements")
		if a.Status != http.StatusOK || !a.has(passnum.MaskPassCode(codes[0])) || !a.has(placeService) || !a.has("Annuler cet encaissement") || a.has(codes[0]) {
			t.Fatalf("history: %d\n%s", a.Status, a.Body)
		}

		when := st.clock.Now().In(passnum.Paris).Format("02/01/2006 à 15h04")
		used := "Ce pass a déjà été utilisé le " + when + " à " + st.place.Name
		if !regexp.MustCompile(`^\d\d/\d\d/\d{4} à \d\dh\d\d$`).MatchString(when) {
			t.Fatalf("date format %q", when)
		}
		// The same place checks it again, then tries to redeem it again.
		if a = b.post("/lieu/verifier", url.Values{"code": {codes[0]}}); a.Status != http.StatusOK || !a.has(used) || a.has("Encaisser ce pass") {
			t.Fatalf("check again: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "service": {placeService}}); a.Status != http.StatusConflict || !a.has(used) {
			t.Fatalf("redeem again: %d\n%s", a.Status, a.Body)
		}
		// Another place.
		other := st.browser()
		other.signIn(st.mustUser(st.otherPlace.ID, "formatrice@mediatheque-dijon.fr"))
		if a = other.post("/lieu/verifier", url.Values{"code": {codes[0]}}); a.Status != http.StatusOK || !a.has(used) || a.has("Encaisser ce pass") {
			t.Fatalf("check by another place: %d\n%s", a.Status, a.Body)
		}
		if a = other.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "service": {placeService}}); a.Status != http.StatusConflict || !a.has(used) {
			t.Fatalf("redeem by another place: %d\n%s", a.Status, a.Body)
		}
		if n := len(placeRedemptions(st, "")); n != 1 {
			t.Fatalf("%d redemptions, want 1", n)
		}
	})
}

func TestPlaceCancelRedemption(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RolePlace)
		if a := b.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "service": {placeService}}); a.Status != http.StatusSeeOther {
			t.Fatalf("redeem: %d\n%s", a.Status, a.Body)
		}
		id := placeRedemptions(st, st.place.ID)[0].ID
		cancel := "/lieu/encaissements/" + id + "/annuler"

		// Another place neither sees it nor cancels it.
		other := st.browser()
		other.signIn(st.mustUser(st.otherPlace.ID, "formatrice@mediatheque-dijon.fr"))
		if a := other.get("/lieu/encaissements"); a.Status != http.StatusOK || a.has(passnum.MaskPassCode(codes[0])) || a.has(id) {
			t.Fatalf("another place's history: %d", a.Status)
		}
		if a := other.post(cancel, url.Values{"reason": {"erreur"}}); a.Status != http.StatusNotFound {
			t.Fatalf("another place cancels: %d", a.Status)
		}
		if a := other.post(cancel, nil); a.Status != http.StatusNotFound {
			t.Fatalf("another place cancels without a reason: %d", a.Status)
		}
		// A reason is required.
		if a := b.post(cancel, nil); a.Status != http.StatusUnprocessableEntity || !a.has("motif") {
			t.Fatalf("no reason: %d\n%s", a.Status, a.Body)
		}
		a := b.post(cancel, url.Values{"reason": {"mauvais pass scanné"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("Encaissement annulé") || !a.has("annulé") || !a.has("mauvais pass scanné") || a.has("Annuler cet encaissement") {
			t.Fatalf("history after cancelling:\n%s", a.Body)
		}
		if r := placeRedemptions(st, st.place.ID)[0]; r.Status != passnum.RedemptionCancelled {
			t.Fatalf("status %q", r.Status)
		}
		// The pass can be checked again.
		if a = b.post("/lieu/verifier", url.Values{"code": {codes[0]}}); a.Status != http.StatusOK || !a.has("Léa") {
			t.Fatalf("check after cancelling: %d", a.Status)
		}

		// After the window (24 h), no more cancelling by the place.
		if a := b.post("/lieu/encaisser", url.Values{"code": {codes[1]}, "service": {placeService}}); a.Status != http.StatusSeeOther {
			t.Fatalf("redeem: %d\n%s", a.Status, a.Body)
		}
		var late passnum.Redemption
		for _, r := range placeRedemptions(st, st.place.ID) {
			if r.Code == codes[1] {
				late = r
			}
		}
		st.clock.Advance(25 * time.Hour)
		b = st.as(passnum.RolePlace) // the session has ended meanwhile
		if a = b.get("/lieu/encaissements"); a.has("/lieu/encaissements/"+late.ID+"/annuler") || !a.has("Délai d'annulation dépassé") {
			t.Fatalf("history after the window:\n%s", a.Body)
		}
		if a = b.post("/lieu/encaissements/"+late.ID+"/annuler", url.Values{"reason": {"trop tard"}}); a.Status != http.StatusUnprocessableEntity || !a.has("délai") {
			t.Fatalf("cancel after the window: %d\n%s", a.Status, a.Body)
		}
	})
}

func TestPlaceNotLabelled(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		pending := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Atelier numérique de Dole", SIRET: nextSIRET(), CommuneINSEE: "39198"})
		b := st.browser()
		email := st.mustUser(pending.ID, "atelier@dole.fr")
		a := b.post("/connexion", url.Values{"email": {email}, "password": {testPassword}})
		if a.Location != "/lieu/label" {
			t.Fatalf("home of a pending place: %q", a.Location)
		}
		if a = b.get("/lieu/label"); a.Status != http.StatusOK || !a.has("à l'étude") || !a.has(pending.SIRET) {
			t.Fatalf("label page: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/lieu"); a.Status != http.StatusOK || !a.has(`href="/lieu/label"`) || a.has(`action="/lieu/verifier"`) {
			t.Fatalf("/lieu of a pending place: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/lieu/verifier", url.Values{"code": {codes[0]}}); a.Status == http.StatusOK || a.has("Léa") {
			t.Fatalf("a pending place checked a pass: %d", a.Status)
		}
		if a = b.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "service": {placeService}}); a.Status == http.StatusSeeOther {
			t.Fatal("a pending place redeemed a pass")
		}
		// Refused, with the reason.
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetPlaceStatus(ctx, st.op, pending.ID, passnum.OrgRefused, "Aucune formation au numérique dans vos statuts")
			return err
		})
		if a = b.get("/lieu/label"); !a.has("refusée") || !a.has("Aucune formation au numérique dans vos statuts") {
			t.Fatalf("refused:\n%s", a.Body)
		}
		// A labelled place sees since when.
		lb := st.as(passnum.RolePlace)
		since := st.clock.Now().In(passnum.Paris).Format("02/01/2006")
		if a = lb.get("/lieu/label"); !a.has("Votre lieu est labellisé depuis le " + since) {
			t.Fatalf("labelled:\n%s", a.Body)
		}
		// Suspended: the reason, and no more redeeming.
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetPlaceStatus(ctx, st.op, st.place.ID, passnum.OrgSuspended, "Contrôle en cours")
			return err
		})
		if a = lb.get("/lieu/label"); !a.has("suspendu") || !a.has("Contrôle en cours") {
			t.Fatalf("suspended:\n%s", a.Body)
		}
		if a = lb.get("/lieu"); !a.has(`href="/lieu/label"`) || a.has(`action="/lieu/verifier"`) {
			t.Fatalf("/lieu of a suspended place:\n%s", a.Body)
		}
	})
}

func TestPlaceTeam(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RolePlace)
		a := b.post("/lieu/equipe", url.Values{"email": {"Nouvelle.Formatrice@Planoise.fr"}, "name": {"Nora Formatrice"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("invite: %d\n%s", a.Status, a.Body)
		}
		link := st.mailedLink()
		if !strings.HasPrefix(link, "/lien/invite/") || !strings.Contains(st.lastMail(), "nouvelle.formatrice@planoise.fr") {
			t.Fatalf("invitation link %q", link)
		}
		if a = b.follow(a); !a.has("Invitation envoyée") || !a.has("nouvelle.formatrice@planoise.fr") || !a.has("invitation envoyée") {
			t.Fatalf("team page:\n%s", a.Body)
		}
		// The same address again is refused, with the form kept.
		if a = b.post("/lieu/equipe", url.Values{"email": {"nouvelle.formatrice@planoise.fr"}}); a.Status != http.StatusConflict || !a.has("déjà un compte") {
			t.Fatalf("invite twice: %d\n%s", a.Status, a.Body)
		}
		// The invited person chooses a password and signs in.
		nb := st.browser()
		if a = nb.post(link, url.Values{"password": {"une phrase de passe solide"}, "confirm": {"une phrase de passe solide"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("use link: %d", a.Status)
		}
		var users []passnum.User
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			users, err = tx.ListUsers(ctx, st.place.ID)
			return err
		})
		var nora, me passnum.User
		for _, u := range users {
			switch u.Email {
			case "nouvelle.formatrice@planoise.fr":
				nora = u
			case st.emails[passnum.RolePlace]:
				me = u
			}
		}
		if nora.OrganisationID != st.place.ID {
			t.Fatalf("invited person %+v", nora)
		}
		// Disable, then enable again.
		if a = b.post("/lieu/equipe/"+nora.ID+"/desactiver", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("désactivé") || !a.has("/lieu/equipe/"+nora.ID+"/reactiver") {
			t.Fatalf("after disabling:\n%s", a.Body)
		}
		if a = nb.post("/connexion", url.Values{"email": {nora.Email}, "password": {"une phrase de passe solide"}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("disabled person signs in: %d", a.Status)
		}
		if a = b.post("/lieu/equipe/"+nora.ID+"/reactiver", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("enable: %d", a.Status)
		}
		// Not oneself, and nobody of another organisation.
		if a = b.get("/lieu/equipe"); a.has("/lieu/equipe/" + me.ID + "/desactiver") {
			t.Error("a button to disable oneself")
		}
		if a = b.post("/lieu/equipe/"+me.ID+"/desactiver", nil); a.Status != http.StatusUnprocessableEntity || !a.has("propre compte") {
			t.Fatalf("disable oneself: %d\n%s", a.Status, a.Body)
		}
		other := st.mustUser(st.otherPlace.ID, "formatrice@mediatheque-dijon.fr")
		var otherID string
		st.view(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, other)
			otherID = c.User.ID
			return err
		})
		if a = b.post("/lieu/equipe/"+otherID+"/desactiver", nil); a.Status != http.StatusNotFound {
			t.Fatalf("disable another place's person: %d", a.Status)
		}
		if a = b.get("/lieu/equipe"); a.has(other) {
			t.Error("another place's person is listed")
		}
	})
}

func TestPlaceCatalogue(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.CreateSite(ctx, placeActor, st.place.ID, passnum.NewSite{Name: "EPN de Planoise", Address: "2 rue Picasso",
				CommuneINSEE: "25056", Postcode: "25000", Services: []string{placeService}})
			return err
		})
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RolePlace)
		if a := b.get("/lieu/formations"); a.Status != http.StatusOK || !a.has("Publier une formation") {
			t.Fatalf("catalogue: %d", a.Status)
		}
		a := b.post("/lieu/formations", url.Values{"title": {""}, "service": {placeService}, "duration_minutes": {"deux heures"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("nombre entier") {
			t.Fatalf("bad training: %d\n%s", a.Status, a.Body)
		}
		a = b.post("/lieu/formations", url.Values{"title": {"Créer son adresse électronique"}, "service": {placeService}, "level": {passnum.LevelBeginner},
			"duration_minutes": {"120"}, "passes_cost": {"1"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("create training: %d\n%s", a.Status, a.Body)
		}
		var trainings []passnum.Training
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			trainings, _, err = tx.ListTrainings(ctx, st.place.ID, false, store.Page{})
			return err
		})
		if len(trainings) != 1 {
			t.Fatalf("%d trainings", len(trainings))
		}
		tr := trainings[0]
		// A session in the past is refused, next to its field.
		a = b.post("/lieu/formations/"+tr.ID+"/sessions", url.Values{"date": {"01/03/2026"}, "debut": {"14:00"}, "fin": {"16:00"}, "capacity": {"8"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("dans le futur") {
			t.Fatalf("past session: %d\n%s", a.Status, a.Body)
		}
		a = b.post("/lieu/formations/"+tr.ID+"/sessions", url.Values{"date": {"12/03/2026"}, "debut": {"14h"}, "fin": {"16:00"}, "capacity": {"8"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("create session: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("Session programmée le 12/03/2026 à 14h00") || !a.has("12/03/2026") || !a.has("14h00 – 16h00") {
			t.Fatalf("catalogue after the session:\n%s", a.Body)
		}
		// A second training's session, a day earlier: the sessions are
		// listed by date, whatever their training.
		a = b.post("/lieu/formations", url.Values{"title": {"Faire ses démarches en ligne"}, "service": {placeService}, "level": {passnum.LevelBeginner},
			"duration_minutes": {"90"}, "passes_cost": {"1"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("second training: %d\n%s", a.Status, a.Body)
		}
		var second passnum.Training
		st.view(func(ctx context.Context, tx *store.Tx) error {
			list, _, err := tx.ListTrainings(ctx, st.place.ID, false, store.Page{})
			for _, x := range list {
				if x.ID != tr.ID {
					second = x
				}
			}
			return err
		})
		if a = b.post("/lieu/formations/"+second.ID+"/sessions", url.Values{"date": {"11032026"}, "debut": {"9:30"}, "fin": {"11:00"}, "capacity": {"6"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("second session (date typed as eight digits): %d\n%s", a.Status, a.Body)
		}
		a = b.get("/lieu/formations")
		diary := a.Body[strings.Index(a.Body, `id="sessions"`):strings.Index(a.Body, "Formations proposées")]
		if i, j := strings.Index(diary, "Faire ses démarches en ligne"), strings.Index(diary, "Créer son adresse électronique"); i < 0 || j < 0 || i > j ||
			!strings.Contains(diary, "11/03/2026") || !a.has("1 session à venir") {
			t.Fatalf("the sessions are not listed by date:\n%s", diary)
		}
		var sessions []passnum.Session
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			sessions, _, err = tx.ListSessions(ctx, tr.ID, store.SessionWindow{}, store.Page{})
			return err
		})
		if len(sessions) != 1 {
			t.Fatalf("%d sessions", len(sessions))
		}
		se := sessions[0]
		if a = b.get("/lieu/sessions/" + se.ID); a.Status != http.StatusOK || !a.has("Personne n'est inscrit") {
			t.Fatalf("session page: %d\n%s", a.Status, a.Body)
		}
		// Another place sees neither the session nor the training.
		other := st.browser()
		other.signIn(st.mustUser(st.otherPlace.ID, "formatrice@mediatheque-dijon.fr"))
		if a = other.get("/lieu/sessions/" + se.ID); a.Status != http.StatusNotFound {
			t.Fatalf("another place's session: %d", a.Status)
		}
		if a = other.post("/lieu/formations/"+tr.ID+"/sessions", url.Values{"date": {"12/03/2026"}}); a.Status != http.StatusNotFound {
			t.Fatalf("session on another place's training: %d", a.Status)
		}
		if a = other.post("/lieu/sessions/"+se.ID+"/annuler", url.Values{"reason": {"x"}}); a.Status != http.StatusNotFound {
			t.Fatalf("another place cancels the session: %d", a.Status)
		}
		// Neither a service nor a session: said by the field's label.
		if a = b.post("/lieu/encaisser", url.Values{"code": {codes[0]}}); a.Status != http.StatusUnprocessableEntity ||
			!a.has(`<a href="#f-service">Service délivré : choisissez le service que vous avez délivré</a>`) || a.has("service :") {
			t.Fatalf("redeem without a service: %d\n%s", a.Status, a.Body)
		}
		// The confirmation page offers the session; redeeming with it.
		if a = b.post("/lieu/verifier", url.Values{"code": {codes[0]}}); !a.has(`name="session_id"`) || !a.has(`value="`+se.ID+`"`) {
			t.Fatalf("confirmation without the session:\n%s", a.Body)
		}
		if a = b.post("/lieu/encaisser", url.Values{"code": {codes[0]}, "session_id": {se.ID}}); a.Status != http.StatusSeeOther {
			t.Fatalf("redeem with the session: %d\n%s", a.Status, a.Body)
		}
		if r := placeRedemptions(st, st.place.ID); len(r) != 1 || r[0].SessionID != se.ID || r[0].Service != placeService || r[0].SiteID != se.SiteID {
			t.Fatalf("redemption %+v", r)
		}
		// Cancelling the session needs a reason.
		if a = b.post("/lieu/sessions/"+se.ID+"/annuler", nil); a.Status != http.StatusUnprocessableEntity {
			t.Fatalf("cancel without a reason: %d", a.Status)
		}
		if a = b.post("/lieu/sessions/"+se.ID+"/annuler", url.Values{"reason": {"Formatrice malade"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("cancel session: %d\n%s", a.Status, a.Body)
		}
		// Deactivating the training takes it out of the catalogue.
		if a = other.post("/lieu/formations/"+tr.ID+"/desactiver", nil); a.Status != http.StatusNotFound {
			t.Fatalf("another place deactivates: %d", a.Status)
		}
		if a = b.post("/lieu/formations/"+tr.ID+"/desactiver", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", a.Status)
		}
		if a = b.follow(a); !a.has("Formations retirées du catalogue") {
			t.Fatalf("after deactivating:\n%s", a.Body)
		}
	})
}

// TestPlaceBrowserPages runs the place's pages in a real browser, with a
// catalogue, a booking, a redemption and an invited colleague: axe-core
// finds no serious violation, the typo shows while typing (htmx), the
// scanner button appears when a camera can be asked for, and nothing
// scrolls sideways on a 360 px phone.
func TestPlaceBrowserPages(t *testing.T) {
	c := newChrome(t)
	st := c.st
	ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
	placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	var session string
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var site passnum.Site
		for _, n := range []passnum.NewSite{
			{Name: "EPN de Planoise", Address: "2 rue Picasso", CommuneINSEE: "25056", Postcode: "25000", Services: []string{placeService}},
			{Name: "Antenne de Dole", Address: "2 place Nationale", CommuneINSEE: "39198", Postcode: "39100", Services: []string{placeService}},
		} {
			var err error
			if site, err = tx.CreateSite(ctx, placeActor, st.place.ID, n); err != nil {
				return err
			}
		}
		tr, err := tx.CreateTraining(ctx, placeActor, passnum.Training{Title: "Créer son adresse électronique", Service: placeService, DurationMinutes: 120})
		if err != nil {
			return err
		}
		start := st.clock.Now().Add(48 * time.Hour)
		se, err := tx.CreateSession(ctx, placeActor, tr.ID, passnum.NewSession{SiteID: site.ID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 8})
		if err != nil {
			return err
		}
		session = se.ID
		_, err = tx.Book(ctx, passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}, se.ID, ben.ID)
		return err
	})
	c.signIn(st.emails[passnum.RolePlace], "")

	c.step("ouvrir /lieu", c.visit("/lieu"))
	if shown := read(c, "bouton du scanner", chromedp.Evaluate[bool](`!document.getElementById("scan-start").hidden`)); !shown {
		c.fail("bouton du scanner", fmt.Errorf("the « Scanner le QR code » button stays hidden although the browser has getUserMedia"))
	}
	// Without a camera (headless), the scanner says to type the code.
	c.step("ouvrir la caméra", chromedp.Click(chromedp.ID("scan-start")), chromedp.Sleep(1500*time.Millisecond))
	if state := read(c, "état du scanner", chromedp.Evaluate[string](`document.getElementById("scan-status").textContent + (document.getElementById("scan-panel").hidden ? "" : " [caméra ouverte]")`)); !strings.Contains(state, "caméra ouverte") && !strings.Contains(state, "à la main") {
		c.fail("état du scanner", fmt.Errorf("after the scanner button: %q", state))
	}
	c.step("taper un code avec une faute de frappe",
		fill("f-code", placeTypo(codes[0])),
		chromedp.Sleep(1200*time.Millisecond),
		see("faute de frappe"),
		c.pathIs("/lieu"),
	)
	c.axe("encaisser un pass, faute de frappe signalée")
	c.step("vérifier le bon code", c.visit("/lieu"), fill("f-code", codes[0]), submit("Vérifier le pass"), see("Léa", "2004", "Créer son adresse électronique"))
	c.axe("confirmation avec sessions et sites")
	c.step("encaisser", choose("f-service", placeService), choose("f-site_id", ""), submit("Encaisser ce pass"), see("Pass encaissé"))
	c.axe("encaisser un pass, après un encaissement")
	c.step("historique", c.visit("/lieu/encaissements"), see(passnum.MaskPassCode(codes[0])),
		chromedp.Click(chromedp.Search(`//details[@class="cancel"]/summary`)))
	c.axe("encaissements, formulaire d'annulation ouvert")
	c.step("inviter", c.visit("/lieu/equipe"), fill("f-email", "nora@planoise.fr"), fill("f-name", "Nora"), submit("Envoyer l'invitation"), see("Invitation envoyée"))
	c.axe("équipe")
	c.step("formations", c.visit("/lieu/formations"), see("Créer son adresse électronique"))
	c.axe("formations")
	c.step("session", c.visit("/lieu/sessions/"+session), see("Léa"))
	c.axe("session")
	c.step("label", c.visit("/lieu/label"), see("Votre lieu est labellisé depuis le"))
	c.axe("label")

	c.step("écran de téléphone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	for _, p := range []string{"/lieu", "/lieu/encaissements", "/lieu/formations", "/lieu/equipe", "/lieu/sessions/" + session, "/lieu/label", "confirmation"} {
		if p == "confirmation" {
			c.step("vérifier un pass sur le téléphone", c.visit("/lieu"), fill("f-code", codes[1]), submit("Vérifier le pass"), see("Léa"))
		} else {
			c.step("ouvrir "+p+" sur le téléphone", c.visit(p))
		}
		c.fits(p + " (360 px)")
	}
}
