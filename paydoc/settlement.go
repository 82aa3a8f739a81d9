package paydoc

import (
	"context"
	"fmt"
	"io"

	"passnum"
	"passnum/document"
	"passnum/sepa"
	"passnum/store"
)

// PlaceStatement is a place's statement of one settlement ("relevé de
// remboursement"), in PDF or CSV. The operator reads every place's, the
// funders of the programme too, and a place only its own: anything else is
// not found.
func PlaceStatement(ctx context.Context, tx *store.Tx, who passnum.Actor, settlementID, placeID string, f Format) (Document, error) {
	if f != PDF && f != CSV {
		return Document{}, notFound("relevé")
	}
	if who.Role == passnum.RolePlace && who.OrganisationID != placeID {
		return Document{}, notFound("remboursement")
	}
	s, err := tx.Settlement(ctx, settlementID, placeID)
	if err != nil {
		return Document{}, err
	}
	if who.Role != passnum.RolePlace {
		if ok, err := canReadProgramme(ctx, tx, who, s.ProgrammeID); err != nil || !ok {
			return Document{}, orNotFound(err, "remboursement")
		}
	}
	p, err := tx.Programme(ctx, s.ProgrammeID)
	if err != nil {
		return Document{}, err
	}
	previous, err := tx.PreviousCutoff(ctx, settlementID)
	if err != nil {
		return Document{}, err
	}
	org, err := tx.Organisation(ctx, placeID)
	if err != nil {
		return Document{}, err
	}
	var adjustments []document.StatementAdjustment
	err = tx.SettlementCorrections(ctx, settlementID, placeID, func(c passnum.Correction) error {
		adjustments = append(adjustments, document.StatementAdjustment{CorrectedAt: c.CreatedAt, Code: c.Code, RedeemedAt: c.RedeemedAt, Reason: c.Reason, AmountCents: c.AmountCents})
		return nil
	})
	if err != nil {
		return Document{}, err
	}
	line := s.Lines[0]
	st := document.PlaceStatement{ProgrammeName: p.Name, ProgrammeStart: p.ValidFrom, PreviousCutoff: previous, Settlement: s, Line: line,
		PlaceSIRET: org.SIRET, Adjustments: adjustments, GeneratedAt: tx.Now()}
	passes := seq(func(fn func(store.SettledRedemption) error) error {
		return tx.SettlementRedemptions(ctx, settlementID, placeID, fn)
	}, func(r store.SettledRedemption) document.StatementPass {
		return document.StatementPass{Code: r.Code, RedeemedAt: r.RedeemedAt, Site: r.SiteName, Service: r.Service, AmountCents: r.AmountCents}
	})
	d := Document{Name: fileName(f, "relevé-de-remboursement", s.Reference, slug(line.PlaceName)), Format: f}
	d.write = func(w io.Writer) error {
		if f == CSV {
			return document.PlaceStatementCSV(w, st, passes)
		}
		return document.PlaceStatementPDF(w, st, passes)
	}
	return d, nil
}

// orNotFound is err, or not found when there was no error (access refused).
func orNotFound(err error, what string) error {
	if err != nil {
		return err
	}
	return notFound(what)
}

// Accounting is a settlement's accounting export, in CSV or XLSX: the
// operator's and the programme's funders'.
func Accounting(ctx context.Context, tx *store.Tx, who passnum.Actor, settlementID string, f Format) (Document, error) {
	if f != CSV && f != XLSX {
		return Document{}, notFound("export")
	}
	if who.Role != passnum.RoleOperator && who.Role != passnum.RoleFunder {
		return Document{}, notFound("remboursement")
	}
	s, err := tx.Settlement(ctx, settlementID, "")
	if err != nil {
		return Document{}, err
	}
	if ok, err := canReadProgramme(ctx, tx, who, s.ProgrammeID); err != nil || !ok {
		return Document{}, orNotFound(err, "remboursement")
	}
	fs, err := funders(ctx, tx, s.ProgrammeID)
	if err != nil {
		return Document{}, err
	}
	lines := make(map[string]passnum.SettlementLine, len(s.Lines))
	for _, l := range s.Lines {
		lines[l.PlaceID] = l
	}
	export := document.AccountingExport{ProgrammeName: s.ProgrammeName, Funders: fs}
	rows := seq(func(fn func(store.AccountingEntry) error) error {
		return tx.SettlementAccounting(ctx, settlementID, fn)
	}, func(e store.AccountingEntry) document.AccountingRow {
		kind := document.AccountingRedemption
		if e.Kind == "correction" {
			kind = document.AccountingCorrection
		}
		return document.AccountingRow{Reference: e.Reference, Cutoff: e.Cutoff, Line: lines[e.PlaceID], PlaceSIRET: e.PlaceSIRET, Kind: kind,
			ID: e.RedemptionID, At: e.At, Code: e.Code, Service: e.Service, Reason: e.Reason, AmountCents: e.AmountCents}
	})
	d := Document{Name: fileName(f, "export-comptable", s.Reference), Format: f}
	d.write = func(w io.Writer) error {
		if f == XLSX {
			return document.AccountingXLSX(w, export, rows)
		}
		return document.AccountingCSV(w, export, rows)
	}
	return d, nil
}

// TransferFile is a settlement's SEPA credit transfer file (pain.001.001.03),
// the operator's only: one transfer per place paid, from the programme's
// paying account. It is refused when the programme has no paying account
// or the settlement pays no place.
func TransferFile(ctx context.Context, tx *store.Tx, who passnum.Actor, settlementID string) (Document, error) {
	if who.Role != passnum.RoleOperator {
		return Document{}, notFound("remboursement")
	}
	s, err := tx.Settlement(ctx, settlementID, "")
	if err != nil {
		return Document{}, err
	}
	p, err := tx.Programme(ctx, s.ProgrammeID)
	if err != nil {
		return Document{}, err
	}
	if !p.Payer.Set() {
		return Document{}, passnum.Errorf(passnum.ENOPAYINGACCOUNT,
			"Le compte payeur du programme « %s » n'est pas renseigné : saisissez son titulaire, son IBAN et son BIC dans les réglages du programme, puis téléchargez à nouveau le fichier de virements.", p.Name)
	}
	var count, total int64
	for _, l := range s.Lines {
		if !l.HeldBack && l.AmountCents > 0 {
			count++
			total += l.AmountCents
		}
	}
	if count == 0 {
		return Document{}, passnum.Errorf(passnum.ENOTHINGTOSETTLE,
			"Le remboursement %s ne paie aucun lieu (toutes ses lignes sont retenues ou nulles) : il n'y a pas de virement à envoyer.", s.Reference)
	}
	h := sepa.Header{Reference: s.Reference, CreatedAt: tx.Now(), ExecutionDate: tx.Today(),
		Debtor: sepa.Account{Name: p.Payer.Name, IBAN: p.Payer.IBAN, BIC: p.Payer.BIC}, Count: count, TotalCents: total}
	d := Document{Name: fileName(XML, "virements", s.Reference), Format: XML}
	d.write = func(w io.Writer) error {
		sw, err := sepa.NewWriter(w, h)
		if err != nil {
			return err
		}
		for _, l := range s.Lines {
			if l.HeldBack || l.AmountCents <= 0 {
				continue
			}
			err := sw.Add(sepa.Transaction{PlaceID: l.PlaceID, Creditor: sepa.Account{Name: l.Holder, IBAN: l.IBAN, BIC: l.BIC}, AmountCents: l.AmountCents,
				Remittance: fmt.Sprintf("%d pass", l.Count)})
			if err != nil {
				return err
			}
		}
		return sw.Close()
	}
	return d, nil
}
