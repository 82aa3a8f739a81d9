package web_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// The counsellor's pages: registering a young person, handing out,
// printing, blocking and replacing a booklet, the agency's list and stock,
// and never anything of another agency.

var (
	distBookletPath = regexp.MustCompile(`^/distributeur/carnets/([0-9A-Za-z]+)$`)
	distPasscode    = regexp.MustCompile(`<span class="passcode">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</span>`)
)

// distRegistration is a valid registration with a booklet handed out.
func distRegistration(st *site) url.Values {
	return url.Values{
		"first_name": {"Inès"}, "last_name": {"Moreau"}, "birth_date": {"05/03/2006"},
		"commune_insee": {"25056"}, "job_seeker": {"1"}, "handout": {"1"}, "programme_id": {st.programme.ID},
	}
}

// distCodes reads the pass codes a booklet page shows.
func distCodes(a answer) []string {
	var out []string
	for _, m := range distPasscode.FindAllStringSubmatch(a.Body, -1) {
		out = append(out, strings.ReplaceAll(m[1], "-", ""))
	}
	return out
}

func (st *site) distBeneficiaries(orgID string) []store.BeneficiarySummary {
	st.t.Helper()
	var out []store.BeneficiarySummary
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		out, _, err = tx.SearchBeneficiaries(ctx, orgID, "", store.Page{Limit: 100})
		return err
	})
	return out
}

func (st *site) distBookletOf(beneficiaryID string) passnum.Booklet {
	st.t.Helper()
	var bks []passnum.Booklet
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		bks, err = tx.BeneficiaryBooklets(ctx, beneficiaryID)
		return err
	})
	if len(bks) == 0 {
		st.t.Fatal("no booklet")
	}
	return bks[0]
}

func TestDistributorRegisterRefusedInWords(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleDistributor)
		if a := b.get("/distributeur/inscrire"); a.Status != http.StatusOK || !a.has(`name="programme_id"`) || !a.has("Pass numérique 2026") {
			t.Fatalf("register page: %d\n%s", a.Status, a.Body)
		}
		// 28 years old on 10/03/2026, studying, not looking for a job.
		v := distRegistration(st)
		v.Set("birth_date", "01/01/1998")
		v.Set("in_studies", "1")
		v.Del("job_seeker")
		a := b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusUnprocessableEntity {
			t.Fatalf("ineligible registration: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{
			"Âge : 28 ans le jour de la remise, le programme est réservé aux 16-25 ans",
			"Études : la personne suit des études",
			"Situation : la personne n&#39;est pas en recherche d&#39;emploi",
			`role="alert"`,
			// What was typed is kept.
			`value="Moreau"`, `value="Inès"`, `value="01/01/1998"`, `value="25056"`,
		} {
			if !a.has(want) {
				t.Errorf("refusal page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`id="f-in_studies" name="in_studies" value="1" checked`).MatchString(a.Body) {
			t.Error("the ticked box is not kept")
		}
		if got := st.distBeneficiaries(st.distributor.ID); len(got) != 0 {
			t.Fatalf("a refused registration was stored: %+v", got)
		}
		// A commune outside the territory, said with its name.
		v = distRegistration(st)
		v.Set("commune_insee", "75056")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusUnprocessableEntity || !a.has("Commune : Paris (75001) est hors du territoire du programme (Bourgogne-Franche-Comté)") {
			t.Fatalf("territory refusal: %d\n%s", a.Status, a.Body)
		}
		// Badly typed fields are said next to them.
		v = distRegistration(st)
		v.Set("birth_date", "31/02/2006")
		v.Set("commune_insee", "99999")
		v.Set("first_name", "")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusUnprocessableEntity || !a.has("cette date n&#39;existe pas : 31/02/2006") || !a.has(`id="f-commune_insee-error"`) ||
			!a.has("prénom obligatoire") {
			t.Fatalf("invalid fields: %d\n%s", a.Status, a.Body)
		}
	})
}

func TestDistributorRegisterAndHandOut(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleDistributor)
		v := distRegistration(st)
		v.Set("commune_insee", "25000") // a postcode is understood too
		a := b.post("/distributeur/inscrire", v)
		m := distBookletPath.FindStringSubmatch(a.Location)
		if a.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("registration: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		page := b.follow(a)
		if page.Status != http.StatusOK || !page.has(`role="status"`) || !page.has("Imprimer le carnet (PDF)") || !page.has("Carnet d&#39;Inès Moreau") {
			t.Fatalf("booklet page: %d\n%s", page.Status, page.Body)
		}
		codes := distCodes(page)
		if len(codes) != 5 {
			t.Fatalf("%d pass codes on the booklet page, want 5", len(codes))
		}
		list := st.distBeneficiaries(st.distributor.ID)
		if len(list) != 1 || list[0].CommuneINSEE != "25056" || !list[0].JobSeeker || list[0].PassesTotal != 5 || list[0].LatestBookletID != m[1] {
			t.Fatalf("stored: %+v", list)
		}
		bk := st.distBookletOf(list[0].ID)
		for i, p := range bk.Passes {
			if p.Code != codes[i] {
				t.Fatalf("page shows %s, the booklet holds %s", codes[i], p.Code)
			}
		}
		// The young person's page masks the codes.
		a = b.get("/distributeur/beneficiaires/" + list[0].ID)
		if a.Status != http.StatusOK || !a.has("Besançon (25000)") || !a.has(passnum.MaskPassCode(codes[0])) || a.has(passnum.FormatPassCode(codes[0])) {
			t.Fatalf("beneficiary page: %d\n%s", a.Status, a.Body)
		}
		if !a.has("Éligible") {
			t.Error("the eligibility at a glance is missing")
		}
		// One booklet per person in this programme: none more is offered.
		if a.has("Remettre un carnet</button>") || !a.has("nombre maximal de carnets") {
			t.Error("a second booklet is offered beyond the programme's limit")
		}
		// The list, then a search by name (in the body of a form).
		a = b.get("/distributeur")
		if a.Status != http.StatusOK || !a.has("Moreau Inès") || !a.has("0 / 5") || !a.has("4 carnets") {
			t.Fatalf("home: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/distributeur/recherche", url.Values{"q": {"ines mor"}}); a.Status != http.StatusOK || !a.has("Moreau Inès") {
			t.Fatalf("search: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/distributeur/recherche", url.Values{"q": {"Zoé"}}); a.Status != http.StatusOK || a.has("Moreau Inès") || !a.has("Aucun bénéficiaire") {
			t.Fatalf("search with no match: %d\n%s", a.Status, a.Body)
		}
		// The stock page counts the booklet handed out.
		if a = b.get("/distributeur/stock"); a.Status != http.StatusOK || !regexp.MustCompile(`<td class="num">5</td><td class="num">1</td><td class="num">4</td>`).MatchString(a.Body) {
			t.Fatalf("stock: %d\n%s", a.Status, a.Body)
		}
		// Registered without a booklet, by commune name; then handed one
		// from the young person's page.
		v = distRegistration(st)
		v.Set("first_name", "Hugo")
		v.Set("commune_insee", "besancon")
		v.Del("handout")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/distributeur/beneficiaires/") {
			t.Fatalf("registration without booklet: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.post(a.Location+"/carnets", url.Values{"programme_id": {st.programme.ID}})
		if a.Status != http.StatusSeeOther || !distBookletPath.MatchString(a.Location) {
			t.Fatalf("hand-out: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		if n := len(distCodes(b.follow(a))); n != 5 {
			t.Fatalf("%d codes", n)
		}
	})
}

func TestDistributorBookletPDF(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		bk := st.distBookletOf(ben.ID)
		b := st.as(passnum.RoleDistributor)
		res, err := b.client.Get(st.srv.URL + "/distributeur/carnets/" + bk.ID + "/pdf")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "%PDF") {
			t.Fatalf("PDF: %d %q", res.StatusCode, body[:min(len(body), 200)])
		}
		// The file's name says whose booklet it is (initial and last name)
		// and when it was printed; its address holds only the booklet's id.
		cd := res.Header.Get("Content-Disposition")
		want := `attachment; filename="carnet-L-MARTIN-` + st.clock.Now().In(passnum.Paris).Format("2006-01-02") + `.pdf"`
		if res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "no-store" || cd != want ||
			strings.Contains(cd, "Léa") || strings.Contains(strings.ToLower(res.Request.URL.String()), "martin") {
			t.Fatalf("PDF headers: %v, want Content-Disposition %s", res.Header, want)
		}
		// The letter gives the young person's space and the counsellor's contact.
		text := pdfStreams(t, body)
		for _, want := range []string{st.srv.URL + "/mon-pass", "Mission locale du Grand Besan", "Suivi par Personne " + st.emails[passnum.RoleDistributor],
			"Courriel : " + st.emails[passnum.RoleDistributor]} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter lacks %q", want)
			}
		}
	})
}

// pdfStreams inflates a PDF's streams, where its text is.
func pdfStreams(t *testing.T, pdf []byte) string {
	t.Helper()
	var out bytes.Buffer
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			break
		}
		if z, err := zlib.NewReader(bytes.NewReader(rest[:j])); err == nil {
			b, _ := io.ReadAll(z)
			out.Write(b)
		}
		rest = rest[j+len("endstream"):]
	}
	return out.String()
}

func TestDistributorDuplicateWarning(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		elsewhere, _ := st.mustBeneficiary(st.other.ID, "Léa", "Martin", "2004-05-14")
		b := st.as(passnum.RoleDistributor)
		v := distRegistration(st)
		v.Set("first_name", "LEA")
		v.Set("last_name", "martin")
		v.Set("birth_date", "14/05/2004")
		a := b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusUnprocessableEntity || !a.has("Une personne avec les mêmes nom, prénom et date de naissance a déjà reçu un carnet de ce programme dans une autre structure.") ||
			!a.has(`name="confirm_duplicate"`) || !a.has(`role="alert"`) {
			t.Fatalf("duplicate warning: %d\n%s", a.Status, a.Body)
		}
		// Nothing of the other agency is shown.
		if a.has("Mission locale de Dijon") || a.has(st.other.ID) || a.has(elsewhere.ID) || a.has("Léa") {
			t.Fatalf("the warning shows the other agency's data:\n%s", a.Body)
		}
		if got := st.distBeneficiaries(st.distributor.ID); len(got) != 0 {
			t.Fatal("registered before confirmation")
		}
		// Registering without a booklet now warns as well, before anything
		// is written; confirmed, it goes ahead.
		v.Del("handout")
		if a = b.post("/distributeur/inscrire", v); a.Status != http.StatusUnprocessableEntity || !a.has("dans une autre structure") {
			t.Fatalf("registration without booklet: %d\n%s", a.Status, a.Body)
		}
		v.Set("confirm_duplicate", "1")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusSeeOther {
			t.Fatalf("confirmed registration without booklet: %d\n%s", a.Status, a.Body)
		}
		record := a.Location
		// The same warning on the young person's page; confirmed, the
		// booklet is handed out and the case recorded for the operator.
		if a = b.post(record+"/carnets", url.Values{"programme_id": {st.programme.ID}}); a.Status != http.StatusUnprocessableEntity ||
			!a.has("dans une autre structure") || !a.has(`name="confirm_duplicate"`) || a.has("Mission locale de Dijon") {
			t.Fatalf("hand-out warning: %d\n%s", a.Status, a.Body)
		}
		if a = b.post(record+"/carnets", url.Values{"programme_id": {st.programme.ID}, "confirm_duplicate": {"1"}}); a.Status != http.StatusSeeOther || !distBookletPath.MatchString(a.Location) {
			t.Fatalf("confirmed hand-out: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		op := st.as(passnum.RoleOperator)
		if a = op.get("/operateur/doublons"); a.Status != http.StatusOK || !a.has("Mission locale de Dijon") || !a.has("Mission locale du Grand Besançon") || a.has("Martin") {
			t.Fatalf("operator's list of confirmed cases: %d\n%s", a.Status, a.Body)
		}
		if a = op.get("/operateur"); !a.has(`<strong>1</strong> carnet remis`) {
			t.Fatalf("dashboard count:\n%s", a.Body)
		}
		// The same person registered again in the same agency: refused,
		// with a link to the existing record.
		v.Set("handout", "1")
		v.Set("first_name", "Léa")
		v.Set("last_name", "MARTIN")
		a = b.post("/distributeur/inscrire", v)
		if a.Status != http.StatusConflict || !a.has("déjà inscrite dans votre structure") || !a.has(`href="`+record+`"`) {
			t.Fatalf("second registration: %d\n%s", a.Status, a.Body)
		}
		if got := st.distBeneficiaries(st.distributor.ID); len(got) != 1 {
			t.Fatalf("%d records", len(got))
		}
	})
}

func TestDistributorBlockAndReplace(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		bk := st.distBookletOf(ben.ID)
		place := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: codes[0], Service: "Aide aux démarches administratives"})
			return err
		})
		b := st.as(passnum.RoleDistributor)
		path := "/distributeur/carnets/" + bk.ID
		// Replacing needs a blocked booklet; blocking needs a reason.
		if a := b.post(path+"/bloquer", url.Values{"reason": {"  "}}); a.Status != http.StatusUnprocessableEntity || !a.has("motif obligatoire") || !a.has(`aria-invalid="true"`) {
			t.Fatalf("block without reason: %d\n%s", a.Status, a.Body)
		}
		a := b.post(path+"/bloquer", url.Values{"reason": {"carnet perdu"}})
		if a.Status != http.StatusSeeOther || a.Location != path {
			t.Fatalf("block: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.follow(a)
		if !a.has("bloqué (perdu ou volé)") || !a.has(`action="`+path+`/remplacer"`) || a.has("Imprimer le carnet") {
			t.Fatalf("blocked booklet page:\n%s", a.Body)
		}
		// A blocked pass can no longer be redeemed; the redeemed one stays.
		err := st.s.Write(t.Context(), func(tx *store.Tx) error {
			_, err := tx.Redeem(t.Context(), place, store.RedeemRequest{Code: codes[1], Service: "Aide aux démarches administratives"})
			return err
		})
		if err == nil {
			t.Fatal("a pass of a blocked booklet was redeemed")
		}
		if !a.has("utilisé") {
			t.Error("the redeemed pass is not shown as used")
		}
		a = b.post(path+"/remplacer", url.Values{"reason": {"carnet perdu"}})
		m := distBookletPath.FindStringSubmatch(a.Location)
		if a.Status != http.StatusSeeOther || m == nil || m[1] == bk.ID {
			t.Fatalf("replace: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		// It carries the 4 passes left unused, not a whole booklet.
		replacement := b.follow(a)
		newCodes := distCodes(replacement)
		if len(newCodes) != 4 || !replacement.has("ne porte que la valeur") {
			t.Fatalf("%d codes in the new booklet\n%s", len(newCodes), replacement.Body)
		}
		for _, c := range newCodes {
			for _, old := range codes {
				if c == old {
					t.Fatal("the new booklet reuses an old code")
				}
			}
		}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: newCodes[0], Service: "Aide aux démarches administratives"})
			return err
		})
		// Replaced once only; the page then links to the replacement.
		if a = b.post(path+"/remplacer", url.Values{"reason": {"encore"}}); a.Status != http.StatusConflict && a.Status != http.StatusUnprocessableEntity ||
			!a.has("/distributeur/carnets/"+m[1]) {
			t.Fatalf("second replacement: %d\n%s", a.Status, a.Body)
		}
		// A blocked booklet is not printed.
		if a = b.get(path + "/pdf"); a.Status == http.StatusOK {
			t.Fatal("a blocked booklet was printed")
		}
	})
}

func TestDistributorTenancy(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		theirs, _ := st.mustBeneficiary(st.other.ID, "Noé", "Lambert", "2005-09-01")
		bk := st.distBookletOf(theirs.ID)
		b := st.as(passnum.RoleDistributor)
		for _, path := range []string{"/distributeur/beneficiaires/" + theirs.ID, "/distributeur/carnets/" + bk.ID, "/distributeur/carnets/" + bk.ID + "/pdf"} {
			if a := b.get(path); a.Status != http.StatusNotFound || a.has("Lambert") {
				t.Errorf("GET %s: %d", path, a.Status)
			}
		}
		for path, v := range map[string]url.Values{
			"/distributeur/beneficiaires/" + theirs.ID + "/carnets": {"programme_id": {st.programme.ID}},
			"/distributeur/carnets/" + bk.ID + "/bloquer":           {"reason": {"perdu"}},
			"/distributeur/carnets/" + bk.ID + "/remplacer":         {"reason": {"perdu"}},
		} {
			if a := b.post(path, v); a.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d", path, a.Status)
			}
		}
		if got := st.distBookletOf(theirs.ID); got.Status != passnum.BookletHandedOut {
			t.Fatalf("the other agency's booklet was changed: %s", got.Status)
		}
		if a := b.get("/distributeur"); a.Status != http.StatusOK || a.has("Lambert") {
			t.Fatalf("list shows another agency's beneficiary: %d", a.Status)
		}
		if a := b.post("/distributeur/recherche", url.Values{"q": {"Noé"}}); a.Status != http.StatusOK || a.has("Lambert") {
			t.Fatalf("search shows another agency's beneficiary: %d", a.Status)
		}
		// Another role is refused.
		if a := st.as(passnum.RolePlace).get("/distributeur"); a.Status != http.StatusForbidden {
			t.Fatalf("place on /distributeur: %d", a.Status)
		}
	})
}

func TestDistributorListPages(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		actor := passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			for i := range 27 {
				if _, err := tx.CreateBeneficiary(ctx, actor, passnum.Beneficiary{FirstName: "Jeune", LastName: fmt.Sprintf("Numéro%02d", i),
					BirthDate: passnum.MustDate("2005-01-01"), CommuneINSEE: "25056", JobSeeker: true}); err != nil {
					return err
				}
			}
			return nil
		})
		b := st.as(passnum.RoleDistributor)
		rows := regexp.MustCompile(`<th scope="row"><a href="/distributeur/beneficiaires/`)
		a := b.get("/distributeur")
		next := regexp.MustCompile(`href="(/distributeur\?apres=[^"]+)"`).FindStringSubmatch(a.Body)
		if a.Status != http.StatusOK || len(rows.FindAllString(a.Body, -1)) != 25 || next == nil {
			t.Fatalf("first page: %d, %d rows\n%s", a.Status, len(rows.FindAllString(a.Body, -1)), a.Body)
		}
		a = b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
		if a.Status != http.StatusOK || len(rows.FindAllString(a.Body, -1)) != 2 || !a.has("Numéro00") || a.has("Numéro26") {
			t.Fatalf("second page: %d\n%s", a.Status, a.Body)
		}
		// A search pages with a form, the query in its body.
		a = b.post("/distributeur/recherche", url.Values{"q": {"jeune"}})
		cursor := regexp.MustCompile(`name="apres" value="([^"]+)"`).FindStringSubmatch(a.Body)
		if a.Status != http.StatusOK || cursor == nil || !a.has(`name="q" value="jeune"`) {
			t.Fatalf("search, first page: %d\n%s", a.Status, a.Body)
		}
		if a = b.post("/distributeur/recherche", url.Values{"q": {"jeune"}, "apres": {cursor[1]}}); len(rows.FindAllString(a.Body, -1)) != 2 {
			t.Fatalf("search, second page:\n%s", a.Body)
		}
		// A forged cursor is refused politely.
		if a = b.get("/distributeur?apres=nimporte"); a.Status != http.StatusUnprocessableEntity || !a.has("revenez au début de la liste") {
			t.Fatalf("bad cursor: %d\n%s", a.Status, a.Body)
		}
	})
}
