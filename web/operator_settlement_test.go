package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// The operator's pages for paying the places, on both engines: each page
// and form, what the store holds after it, and refusals that keep what
// was typed.

func (st *site) settlement(id string) passnum.Settlement {
	st.t.Helper()
	var s passnum.Settlement
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		s, err = tx.Settlement(ctx, id, "")
		return err
	})
	return s
}

func TestOperatorSettlementList(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		b := st.as(passnum.RoleOperator)
		prog := "/operateur/programmes/" + st.programme.ID
		if a := b.get(prog); a.Status != http.StatusOK || !a.has(`href="`+prog+`/remboursements"`) || !a.has("valeur faciale émise") ||
			!a.has("payée aux lieux") || !a.has("restant dû aux lieux") {
			t.Fatalf("programme page: %d\n%s", a.Status, a.Body)
		}
		a := b.get(prog + "/remboursements")
		i1, i2 := strings.Index(a.Body, w.first.Reference), strings.Index(a.Body, w.second.Reference)
		if a.Status != http.StatusOK || i1 < 0 || i2 < 0 || i2 > i1 || !a.has("payé") || !a.has("à envoyer à la banque") ||
			a.has(">paid<") || !a.has(`value="30/04/2026"`) {
			t.Fatalf("settlements list (newest first, French statuses, default cut-off): %d\n%s", a.Status, a.Body)
		}
		// Nothing new up to 30 April: the existing settlement, said so.
		a = b.post(prog+"/remboursements", url.Values{"cutoff": {"30/04/2026"}})
		if a.Status != http.StatusSeeOther || a.Location != "/operateur/remboursements/"+w.second.ID {
			t.Fatalf("nothing new: %d %s\n%s", a.Status, a.Location, a.Body)
		}
		if a = b.follow(a); !a.has("Rien de nouveau") {
			t.Fatalf("nothing new not said\n%s", a.Body)
		}
		// A day after today and a mistyped day: refused next to the field,
		// the typed value kept, nothing made.
		for _, bad := range []string{"01/06/2026", "31 avril"} {
			a = b.post(prog+"/remboursements", url.Values{"cutoff": {bad}})
			if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-cutoff-error"`) || !a.has(`value="`+bad+`"`) {
				t.Fatalf("cut-off %q: %d\n%s", bad, a.Status, a.Body)
			}
		}
		var n int
		st.view(func(ctx context.Context, tx *store.Tx) error {
			l, _, err := tx.ListSettlements(ctx, store.SettlementFilter{ProgrammeID: st.programme.ID}, store.Page{Limit: 10})
			n = len(l)
			return err
		})
		if n != 2 {
			t.Fatalf("%d settlements, want 2", n)
		}
		// The default cut-off (empty field) is the end of the previous
		// month: 30 April again, nothing new.
		if a = b.post(prog+"/remboursements", url.Values{"cutoff": {""}}); a.Location != "/operateur/remboursements/"+w.second.ID {
			t.Fatalf("default cut-off: %d %s", a.Status, a.Location)
		}
		if a := st.as(passnum.RolePlace).get(prog + "/remboursements"); a.Status == http.StatusOK {
			t.Fatalf("a place reads the operator's settlements page")
		}
	})
}

func TestOperatorSettlementPayment(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		b := st.as(passnum.RoleOperator)
		path := "/operateur/remboursements/" + w.second.ID
		a := b.get(path)
		if a.Status != http.StatusOK || !a.has("Espace public numérique de Planoise") || !a.has("Médiathèque de Dijon") ||
			!a.has("pas de coordonnées bancaires approuvées") || a.has("FR7630006000011234567890189") || !a.has("FR76 **** ****") && !a.has("****") ||
			!a.has(`href="/remboursements/`+w.second.ID+`/virements.xml"`) || !a.has(`href="/remboursements/`+w.second.ID+`/comptabilite.csv"`) ||
			!a.has(`/remboursements/`+w.second.ID+`/lieux/`+st.place.ID+`/releve.pdf`) || !a.has("/financeurs/"+st.funder.ID+"/releve.pdf") ||
			!a.has("Marquer comme envoyé") || a.has("Enregistrer le paiement") {
			t.Fatalf("settlement page: %d\n%s", a.Status, a.Body)
		}
		// Paying before sending: refused in French, nothing changes.
		a = b.post(path+"/paiement", url.Values{"paid_on": {"02/05/2026"}, "bank_reference": {"VIR-1"}})
		if a.Status < 400 || !a.has("pas encore été envoyé") || st.settlement(w.second.ID).Status != passnum.SettlementCreated {
			t.Fatalf("paid before sent: %d\n%s", a.Status, a.Body)
		}
		a = b.post(path+"/envoye", nil)
		if a.Status != http.StatusSeeOther || st.settlement(w.second.ID).Status != passnum.SettlementSent {
			t.Fatalf("sent: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("Enregistrer le paiement") || !a.has("virement envoyé") {
			t.Fatalf("after sent\n%s", a.Body)
		}
		// A mistyped day: kept, next to its field.
		a = b.post(path+"/paiement", url.Values{"paid_on": {"2 mai"}, "bank_reference": {"VIR-0502"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-paid_on-error"`) || !a.has(`value="2 mai"`) || !a.has(`value="VIR-0502"`) {
			t.Fatalf("bad paid_on: %d\n%s", a.Status, a.Body)
		}
		a = b.post(path+"/paiement", url.Values{"paid_on": {"02/05/2026"}, "bank_reference": {"VIR-0502"}})
		s := st.settlement(w.second.ID)
		if a.Status != http.StatusSeeOther || s.Status != passnum.SettlementPaid || s.BankReference != "VIR-0502" || s.PaidOn == nil || *s.PaidOn != passnum.MustDate("2026-05-02") {
			t.Fatalf("paid: %d %+v\n%s", a.Status, s, a.Body)
		}
	})
}

func TestOperatorSettlementFourEyes(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		st.write(func(ctx context.Context, tx *store.Tx) error {
			four := true
			if _, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{FourEyes: &four}); err != nil {
				return err
			}
			_, err := tx.MarkSettlementSent(ctx, st.op, w.second.ID)
			return err
		})
		b := st.as(passnum.RoleOperator)
		path := "/operateur/remboursements/" + w.second.ID
		pay := url.Values{"paid_on": {"02/05/2026"}, "bank_reference": {"VIR-0502"}}
		a := b.post(path+"/paiement", pay)
		if a.Status != http.StatusSeeOther || st.settlement(w.second.ID).Status != passnum.SettlementPaymentRecorded {
			t.Fatalf("recorded: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("second opérateur") || !a.has("Confirmer le paiement") {
			t.Fatalf("waiting for confirmation\n%s", a.Body)
		}
		// The same person cannot confirm.
		a = b.post(path+"/paiement", pay)
		if a.Status < 400 || !a.has("opérateur") || st.settlement(w.second.ID).Status != passnum.SettlementPaymentRecorded {
			t.Fatalf("same operator confirmed: %d\n%s", a.Status, a.Body)
		}
		second := st.browser()
		second.signIn(st.mustUser(st.operator.ID, "operateur2@exemple.fr"))
		a = second.post(path+"/paiement", pay)
		if a.Status != http.StatusSeeOther || st.settlement(w.second.ID).Status != passnum.SettlementPaid {
			t.Fatalf("second operator: %d\n%s", a.Status, a.Body)
		}
	})
}

var correctRE = regexp.MustCompile(`action="(/operateur/remboursements/[^"]+/corriger)"`)

func TestOperatorCorrection(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		w := st.payWorld()
		b := st.as(passnum.RoleOperator)
		path := "/operateur/remboursements/" + w.first.ID + "/lieux/" + st.place.ID
		if a := b.get("/operateur/remboursements/" + w.first.ID); !a.has(`href="` + path + `"`) {
			t.Fatalf("no link to the place's line\n%s", a.Body)
		}
		a := b.get(path)
		actions := correctRE.FindAllStringSubmatch(a.Body, -1)
		if a.Status != http.StatusOK || len(actions) != 3 || !a.has("****-****-****-") {
			t.Fatalf("place's settled redemptions: %d, %d forms\n%s", a.Status, len(actions), a.Body)
		}
		action := actions[0][1]
		// No reason: refused next to the field, nothing recorded.
		a = b.post(action, url.Values{"reason": {"  "}})
		if a.Status != http.StatusUnprocessableEntity || !a.has(`-error">indiquez pourquoi`) {
			t.Fatalf("no reason: %d\n%s", a.Status, a.Body)
		}
		a = b.post(action, url.Values{"reason": {"Pass encaissé deux fois"}})
		if a.Status != http.StatusSeeOther || a.Location != path {
			t.Fatalf("correct: %d %s\n%s", a.Status, a.Location, a.Body)
		}
		var cs []passnum.Correction
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			cs, err = tx.PlaceCorrections(ctx, st.programme.ID, "")
			return err
		})
		if len(cs) != 1 || cs[0].Reason != "Pass encaissé deux fois" || cs[0].AmountCents != -1000 || cs[0].PlaceID != st.place.ID {
			t.Fatalf("corrections %+v", cs)
		}
		if a = b.get(path); !a.has("Corrigé") || len(correctRE.FindAllString(a.Body, -1)) != 2 {
			t.Fatalf("corrected redemption still offered\n%s", a.Body)
		}
		// Twice: refused, one correction only.
		if a = b.post(action, url.Values{"reason": {"encore"}}); a.Status < 400 {
			t.Fatalf("corrected twice: %d", a.Status)
		}
		a = b.get("/operateur/programmes/" + st.programme.ID + "/corrections")
		if a.Status != http.StatusOK || !a.has("Pass encaissé deux fois") || !a.has("Espace public numérique de Planoise") || !a.has("au prochain remboursement") {
			t.Fatalf("corrections list: %d\n%s", a.Status, a.Body)
		}
		// Another place's line does not take this place's redemption.
		other := strings.Replace(actions[1][1], st.place.ID, st.otherPlace.ID, 1)
		if a = b.post(other, url.Values{"reason": {"erreur"}}); a.Status != http.StatusNotFound {
			t.Fatalf("redemption under another place: %d", a.Status)
		}
	})
}

func TestOperatorProgrammeEnd(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		prog := "/operateur/programmes/" + st.programme.ID
		a := b.get(prog + "/fin")
		if a.Status != http.StatusOK || !a.has("à partir du 01/12/2026") || a.has("Expirer les pass non utilisés</button>") || !a.has("Déplacer les carnets") {
			t.Fatalf("end page before J-30: %d\n%s", a.Status, a.Body)
		}
		// A transfer without reason, then a good one.
		move := url.Values{"from_distributor_id": {st.distributor.ID}, "to_distributor_id": {st.other.ID}, "booklets": {"2"}}
		if a = b.post(prog+"/transferts", move); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-reason-error"`) || !a.has(`value="2"`) {
			t.Fatalf("transfer without reason: %d\n%s", a.Status, a.Body)
		}
		move.Set("reason", "Antenne fermée")
		if a = b.post(prog+"/transferts", move); a.Status != http.StatusSeeOther {
			t.Fatalf("transfer: %d\n%s", a.Status, a.Body)
		}
		move.Set("booklets", "40")
		if a = b.post(prog+"/transferts", move); a.Status < 400 || !a.has(`value="40"`) {
			t.Fatalf("transfer beyond stock: %d\n%s", a.Status, a.Body)
		}
		var from, to store.DistributorStock
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			if from, err = tx.Stock(ctx, st.programme.ID, st.distributor.ID); err != nil {
				return err
			}
			to, err = tx.Stock(ctx, st.programme.ID, st.other.ID)
			return err
		})
		if from.AvailableBooklets != 3 || to.AvailableBooklets != 7 {
			t.Fatalf("stock after transfer: %d and %d", from.AvailableBooklets, to.AvailableBooklets)
		}
		// Expiry before the end of the grace days: refused in French.
		if a = b.post(prog+"/expirer", nil); a.Status != http.StatusConflict || !a.has("restent encaissables") {
			t.Fatalf("early expiry: %d\n%s", a.Status, a.Body)
		}
		st.clock.Set(time.Date(2026, 12, 10, 10, 0, 0, 0, passnum.Paris))
		b = st.as(passnum.RoleOperator) // the session ended with the days
		if a = b.get(prog + "/fin"); !a.has("Tableau de fin de programme") || !a.has("Mission locale de Dijon") || !a.has("Pass inutilisés") || a.has("affiché à partir du") {
			t.Fatalf("closing table at J-21\n%s", a.Body)
		}
		st.clock.Set(time.Date(2027, 2, 2, 10, 0, 0, 0, passnum.Paris))
		b = st.as(passnum.RoleOperator)
		if a = b.get(prog + "/fin"); !a.has("Expirer les pass non utilisés") || a.has("Déplacer les carnets</button>") {
			t.Fatalf("end page after the grace days\n%s", a.Body)
		}
		if a = b.post(prog+"/expirer", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("expiry: %d\n%s", a.Status, a.Body)
		}
		if a = b.follow(a); !a.has("ont expiré le") || !a.has("/financeurs/"+st.funder.ID+"/cloture.pdf") {
			t.Fatalf("after expiry\n%s", a.Body)
		}
		if a = b.post(prog+"/expirer", nil); a.Status != http.StatusSeeOther || !strings.Contains(b.follow(a).Body, "avaient déjà expiré") {
			t.Fatalf("expiry again: %d", a.Status)
		}
	})
}

func TestOperatorPaymentSettings(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		path := "/operateur/programmes/" + st.programme.ID + "/parametres"
		a := b.get(path)
		if a.Status != http.StatusOK || !a.has(`name="budget"`) || !a.has(`name="handout_until" value="31/12/2026"`) || !a.has(`name="four_eyes"`) || !a.has(`name="payer_iban"`) {
			t.Fatalf("settings form: %d\n%s", a.Status, a.Body)
		}
		// 20 booklets of 5 passes of 10 € are issued: 1 000 € at least.
		form := settingsForm()
		form.Set("budget", "999")
		a = b.post(path, form)
		if a.Status != http.StatusUnprocessableEntity || !a.has("1 000 € au moins") || !a.has(`value="999"`) || st.opProgramme(st.programme.ID).BudgetCents != nil {
			t.Fatalf("budget below issued: %d\n%s", a.Status, a.Body)
		}
		form.Set("budget", "cent")
		if a = b.post(path, form); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-budget-error">montant en euros`) {
			t.Fatalf("budget not a number: %d\n%s", a.Status, a.Body)
		}
		form.Set("budget", "570 000")
		form.Set("handout_until", "30/11/2026")
		form.Set("four_eyes", "1")
		form.Set("payer_name", "Région Bourgogne-Franche-Comté")
		form.Set("payer_iban", "FR76 3000 6000 0112 3456 7890 189")
		form.Set("payer_bic", "BNPAFRPP")
		if a = b.post(path, form); a.Status != http.StatusSeeOther {
			t.Fatalf("payment settings: %d\n%s", a.Status, a.Body)
		}
		p := st.opProgramme(st.programme.ID)
		if p.BudgetCents == nil || *p.BudgetCents != 57_000_000 || p.HandoutUntil != passnum.MustDate("2026-11-30") || !p.FourEyes ||
			p.Payer.IBAN != "FR7630006000011234567890189" || p.Payer.Name != "Région Bourgogne-Franche-Comté" {
			t.Fatalf("stored %+v", p)
		}
		if a = b.get("/operateur/programmes/" + st.programme.ID); !a.has("570 000 €") {
			t.Fatalf("budget not shown\n%s", a.Body)
		}
		// A bad IBAN: next to its field, nothing changed.
		form.Set("payer_iban", "FR00 1234")
		if a = b.post(path, form); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-payer_iban-error"`) {
			t.Fatalf("bad IBAN: %d\n%s", a.Status, a.Body)
		}
	})
}

func TestOperatorRevealIBAN(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		st.payWorld()
		var accounts []passnum.BankAccount
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			accounts, err = tx.BankAccounts(ctx, st.place.ID)
			return err
		})
		b := st.as(passnum.RoleOperator)
		file := "/operateur/labellisation/" + st.place.ID
		reveal := file + "/rib/" + accounts[0].ID + "/iban"
		if a := b.get(file); !a.has(`action="`+reveal+`"`) || a.has("FR76 3000 6000 0112 3456 7890 189") {
			t.Fatalf("file page\n%s", a.Body)
		}
		a := b.post(reveal, nil)
		if a.Status != http.StatusOK || !a.has("FR76 3000 6000 0112 3456 7890 189") {
			t.Fatalf("reveal: %d\n%s", a.Status, a.Body)
		}
		var n int
		st.view(func(ctx context.Context, tx *store.Tx) error {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectID: accounts[0].ID, Page: store.Page{Limit: 50}})
			for _, e := range l {
				if strings.Contains(e.Action, "iban") || strings.Contains(e.Action, "reveal") {
					n++
				}
			}
			return err
		})
		if n != 1 {
			t.Fatalf("%d reveals audited, want 1", n)
		}
		// Another place's account under this place: not found.
		if a := b.post("/operateur/labellisation/"+st.otherPlace.ID+"/rib/"+accounts[0].ID+"/iban", nil); a.Status != http.StatusNotFound {
			t.Fatalf("another place's account: %d", a.Status)
		}
	})
}

func TestOperatorBankFourEyes(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		other := passnum.Actor{OrganisationID: st.otherPlace.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		var acc passnum.BankAccount
		st.write(func(ctx context.Context, tx *store.Tx) error {
			four := true
			if _, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{FourEyes: &four}); err != nil {
				return err
			}
			var err error
			acc, err = tx.ProposeBankAccount(ctx, other, st.otherPlace.ID, passnum.NewBankAccount{Holder: "Médiathèque de Dijon", IBAN: "FR7630006000011234567890189", BIC: "BNPAFRPP"})
			return err
		})
		approve := "/operateur/labellisation/" + st.otherPlace.ID + "/rib/" + acc.ID + "/approuver"
		b := st.as(passnum.RoleOperator)
		a := b.post(approve, nil)
		if a.Status != http.StatusSeeOther || !b.follow(a).has("second opérateur") {
			t.Fatalf("first approval: %d\n%s", a.Status, a.Body)
		}
		status := func() passnum.BankStatus {
			var got passnum.BankAccount
			st.view(func(ctx context.Context, tx *store.Tx) error {
				var err error
				got, err = tx.BankAccount(ctx, acc.ID, "")
				return err
			})
			return got.Status
		}
		if status() != passnum.BankPending {
			t.Fatalf("approved by one operator: %s", status())
		}
		// The same operator again: the store's French refusal, shown.
		if a = b.post(approve, nil); a.Status < 400 || !a.has("un autre opérateur doit les approuver") || status() != passnum.BankPending {
			t.Fatalf("same operator twice: %d\n%s", a.Status, a.Body)
		}
		second := st.browser()
		second.signIn(st.mustUser(st.operator.ID, "operateur2@exemple.fr"))
		if a = second.post(approve, nil); a.Status != http.StatusSeeOther || status() != passnum.BankApproved {
			t.Fatalf("second operator: %d %s\n%s", a.Status, status(), a.Body)
		}
	})
}
