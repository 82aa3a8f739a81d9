package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// recordReads lists who read a young person's record.
func (st *site) recordReads(id string) []passnum.RecordRead {
	st.t.Helper()
	var l []passnum.RecordRead
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		l, _, err = tx.RecordReads(ctx, id, "", store.Page{})
		return err
	})
	return l
}

// The registration form keeps contact details with consent only, and
// refuses a minor's without a guardian's consent, in French, writing
// nothing.
func TestRegisterWithContact(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleDistributor)
		minor := passnum.ParisDate(st.clock.Now()).AddDays(-17 * 366)
		v := url.Values{"first_name": {"Hugo"}, "last_name": {"Petit"}, "birth_date": {minor.String()}, "commune_insee": {"25056"}, "job_seeker": {"1"},
			"phone": {"06 12 34 56 78"}, "contact_consent": {"1"}}
		a := b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusUnprocessableEntity || !a.has("l'accord d'un représentant légal est obligatoire") {
			t.Fatalf("minor without guardian: %d\n%s", a.Status, a.Body)
		}
		v.Set("guardian_consent", "1")
		v.Set("guardian_name", "Anne Petit")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusSeeOther {
			t.Fatalf("minor with guardian: %d\n%s", a.Status, a.Body)
		}
		a = b.follow(a)
		if !a.has("06 12 34 56 78") || !a.has("mineur : accord de Anne Petit") {
			t.Fatalf("record page:\n%s", a.Body)
		}
	})
}

// The counsellor opens a record (logged as "accompagnement"), its data
// page (logged as "demande de la personne"), downloads it as PDF and
// JSON, and erases the identity with a reason and a confirmation; another
// agency sees none of it.
func TestDistributorPersonalData(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		home := "/distributeur/beneficiaires/" + ben.ID
		b := st.as(passnum.RoleDistributor)
		if a := b.get(home); a.Status != http.StatusOK || !a.has(`href="`+home+`/donnees"`) {
			t.Fatalf("record: %d\n%s", a.Status, a.Body)
		}
		a := b.get(home + "/donnees")
		if a.Status != http.StatusOK || !a.has("Léa") || !a.has("Pass numérique 2026") || !a.has(home+"/donnees.pdf") || !a.has("Effacer son identité") {
			t.Fatalf("data page: %d\n%s", a.Status, a.Body)
		}
		pdf := b.get(home + "/donnees.pdf")
		if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("pdf: %d %.40q", pdf.Status, pdf.Body)
		}
		js := b.get(home + "/donnees.json")
		var d store.PersonalData
		if err := json.Unmarshal([]byte(js.Body), &d); err != nil || d.Person.ID != ben.ID || len(d.Passes) != 5 {
			t.Fatalf("json: %v %.200s", err, js.Body)
		}
		reads := st.recordReads(ben.ID)
		if len(reads) != 4 || reads[3].Purpose != passnum.ReadSupport || reads[2].Purpose != passnum.ReadRequest || reads[0].Via != passnum.ReadViaExport {
			t.Fatalf("reads: %+v", reads)
		}
		// Another agency: not found, and nothing logged.
		other := st.mustUser(st.other.ID, "autre@exemple.fr")
		ob := st.browser()
		ob.signIn(other)
		for _, p := range []string{home + "/donnees", home + "/donnees.pdf", home + "/donnees.json"} {
			if a := ob.get(p); a.Status != http.StatusNotFound {
				t.Errorf("%s for another agency: %d", p, a.Status)
			}
		}
		if a := ob.post(home+"/effacer", url.Values{"reason": {"x"}, "confirm": {"1"}}); a.Status != http.StatusNotFound {
			t.Errorf("erase by another agency: %d", a.Status)
		}
		if n := len(st.recordReads(ben.ID)); n != 4 {
			t.Errorf("%d reads after another agency's attempts, want 4", n)
		}
		// Erasure: the confirmation, then the reason, are required.
		a = b.post(home+"/effacer", url.Values{"reason": {"demande écrite"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("cochez la case pour confirmer") {
			t.Fatalf("no confirmation: %d\n%s", a.Status, a.Body)
		}
		a = b.post(home+"/effacer", url.Values{"confirm": {"1"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("motif obligatoire") {
			t.Fatalf("no reason: %d\n%s", a.Status, a.Body)
		}
		a = b.post(home+"/effacer", url.Values{"reason": {"demande écrite"}, "confirm": {"1"}})
		if a.Status != http.StatusSeeOther || a.Location != home {
			t.Fatalf("erase: %d %s\n%s", a.Status, a.Location, a.Body)
		}
		a = b.follow(a)
		if a.has("Léa") || a.has("Martin") || !a.has("Identité effacée") {
			t.Fatalf("after erasure:\n%s", a.Body)
		}
		if a := b.post(home+"/effacer", url.Values{"reason": {"encore"}, "confirm": {"1"}}); a.Status != http.StatusConflict {
			t.Errorf("second erasure: %d", a.Status)
		}
		if err := st.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// The operator finds a person in any agency, opens their data (logged as
// "contrôle"), lists who read the record, and erases it.
func TestOperatorPersonalData(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.other.ID, "Théo", "Lambert", "2005-01-02")
		op := st.as(passnum.RoleOperator)
		a := op.post("/operateur/jeunes", url.Values{"q": {"theo lam"}})
		if a.Status != http.StatusOK || !a.has(`href="/operateur/jeunes/`+ben.ID+`"`) || !a.has("Mission locale de Dijon") {
			t.Fatalf("search: %d\n%s", a.Status, a.Body)
		}
		a = op.get("/operateur/jeunes/" + ben.ID)
		if a.Status != http.StatusOK || !a.has("Théo") || !a.has("/operateur/jeunes/"+ben.ID+"/consultations") {
			t.Fatalf("person: %d\n%s", a.Status, a.Body)
		}
		a = op.get("/operateur/jeunes/" + ben.ID + "/consultations")
		if a.Status != http.StatusOK || !a.has("contrôle") || !a.has("Région — Service du numérique") {
			t.Fatalf("reads: %d\n%s", a.Status, a.Body)
		}
		if pdf := op.get("/operateur/jeunes/" + ben.ID + "/donnees.pdf"); pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("pdf: %d", pdf.Status)
		}
		a = op.post("/operateur/jeunes/"+ben.ID+"/effacer", url.Values{"reason": {"demande à l'opérateur"}, "confirm": {"1"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("erase: %d\n%s", a.Status, a.Body)
		}
		if a := op.follow(a); a.has("Théo") || !a.has("Identité effacée le") {
			t.Fatalf("after:\n%s", a.Body)
		}
	})
}

// The young person downloads their own data; the privacy notice says the
// retention setting and links the register.
func TestOwnDataAndPrivacyNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		st := newSite(t, s, clock, web.Config{RetentionMonths: 24})
		ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		b := st.browser()
		if a := b.post("/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"14/05/2004"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", a.Status)
		}
		if a := b.get("/mon-pass/espace"); !a.has(`href="/mon-pass/donnees.pdf"`) || !a.has(`href="/mon-pass/donnees.json"`) {
			t.Fatalf("space:\n%s", a.Body)
		}
		js := b.get("/mon-pass/donnees.json")
		var d store.PersonalData
		if err := json.Unmarshal([]byte(js.Body), &d); err != nil || d.Person.ID != ben.ID || d.Person.FirstName != "Léa" {
			t.Fatalf("json: %v %.200s", err, js.Body)
		}
		if pdf := b.get("/mon-pass/donnees.pdf"); pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Fatalf("pdf: %d", pdf.Status)
		}
		if n := len(st.recordReads(ben.ID)); n != 0 {
			t.Errorf("the person's own reads are logged as staff reads: %d", n)
		}
		if a := st.browser().get("/mon-pass/donnees.json"); a.Status == http.StatusOK {
			t.Error("signed out, the data is served")
		}
		a := st.browser().get("/confidentialite")
		if !a.has("<strong>24 mois</strong>") || !a.has(`href="/confidentialite/registre"`) {
			t.Fatalf("privacy notice:\n%s", a.Body)
		}
		if r := st.browser().get("/confidentialite/registre"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Registre des activités de traitement") {
			t.Fatalf("register: %d", r.Status)
		}
	})
}

// The booklet's page shows its young person's name: opening it is a read
// of their record, logged for support like the record's own page; another
// agency's attempt answers 404 and logs nothing.
func TestDistributorBookletPageLogsRead(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		bk := st.distBookletOf(ben.ID)
		page := "/distributeur/carnets/" + bk.ID
		other := st.mustUser(st.other.ID, "autre@exemple.fr")
		ob := st.browser()
		ob.signIn(other)
		if a := ob.get(page); a.Status != http.StatusNotFound {
			t.Fatalf("another agency's booklet: %d", a.Status)
		}
		if reads := st.recordReads(ben.ID); len(reads) != 0 {
			t.Fatalf("reads after another agency's attempt: %+v", reads)
		}
		b := st.as(passnum.RoleDistributor)
		if a := b.get(page); a.Status != http.StatusOK || !a.has("Léa") {
			t.Fatalf("booklet page: %d\n%s", a.Status, a.Body)
		}
		reads := st.recordReads(ben.ID)
		if len(reads) != 1 || reads[0].Purpose != passnum.ReadSupport || reads[0].Via != passnum.ReadViaPage || reads[0].OrganisationID != st.distributor.ID {
			t.Fatalf("reads after the booklet page: %+v", reads)
		}
	})
}
