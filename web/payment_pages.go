package web

import (
	"net/http"

	"passnum"
	"passnum/document"
	"passnum/paydoc"
	"passnum/store"
)

// What the places and the funders read of the payments: a place, each
// line of its own in the settlements with where its payment stands and
// what it is still owed; a funder, its part of each settlement of a
// programme, per month and to date, and at the end of the programme the
// closing table and statement. Every figure comes from the store's one
// read of it (the settlement lines, their funders' shares, the ledger), so
// the operator, the place and the funders read the same numbers.

func paymentPages() []*page {
	return []*page{
		{Method: "GET", Path: "/lieu/remboursements", Access: staffOnly, Roles: placeRole, Handle: lieuSettlementsPage},
		{Method: "GET", Path: "/financeur/programmes/{id}/remboursements", Access: staffOnly, Roles: funderRole, Handle: funderSettlementsPage},
	}
}

// lineStatus says where a place's line stands, in the place's words:
// calculé, envoyé, payé, or retenu with why.
func lineStatus(s passnum.Settlement, l passnum.SettlementLine) (label, detail, class string) {
	if l.HeldBack {
		if l.HeldBackReason != nil {
			detail = l.HeldBackReason.Label()
		}
		return "retenu", detail, "bad"
	}
	switch s.Status {
	case passnum.SettlementCreated:
		return "calculé", "le virement sera envoyé à la banque prochainement", ""
	case passnum.SettlementSent:
		if s.SentAt != nil {
			detail = "virement envoyé à la banque le " + document.FormatParisDay(*s.SentAt)
		}
		return "envoyé", detail, ""
	case passnum.SettlementPaymentRecorded:
		return "envoyé", "paiement en cours de confirmation par l'opérateur", ""
	}
	if s.PaidOn != nil {
		detail = "le " + document.FormatDay(*s.PaidOn)
	}
	if s.BankReference != "" {
		detail += " (référence bancaire " + s.BankReference + ")"
	}
	return "payé", detail, "ok"
}

// placeLineView is one line of a place's settlements.
type placeLineView struct {
	S                           passnum.Settlement
	L                           passnum.SettlementLine
	Status, StatusDetail, Class string
	PDF, CSV                    string
}

type placeSettlementsView struct {
	Lines []placeLineView
	// BalanceCents is what the place is owed today, from its ledger: the
	// figure the operator and the funders read.
	BalanceCents int64
	Today        passnum.Date
	Next, First  string
}

func lieuSettlementsPage(q *request) error {
	pg, err := opPageFrom(q)
	if err != nil {
		return err
	}
	var v placeSettlementsView
	var next string
	err = q.view(func(tx *store.Tx) error {
		v.Today = tx.Today()
		list, n, err := tx.ListSettlements(q.ctx(), store.SettlementFilter{PlaceID: q.org()}, pg)
		if err != nil {
			return err
		}
		next = n
		for _, s := range list {
			for _, l := range s.Lines {
				lv := placeLineView{S: s, L: l, PDF: placeStatementURL(s.ID, l.PlaceID, paydoc.PDF), CSV: placeStatementURL(s.ID, l.PlaceID, paydoc.CSV)}
				lv.Status, lv.StatusDetail, lv.Class = lineStatus(s, l)
				lv.L.IBAN = passnum.MaskIBAN(l.IBAN)
				v.Lines = append(v.Lines, lv)
			}
		}
		v.BalanceCents, err = tx.PlaceBalance(q.ctx(), q.org(), "", v.Today)
		return err
	})
	if err != nil {
		return err
	}
	v.Next = opNextURL("/lieu/remboursements", q.r.URL.Query(), next)
	v.First = opFirstURL("/lieu/remboursements", q.r.URL.Query())
	return q.render(http.StatusOK, "place/settlements", "Remboursements", v, nil)
}

// funderSettlementRow is one settlement as a funder reads it.
type funderSettlementRow struct {
	store.FunderSettlement
	StatusLabel string
	PDF, CSV    string
	AccountCSV  string
	AccountXLSX string
}

// funderMonthRow is one month of a funder's part, paid and still to pay.
type funderMonthRow struct {
	store.FunderMonth
	DueCents int64
}

type funderSettlementsView struct {
	P       passnum.Programme
	Own     store.FunderStatement
	Rows    []funderSettlementRow
	Months  []funderMonthRow
	PDF     string
	CSV     string
	Closing *store.ClosingTable
	// ClosingPDF is the closing statement, once the programme expired.
	ClosingPDF string
	Today      passnum.Date
}

func funderSettlementsPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v := funderSettlementsView{PDF: funderProgrammeURL(id, q.org(), paydoc.PDF), CSV: funderProgrammeURL(id, q.org(), paydoc.CSV)}
	err = q.view(func(tx *store.Tx) error {
		// A programme this funder does not pay for reads as one that does
		// not exist.
		ok, err := tx.IsProgrammeFunder(q.ctx(), id, q.org())
		if err != nil {
			return err
		}
		if !ok {
			return passnum.NotFound("programme")
		}
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		v.Today = tx.Today()
		st, err := tx.FunderStatements(q.ctx(), id, q.org())
		if err != nil {
			return err
		}
		if len(st) == 1 {
			v.Own = st[0]
		}
		for i := len(v.Own.Settlements) - 1; i >= 0; i-- { // newest first
			s := v.Own.Settlements[i]
			label := s.Status.Label()
			if s.PaidOn != nil && s.Status == passnum.SettlementPaid {
				label += " le " + document.FormatDay(*s.PaidOn)
			}
			v.Rows = append(v.Rows, funderSettlementRow{FunderSettlement: s, StatusLabel: label,
				PDF: funderSettlementURL(s.SettlementID, q.org(), paydoc.PDF), CSV: funderSettlementURL(s.SettlementID, q.org(), paydoc.CSV),
				AccountCSV: accountingURL(s.SettlementID, paydoc.CSV), AccountXLSX: accountingURL(s.SettlementID, paydoc.XLSX)})
		}
		for _, m := range v.Own.Months {
			v.Months = append(v.Months, funderMonthRow{FunderMonth: m, DueCents: m.SettledCents - m.PaidCents})
		}
		// Under statistical secrecy, as the funder's dashboard by
		// distributor.
		table, err := tx.ClosingTable(q.ctx(), id, true)
		if err != nil {
			return err
		}
		if table.InPeriod {
			v.Closing = &table
		}
		if v.P.ExpiredAt != nil {
			v.ClosingPDF = "/programmes/" + id + "/financeurs/" + q.org() + "/cloture.pdf"
		}
		return nil
	})
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "funder/settlements", "Remboursements · "+v.P.Name, v, nil)
}
