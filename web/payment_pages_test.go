package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// payWorld is the site's programme with two settlements: the first (up
// to 31 March) paid, the place's line paid and the other place's held
// back (no bank details); the second (up to 30 April) only calculated.
type payWorld struct {
	first, second passnum.Settlement
}

func (st *site) payWorld() payWorld {
	st.t.Helper()
	var w payWorld
	place := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	other := passnum.Actor{OrganisationID: st.otherPlace.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2005-05-17")
	st.write(func(ctx context.Context, tx *store.Tx) error {
		b, err := tx.ProposeBankAccount(ctx, place, st.place.ID, passnum.NewBankAccount{Holder: "Association Planoise numérique", IBAN: "FR7630006000011234567890189", BIC: "BNPAFRPP"})
		if err != nil {
			return err
		}
		if _, err := tx.ApproveBankAccount(ctx, st.op, b.ID, "RIB vérifié"); err != nil {
			return err
		}
		for i, c := range codes[:4] {
			who := place
			if i == 3 {
				who = other
			}
			if _, err := tx.Redeem(ctx, who, store.RedeemRequest{Code: c, Service: passnum.NationalServices[1]}); err != nil {
				return err
			}
		}
		return nil
	})
	st.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		if w.first, err = tx.Settle(ctx, st.op, st.programme.ID, passnum.MustDate("2026-03-31")); err != nil {
			return err
		}
		if _, err = tx.MarkSettlementSent(ctx, st.op, w.first.ID); err != nil {
			return err
		}
		_, err = tx.RecordSettlementPayment(ctx, st.op, w.first.ID, store.Payment{PaidOn: passnum.MustDate("2026-04-02"), BankReference: "VIR-0402"})
		return err
	})
	st.write(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: codes[4], Service: passnum.NationalServices[1]})
		return err
	})
	st.clock.Set(time.Date(2026, 5, 2, 10, 0, 0, 0, passnum.Paris))
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		w.second, err = tx.Settle(ctx, st.op, st.programme.ID, passnum.MustDate("2026-04-30"))
		return err
	})
	return w
}

// download fetches a file as the browser's visitor.
func (b *browser) download(path string) (status int, contentType string, body []byte) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.st.srv.URL+path, nil)
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), body
}

func TestPlaceSettlementsPage(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		b := st.as(passnum.RolePlace)
		a := b.get("/lieu/remboursements")
		if a.Status != http.StatusOK {
			t.Fatalf("%d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{"Remboursements", w.first.Reference, w.second.Reference, ">payé<", "le 02/04/2026", "VIR-0402", ">calculé<",
			"30 €", "10 €", "FR76 **** **** **** **** ***0 189",
			// What the place is still owed: four passes, three paid.
			"Reste dû à votre lieu au 02/05/2026", "<strong>10 €</strong>",
			"/remboursements/" + w.first.ID + "/lieux/" + st.place.ID + "/releve.pdf", "/remboursements/" + w.second.ID + "/lieux/" + st.place.ID + "/releve.csv",
			`href="/lieu/remboursements"`} {
			if !a.has(want) {
				t.Errorf("the place's page has no %q", want)
			}
		}
		if a.has("Médiathèque de Dijon") || a.has(st.otherPlace.ID) {
			t.Error("the place's page shows another place")
		}

		// The other place's line is held back, with why.
		otherEmail := st.mustUser(st.otherPlace.ID, "dijon@exemple.fr")
		ob := st.browser()
		ob.signIn(otherEmail)
		o := ob.get("/lieu/remboursements")
		if o.Status != http.StatusOK || !o.has(">retenu<") || !o.has("pas de coordonnées bancaires approuvées") || !o.has("Reste dû à votre lieu au 02/05/2026") {
			t.Fatalf("held-back place's page:\n%s", o.Body)
		}

		// Its statements, and none of another place's.
		status, ct, body := b.download("/remboursements/" + w.first.ID + "/lieux/" + st.place.ID + "/releve.pdf")
		if status != 200 || ct != "application/pdf" || !strings.HasPrefix(string(body), "%PDF") {
			t.Fatalf("statement PDF: %d %q", status, ct)
		}
		status, ct, body = b.download("/remboursements/" + w.first.ID + "/lieux/" + st.place.ID + "/releve.csv")
		if status != 200 || ct != "text/csv; charset=utf-8" || !strings.Contains(string(body), "Nature;Date;Pass;Site;Service;Motif;Montant (€)") {
			t.Fatalf("statement CSV: %d %q\n%s", status, ct, body)
		}
		for _, path := range []string{
			"/remboursements/" + w.first.ID + "/lieux/" + st.otherPlace.ID + "/releve.pdf",
			"/remboursements/" + w.first.ID + "/lieux/" + st.otherPlace.ID + "/releve.csv",
			"/remboursements/" + w.first.ID + "/lieux/nimportequoi/releve.pdf",
		} {
			if status, _, _ := b.download(path); status != http.StatusNotFound {
				t.Errorf("GET %s by the place: %d, want 404", path, status)
			}
		}
		for _, path := range []string{"/remboursements/" + w.first.ID + "/comptabilite.csv", "/remboursements/" + w.first.ID + "/virements.xml",
			"/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/releve.pdf"} {
			if status, _, _ := b.download(path); status != http.StatusForbidden {
				t.Errorf("GET %s by the place: %d, want 403", path, status)
			}
		}
	})
}

func TestFunderSettlementsPage(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		b := st.as(passnum.RoleFunder)
		if a := b.get("/financeur/programmes/" + st.programme.ID); !a.has("/financeur/programmes/" + st.programme.ID + "/remboursements") {
			t.Fatalf("the programme's page does not link to its settlements:\n%s", a.Body)
		}
		a := b.get("/financeur/programmes/" + st.programme.ID + "/remboursements")
		if a.Status != http.StatusOK {
			t.Fatalf("%d\n%s", a.Status, a.Body)
		}
		// The Région pays half: 15,00 € of the 30,00 € paid, 5,00 € of the
		// 10,00 € calculated in May.
		for _, want := range []string{w.first.Reference, w.second.Reference, "50 %", "20 €", "15 €", "5 €", "mars 2026", "avril 2026", "payé le 02/04/2026",
			"/remboursements/" + w.first.ID + "/financeurs/" + st.funder.ID + "/releve.pdf", "/remboursements/" + w.second.ID + "/comptabilite.xlsx",
			"/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/releve.csv"} {
			if !a.has(want) {
				t.Errorf("the funder's page has no %q", want)
			}
		}
		if a.has("Fin du programme") || a.has("cloture.pdf") {
			t.Error("the closing table shows months before the end of validity")
		}
		downloads := []struct{ path, ct, start string }{
			{"/remboursements/" + w.first.ID + "/financeurs/" + st.funder.ID + "/releve.pdf", "application/pdf", "%PDF"},
			{"/remboursements/" + w.first.ID + "/financeurs/" + st.funder.ID + "/releve.csv", "text/csv; charset=utf-8", "\ufeff"},
			{"/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/releve.pdf", "application/pdf", "%PDF"},
			{"/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/releve.csv", "text/csv; charset=utf-8", "\ufeff"},
			{"/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/cloture.pdf", "application/pdf", "%PDF"},
			{"/remboursements/" + w.first.ID + "/comptabilite.csv", "text/csv; charset=utf-8", "\ufeffDate;Pièce"},
			{"/remboursements/" + w.first.ID + "/comptabilite.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
			{"/remboursements/" + w.first.ID + "/lieux/" + st.place.ID + "/releve.pdf", "application/pdf", "%PDF"},
		}
		for _, d := range downloads {
			status, ct, body := b.download(d.path)
			if status != 200 || ct != d.ct || !strings.HasPrefix(string(body), d.start) {
				t.Errorf("GET %s: %d %q %q", d.path, status, ct, body[:min(len(body), 12)])
			}
		}

		// Another funder reads none of it; the operator reads all, and
		// the SEPA file once the paying account is set.
		outsider := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Département du Doubs"})
		ob := st.browser()
		ob.signIn(st.mustUser(outsider.ID, "doubs@exemple.fr"))
		if a := ob.get("/financeur/programmes/" + st.programme.ID + "/remboursements"); a.Status != http.StatusNotFound {
			t.Errorf("another funder's settlements page: %d", a.Status)
		}
		for _, d := range downloads {
			if status, _, _ := ob.download(d.path); status != http.StatusNotFound {
				t.Errorf("GET %s by another funder: %d, want 404", d.path, status)
			}
		}
		for _, path := range []string{"/programmes/" + st.programme.ID + "/financeurs/" + outsider.ID + "/releve.pdf", "/remboursements/" + w.first.ID + "/financeurs/" + outsider.ID + "/releve.csv"} {
			if status, _, _ := ob.download(path); status != http.StatusNotFound {
				t.Errorf("GET %s by a funder of another programme: %d, want 404", path, status)
			}
			if status, _, _ := b.download(path); status != http.StatusNotFound {
				t.Errorf("GET %s by the programme's funder: %d, want 404", path, status)
			}
		}
		if status, _, _ := b.download("/remboursements/" + w.first.ID + "/virements.xml"); status != http.StatusForbidden {
			t.Errorf("the funder downloads the SEPA file: %d", status)
		}
		op := st.as(passnum.RoleOperator)
		if a := op.get("/remboursements/" + w.first.ID + "/virements.xml"); a.Status != http.StatusConflict || !a.has("compte payeur") {
			t.Errorf("SEPA file without a paying account: %d\n%s", a.Status, a.Body)
		}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{Payer: &passnum.PayingAccount{Name: "Région Bourgogne-Franche-Comté", IBAN: "FR8630001006400000000000047", BIC: "BDFEFRPP"}})
			return err
		})
		status, ct, body := op.download("/remboursements/" + w.first.ID + "/virements.xml")
		if status != 200 || ct != "application/xml; charset=utf-8" || !strings.Contains(string(body), "<CtrlSum>30.00</CtrlSum>") {
			t.Fatalf("SEPA file: %d %q\n%s", status, ct, body)
		}

		// From 30 days before the end of validity, the closing table; after
		// the expiry step, the closing statement.
		st.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, passnum.Paris))
		b = st.as(passnum.RoleFunder)
		a = b.get("/financeur/programmes/" + st.programme.ID + "/remboursements")
		if !a.has("Fin du programme") || !a.has("Mission locale du Grand Besançon") || a.has("cloture.pdf") {
			t.Fatalf("closing table:\n%s", a.Body)
		}
		// The mission's few young people are under statistical secrecy
		// for the funder, as on its dashboard; the operator sees them.
		if !a.has(`<th scope="row">Mission locale du Grand Besançon</th><td class="num">secret</td><td class="num">secret</td>`) || !a.has("Secret statistique") {
			t.Errorf("the funder's closing table shows the mission's young people:\n%s", a.Body)
		}
		if !a.has("Tableau arrêté le 05/12/2026 à 10h00 et publié une fois par mois") {
			t.Errorf("the funder's closing table does not say when it was published:\n%s", a.Body)
		}
		if a := st.as(passnum.RoleOperator).get("/operateur/programmes/" + st.programme.ID + "/fin"); !a.has(`<th scope="row">Mission locale du Grand Besançon</th><td class="num">5</td><td class="num">1</td>`) {
			t.Errorf("the operator's closing table:\n%s", a.Body)
		}
		st.clock.Set(time.Date(2027, 2, 5, 10, 0, 0, 0, passnum.Paris))
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ExpireProgramme(ctx, st.op, st.programme.ID)
			return err
		})
		b = st.as(passnum.RoleFunder)
		if a := b.get("/financeur/programmes/" + st.programme.ID + "/remboursements"); !a.has("/programmes/" + st.programme.ID + "/financeurs/" + st.funder.ID + "/cloture.pdf") {
			t.Fatalf("no closing statement after expiry:\n%s", a.Body)
		}
	})
}
