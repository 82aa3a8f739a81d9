package web

import (
	"net/http"
	"strconv"

	"passnum"
	"passnum/mail"
	"passnum/paydoc"
	"passnum/store"
)

// The files of paying the places, downloaded from the pages: the same
// files as the API's, made by package paydoc under the same rules (the
// operator reads all; a funder those of the programmes it funds, its own
// statements only; a place its own statements only; anything else is not
// found). Addresses carry ids only, never a name.

var (
	paymentReaders  = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder}
	statementViewer = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RolePlace}
)

// paymentDocumentPages are the downloads of the settlements' files.
func paymentDocumentPages() []*page {
	p := func(path string, roles []passnum.Role, h func(q *request) error) *page {
		return &page{Method: "GET", Path: path, Access: staffOnly, Roles: roles, Handle: h}
	}
	return []*page{
		p("/remboursements/{id}/virements.xml", operatorRole, docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
			return paydoc.TransferFile(q.ctx(), tx, q.actor(), q.r.PathValue("id"))
		})),
		p("/remboursements/{id}/comptabilite.csv", paymentReaders, accountingPage(paydoc.CSV)),
		p("/remboursements/{id}/comptabilite.xlsx", paymentReaders, accountingPage(paydoc.XLSX)),
		p("/remboursements/{id}/lieux/{place_id}/releve.pdf", statementViewer, placeStatementPage(paydoc.PDF)),
		p("/remboursements/{id}/lieux/{place_id}/releve.csv", statementViewer, placeStatementPage(paydoc.CSV)),
		p("/remboursements/{id}/financeurs/{org_id}/releve.pdf", paymentReaders, funderSettlementPage(paydoc.PDF)),
		p("/remboursements/{id}/financeurs/{org_id}/releve.csv", paymentReaders, funderSettlementPage(paydoc.CSV)),
		p("/programmes/{id}/financeurs/{org_id}/releve.pdf", paymentReaders, funderProgrammePage(paydoc.PDF)),
		p("/programmes/{id}/financeurs/{org_id}/releve.csv", paymentReaders, funderProgrammePage(paydoc.CSV)),
		p("/programmes/{id}/financeurs/{org_id}/cloture.pdf", paymentReaders, docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
			return paydoc.FunderClosing(q.ctx(), tx, q.actor(), q.r.PathValue("id"), q.r.PathValue("org_id"))
		})),
		p("/programmes/{id}/rapport-annuel.pdf", paymentReaders, yearlyReportPage(paydoc.PDF)),
		p("/programmes/{id}/rapport-annuel.xlsx", paymentReaders, yearlyReportPage(paydoc.XLSX)),
	}
}

// yearlyReportPage serves a programme's yearly report for the year in
// ?annee= (the operator's unmasked, a funder's under statistical secrecy).
func yearlyReportPage(f paydoc.Format) func(q *request) error {
	return docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.YearlyReport(q.ctx(), tx, q.actor(), q.r.PathValue("id"), q.r.URL.Query().Get("annee"), f)
	})
}

// yearlyReportURL is the address of a programme's yearly report.
func yearlyReportURL(programmeID string, year int, f paydoc.Format) string {
	return "/programmes/" + programmeID + "/rapport-annuel." + string(f) + "?annee=" + strconv.Itoa(year)
}

// docPage serves the document build makes, inside one read transaction.
// A document refused before its first byte is shown as an error page;
// after it, the connection is cut so that no one keeps half a file.
func docPage(build func(q *request, tx *store.Tx) (paydoc.Document, error)) func(q *request) error {
	return func(q *request) error {
		for _, name := range []string{"id", "place_id", "org_id"} {
			if q.r.PathValue(name) == "" {
				continue
			}
			if _, err := q.id(name); err != nil {
				return err
			}
		}
		started := false
		err := q.view(func(tx *store.Tx) error {
			d, err := build(q, tx)
			if err != nil {
				return err
			}
			started, err = paydoc.Serve(q.w, d)
			return err
		})
		if err != nil && started {
			q.s.log.Error("download failed", "route", q.r.Pattern, "err", err)
			panic(http.ErrAbortHandler)
		}
		return err
	}
}

func accountingPage(f paydoc.Format) func(q *request) error {
	return docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.Accounting(q.ctx(), tx, q.actor(), q.r.PathValue("id"), f)
	})
}

func placeStatementPage(f paydoc.Format) func(q *request) error {
	return docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.PlaceStatement(q.ctx(), tx, q.actor(), q.r.PathValue("id"), q.r.PathValue("place_id"), f)
	})
}

func funderSettlementPage(f paydoc.Format) func(q *request) error {
	return docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.FunderSettlement(q.ctx(), tx, q.actor(), q.r.PathValue("id"), q.r.PathValue("org_id"), f)
	})
}

func funderProgrammePage(f paydoc.Format) func(q *request) error {
	return docPage(func(q *request, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.FunderProgramme(q.ctx(), tx, q.actor(), q.r.PathValue("id"), q.r.PathValue("org_id"), f)
	})
}

// Addresses of the downloads, for the pages that link to them.

func placeStatementURL(settlementID, placeID string, f paydoc.Format) string {
	return "/remboursements/" + settlementID + "/lieux/" + placeID + "/releve." + string(f)
}

func funderSettlementURL(settlementID, funderID string, f paydoc.Format) string {
	return "/remboursements/" + settlementID + "/financeurs/" + funderID + "/releve." + string(f)
}

func funderProgrammeURL(programmeID, funderID string, f paydoc.Format) string {
	return "/programmes/" + programmeID + "/financeurs/" + funderID + "/releve." + string(f)
}

func accountingURL(settlementID string, f paydoc.Format) string {
	return "/remboursements/" + settlementID + "/comptabilite." + string(f)
}

func transferFileURL(settlementID string) string {
	return "/remboursements/" + settlementID + "/virements.xml"
}

// tellPlacesOfSettlement mails the places a settlement just sent or paid
// pays, once the change committed: read msgs with
// paydoc.SettlementMessages in the transaction that changed the status.
// A message that does not leave is logged; the payment stands. It returns
// how many left.
func (q *request) tellPlacesOfSettlement(msgs []mail.Message) int {
	return paydoc.NotifySettlementPlaces(q.ctx(), q.s.cfg.Mail, q.s.log, msgs)
}
