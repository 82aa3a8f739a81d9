package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/mail"
	"passnum/remind"
	"passnum/store"
)

// dormantWorld hands out three booklets 25 and 20 days ago: Alix (who
// agreed to be contacted), Bilal (who did not), both of the counsellor's
// agency, and Chloé of another agency. It returns them in that order with
// their booklets.
func dormantWorld(st *site) ([3]passnum.Beneficiary, [3]passnum.Booklet) {
	st.t.Helper()
	var bens [3]passnum.Beneficiary
	var bks [3]passnum.Booklet
	people := []struct {
		org          string
		first, email string
		phone        string
		daysAgo      int
	}{
		{st.distributor.ID, "Alix", "alix@exemple.fr", "06 12 34 56 78", 25},
		{st.distributor.ID, "Bilal", "", "", 20},
		{st.other.ID, "Chloé", "chloe@exemple.fr", "", 25},
	}
	now := st.clock.Now()
	defer st.clock.Set(now)
	for i, p := range people {
		st.clock.Set(now.Add(-time.Duration(p.daysAgo) * 24 * time.Hour))
		actor := passnum.Actor{OrganisationID: p.org, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			bens[i], err = tx.CreateBeneficiary(ctx, actor, passnum.Beneficiary{FirstName: p.first, LastName: "Dormant", BirthDate: passnum.MustDate("2004-05-14"),
				CommuneINSEE: "25056", JobSeeker: true, Email: p.email, Phone: p.phone, ContactConsent: p.email != "" || p.phone != ""})
			if err != nil {
				return err
			}
			bks[i], err = tx.HandOut(ctx, actor, bens[i].ID, st.programme.ID)
			return err
		})
	}
	return bens, bks
}

func (st *site) auditCount(objectID, action string) int {
	st.t.Helper()
	var n int
	st.view(func(ctx context.Context, tx *store.Tx) error {
		entries, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectID: objectID, Action: action})
		n = len(entries)
		return err
	})
	return n
}

// The operator sets the dormant days on the settings page (a bad value
// refused in words, nothing written); the counsellor's list follows, oldest
// first, with the contact agreed to; "Rappelé(e)" is audited; another
// agency's booklet is not found; the list and its download are logged as
// reads.
func TestDistributorDormantBooklets(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		bens, bks := dormantWorld(st)
		d := st.as(passnum.RoleDistributor)
		op := st.as(passnum.RoleOperator)
		if a := d.get("/distributeur"); a.Status != http.StatusOK || !a.has("Aucun carnet dormant") || !a.has(`href="/distributeur/carnets-dormants"`) {
			t.Fatalf("home without dormant booklets: %d\n%s", a.Status, a.Body)
		}
		if a := d.get("/distributeur/carnets-dormants"); a.Status != http.StatusOK || !a.has("Aucun carnet dormant") || a.has("Alix") {
			t.Fatalf("dormant page at 60 days: %d\n%s", a.Status, a.Body)
		}

		// Bad values: said next to the field, nothing written.
		path := "/operateur/programmes/" + st.programme.ID + "/parametres"
		if a := op.get(path); !a.has(`name="dormant_days" value="60"`) {
			t.Fatalf("settings form without the dormant days\n%s", a.Body)
		}
		for bad, want := range map[string]string{"3": "entre 7 et 365", "400": "entre 7 et 365", "douze": "nombre entier", "": "obligatoire"} {
			form := settingsForm()
			form.Set("dormant_days", bad)
			form.Set("name", "Pass numérique renommé")
			a := op.post(path, form)
			if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-dormant_days-error"`) || !a.has(want) {
				t.Fatalf("dormant days %q: %d\n%s", bad, a.Status, a.Body)
			}
		}
		if p := st.opProgramme(st.programme.ID); p.DormantDays != 60 || p.Name != "Pass numérique 2026" || st.auditCount(st.programme.ID, "programme.update") != 0 {
			t.Fatalf("a refused change was written: %+v", p)
		}
		form := settingsForm()
		form.Set("dormant_days", "10")
		if a := op.post(path, form); a.Status != http.StatusSeeOther {
			t.Fatalf("dormant days 10: %d\n%s", a.Status, a.Body)
		}
		if p := st.opProgramme(st.programme.ID); p.DormantDays != 10 || st.auditCount(st.programme.ID, "programme.update") != 1 {
			t.Fatalf("dormant days not changed: %+v", p)
		}

		// The counsellor's list: Alix (25 days) before Bilal (20), never Chloé.
		if a := d.get("/distributeur"); !a.has("2 carnets remis") || !a.has("Voir les jeunes à rappeler") {
			t.Fatalf("home count: %s", a.Body)
		}
		a := d.get("/distributeur/carnets-dormants")
		alix, bilal := strings.Index(a.Body, "Dormant Alix"), strings.Index(a.Body, "Dormant Bilal")
		if a.Status != http.StatusOK || alix < 0 || bilal < alix || a.has("Chloé") || !a.has("25 jours") || !a.has("20 jours") ||
			!a.has("alix@exemple.fr") || !a.has("06 12 34 56 78") || !a.has("pas de contact accepté") || !a.has("13/02/2026") ||
			!a.has(`action="/distributeur/carnets/`+bks[0].ID+`/rappele"`) || !a.has("pas encore") {
			t.Fatalf("dormant page: %d\n%s", a.Status, a.Body)
		}
		var reads []passnum.RecordRead
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			reads, _, err = tx.RecordReads(ctx, bens[1].ID, "", store.Page{Limit: 10})
			return err
		})
		if len(reads) != 1 || reads[0].Via != passnum.ReadViaPage || reads[0].Purpose != passnum.ReadSupport || reads[0].OrganisationID != st.distributor.ID {
			t.Fatalf("the list was not logged as a read of Bilal's record: %+v", reads)
		}

		// Called back: audited, and the date shows.
		a = d.post("/distributeur/carnets/"+bks[0].ID+"/rappele", url.Values{})
		if a.Status != http.StatusSeeOther || a.Location != "/distributeur/carnets-dormants" {
			t.Fatalf("mark called: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		if page := d.follow(a); !page.has("Rappel noté pour Alix Dormant") || !page.has("10/03/2026") {
			t.Fatalf("after the mark: %s", page.Body)
		}
		if st.auditCount(bks[0].ID, "booklet.call") != 1 {
			t.Fatal("the call is not audited")
		}
		// Another agency's booklet: not found, and nothing marked.
		if a := d.post("/distributeur/carnets/"+bks[2].ID+"/rappele", url.Values{}); a.Status != http.StatusNotFound {
			t.Fatalf("another agency's booklet: %d", a.Status)
		}
		if st.auditCount(bks[2].ID, "booklet.call") != 0 {
			t.Fatal("another agency's booklet was marked")
		}

		// The download: the same lines, logged as an export.
		a = d.get("/distributeur/carnets-dormants.csv")
		if a.Status != http.StatusOK || !strings.Contains(a.Body, "Alix;Dormant;") || !strings.Contains(a.Body, "alix@exemple.fr") ||
			!strings.Contains(a.Body, "Rappelé(e) le") || strings.Contains(a.Body, "Chloé") ||
			!strings.Contains(a.Body, ";oui;alix@exemple.fr;") || !strings.Contains(a.Body, ";non;;;") {
			t.Fatalf("dormant CSV: %d\n%s", a.Status, a.Body)
		}
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			reads, _, err = tx.RecordReads(ctx, bens[1].ID, "", store.Page{Limit: 10})
			return err
		})
		if len(reads) < 3 || reads[0].Via != passnum.ReadViaExport {
			t.Fatalf("the download was not logged: %+v", reads)
		}

		// Thirty days: nobody is dormant any more.
		form.Set("dormant_days", "30")
		if a := op.post(path, form); a.Status != http.StatusSeeOther {
			t.Fatalf("dormant days 30: %d\n%s", a.Status, a.Body)
		}
		if a := d.get("/distributeur/carnets-dormants"); !a.has("Aucun carnet dormant") || a.has("Dormant Alix") {
			t.Fatalf("dormant page at 30 days: %s", a.Body)
		}
	})
}

// A young person stops the reminders from their space: their consent and
// contact details go, the audit names them as actor, and no reminder is
// due for them any more.
func TestBeneficiaryStopsReminders(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		bens, bks := dormantWorld(st)
		st.write(func(ctx context.Context, tx *store.Tx) error {
			days := 10
			_, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{DormantDays: &days})
			return err
		})
		due := func() map[string]bool {
			t.Helper()
			out := map[string]bool{}
			st.view(func(ctx context.Context, tx *store.Tx) error {
				list, err := tx.DueReminders(ctx)
				for _, r := range list {
					out[r.BeneficiaryID] = true
				}
				return err
			})
			return out
		}
		if d := due(); !d[bens[0].ID] || !d[bens[2].ID] || d[bens[1].ID] {
			t.Fatalf("reminders due before: %v", d)
		}
		b := st.browser()
		if a := b.post("/mon-pass", url.Values{"code": {bks[0].Passes[0].Code}, "birth_date": {"14/05/2004"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d\n%s", a.Status, a.Body)
		}
		if a := b.get("/mon-pass/espace"); !a.has("Ne plus recevoir de rappels") || !a.has(`action="/mon-pass/rappels/arreter"`) {
			t.Fatalf("space without the opt-out: %s", a.Body)
		}
		a := b.post("/mon-pass/rappels/arreter", url.Values{})
		if a.Status != http.StatusSeeOther || a.Location != "/mon-pass/espace" {
			t.Fatalf("opt-out: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		if page := b.follow(a); !page.has("vous ne recevrez plus de rappels") || page.has(`action="/mon-pass/rappels/arreter"`) ||
			!page.has(`action="/mon-pass/rappels/accepter"`) {
			t.Fatalf("space after the opt-out: %s", page.Body)
		}
		st.view(func(ctx context.Context, tx *store.Tx) error {
			got, err := tx.Beneficiary(ctx, bens[0].ID, "")
			if err != nil {
				return err
			}
			if got.ContactConsent || got.Email != "" || got.Phone != "" {
				t.Errorf("consent or contact kept: %+v", got)
			}
			entries, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectID: bens[0].ID, Action: "beneficiary.contact_withdraw"})
			if len(entries) != 1 || entries[0].ActorKind != "beneficiary" || entries[0].ActorID != bens[0].ID {
				t.Errorf("audit: %+v", entries)
			}
			return err
		})
		if d := due(); d[bens[0].ID] || !d[bens[2].ID] {
			t.Fatalf("reminders due after the opt-out: %v", d)
		}
		// A run sends nothing to them: the other agency's young person only.
		rep, err := remind.Run(t.Context(), st.s, remind.Config{Mail: mail.Outbox{Dir: t.TempDir()}, SiteURL: "https://pass.exemple.fr"})
		if err != nil || rep.Due != 1 || rep.Email != 1 {
			t.Fatalf("run: %+v %v", rep, err)
		}

		// Of age at registration, they may agree again on their own, at an
		// address or number checked as at registration.
		for _, v := range []url.Values{{}, {"contact_consent": {"1"}}, {"email": {"alix@exemple"}, "contact_consent": {"1"}}, {"phone": {"0612"}, "contact_consent": {"1"}},
			{"email": {"alix@exemple.fr"}}} {
			if a := b.post("/mon-pass/rappels/accepter", v); a.Status != http.StatusUnprocessableEntity || !a.has(`role="alert"`) {
				t.Fatalf("consent %v: %d\n%s", v, a.Status, a.Body)
			}
		}
		if st.auditCount(bens[0].ID, "beneficiary.contact_consent") != 0 || due()[bens[0].ID] {
			t.Fatal("a refused consent was written")
		}
		a = b.post("/mon-pass/rappels/accepter", url.Values{"phone": {"07 11 22 33 44"}, "contact_consent": {"1"}})
		if a.Status != http.StatusSeeOther || !b.follow(a).has("Ne plus recevoir de rappels") {
			t.Fatalf("consent: %d\n%s", a.Status, a.Body)
		}
		if st.auditCount(bens[0].ID, "beneficiary.contact_consent") != 1 {
			t.Fatal("consent not audited")
		}
		// Not reminded this month while they had stopped: due at once.
		if !due()[bens[0].ID] {
			t.Fatal("no reminder due after consenting again")
		}

		// A minor at registration is sent to their counsellor.
		_, codes := st.mustBeneficiary(st.distributor.ID, "Noé", "Mineur", "2009-06-01")
		m := st.browser()
		if a := m.post("/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"01/06/2009"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("minor sign-in: %d\n%s", a.Status, a.Body)
		}
		if a := m.get("/mon-pass/espace"); !a.has("moins de 18 ans à votre inscription") || a.has(`action="/mon-pass/rappels/accepter"`) {
			t.Fatalf("minor's space: %s", a.Body)
		}
		if a := m.post("/mon-pass/rappels/accepter", url.Values{"email": {"noe@exemple.fr"}, "contact_consent": {"1"}}); a.Status != http.StatusUnprocessableEntity ||
			!a.has("représentant légal") {
			t.Fatalf("minor's consent: %d\n%s", a.Status, a.Body)
		}
	})
}
