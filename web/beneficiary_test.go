package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// A young person signs in with one of their pass codes, typed loosely, and
// their birth date, and sees their passes.
func TestBeneficiarySpace(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2006-03-05")
		b := st.browser()
		if a := b.get("/mon-pass"); a.Status != http.StatusOK || !a.has("Accéder à mes pass") || !a.has(`href="/confidentialite"`) {
			t.Fatalf("sign-in page: %d", a.Status)
		}
		typed := strings.ToLower(strings.ReplaceAll(passnum.FormatPassCode(codes[2]), "-", " "))
		// The birth date as the numeric keypad types it: eight digits.
		for _, birth := range []string{"05032006", "2006-03-05", "05/03/2006"} {
			a := st.browser().post("/mon-pass", url.Values{"code": {typed}, "birth_date": {birth}})
			if a.Status != http.StatusSeeOther || a.Location != "/mon-pass/espace" {
				t.Fatalf("sign-in with the birth date typed %q: %d %q\n%s", birth, a.Status, a.Location, a.Body)
			}
		}
		a := b.post("/mon-pass", url.Values{"code": {typed}, "birth_date": {"05032006"}})
		if a.Status != http.StatusSeeOther || a.Location != "/mon-pass/espace" {
			t.Fatalf("sign-in: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.get("/mon-pass/espace")
		if a.Status != http.StatusOK || !a.has("Bonjour Léa") || !a.has("5 pass disponibles") || !a.has("0 pass utilisé") || !a.has("31/12/2026") {
			t.Fatalf("space: %d\n%s", a.Status, a.Body)
		}
		for _, c := range codes {
			if !a.has(passnum.FormatPassCode(c)) {
				t.Errorf("pass %s not shown", c)
			}
		}
		if !a.has(`src="/mon-pass/qr/1.png"`) || !a.has(`src="/mon-pass/qr/5.png"`) || a.has("/mon-pass/qr/"+codes[0]) {
			t.Error("QR codes are not addressed by their place in the list")
		}
		// A signed-in young person lands on their space.
		if a := b.get("/mon-pass"); a.Status != http.StatusSeeOther || a.Location != "/mon-pass/espace" {
			t.Fatalf("sign-in page when signed in: %d %q", a.Status, a.Location)
		}

		// A place encashes one pass: the space shows it as used, when and where.
		placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Redeem(ctx, placeActor, store.RedeemRequest{Code: codes[0], Service: passnum.NationalServices[1]})
			return err
		})
		a = b.get("/mon-pass/espace")
		if !a.has("4 pass disponibles") || !a.has("1 pass utilisé") || !a.has("Espace public numérique de Planoise") || !a.has(passnum.NationalServices[1]) {
			t.Fatalf("after a redemption:\n%s", a.Body)
		}
		if !a.has("Utilisé le 10/03/2026") {
			t.Error("the day of use is not shown")
		}

		// The QR code of a pass, never cached.
		req, _ := http.NewRequest(http.MethodGet, st.srv.URL+"/mon-pass/qr/2.png", nil)
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		png, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Fatalf("QR: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		for _, bad := range []string{"/mon-pass/qr/6.png", "/mon-pass/qr/0.png", "/mon-pass/qr/01.png", "/mon-pass/qr/1", "/mon-pass/qr/" + codes[0] + ".png"} {
			if a := b.get(bad); a.Status != http.StatusNotFound {
				t.Errorf("%s: %d", bad, a.Status)
			}
		}

		// The places near the young person's commune (Besançon), as a
		// list and a map; another commune may be asked for.
		st.pubMustSite(st.place.ID, passnum.NewSite{Name: "EPN de Planoise", Address: "6 rue Picasso", CommuneINSEE: "25056", Postcode: "25000",
			Services: []string{passnum.NationalServices[1]}})
		st.pubMustSite(st.otherPlace.ID, passnum.NewSite{Name: "Médiathèque Champollion", Address: "14 rue Champollion", CommuneINSEE: "21231", Postcode: "21000",
			Services: []string{passnum.NationalServices[1]}})
		a = b.get("/mon-pass/lieux")
		if a.Status != http.StatusOK || !a.has("Lieux près de chez moi") || !a.has(`value="Besançon"`) || !a.has("EPN de Planoise") ||
			!a.has(`id="carte-donnees"`) || a.has("Médiathèque Champollion") {
			t.Fatalf("places: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/mon-pass/lieux?q=Dijon"); !a.has("Médiathèque Champollion") || a.has("EPN de Planoise") {
			t.Fatalf("places near Dijon:\n%s", a.Body)
		}

		// Signed out, the space sends back to sign-in; so does the QR code.
		b.post("/deconnexion", nil)
		if a := b.get("/mon-pass/espace"); a.Status != http.StatusSeeOther || a.Location != "/mon-pass" {
			t.Fatalf("signed out: %d %q", a.Status, a.Location)
		}
		if a := st.browser().get("/mon-pass/qr/1.png"); a.Status != http.StatusSeeOther || a.Location != "/mon-pass" {
			t.Fatalf("QR signed out: %d %q", a.Status, a.Location)
		}
	})
}

// A wrong birth date and an unknown code get the same answer, which never
// says which was wrong; each counts as a failed sign-in.
func TestBeneficiarySignInRefused(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		lea, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2006-03-05")
		_, others := st.mustBeneficiary(st.other.ID, "Noé", "Petit", "2004-11-20")
		b := st.browser()
		wrongBirth := b.post("/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"06/03/2006"}})
		otherCode := b.post("/mon-pass", url.Values{"code": {others[0]}, "birth_date": {"05/03/2006"}})
		for _, a := range []answer{wrongBirth, otherCode} {
			if a.Status != http.StatusUnauthorized || !a.has("Code de pass ou date de naissance incorrect") {
				t.Fatalf("refused: %d\n%s", a.Status, a.Body)
			}
		}
		if a := b.get("/mon-pass/espace"); a.Status != http.StatusSeeOther {
			t.Fatalf("signed in after a refusal: %d", a.Status)
		}
		// A typo in the code may say so, next to the field.
		typo := []byte(codes[0])
		if typo[3] == 'A' {
			typo[3] = 'B'
		} else {
			typo[3] = 'A'
		}
		a := b.post("/mon-pass", url.Values{"code": {string(typo)}, "birth_date": {"05/03/2006"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("faute de frappe") || !a.has(`id="f-code-error"`) {
			t.Fatalf("typo: %d\n%s", a.Status, a.Body)
		}
		a = b.post("/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"2006/03/05x"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-birth_date-error"`) {
			t.Fatalf("bad date: %d\n%s", a.Status, a.Body)
		}
		// Wrong birth dates for one young person lock their access, from
		// any address, and the page says who can help; their counsellor
		// lifts the lock.
		for i := 2; i <= passnum.PassHolderLimit.Max; i++ {
			if a := b.post("/mon-pass", url.Values{"code": {codes[1]}, "birth_date": {fmt.Sprintf("%02d/01/2006", i)}}); a.Status != http.StatusUnauthorized {
				t.Fatalf("wrong date %d: %d", i, a.Status)
			}
		}
		a = st.browser().post("/mon-pass", url.Values{"code": {codes[2]}, "birth_date": {"05/03/2006"}})
		if a.Status != http.StatusTooManyRequests || !a.has("conseiller ou conseillère") {
			t.Fatalf("locked: %d\n%s", a.Status, a.Body)
		}
		counsellor := st.as(passnum.RoleDistributor)
		page := counsellor.get("/distributeur/beneficiaires/" + lea.ID)
		if !page.has("Accès à « Mon pass » bloqué") {
			t.Fatalf("the counsellor does not see the lock:\n%s", page.Body)
		}
		if a := st.as(passnum.RoleDistributor).post("/distributeur/beneficiaires/"+lea.ID+"/debloquer-acces", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("unlock: %d", a.Status)
		}
		if a := st.browser().post("/mon-pass", url.Values{"code": {codes[2]}, "birth_date": {"05/03/2006"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("after the counsellor lifted the lock: %d", a.Status)
		}
		// Another agency's counsellor cannot.
		other := st.browser()
		other.signIn(st.mustUser(st.other.ID, "autre@exemple.fr"))
		if a := other.post("/distributeur/beneficiaires/"+lea.ID+"/debloquer-acces", nil); a.Status != http.StatusNotFound {
			t.Fatalf("another agency unlocked: %d", a.Status)
		}
	})
}
