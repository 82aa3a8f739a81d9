package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// A session of a labelled place near Besançon, starting in two days.
func (st *site) recMustSession(capacity int) passnum.Session {
	st.t.Helper()
	lat, lng := 47.2262, 5.9736
	placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	var se passnum.Session
	st.write(func(ctx context.Context, tx *store.Tx) error {
		site, err := tx.CreateSite(ctx, placeActor, st.place.ID, passnum.NewSite{Name: "EPN de Planoise", Address: "6 rue Picasso", CommuneINSEE: "25056", Postcode: "25000",
			Latitude: &lat, Longitude: &lng, Services: []string{passnum.NationalServices[1]}})
		if err != nil {
			return err
		}
		tr, err := tx.CreateTraining(ctx, placeActor, passnum.Training{PlaceID: st.place.ID, Title: "Ordinateur : les bases", Service: passnum.NationalServices[1], DurationMinutes: 120})
		if err != nil {
			return err
		}
		starts := st.clock.Now().Add(48 * time.Hour)
		se, err = tx.CreateSession(ctx, placeActor, tr.ID, passnum.NewSession{SiteID: site.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: capacity})
		return err
	})
	return se
}

// The counsellor corrects a record from its page: the values change, the
// history shows old and new, another agency cannot, and a correction into
// another record's person is refused with a link to it.
func TestDistributorCorrectsRecord(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		other, _ := st.mustBeneficiary(st.distributor.ID, "Théo", "Lambert", "2005-01-02")
		b := st.as(passnum.RoleDistributor)
		path := "/distributeur/beneficiaires/" + ben.ID + "/fiche"
		a := b.get("/distributeur/beneficiaires/" + ben.ID)
		if !a.has(`href="` + path + `"`) {
			t.Fatalf("no link to correct the record:\n%s", a.Body)
		}
		a = b.get(path)
		if a.Status != http.StatusOK || !a.has(`value="Martin"`) || !a.has(`value="14/05/2004"`) {
			t.Fatalf("record form: %d\n%s", a.Status, a.Body)
		}
		v := url.Values{"first_name": {"Léa"}, "last_name": {"Martin-Durand"}, "birth_date": {"15/05/2004"}, "commune_insee": {"21231"}, "job_seeker": {"1"}, "reason": {"faute de frappe"}}
		a = b.post(path, v)
		if a.Status != http.StatusSeeOther || a.Location != "/distributeur/beneficiaires/"+ben.ID {
			t.Fatalf("correction: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.get(path)
		if !a.has("Martin-Durand") || !a.has("15/05/2004") || !a.has("14/05/2004") || !a.has("Dijon (21000)") || !a.has("Besançon (25000)") {
			t.Fatalf("history of the corrections:\n%s", a.Body)
		}
		// Bad input: said next to the field, nothing written.
		bad := url.Values{"first_name": {""}, "last_name": {"X"}, "birth_date": {"31/02/2004"}, "commune_insee": {"21231"}}
		if a = b.post(path, bad); a.Status != http.StatusUnprocessableEntity || !a.has(`aria-invalid="true"`) {
			t.Fatalf("bad correction: %d\n%s", a.Status, a.Body)
		}
		// Into Théo Lambert's identity: refused, with a link to his record.
		dup := url.Values{"first_name": {"THEO"}, "last_name": {"lambert"}, "birth_date": {"02/01/2005"}, "commune_insee": {"25056"}, "job_seeker": {"1"}}
		if a = b.post(path, dup); a.Status != http.StatusConflict || !a.has(`href="/distributeur/beneficiaires/`+other.ID+`"`) {
			t.Fatalf("correction into another record: %d\n%s", a.Status, a.Body)
		}
		// Another agency: not found.
		stranger := st.browser()
		stranger.signIn(st.mustUser(st.other.ID, "conseil@dijon.fr"))
		if a = stranger.post(path, v); a.Status != http.StatusNotFound {
			t.Fatalf("another agency corrects: %d", a.Status)
		}
		if a = stranger.get(path); a.Status != http.StatusNotFound {
			t.Fatalf("another agency reads: %d", a.Status)
		}
		// The operator's audit trail names the action and the young person
		// by initials only.
		a = st.as(passnum.RoleOperator).get("/operateur/journal?object_type=beneficiary&object_id=" + ben.ID)
		if !a.has("Correction de la fiche d&#39;un bénéficiaire") || !a.has("Bénéficiaire L. M.") || a.has("Martin") || !a.has("Mission locale du Grand Besançon") {
			t.Fatalf("audit page:\n%s", a.Body)
		}
	})
}

// From the young person's page, the counsellor books a seat in a session
// near them and cancels it; a full session is said so.
func TestDistributorBooksSession(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		se := st.recMustSession(1)
		b := st.as(passnum.RoleDistributor)
		page := "/distributeur/beneficiaires/" + ben.ID
		a := b.get(page + "/seances")
		if a.Status != http.StatusOK || !a.has("Ordinateur : les bases") || !a.has(`value="`+se.ID+`"`) || !a.has("1 place libre") {
			t.Fatalf("sessions page: %d\n%s", a.Status, a.Body)
		}
		a = b.post(page+"/seances", url.Values{"session_id": {se.ID}})
		if a.Status != http.StatusSeeOther || a.Location != page {
			t.Fatalf("booking: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.follow(a)
		if !a.has("Place réservée") || !a.has("Annuler la réservation") || !a.has("Ordinateur : les bases") {
			t.Fatalf("young person's page after booking:\n%s", a.Body)
		}
		var bookings []passnum.Booking
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			bookings, _, err = tx.BeneficiaryBookings(ctx, ben.ID, store.Page{})
			return err
		})
		if len(bookings) != 1 || bookings[0].Status != passnum.BookingBooked {
			t.Fatalf("bookings %+v", bookings)
		}
		// The session is now full: another young person is told so.
		theo, _ := st.mustBeneficiary(st.distributor.ID, "Théo", "Lambert", "2005-01-02")
		if a = b.post("/distributeur/beneficiaires/"+theo.ID+"/seances", url.Values{"session_id": {se.ID}}); a.Status != http.StatusConflict || !a.has("complète") && !a.has("plus de place") {
			t.Fatalf("full session: %d\n%s", a.Status, a.Body)
		}
		// Another agency may neither book nor cancel for her.
		stranger := st.browser()
		stranger.signIn(st.mustUser(st.other.ID, "conseil@dijon.fr"))
		cancel := page + "/reservations/" + bookings[0].ID + "/annuler"
		if a = stranger.post(cancel, nil); a.Status != http.StatusNotFound {
			t.Fatalf("another agency cancels: %d", a.Status)
		}
		if a = stranger.post(page+"/seances", url.Values{"session_id": {se.ID}}); a.Status != http.StatusNotFound {
			t.Fatalf("another agency books: %d", a.Status)
		}
		// Nor for another of the agency's young people.
		if a = b.post("/distributeur/beneficiaires/"+theo.ID+"/reservations/"+bookings[0].ID+"/annuler", nil); a.Status != http.StatusNotFound {
			t.Fatalf("cancel through another young person: %d", a.Status)
		}
		if a = b.post(cancel, nil); a.Status != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("Réservation annulée") || !a.has("Aucune séance réservée à venir") {
			t.Fatalf("after cancelling:\n%s", a.Body)
		}
		// The young person was told nothing by e-mail: they have no address.
		if entries, _ := os.ReadDir(st.outbox); len(entries) != 0 {
			t.Fatalf("%d messages sent for a young person", len(entries))
		}
	})
}

// The downloads of the pages: French spreadsheet CSV, scoped to the
// signed-in organisation, named without any person's name.
func TestPageDownloads(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		st.mustBeneficiary(st.other.ID, "Yanis", "Benali", "2003-02-01")
		place := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			for _, c := range codes[:2] {
				if _, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: c, Service: "Aide aux démarches administratives"}); err != nil {
					return err
				}
			}
			return nil
		})
		get := func(b *browser, path string) (answer, string) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, st.srv.URL+path, nil)
			res, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			buf := new(strings.Builder)
			_, _ = ioCopy(buf, res)
			if res.StatusCode == http.StatusOK {
				if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", path, ct)
				}
				cd := res.Header.Get("Content-Disposition")
				if !strings.HasPrefix(cd, "attachment; filename=") || strings.Contains(cd, "Martin") || strings.Contains(cd, "Léa") {
					t.Errorf("%s: Content-Disposition %q", path, cd)
				}
				if !strings.HasPrefix(buf.String(), "\uFEFF") {
					t.Errorf("%s: no BOM", path)
				}
			}
			return answer{Status: res.StatusCode}, buf.String()
		}
		dist := st.as(passnum.RoleDistributor)
		_, body := get(dist, "/distributeur/beneficiaires.csv")
		if !strings.Contains(body, "Prénom;Nom;Date de naissance") || !strings.Contains(body, "Léa;Martin;14/05/2004;Besançon;25056;oui;non;") || strings.Contains(body, "Yanis") {
			t.Fatalf("young people:\n%s", body)
		}
		_, body = get(dist, "/distributeur/carnets.csv")
		if !strings.Contains(body, "Pass numérique 2026;Léa;Martin;remis;10/03/2026;31/12/2026;5;2;3") || strings.Contains(body, "Yanis") {
			t.Fatalf("booklets:\n%s", body)
		}
		_, body = get(st.as(passnum.RolePlace), "/lieu/encaissements.csv")
		if !strings.Contains(body, "10/03/2026;") || !strings.Contains(body, ";Total mars 2026;2 encaissements;;;20,00;;") || !strings.Contains(body, "Total général;2 encaissements;;;20,00") ||
			strings.Contains(body, codes[0]) || strings.Contains(body, "Martin") {
			t.Fatalf("redemptions:\n%s", body)
		}
		// Another place's download holds none of them.
		other := st.browser()
		other.signIn(st.mustUser(st.otherPlace.ID, "lieu@dijon.fr"))
		if _, body = get(other, "/lieu/encaissements.csv"); strings.Contains(body, "Aide aux démarches") || !strings.Contains(body, "Total général;0 encaissement") {
			t.Fatalf("another place's download:\n%s", body)
		}
		op := st.as(passnum.RoleOperator)
		_, body = get(op, "/operateur/organisations.csv")
		if !strings.Contains(body, "Mission locale de Dijon;distributeur;") || !strings.Contains(body, "Espace public numérique de Planoise;lieu labellisé;") {
			t.Fatalf("organisations:\n%s", body)
		}
		_, body = get(op, "/operateur/lieux.csv")
		if !strings.Contains(body, "Médiathèque de Dijon;") || strings.Contains(body, "Mission locale") {
			t.Fatalf("places:\n%s", body)
		}
		// Each download is for its role only.
		for path, role := range map[string]passnum.Role{"/lieu/encaissements.csv": passnum.RoleDistributor, "/distributeur/carnets.csv": passnum.RolePlace,
			"/operateur/lieux.csv": passnum.RoleFunder, "/distributeur/beneficiaires.csv": passnum.RoleOperator} {
			if a, _ := get(st.as(role), path); a.Status != http.StatusForbidden {
				t.Errorf("%s as %s: %d", path, role, a.Status)
			}
		}
	})
}

func ioCopy(w *strings.Builder, res *http.Response) (int64, error) { return io.Copy(w, res.Body) }
