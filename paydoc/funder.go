package paydoc

import (
	"context"
	"io"

	"passnum"
	"passnum/document"
	"passnum/store"
)

// checkFunder lets the operator read any funder's statements of a
// programme it funds, and a funder its own only.
func checkFunder(ctx context.Context, tx *store.Tx, who passnum.Actor, programmeID, funderID string) error {
	switch who.Role {
	case passnum.RoleOperator:
	case passnum.RoleFunder:
		if who.OrganisationID != funderID {
			return notFound("financeur")
		}
	default:
		return notFound("financeur")
	}
	ok, err := tx.IsProgrammeFunder(ctx, programmeID, funderID)
	if err != nil || !ok {
		return orNotFound(err, "financeur")
	}
	return nil
}

func funderName(fs []document.Funder, id string) string {
	for _, f := range fs {
		if f.OrganisationID == id {
			return f.Name
		}
	}
	return ""
}

// FunderSettlement is a funder's statement of one settlement, in PDF or
// CSV: what each line paid and each funder's part.
func FunderSettlement(ctx context.Context, tx *store.Tx, who passnum.Actor, settlementID, funderID string, f Format) (Document, error) {
	if f != PDF && f != CSV {
		return Document{}, notFound("relevé")
	}
	if who.Role == passnum.RoleFunder && who.OrganisationID != funderID {
		return Document{}, notFound("remboursement")
	}
	s, err := tx.Settlement(ctx, settlementID, "")
	if err != nil {
		return Document{}, err
	}
	if err := checkFunder(ctx, tx, who, s.ProgrammeID, funderID); err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return Document{}, notFound("remboursement")
		}
		return Document{}, err
	}
	p, err := tx.Programme(ctx, s.ProgrammeID)
	if err != nil {
		return Document{}, err
	}
	previous, err := tx.PreviousCutoff(ctx, settlementID)
	if err != nil {
		return Document{}, err
	}
	fs, err := funders(ctx, tx, s.ProgrammeID)
	if err != nil {
		return Document{}, err
	}
	st := document.FunderSettlementStatement{ProgrammeName: p.Name, ProgrammeStart: p.ValidFrom, PreviousCutoff: previous, FunderID: funderID,
		Funders: fs, Settlement: s, GeneratedAt: tx.Now()}
	d := Document{Name: fileName(f, "relevé-financeur", s.Reference, slug(funderName(fs, funderID))), Format: f}
	d.write = func(w io.Writer) error {
		if f == CSV {
			return document.FunderSettlementCSV(w, st)
		}
		return document.FunderSettlementPDF(w, st)
	}
	return d, nil
}

// FunderProgramme is a funder's statement of a programme to date, one row
// per settlement, in PDF or CSV.
func FunderProgramme(ctx context.Context, tx *store.Tx, who passnum.Actor, programmeID, funderID string, f Format) (Document, error) {
	if f != PDF && f != CSV {
		return Document{}, notFound("relevé")
	}
	if err := checkFunder(ctx, tx, who, programmeID, funderID); err != nil {
		return Document{}, err
	}
	p, err := tx.Programme(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	fs, err := funders(ctx, tx, programmeID)
	if err != nil {
		return Document{}, err
	}
	settlements, err := tx.ProgrammeSettlements(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	statements, err := tx.FunderStatements(ctx, programmeID, "")
	if err != nil {
		return Document{}, err
	}
	shares := map[string][]passnum.FunderAmount{}
	for _, st := range statements {
		for _, s := range st.Settlements {
			shares[s.SettlementID] = append(shares[s.SettlementID], passnum.FunderAmount{OrganisationID: st.FunderID, ShareBps: st.ShareBps, AmountCents: s.ShareCents})
		}
	}
	st := document.FunderProgrammeStatement{ProgrammeName: p.Name, FunderID: funderID, Funders: fs, AsOf: tx.Today(), GeneratedAt: tx.Now()}
	for _, s := range settlements {
		st.Settlements = append(st.Settlements, document.FunderSettlementTotal{Settlement: s, Places: int64(s.LineCount - s.HeldBackCount), Shares: shares[s.ID]})
	}
	d := Document{Name: fileName(f, "relevé-financeur", slug(p.Name), slug(funderName(fs, funderID)), "au", tx.Today().String()), Format: f}
	d.write = func(w io.Writer) error {
		if f == CSV {
			return document.FunderProgrammeCSV(w, st)
		}
		return document.FunderProgrammePDF(w, st)
	}
	return d, nil
}

// FunderClosing is a funder's closing statement of a programme (PDF): what
// its passes became and what the funders owe. Before the programme's
// expiry step, its figures are those of today.
func FunderClosing(ctx context.Context, tx *store.Tx, who passnum.Actor, programmeID, funderID string) (Document, error) {
	if err := checkFunder(ctx, tx, who, programmeID, funderID); err != nil {
		return Document{}, err
	}
	p, err := tx.Programme(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	fs, err := funders(ctx, tx, programmeID)
	if err != nil {
		return Document{}, err
	}
	c, err := tx.ClosingStatement(ctx, programmeID, "")
	if err != nil {
		return Document{}, err
	}
	use, err := tx.ProgrammeSettledUse(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	settlements, err := tx.ProgrammeSettlements(ctx, programmeID)
	if err != nil {
		return Document{}, err
	}
	face := p.FaceValueCents
	figure := func(n int64) document.PassFigure { return document.PassFigure{Passes: n, Cents: n * face} }
	unused := c.PassesIssued - use.SettledPasses - use.UnsettledPasses - c.PassesNotHandedOut
	st := document.FunderClosingStatement{ProgrammeName: p.Name, ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil, LastRedeemDay: p.LastRedeemDay(),
		FunderID: funderID, Funders: fs, Issued: figure(c.PassesIssued),
		Used:         document.PassFigure{Passes: use.SettledPasses, Cents: use.SettledCents},
		Adjusted:     document.PassFigure{Passes: use.Corrections, Cents: use.CorrectedCents},
		Unsettled:    document.PassFigure{Passes: use.UnsettledPasses, Cents: use.UnsettledCents},
		NotHandedOut: figure(c.PassesNotHandedOut), Unused: figure(unused),
		FinalSettlement: c.FinalSettlement, Settlements: int64(len(settlements)), GeneratedAt: tx.Now()}
	for _, f := range c.Funders {
		st.Owed = append(st.Owed, passnum.FunderAmount{OrganisationID: f.FunderID, ShareBps: f.ShareBps, AmountCents: f.SettledCents})
		st.OwedPaid = append(st.OwedPaid, passnum.FunderAmount{OrganisationID: f.FunderID, ShareBps: f.ShareBps, AmountCents: f.PaidCents})
	}
	d := Document{Name: fileName(PDF, "bilan-de-clôture", slug(p.Name), slug(funderName(fs, funderID))), Format: PDF}
	d.write = func(w io.Writer) error { return document.FunderClosingPDF(w, st) }
	return d, nil
}
