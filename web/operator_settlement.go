package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"passnum"
	"passnum/mail"
	"passnum/paydoc"
	"passnum/store"
)

// The operator's pages for paying the places: a programme's settlements
// and the run that makes one, a settlement's lines with its payment steps,
// the corrections of settled redemptions, the end of a programme (closing
// table, stock transfers, expiry) and the audited reveal of a place's
// IBAN. Every write goes through the same store calls as the API.

func operatorSettlementPages() []*page {
	op := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: operatorRole, Handle: h}
	}
	return []*page{
		op("GET", "/operateur/programmes/{id}/remboursements", operatorSettlements),
		op("POST", "/operateur/programmes/{id}/remboursements", operatorSettle),
		op("GET", "/operateur/programmes/{id}/corrections", operatorCorrections),
		op("GET", "/operateur/programmes/{id}/fin", operatorProgrammeEnd),
		op("POST", "/operateur/programmes/{id}/transferts", operatorMoveStock),
		op("POST", "/operateur/programmes/{id}/expirer", operatorExpire),
		op("GET", "/operateur/remboursements/{id}", operatorSettlement),
		op("POST", "/operateur/remboursements/{id}/envoye", operatorSettlementSent),
		op("POST", "/operateur/remboursements/{id}/paiement", operatorSettlementPaid),
		op("GET", "/operateur/remboursements/{id}/lieux/{place_id}", operatorSettlementPlace),
		op("POST", "/operateur/remboursements/{id}/lieux/{place_id}/encaissements/{redemption}/corriger", operatorCorrect),
		op("POST", "/operateur/labellisation/{id}/rib/{bank}/iban", operatorRevealIBAN),
	}
}

// opSettlementsView is a programme's settlements and the run form.
type opSettlementsView struct {
	P           passnum.Programme
	Settlements []opSettlementRow
	Next, First string
	RunForm     *form
	Today       passnum.Date
}

func opLoadSettlements(q *request, id string, f *form) (opSettlementsView, error) {
	v := opSettlementsView{RunForm: f}
	p, err := opPageFrom(q)
	if err != nil {
		return v, err
	}
	var next string
	err = q.view(func(tx *store.Tx) error {
		var err error
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		v.Today = tx.Today()
		if v.RunForm == nil {
			v.RunForm = &form{Values: url.Values{"cutoff": {frDate(passnum.DefaultCutoff(v.Today))}}, Errors: map[string]string{}}
		}
		list, n, err := tx.ListSettlements(q.ctx(), store.SettlementFilter{ProgrammeID: id}, p)
		for _, s := range list {
			v.Settlements = append(v.Settlements, opSettlementRow{S: s, Paid: s.LineCount - s.HeldBackCount})
		}
		next = n
		return err
	})
	base := "/operateur/programmes/" + id + "/remboursements"
	v.Next = opNextURL(base, q.r.URL.Query(), next)
	v.First = opFirstURL(base, q.r.URL.Query())
	return v, err
}

func operatorSettlements(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadSettlements(q, id, nil)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/settlements", "Remboursements — "+v.P.Name, v, nil)
}

// opSettlementRow is a settlement in the list, with its paid lines.
type opSettlementRow struct {
	S    passnum.Settlement
	Paid int
}

// operatorSettle runs a settlement up to the cut-off day of the form, the
// default one when it is left empty. Like the API's, it runs alone.
func operatorSettle(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var cutoff passnum.Date
	if s := f.Get("cutoff"); s != "" {
		cutoff, err = parseFrenchDate("cutoff", s)
	}
	var s passnum.Settlement
	if err == nil {
		err = q.s.store.WriteExclusive(q.ctx(), func(tx *store.Tx) error {
			day := cutoff
			if day.IsZero() {
				day = passnum.DefaultCutoff(tx.Today())
			}
			var err error
			s, err = tx.Settle(q.ctx(), q.actor(), id, day)
			return err
		})
	}
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		v, lerr := opLoadSettlements(q, id, f)
		if lerr != nil {
			return lerr
		}
		return q.render(status, "operator/settlements", "Remboursements — "+v.P.Name, v, nil)
	}
	if !s.Created {
		return q.redirect("/operateur/remboursements/"+s.ID, "Rien de nouveau à rembourser jusqu'au "+frDate(s.Cutoff)+" : voici le remboursement déjà calculé, "+s.Reference+".")
	}
	msg := "Remboursement " + s.Reference + " calculé jusqu'au " + frDate(s.Cutoff) + " : " + euros(s.TotalCents) + " pour " + passnum.CountOf(int64(s.LineCount-s.HeldBackCount), "lieu", "lieux") + "."
	if s.HeldBackCount > 0 {
		msg += " " + passnum.CountOf(int64(s.HeldBackCount), "ligne retenue", "lignes retenues") + " : voyez le motif de chacune."
	}
	return q.redirect("/operateur/remboursements/"+s.ID, msg)
}

// opSettlementView is one settlement with its lines and payment steps.
type opSettlementView struct {
	S         passnum.Settlement
	Lines     []opSettlementLine
	Funders   []opFunderShare
	PayForm   *form
	StepForm  *form
	Recorded  bool
	Confirmer bool
	Today     passnum.Date
}

type opSettlementLine struct {
	L        passnum.SettlementLine
	Masked   string
	Reason   string
	PDF, CSV string
}

type opFunderShare struct {
	ID, Name    string
	AmountCents int64
	PDF, CSV    string
}

// Download addresses of a settlement, for the template.
func (v opSettlementView) TransferFile() string { return transferFileURL(v.S.ID) }
func (v opSettlementView) AccountingCSV() string {
	return accountingURL(v.S.ID, paydoc.CSV)
}
func (v opSettlementView) AccountingXLSX() string {
	return accountingURL(v.S.ID, paydoc.XLSX)
}

func opLoadSettlement(q *request, id string) (opSettlementView, error) {
	v := opSettlementView{PayForm: opEmptyForm(), StepForm: opEmptyForm()}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.S, err = tx.Settlement(q.ctx(), id, ""); err != nil {
			return err
		}
		v.Today = tx.Today()
		shares := map[string]int64{}
		var order []string
		for _, l := range v.S.Lines {
			line := opSettlementLine{L: l, PDF: placeStatementURL(id, l.PlaceID, paydoc.PDF), CSV: placeStatementURL(id, l.PlaceID, paydoc.CSV)}
			if l.IBAN != "" {
				line.Masked = passnum.MaskIBAN(l.IBAN)
			}
			if l.HeldBackReason != nil {
				line.Reason = l.HeldBackReason.Label()
			}
			line.L.IBAN = "" // the full IBAN never reaches the page
			v.Lines = append(v.Lines, line)
			for _, sh := range l.Shares {
				if _, ok := shares[sh.OrganisationID]; !ok {
					order = append(order, sh.OrganisationID)
				}
				shares[sh.OrganisationID] += sh.AmountCents
			}
		}
		for _, fid := range order {
			o, err := tx.Organisation(q.ctx(), fid)
			if err != nil {
				return err
			}
			v.Funders = append(v.Funders, opFunderShare{ID: fid, Name: o.Name, AmountCents: shares[fid],
				PDF: funderSettlementURL(id, fid, paydoc.PDF), CSV: funderSettlementURL(id, fid, paydoc.CSV)})
		}
		return nil
	})
	v.Recorded = v.S.Status == passnum.SettlementPaymentRecorded
	if v.Recorded && v.S.PaidOn != nil {
		v.PayForm.Values = url.Values{"paid_on": {frDate(*v.S.PaidOn)}, "bank_reference": {v.S.BankReference}}
	}
	return v, err
}

func operatorSettlement(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadSettlement(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/settlement", "Remboursement "+v.S.Reference, v, nil)
}

// opSettlementStep runs one payment step of a settlement and, once it
// committed, tells the places their line was sent or paid.
func opSettlementStep(q *request, id string, f *form, step func(tx *store.Tx) (passnum.Settlement, error), place func(*opSettlementView)) (passnum.Settlement, error) {
	var s passnum.Settlement
	var msgs []mail.Message
	err := q.write(func(tx *store.Tx) error {
		var err error
		if s, err = step(tx); err != nil {
			return err
		}
		msgs, err = paydoc.SettlementMessages(q.ctx(), tx, id, q.s.cfg.PublicURL)
		return err
	})
	if err != nil {
		status, ok := opFormStatus(f, err, "paid_on", "paid_on", "bank_reference", "bank_reference")
		if !ok {
			return s, err
		}
		v, lerr := opLoadSettlement(q, id)
		if lerr != nil {
			return s, lerr
		}
		place(&v)
		return s, errRendered{q.render(status, "operator/settlement", "Remboursement "+v.S.Reference, v, nil)}
	}
	q.tellPlacesOfSettlement(msgs)
	return s, nil
}

// errRendered says the page was already written (a refused form shown
// again); it carries what writing it returned.
type errRendered struct{ err error }

func (e errRendered) Error() string { return "rendered" }

func opStepDone(err error) (bool, error) {
	if r, ok := err.(errRendered); ok {
		return true, r.err
	}
	return err != nil, err
}

func operatorSettlementSent(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	s, err := opSettlementStep(q, id, f, func(tx *store.Tx) (passnum.Settlement, error) {
		return tx.MarkSettlementSent(q.ctx(), q.actor(), id)
	}, func(v *opSettlementView) { v.StepForm = f })
	if done, err := opStepDone(err); done {
		return err
	}
	return q.redirect("/operateur/remboursements/"+id, "Remboursement "+s.Reference+" marqué comme envoyé à la banque : les lieux payés en sont informés par courriel.")
}

// operatorSettlementPaid records the payment, or, with four eyes, confirms
// the one another operator recorded.
func operatorSettlementPaid(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var pay store.Payment
	if s := f.Get("paid_on"); s != "" {
		pay.PaidOn, err = parseFrenchDate("paid_on", s)
	}
	pay.BankReference = f.Get("bank_reference")
	var s passnum.Settlement
	if err == nil {
		s, err = opSettlementStep(q, id, f, func(tx *store.Tx) (passnum.Settlement, error) {
			return tx.RecordSettlementPayment(q.ctx(), q.actor(), id, pay)
		}, func(v *opSettlementView) {
			// Where the page offers no payment form, its refusal shows above.
			if v.S.Status == passnum.SettlementSent || v.Recorded {
				v.PayForm = f
			} else {
				v.StepForm = f
			}
		})
		if done, err := opStepDone(err); done {
			return err
		}
	} else {
		f.Fail(err)
		v, lerr := opLoadSettlement(q, id)
		if lerr != nil {
			return lerr
		}
		v.PayForm = f
		return q.render(http.StatusUnprocessableEntity, "operator/settlement", "Remboursement "+v.S.Reference, v, nil)
	}
	if s.Status == passnum.SettlementPaymentRecorded {
		return q.redirect("/operateur/remboursements/"+id, "Paiement enregistré : un second opérateur doit maintenant le confirmer (quatre yeux).")
	}
	return q.redirect("/operateur/remboursements/"+id, "Remboursement "+s.Reference+" payé : les lieux en sont informés par courriel.")
}

// opPlaceRedemptionsPage is how many settled redemptions a page lists.
const opPlaceRedemptionsPage = 100

// opSettlementPlaceView is what one place's line paid, redemption by
// redemption, each with its correction form.
type opSettlementPlaceView struct {
	S           passnum.Settlement
	L           passnum.SettlementLine
	Redemptions []store.SettledRedemption
	Corrections []passnum.Correction
	// Page is the page shown, from 1; Prev and Next its neighbours' links.
	Page            int
	Prev, Next      string
	Form, EmptyForm *form
	// FormFor is the redemption whose refused form is shown again.
	FormFor string
}

func opLoadSettlementPlace(q *request, id, placeID string) (opSettlementPlaceView, error) {
	v := opSettlementPlaceView{Page: 1, Form: opEmptyForm(), EmptyForm: opEmptyForm()}
	if n, err := strconv.Atoi(q.r.URL.Query().Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	skip := (v.Page - 1) * opPlaceRedemptionsPage
	more := false
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.S, err = tx.Settlement(q.ctx(), id, placeID); err != nil {
			return err
		}
		v.L = v.S.Lines[0]
		v.L.IBAN = passnum.MaskIBAN(v.L.IBAN)
		i := 0
		if err := tx.SettlementRedemptions(q.ctx(), id, placeID, func(r store.SettledRedemption) error {
			switch {
			case i >= skip+opPlaceRedemptionsPage:
				more = true
			case i >= skip:
				v.Redemptions = append(v.Redemptions, r)
			}
			i++
			return nil
		}); err != nil {
			return err
		}
		return tx.SettlementCorrections(q.ctx(), id, placeID, func(c passnum.Correction) error {
			v.Corrections = append(v.Corrections, c)
			return nil
		})
	})
	base := "/operateur/remboursements/" + id + "/lieux/" + placeID
	if v.Page > 1 {
		v.Prev = base + "?page=" + strconv.Itoa(v.Page-1)
	}
	if more {
		v.Next = base + "?page=" + strconv.Itoa(v.Page+1)
	}
	return v, err
}

func operatorSettlementPlace(q *request) error {
	ids, err := q.ids("id", "place_id")
	if err != nil {
		return err
	}
	id, placeID := ids[0], ids[1]
	v, err := opLoadSettlementPlace(q, id, placeID)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/settlement_place", v.L.PlaceName+" — "+v.S.Reference, v, nil)
}

// operatorCorrect takes back a settled redemption of a place's line: a
// negative adjustment in the place's next settlement.
func operatorCorrect(q *request) error {
	ids, err := q.ids("id", "place_id", "redemption")
	if err != nil {
		return err
	}
	id, placeID, redemptionID := ids[0], ids[1], ids[2]
	f := newForm(q.r)
	reason := f.Get("reason")
	var c passnum.Correction
	err = passnum.CheckReason("reason", reason, "indiquez pourquoi cet encaissement remboursé est repris (pass encaissé par erreur, fraude, doublon…)")
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			// The redemption must be one this line paid.
			found := false
			if err := tx.SettlementRedemptions(q.ctx(), id, placeID, func(r store.SettledRedemption) error {
				found = found || r.RedemptionID == redemptionID
				return nil
			}); err != nil {
				return err
			}
			if !found {
				return passnum.NotFound("encaissement")
			}
			var err error
			c, err = tx.CorrectRedemption(q.ctx(), q.actor(), redemptionID, reason)
			return err
		})
	}
	back := "/operateur/remboursements/" + id + "/lieux/" + placeID
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		v, lerr := opLoadSettlementPlace(q, id, placeID)
		if lerr != nil {
			return lerr
		}
		v.Form, v.FormFor = f, redemptionID
		return q.render(status, "operator/settlement_place", v.L.PlaceName+" — "+v.S.Reference, v, nil)
	}
	return q.redirect(back, "Correction enregistrée ("+euros(c.AmountCents)+", pass "+c.Code+") : elle sera déduite du prochain remboursement du lieu.")
}

// opCorrectionsView lists a programme's corrections.
type opCorrectionsView struct {
	P           passnum.Programme
	Corrections []passnum.Correction
	Places      map[string]string
}

func operatorCorrections(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v := opCorrectionsView{Places: map[string]string{}}
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		if v.Corrections, err = tx.PlaceCorrections(q.ctx(), id, ""); err != nil {
			return err
		}
		for _, c := range v.Corrections {
			if _, ok := v.Places[c.PlaceID]; ok {
				continue
			}
			o, err := tx.Organisation(q.ctx(), c.PlaceID)
			if err != nil {
				return err
			}
			v.Places[c.PlaceID] = o.Name
		}
		return nil
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/corrections", "Corrections — "+v.P.Name, v, nil)
}

// opEndView is the end of a programme: the closing table from J-30, the
// stock transfers, the expiry step and the funders' closing statements.
type opEndView struct {
	P            passnum.Programme
	Table        store.ClosingTable
	Expiry       *passnum.ProgrammeExpiry
	Today        passnum.Date
	ExpiryOpen   bool
	TransferOpen bool
	Options      []option
	ToOptions    []option
	Funders      []opFunderShare
	MoveForm     *form
	ExpireForm   *form
}

func opLoadEnd(q *request, id string) (opEndView, error) {
	v := opEndView{MoveForm: opEmptyForm(), ExpireForm: opEmptyForm()}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		v.Today = tx.Today()
		if v.Table, err = tx.ClosingTable(q.ctx(), id, false); err != nil {
			return err
		}
		if e, err := tx.ProgrammeExpiry(q.ctx(), id); err == nil {
			v.Expiry = &e
		} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
			return err
		}
		v.ExpiryOpen = v.Expiry == nil && v.P.ExpiryOpen(v.Today) == nil
		v.TransferOpen = !v.Today.After(v.P.LastHandOutDay())
		dists, _, err := tx.ListOrganisations(q.ctx(), string(passnum.RoleDistributor), "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		v.Options = []option{{"", "— choisissez un distributeur —"}}
		v.ToOptions = []option{{"", "Stock central du programme"}}
		for _, o := range dists {
			v.Options = append(v.Options, option{o.ID, o.Name})
			v.ToOptions = append(v.ToOptions, option{o.ID, o.Name})
		}
		for _, f := range v.P.Funders {
			o, err := tx.Organisation(q.ctx(), f.OrganisationID)
			if err != nil {
				return err
			}
			v.Funders = append(v.Funders, opFunderShare{ID: o.ID, Name: o.Name,
				PDF: funderProgrammeURL(id, o.ID, paydoc.PDF), CSV: funderProgrammeURL(id, o.ID, paydoc.CSV)})
		}
		return nil
	})
	return v, err
}

// ClosingURL is a funder's closing statement.
func (v opEndView) ClosingURL(funderID string) string {
	return "/programmes/" + v.P.ID + "/financeurs/" + funderID + "/cloture.pdf"
}

func operatorProgrammeEnd(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadEnd(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/programme_end", "Fin du programme — "+v.P.Name, v, nil)
}

func opEndFailed(q *request, id string, f *form, err error, place func(*opEndView)) error {
	status, ok := opFormStatus(f, err, "from_distributor_id", "from_distributor_id", "to_distributor_id", "to_distributor_id")
	if !ok {
		return err
	}
	v, lerr := opLoadEnd(q, id)
	if lerr != nil {
		return lerr
	}
	place(&v)
	return q.render(status, "operator/programme_end", "Fin du programme — "+v.P.Name, v, nil)
}

// operatorMoveStock moves booklets not handed out from a distributor to
// another, or back to the programme.
func operatorMoveStock(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	from, to, reason := f.Get("from_distributor_id"), f.Get("to_distributor_id"), f.Get("reason")
	var fe passnum.FieldErrors
	if !passnum.ValidID(from) {
		fe.Add("from_distributor_id", "choisissez le distributeur dont les carnets partent")
	}
	if to != "" && !passnum.ValidID(to) {
		fe.Add("to_distributor_id", "choisissez le distributeur qui reçoit les carnets, ou le stock central")
	}
	n, berr := opBooklets(f, passnum.MaxIssuanceBooklets)
	if berr != nil {
		fe = append(fe, berr.(*passnum.Error).Fields...)
	}
	var t passnum.StockTransfer
	err = fe.Err()
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			var err error
			t, err = tx.MoveStock(q.ctx(), q.actor(), id, from, to, n, reason)
			return err
		})
	}
	if err != nil {
		return opEndFailed(q, id, f, err, func(v *opEndView) { v.MoveForm = f })
	}
	where := "au stock central du programme"
	if t.ToDistributorID != "" {
		where = "à l'autre distributeur"
	}
	return q.redirect("/operateur/programmes/"+id+"/fin", passnum.CountOf(t.Booklets, "carnet déplacé", "carnets déplacés")+" "+where+".")
}

// operatorExpire runs the programme's expiry step; running it again
// answers with the first run.
func operatorExpire(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var e passnum.ProgrammeExpiry
	err = q.write(func(tx *store.Tx) error {
		var err error
		e, err = tx.ExpireProgramme(q.ctx(), q.actor(), id)
		return err
	})
	if err != nil {
		return opEndFailed(q, id, f, err, func(v *opEndView) { v.ExpireForm = f })
	}
	if !e.Created {
		return q.redirect("/operateur/programmes/"+id+"/fin", "Les pass non utilisés avaient déjà expiré le "+frDate(e.ExpiredAt)+" : rien n'a changé.")
	}
	return q.redirect("/operateur/programmes/"+id+"/fin", passnum.CountOf(e.PassesUnused+e.PassesNotHandedOut, "pass non utilisé a expiré", "pass non utilisés ont expiré")+" ; "+euros(e.ReleasedCents)+" de valeur faciale libérée pour les financeurs.")
}

// opIBANView is a place's bank details with the IBAN in full, shown once
// to the operator who asked (the reveal is audited).
type opIBANView struct {
	PlaceID, PlaceName string
	B                  passnum.BankAccount
}

func operatorRevealIBAN(q *request) error {
	ids, err := q.ids("id", "bank")
	if err != nil {
		return err
	}
	id, bankID := ids[0], ids[1]
	v := opIBANView{PlaceID: id}
	if err := q.write(func(tx *store.Tx) error {
		var err error
		if v.B, err = tx.RevealIBAN(q.ctx(), q.actor(), id, bankID); err != nil {
			return err
		}
		o, err := tx.Organisation(q.ctx(), id)
		v.PlaceName = o.Name
		return err
	}); err != nil {
		return err
	}
	q.w.Header().Set("Cache-Control", "no-store")
	return q.render(http.StatusOK, "operator/bank_iban", "IBAN complet — "+v.PlaceName, v, nil)
}

// The payment settings of the programme's settings form: budget, hand-out
// closing day, four eyes and the paying account, on the terms of
// passnum.ProgrammeUpdate.

// opPaymentSettingsValues fills the form with the programme's payment
// settings. The operator sees the paying account's IBAN in full.
func opPaymentSettingsValues(p passnum.Programme, v url.Values) {
	if p.BudgetCents != nil {
		v.Set("budget", opEurosField(*p.BudgetCents))
	}
	v.Set("handout_until", frDate(p.LastHandOutDay()))
	v.Set("handout_until_was", frDate(p.LastHandOutDay()))
	if p.FourEyes {
		v.Set("four_eyes", "oui")
	}
	v.Set("payer_name", p.Payer.Name)
	v.Set("payer_iban", passnum.FormatIBAN(p.Payer.IBAN))
	v.Set("payer_bic", p.Payer.BIC)
}

// opEurosField writes cents as the form reads them back: 570000,00.
func opEurosField(cents int64) string {
	return strconv.FormatInt(cents/100, 10) + "," + strconv.FormatInt(100+cents%100, 10)[1:]
}

// opReadPaymentSettings reads the payment settings into u. An empty budget
// or paying account keeps what is set.
func opReadPaymentSettings(f *form, u *passnum.ProgrammeUpdate, fe *passnum.FieldErrors) {
	if s := f.Get("budget"); s != "" {
		if cents, ok := opHundredths(s); !ok {
			fe.Add("budget", "montant en euros attendu, par exemple 570000 ou 570 000,00")
		} else {
			u.BudgetCents = &cents
		}
	}
	// Sent back unchanged, the hand-out day is left to follow the end of
	// validity, as the domain moves it.
	if _, offered := f.Values["handout_until"]; offered && f.Get("handout_until") != f.Get("handout_until_was") {
		if d, err := parseFrenchDate("handout_until", f.Get("handout_until")); err != nil {
			*fe = append(*fe, err.(*passnum.Error).Fields...)
		} else {
			u.HandoutUntil = &d
		}
	}
	four := f.Get("four_eyes") != ""
	u.FourEyes = &four
	name, iban, bic := f.Get("payer_name"), f.Get("payer_iban"), f.Get("payer_bic")
	if name != "" || iban != "" || bic != "" {
		u.Payer = &passnum.PayingAccount{Name: name, IBAN: iban, BIC: bic}
	}
}

// opPaymentSettingsErrors puts the domain's refusals of the payment
// settings in the form's words: the budget in euros, never in cents.
func opPaymentSettingsErrors(f *form, p passnum.Programme) {
	if msg, ok := f.Errors["budget"]; ok && p.Money != nil && (strings.Contains(msg, "centimes") || strings.Contains(msg, "déjà émis")) {
		if p.Money.IssuedCents > 0 {
			f.Errors["budget"] = "le budget ne descend jamais sous la valeur faciale des pass déjà émis : " + passnum.FormatEuros(p.Money.IssuedCents) + " au moins"
		} else {
			f.Errors["budget"] = "budget en euros, positif, 10 milliards d'euros au plus"
		}
	}
}

// opPaymentSettingNames maps the domain's field names to the form's.
var opPaymentSettingNames = []string{"budget_cents", "budget", "payer.name", "payer_name", "payer.iban", "payer_iban", "payer.bic", "payer_bic"}
