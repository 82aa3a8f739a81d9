package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// opFunderNamed finds a funder organisation of the test world by name.
func (st *site) opFunderNamed(name string) passnum.Organisation {
	st.t.Helper()
	var out passnum.Organisation
	st.view(func(ctx context.Context, tx *store.Tx) error {
		orgs, _, err := tx.ListOrganisations(ctx, string(passnum.RoleFunder), "", store.Page{})
		for _, o := range orgs {
			if o.Name == name {
				out = o
			}
		}
		return err
	})
	if out.ID == "" {
		st.t.Fatalf("no funder named %q", name)
	}
	return out
}

func (st *site) opProgrammeNamed(name string) passnum.Programme {
	st.t.Helper()
	var out passnum.Programme
	st.view(func(ctx context.Context, tx *store.Tx) error {
		list, _, err := tx.ListProgrammes(ctx, "", store.Page{})
		if err != nil {
			return err
		}
		for _, p := range list {
			if p.Name == name {
				out, err = tx.Programme(ctx, p.ID)
				return err
			}
		}
		return nil
	})
	if out.ID == "" {
		st.t.Fatalf("no programme named %q", name)
	}
	return out
}

func (st *site) opOrganisation(id string) passnum.Organisation {
	st.t.Helper()
	var o passnum.Organisation
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = tx.Organisation(ctx, id)
		return err
	})
	return o
}

func TestOperatorDashboard(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu en attente", SIRET: nextSIRET(), CommuneINSEE: "25056"})
		a := st.as(passnum.RoleOperator).get("/operateur")
		if a.Status != http.StatusOK || !a.has("Pass numérique 2026") || !a.has("1</strong> candidature attend") {
			t.Fatalf("dashboard: %d\n%s", a.Status, a.Body)
		}
		// One unit per row: 20 booklets issued, 10 allocated, 10 left
		// centrally; the same in passes (5 a booklet), and those redeemed.
		booklets := regexp.MustCompile(`<tr><th scope="row">Carnets</th><td class="num">20</td><td class="num">10</td><td class="num">10</td><td class="num">0</td>`)
		passes := regexp.MustCompile(`<tr><th scope="row">Pass</th><td class="num">100</td><td class="num">50</td><td class="num">50</td><td class="num">0</td><td class="num">0</td></tr>`)
		if !booklets.MatchString(a.Body) || !passes.MatchString(a.Body) || !a.has("carnets de 5 pass de 10 €") {
			t.Errorf("dashboard figures missing\n%s", a.Body)
		}
		// Other roles are kept out.
		if a := st.as(passnum.RoleDistributor).get("/operateur"); a.Status != http.StatusForbidden {
			t.Errorf("distributor on the operator dashboard: %d", a.Status)
		}
	})
}

func TestOperatorProgrammeForms(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		state := st.opFunderNamed("État")
		a := b.get("/operateur/programmes/nouveau")
		if a.Status != http.StatusOK || !a.has("Région Bourgogne-Franche-Comté") || !a.has(`value="10"`) {
			t.Fatalf("new programme form: %d\n%s", a.Status, a.Body)
		}
		form := url.Values{"name": {"Pass numérique 2027"}, "face_value": {"10,00"}, "booklet_size": {"5"}, "valid_from": {"01/01/2027"},
			"valid_until": {"31/12/2027"}, "grace_days": {"31"}, "min_age": {"16"}, "max_age": {"25"}, "max_booklets_per_beneficiary": {"1"},
			"cancel_window_hours": {"24"}, "max_passes_per_training": {"5"}, "territory": {"reg:27"},
			"funder_1": {st.funder.ID}, "share_1": {"60"}, "funder_2": {state.ID}, "share_2": {"30"}}
		// Shares that do not make 100 %: the error is next to the funders,
		// and what was typed is kept.
		a = b.post("/operateur/programmes/nouveau", form)
		if a.Status != http.StatusUnprocessableEntity || !a.has("totaliser exactement 100") || !a.has("90\u00a0%") {
			t.Fatalf("bad shares: %d\n%s", a.Status, a.Body)
		}
		if !a.has(`value="Pass numérique 2027"`) || !a.has(`value="60"`) || !a.has(`value="30"`) || !a.has(`value="`+state.ID+`" selected`) {
			t.Errorf("typed values not kept\n%s", a.Body)
		}
		// A share that is not a number is pointed at its own field.
		form.Set("share_2", "trente")
		a = b.post("/operateur/programmes/nouveau", form)
		if a.Status != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="f-share_2-error">pourcentage attendu`).MatchString(a.Body) {
			t.Fatalf("share not a number: %d\n%s", a.Status, a.Body)
		}
		// A bad date and a bad face value, each next to its field.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("share_2", "40")
		bad.Set("valid_until", "31 décembre")
		bad.Set("face_value", "dix")
		a = b.post("/operateur/programmes/nouveau", bad)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-valid_until-error"`) || !a.has(`id="f-face_value-error"`) {
			t.Fatalf("bad date and value: %d\n%s", a.Status, a.Body)
		}
		form.Set("share_2", "40")
		a = b.post("/operateur/programmes/nouveau", form)
		if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/operateur/programmes/") {
			t.Fatalf("create: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		p := st.opProgrammeNamed("Pass numérique 2027")
		if p.FaceValueCents != 1000 || p.BookletSize != 5 || p.ValidUntil != passnum.MustDate("2027-12-31") || len(p.Funders) != 2 {
			t.Fatalf("stored programme %+v", p)
		}
		for _, f := range p.Funders {
			if want := map[string]int64{st.funder.ID: 6000, state.ID: 4000}[f.OrganisationID]; f.ShareBps != want {
				t.Errorf("share of %s: %d, want %d", f.OrganisationID, f.ShareBps, want)
			}
		}
		path := "/operateur/programmes/" + p.ID
		if a.Location != path {
			t.Fatalf("redirect to %q, want %q", a.Location, path)
		}
		if a = b.follow(a); a.Status != http.StatusOK || !a.has("Pass numérique 2027") || !a.has("est créé") {
			t.Fatalf("programme page: %d\n%s", a.Status, a.Body)
		}

		// Issue, then allocate, through the forms.
		if a = b.post(path+"/emettre", url.Values{"booklets": {"0"}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="issue-booklets-error"`) {
			t.Fatalf("issue 0: %d\n%s", a.Status, a.Body)
		}
		a = b.post(path+"/emettre", url.Values{"booklets": {"12"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("issue: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("12 carnets émis, soit 60 pass : ils attendent d&#39;être attribués") {
			t.Errorf("no message after issuing\n%s", a.Body)
		}
		if p = st.opProgrammeNamed("Pass numérique 2027"); p.Stock.IssuedBooklets != 12 || p.Stock.UnallocatedBooklets != 12 {
			t.Fatalf("stock after issuing: %+v", p.Stock)
		}
		a = b.post(path+"/doter", url.Values{"distributor_id": {st.distributor.ID}, "booklets": {"20"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("Stock insuffisant") || !a.has(`value="20"`) {
			t.Fatalf("allocating more than the stock: %d\n%s", a.Status, a.Body)
		}
		if a = b.post(path+"/doter", url.Values{"booklets": {"2"}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="alloc-distributor-error"`) {
			t.Fatalf("allocating to no one: %d\n%s", a.Status, a.Body)
		}
		a = b.post(path+"/doter", url.Values{"distributor_id": {st.distributor.ID}, "booklets": {"4"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("allocate: %d\n%s", a.Status, a.Body)
		}
		a = b.follow(a)
		if !a.has("4 carnets attribués à « Mission locale du Grand Besançon »") || !a.has(`<a href="/operateur/organisations/`+st.distributor.ID+`">Mission locale du Grand Besançon</a>`) {
			t.Errorf("programme page after allocating\n%s", a.Body)
		}
		if p = st.opProgrammeNamed("Pass numérique 2027"); p.Stock.UnallocatedBooklets != 8 {
			t.Fatalf("stock after allocating: %+v", p.Stock)
		}
		st.view(func(ctx context.Context, tx *store.Tx) error {
			s, err := tx.Stock(ctx, p.ID, st.distributor.ID)
			if s.AllocatedBooklets != 4 || s.AvailableBooklets != 4 {
				t.Errorf("distributor stock %+v", s)
			}
			return err
		})
		// The list shows it; an unknown programme is not found.
		if a = b.get("/operateur/programmes"); !a.has("Pass numérique 2027") || !a.has("Pass numérique 2026") {
			t.Errorf("programme list\n%s", a.Body)
		}
		if a = b.get("/operateur/programmes/" + passnum.NewID(st.clock.Now())); a.Status != http.StatusNotFound {
			t.Errorf("unknown programme: %d", a.Status)
		}
	})
}

func TestOperatorLabelsPlace(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		pending := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu de Palente", SIRET: nextSIRET(), CommuneINSEE: "25056"})
		a := b.get("/operateur/labellisation")
		if a.Status != http.StatusOK || !a.has("Tiers-lieu de Palente") || a.has("Espace public numérique de Planoise") {
			t.Fatalf("labelling queue: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/operateur/labellisation?statut=labelled"); !a.has("Espace public numérique de Planoise") || a.has("Tiers-lieu de Palente") {
			t.Errorf("labelled places\n%s", a.Body)
		}
		file := "/operateur/labellisation/" + pending.ID
		a = b.get(file)
		if a.Status != http.StatusOK || !a.has(pending.SIRET) || !a.has(">Labelliser</button>") || !a.has(">Refuser</button>") || a.has(">Suspendre</button>") {
			t.Fatalf("application page: %d\n%s", a.Status, a.Body)
		}
		// Refusing needs a reason: the error is next to it, on the same page.
		decide := "/operateur/organisations/" + pending.ID + "/statut"
		a = b.post(decide, url.Values{"status": {string(passnum.OrgRefused)}, "reason": {"  "}, "retour": {"candidature"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-reason-error">indiquez le motif`) || !a.has("Candidature du Tiers-lieu de Palente") {
			t.Fatalf("refusal without a reason: %d\n%s", a.Status, a.Body)
		}
		if o := st.opOrganisation(pending.ID); o.Status != passnum.OrgPending {
			t.Fatalf("status changed by a refused decision: %s", o.Status)
		}
		a = b.post(decide, url.Values{"status": {string(passnum.OrgLabelled)}, "retour": {"candidature"}})
		if a.Status != http.StatusSeeOther || a.Location != file {
			t.Fatalf("labelling: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		if o := st.opOrganisation(pending.ID); o.Status != passnum.OrgLabelled {
			t.Fatalf("status after labelling: %s", o.Status)
		}
		if a = b.follow(a); !a.has("est maintenant labellisé") {
			t.Errorf("no message after the decision\n%s", a.Body)
		}
		// From labelled, the organisation page offers suspension and
		// withdrawal only; a decision that makes no sense is refused.
		a = b.get("/operateur/organisations/" + pending.ID)
		if !a.has(">Suspendre</button>") || !a.has(">Retirer le label</button>") || a.has(">Labelliser</button>") || a.has(">Refuser</button>") {
			t.Errorf("decisions offered to a labelled place\n%s", a.Body)
		}
		if a = b.post(decide, url.Values{"status": {string(passnum.OrgSuspended)}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-reason-error"`) {
			t.Errorf("suspension without a reason: %d\n%s", a.Status, a.Body)
		}
		if a = b.post(decide, url.Values{"status": {string(passnum.OrgRefused)}, "reason": {"erreur"}}); a.Status != http.StatusConflict || !a.has("Impossible de passer") {
			t.Errorf("refusing a labelled place: %d\n%s", a.Status, a.Body)
		}
		a = b.post(decide, url.Values{"status": {string(passnum.OrgSuspended)}, "reason": {"charte non respectée"}})
		if a.Status != http.StatusSeeOther || a.Location != "/operateur/organisations/"+pending.ID {
			t.Fatalf("suspension: %d %q", a.Status, a.Location)
		}
		// The audit trail lists the decisions, with their reason.
		a = b.get("/operateur/journal?object_type=organisation&object_id=" + pending.ID)
		if a.Status != http.StatusOK || !a.has("Lieu labellisé") || !a.has("Label suspendu") || !a.has("charte non respectée") || a.has(`<th scope="row">Création d&#39;un programme</th>`) {
			t.Fatalf("audit page: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/operateur/journal?action=place.labelled&du=01/01/2026&au=31/12/2026"); !a.has(`<th scope="row">Lieu labellisé</th>`) {
			t.Errorf("audit filtered by action and dates\n%s", a.Body)
		}
		if a = b.get("/operateur/journal?action=place.labelled&au=31/12/2025"); a.has(`<th scope="row">Lieu labellisé</th>`) {
			t.Errorf("audit date filter ignored\n%s", a.Body)
		}
		if a = b.get("/operateur/journal?du=demain"); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-du-error"`) {
			t.Errorf("bad date in the audit filter: %d", a.Status)
		}
		// Only places get label decisions.
		if a = b.post("/operateur/organisations/"+st.distributor.ID+"/statut", url.Values{"status": {string(passnum.OrgLabelled)}}); a.Status != http.StatusNotFound {
			t.Errorf("labelling a distributor: %d", a.Status)
		}
	})
}

func TestOperatorOrganisations(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		a := b.post("/operateur/organisations/nouvelle", url.Values{"kind": {"place"}, "name": {"Fablab de Dole"}, "commune_insee": {"39198"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-siret-error"`) || !a.has(`value="Fablab de Dole"`) {
			t.Fatalf("place without SIRET: %d\n%s", a.Status, a.Body)
		}
		// The commune is typed by its name, and shown by its name and postcode.
		a = b.post("/operateur/organisations/nouvelle", url.Values{"kind": {"distributor"}, "name": {"France Travail Dole"}, "commune_insee": {"Dole"}})
		if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/operateur/organisations/") {
			t.Fatalf("create distributor: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("France Travail Dole") || !a.has("distributeur") || !a.has("<dd>Dole (39100)</dd>") {
			t.Errorf("organisation page\n%s", a.Body)
		}
		if a = b.post("/operateur/organisations/nouvelle", url.Values{"kind": {"distributor"}, "name": {"Mission locale"}, "commune_insee": {"Trifouillis"}}); a.Status != http.StatusUnprocessableEntity ||
			!a.has(`id="f-commune_insee-error"`) {
			t.Errorf("unknown commune: %d\n%s", a.Status, a.Body)
		}
		a = b.get("/operateur/organisations?kind=distributor")
		if !a.has("France Travail Dole") || a.has("Espace public numérique de Planoise") {
			t.Errorf("list by kind\n%s", a.Body)
		}
		if a = b.get("/operateur/organisations"); !a.has("France Travail Dole") || !a.has("Espace public numérique de Planoise") || !a.has("<td>Besançon (25000)</td>") {
			t.Errorf("full list\n%s", a.Body)
		}
		if a = b.get("/operateur/organisations/" + passnum.NewID(st.clock.Now())); a.Status != http.StatusNotFound {
			t.Errorf("unknown organisation: %d", a.Status)
		}
	})
}

var opKeyRE = regexp.MustCompile(`pn_[a-z2-7]{32}`)

func TestOperatorKeys(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		a := b.post("/operateur/organisations/"+st.distributor.ID+"/cles", url.Values{"key_name": {"Logiciel d'accueil"}})
		secret := opKeyRE.FindString(a.Body)
		if a.Status != http.StatusOK || secret == "" || !a.has("ne sera plus jamais affichée") {
			t.Fatalf("create key: %d\n%s", a.Status, a.Body)
		}
		actor, err := st.s.Authenticate(t.Context(), secret)
		if err != nil || actor.OrganisationID != st.distributor.ID {
			t.Fatalf("new key: %v %+v", err, actor)
		}
		// Shown once: the page does not show it again.
		a = b.get("/operateur/organisations/" + st.distributor.ID)
		if a.has(secret) || !a.has("Logiciel d&#39;accueil") {
			t.Fatalf("organisation page after the key\n%s", a.Body)
		}
		var keyID string
		st.view(func(ctx context.Context, tx *store.Tx) error {
			keys, err := tx.ListKeys(ctx, st.distributor.ID)
			if len(keys) > 0 {
				keyID = keys[0].ID
			}
			return err
		})
		// A key is revoked from its own organisation's page only.
		if a = b.post("/operateur/organisations/"+st.other.ID+"/cles/"+keyID+"/revoquer", nil); a.Status != http.StatusNotFound {
			t.Errorf("revoking through another organisation: %d", a.Status)
		}
		if a = b.post("/operateur/organisations/"+st.distributor.ID+"/cles/"+keyID+"/revoquer", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d\n%s", a.Status, a.Body)
		}
		if _, err := st.s.Authenticate(t.Context(), secret); passnum.ErrorCode(err) != passnum.EUNAUTHENTICATED {
			t.Fatalf("revoked key still works: %v", err)
		}
	})
}

func TestOperatorInvitesPeople(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		if a := b.get("/operateur/personnes"); a.Status != http.StatusOK || !a.has(st.emails[passnum.RolePlace]) {
			t.Fatalf("people page: %d\n%s", a.Status, a.Body)
		}
		a := b.post("/operateur/personnes", url.Values{"organisation_id": {st.distributor.ID}, "email": {"pas une adresse"}, "name": {"Nina Conseil"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-email-error"`) || !a.has(`value="Nina Conseil"`) {
			t.Fatalf("bad address: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/operateur/personnes", url.Values{"email": {"nina@exemple.fr"}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-organisation_id-error"`) {
			t.Fatalf("no organisation: %d\n%s", a.Status, a.Body)
		}
		a = b.post("/operateur/personnes", url.Values{"organisation_id": {st.distributor.ID}, "email": {"Nina@exemple.fr"}, "name": {"Nina Conseil"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("invite: %d\n%s", a.Status, a.Body)
		}
		link := st.mailedLink()
		if !strings.HasPrefix(link, "/lien/invite/") {
			t.Fatalf("mailed link %q", link)
		}
		if a = b.post("/operateur/personnes", url.Values{"organisation_id": {st.other.ID}, "email": {"nina@exemple.fr"}}); a.Status != http.StatusConflict || !a.has("déjà un compte") {
			t.Fatalf("invited twice: %d\n%s", a.Status, a.Body)
		}
		// The invited person chooses a password and signs in.
		nina := st.browser()
		if a = nina.post(link, url.Values{"password": {"une phrase de passe solide"}, "confirm": {"une phrase de passe solide"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("choosing a password: %d\n%s", a.Status, a.Body)
		}
		a = nina.post("/connexion", url.Values{"email": {"nina@exemple.fr"}, "password": {"une phrase de passe solide"}})
		if a.Status != http.StatusSeeOther || a.Location != "/distributeur" {
			t.Fatalf("sign-in of the invited person: %d %q", a.Status, a.Location)
		}
		var id string
		st.view(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, "nina@exemple.fr")
			id = c.User.ID
			return err
		})
		// Disabled, she can no longer sign in; enabled again, she can.
		if a = b.post("/operateur/personnes/"+id+"/desactiver", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("désactivé le") {
			t.Errorf("people page after disabling\n%s", a.Body)
		}
		if a = st.browser().post("/connexion", url.Values{"email": {"nina@exemple.fr"}, "password": {"une phrase de passe solide"}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("disabled account signed in: %d", a.Status)
		}
		if a = b.post("/operateur/personnes/"+id+"/lien", nil); a.Status != http.StatusUnprocessableEntity {
			t.Errorf("link for a disabled account: %d", a.Status)
		}
		if a = b.post("/operateur/personnes/"+id+"/activer", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("enable: %d", a.Status)
		}
		// Someone with a password gets a reset link.
		if a = b.post("/operateur/personnes/"+id+"/lien", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("send link: %d\n%s", a.Status, a.Body)
		}
		if l := st.mailedLink(); !strings.HasPrefix(l, "/lien/reset/") {
			t.Errorf("link for someone with a password: %q", l)
		}
		// Invitation from an organisation's page.
		a = b.post("/operateur/organisations/"+st.place.ID+"/personnes", url.Values{"email": {"formateur@exemple.fr"}, "name": {"Paul Formateur"}})
		if a.Status != http.StatusSeeOther || a.Location != "/operateur/organisations/"+st.place.ID {
			t.Fatalf("invite from the organisation page: %d\n%s", a.Status, a.Body)
		}
		if !strings.Contains(st.lastMail(), "formateur@exemple.fr") || !strings.HasPrefix(st.mailedLink(), "/lien/invite/") {
			t.Errorf("invitation mail\n%s", st.lastMail())
		}
		if a = b.follow(a); !a.has("formateur@exemple.fr") || !a.has("invitation en attente") {
			t.Errorf("organisation page after inviting\n%s", a.Body)
		}
		// The operator cannot disable their own account.
		var self string
		st.view(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, st.emails[passnum.RoleOperator])
			self = c.User.ID
			return err
		})
		if a = b.post("/operateur/personnes/"+self+"/desactiver", nil); a.Status != http.StatusUnprocessableEntity {
			t.Errorf("disabling oneself: %d", a.Status)
		}
	})
}

func TestOperatorReadsApplication(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		lat, lng := 47.2205, 5.9744
		var rc store.ApplicationReceipt
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			rc, err = tx.ApplyForLabel(ctx, passnum.NewPlaceApplication{
				Name: "Espace numérique des Vaîtes", SIRET: nextSIRET(),
				LegalRep:     passnum.LegalRepresentative{Name: "Claire Dupont", Role: "présidente"},
				ContactEmail: "contact@vaites-numerique.fr", ContactPhone: "03 81 41 00 00",
				Site: passnum.NewSite{Address: "13 avenue de l'Île-de-France", CommuneINSEE: "25056", Postcode: "25000",
					Latitude: &lat, Longitude: &lng, OpeningHours: "Mo-Fr 09:00-17:00",
					Services: []string{"Maîtrise des outils numériques du quotidien"}},
				CharterAccepted: true, CharterVersion: passnum.CharterVersion,
				Bank: passnum.NewBankAccount{Holder: "Association des Vaîtes", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "BNPAFRPP"},
			})
			return err
		})
		b := st.as(passnum.RoleOperator)
		file := "/operateur/labellisation/" + rc.Organisation.ID
		a := b.get(file)
		for _, want := range []string{"Claire Dupont, présidente", "contact@vaites-numerique.fr", "13 avenue de l&#39;Île-de-France", "Maîtrise des outils numériques du quotidien",
			"version " + passnum.CharterVersion + " acceptée le", "FR76 **** **** **** **** ***0 189", "Rejeter ces coordonnées", ">Labelliser</button>"} {
			if !a.has(want) {
				t.Errorf("application page lacks %q", want)
			}
		}
		if a.Status != http.StatusOK || a.has("FR76 3000 6000") {
			t.Fatalf("application page: %d (the IBAN must be masked)\n%s", a.Status, a.Body)
		}
		// Rejecting bank details needs a reason.
		bank := file + "/rib/" + rc.BankAccount.ID
		if a = b.post(bank+"/rejeter", nil); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-bank_reason-error"`) {
			t.Fatalf("rejection without a reason: %d\n%s", a.Status, a.Body)
		}
		// Another place's page cannot decide on these details.
		if a = b.post("/operateur/labellisation/"+st.place.ID+"/rib/"+rc.BankAccount.ID+"/approuver", nil); a.Status != http.StatusNotFound {
			t.Errorf("bank details through another place: %d", a.Status)
		}
		if a = b.post(bank+"/approuver", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("approval: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("approuvées le") || a.has("Rejeter ces coordonnées") {
			t.Errorf("after approval\n%s", a.Body)
		}
		// The organisation page leads to the file.
		if a = b.get("/operateur/organisations/" + rc.Organisation.ID); !a.has(`href="` + file + `"`) {
			t.Errorf("organisation page without a link to the file\n%s", a.Body)
		}
	})
}
