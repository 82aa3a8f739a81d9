package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

// The few reads the settlement documents need beyond the settlements
// themselves: the period a settlement covers, a programme's settlements in
// their order, and how many passes were settled or wait for a settlement.

// PreviousCutoff is the cut-off of the programme's last settlement before
// this one whose cut-off is earlier (zero for the first): the settlement's
// period starts the day after it. A second run for the same cut-off (a late
// redemption) covers the same period as the first.
func (tx *Tx) PreviousCutoff(ctx context.Context, settlementID string) (passnum.Date, error) {
	var programmeID, cutoff string
	var number int64
	err := tx.queryRow(ctx, `SELECT programme_id, cutoff, number FROM settlements WHERE id = ?`, settlementID).Scan(&programmeID, &cutoff, &number)
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.Date{}, notFound("remboursement")
	}
	if err != nil {
		return passnum.Date{}, err
	}
	var previous passnum.Date
	err = tx.queryRow(ctx, `SELECT cutoff FROM settlements WHERE programme_id = ? AND number < ? AND cutoff < ? ORDER BY number DESC LIMIT 1`,
		programmeID, number, cutoff).Scan(&previous)
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.Date{}, nil
	}
	if err != nil {
		return passnum.Date{}, err
	}
	return previous, nil
}

// ProgrammeSettlements lists every settlement of a programme, oldest first,
// without their lines: the rows of a funder's statement to date.
func (tx *Tx) ProgrammeSettlements(ctx context.Context, programmeID string) ([]passnum.Settlement, error) {
	rows, err := tx.query(ctx, `SELECT `+settlementColumns+` FROM settlements s JOIN programmes p ON p.id = s.programme_id
		WHERE s.programme_id = ? ORDER BY s.number`, programmeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.Settlement{}
	for rows.Next() {
		s, err := scanSettlement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SettledUse counts a programme's active redemptions: those a settlement
// took (paid or to be paid, corrected later or not) and those still
// waiting for one (a held-back place, or redeemed after the last cut-off),
// and the corrections that took settled ones back.
type SettledUse struct {
	SettledPasses, SettledCents     int64
	UnsettledPasses, UnsettledCents int64
	// Corrections and CorrectedCents (negative or zero).
	Corrections, CorrectedCents int64
}

// ProgrammeSettledUse counts the programme's settled and unsettled
// redemptions, and its corrections.
func (tx *Tx) ProgrammeSettledUse(ctx context.Context, programmeID string) (SettledUse, error) {
	var u SettledUse
	err := tx.queryRow(ctx, `SELECT
			CAST(COALESCE(SUM(CASE WHEN settlement_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN settlement_id IS NOT NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN settlement_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN settlement_id IS NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT)
		FROM redemptions WHERE programme_id = ? AND status = 'active'`, programmeID).
		Scan(&u.SettledPasses, &u.SettledCents, &u.UnsettledPasses, &u.UnsettledCents)
	if err != nil {
		return u, err
	}
	err = tx.queryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM corrections WHERE programme_id = ?`, programmeID).
		Scan(&u.Corrections, &u.CorrectedCents)
	return u, err
}

// SettlementProgramme is what a message about a settlement says of it.
type SettlementProgramme struct {
	ProgrammeID   string
	ProgrammeName string
	ValidFrom     passnum.Date
	Reference     string
	Cutoff        passnum.Date
}

// ProgrammeOfSettlement reads a settlement's reference and cut-off with
// its programme's name and first day, without counting anything.
func (tx *Tx) ProgrammeOfSettlement(ctx context.Context, settlementID string) (SettlementProgramme, error) {
	var s SettlementProgramme
	err := tx.queryRow(ctx, `SELECT p.id, p.name, p.valid_from, s.reference, s.cutoff FROM settlements s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?`,
		settlementID).Scan(&s.ProgrammeID, &s.ProgrammeName, &s.ValidFrom, &s.Reference, &s.Cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("remboursement")
	}
	return s, err
}
