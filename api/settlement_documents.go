package api

import (
	"net/http"

	"passnum"
	"passnum/paydoc"
	"passnum/store"
)

// The files of paying the places, served from the store's streaming reads
// by package paydoc, which also decides who reads which (the pages serve
// the same files under the same rules).

var (
	pdfType  = paydoc.PDF.ContentType()
	csvType  = paydoc.CSV.ContentType()
	xlsxType = paydoc.XLSX.ContentType()
)

// settlementDocumentRoutes: the SEPA file, the statements and the
// accounting export.
func settlementDocumentRoutes() []*route {
	refusable := []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EINTERNAL}
	return []*route{
		{Method: "GET", Path: "/settlements/{id}/sepa.xml", Roles: operator, Summary: "Fichier de virements SEPA (pain.001.001.03) d'un remboursement : un virement par lieu payé, depuis le compte payeur du programme, la référence du remboursement dans chaque libellé",
			Produces: paydoc.XML.ContentType(), Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.ENOPAYINGACCOUNT, passnum.ENOTHINGTOSETTLE, passnum.EINVALID},
			Handle: serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
				return paydoc.TransferFile(c.ctx(), tx, c.actor, c.r.PathValue("id"))
			})},
		{Method: "GET", Path: "/settlements/{id}/lines/{place_id}/statement.pdf", Roles: settlementReaders, Summary: "Relevé de remboursement d'un lieu pour un remboursement, en PDF : chaque pass (code masqué), les régularisations et leurs motifs, le total, le compte crédité (IBAN masqué), le statut du paiement (un lieu ne lit que le sien, un financeur ceux des programmes qu'il finance)",
			Produces: pdfType, Status: http.StatusOK, Errors: refusable, Handle: servePlaceStatement(paydoc.PDF)},
		{Method: "GET", Path: "/settlements/{id}/lines/{place_id}/statement.csv", Roles: settlementReaders, Summary: "Relevé de remboursement d'un lieu, en CSV (UTF-8 avec BOM, séparateur point-virgule) : mêmes règles que le PDF",
			Produces: csvType, Status: http.StatusOK, Errors: refusable, Handle: servePlaceStatement(paydoc.CSV)},
		{Method: "GET", Path: "/settlements/{id}/accounting.csv", Roles: funderReaders, Summary: "Export comptable d'un remboursement, en CSV pour les tableurs français (UTF-8 avec BOM, point-virgule, virgule décimale, dates JJ/MM/AAAA) : une ligne par encaissement remboursé, par régularisation et par report, avec la part de chaque financeur",
			Produces: csvType, Status: http.StatusOK, Errors: refusable, Handle: serveAccounting(paydoc.CSV)},
		{Method: "GET", Path: "/settlements/{id}/accounting.xlsx", Roles: funderReaders, Summary: "Export comptable d'un remboursement, en classeur XLSX : mêmes lignes que le CSV, montants en nombres et dates en dates",
			Produces: xlsxType, Status: http.StatusOK, Errors: refusable, Handle: serveAccounting(paydoc.XLSX)},
		{Method: "GET", Path: "/settlements/{id}/funders/{org_id}/statement.pdf", Roles: funderReaders, Summary: "Relevé d'un financeur pour un remboursement, en PDF : chaque lieu payé et la part de chaque financeur (un financeur ne lit que le sien)",
			Produces: pdfType, Status: http.StatusOK, Errors: refusable, Handle: serveFunderSettlement(paydoc.PDF)},
		{Method: "GET", Path: "/settlements/{id}/funders/{org_id}/statement.csv", Roles: funderReaders, Summary: "Relevé d'un financeur pour un remboursement, en CSV : mêmes règles que le PDF",
			Produces: csvType, Status: http.StatusOK, Errors: refusable, Handle: serveFunderSettlement(paydoc.CSV)},
		{Method: "GET", Path: "/programmes/{id}/funders/{org_id}/statement.pdf", Roles: funderReaders, Summary: "Relevé d'un financeur pour un programme à ce jour, en PDF : sa part de chaque remboursement, payée et restant à payer (un financeur ne lit que le sien)",
			Produces: pdfType, Status: http.StatusOK, Errors: refusable, Handle: serveFunderProgramme(paydoc.PDF)},
		{Method: "GET", Path: "/programmes/{id}/funders/{org_id}/statement.csv", Roles: funderReaders, Summary: "Relevé d'un financeur pour un programme à ce jour, en CSV : mêmes règles que le PDF",
			Produces: csvType, Status: http.StatusOK, Errors: refusable, Handle: serveFunderProgramme(paydoc.CSV)},
		{Method: "GET", Path: "/programmes/{id}/funders/{org_id}/closing.pdf", Roles: funderReaders, Summary: "Bilan de fin de programme d'un financeur, en PDF : pass utilisés, repris, non remboursés, jamais remis, jamais utilisés (libérés), ce que doit chaque financeur et le dernier remboursement ; avant l'expiration, chiffres du jour (un financeur ne lit que le sien)",
			Produces: pdfType, Status: http.StatusOK, Errors: refusable, Handle: serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
				return paydoc.FunderClosing(c.ctx(), tx, c.actor, c.r.PathValue("id"), c.r.PathValue("org_id"))
			})},
	}
}

// documentAnswer streams a document inside the read transaction.
type documentAnswer struct{ d paydoc.Document }

func (a documentAnswer) stream(w http.ResponseWriter) (bool, error) { return paydoc.Serve(w, a.d) }

// serveDocument checks the path's ids and answers the document build
// returns; build decides who may read it.
func serveDocument(build func(c *call, tx *store.Tx) (paydoc.Document, error)) func(c *call) (func(*store.Tx) (any, error), error) {
	return func(c *call) (func(*store.Tx) (any, error), error) {
		for _, name := range []string{"id", "place_id", "org_id"} {
			if c.r.PathValue(name) == "" {
				continue
			}
			if _, err := c.id(name); err != nil {
				return nil, err
			}
		}
		return func(tx *store.Tx) (any, error) {
			d, err := build(c, tx)
			if err != nil {
				return nil, err
			}
			return documentAnswer{d}, nil
		}, nil
	}
}

func servePlaceStatement(f paydoc.Format) func(c *call) (func(*store.Tx) (any, error), error) {
	return serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.PlaceStatement(c.ctx(), tx, c.actor, c.r.PathValue("id"), c.r.PathValue("place_id"), f)
	})
}

func serveAccounting(f paydoc.Format) func(c *call) (func(*store.Tx) (any, error), error) {
	return serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.Accounting(c.ctx(), tx, c.actor, c.r.PathValue("id"), f)
	})
}

func serveFunderSettlement(f paydoc.Format) func(c *call) (func(*store.Tx) (any, error), error) {
	return serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.FunderSettlement(c.ctx(), tx, c.actor, c.r.PathValue("id"), c.r.PathValue("org_id"), f)
	})
}

func serveFunderProgramme(f paydoc.Format) func(c *call) (func(*store.Tx) (any, error), error) {
	return serveDocument(func(c *call, tx *store.Tx) (paydoc.Document, error) {
		return paydoc.FunderProgramme(c.ctx(), tx, c.actor, c.r.PathValue("id"), c.r.PathValue("org_id"), f)
	})
}
