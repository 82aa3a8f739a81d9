package store

import (
	"context"
	"slices"
	"strings"

	"passnum"
)

// What each funder owes. Every settlement line is split between the
// programme's funders by their shares when the settlement is made
// (settlement_line_shares); every figure here is a sum of those parts,
// so the settlements, the months and the totals always add up to the cent,
// and a pass never used, never in a line, costs nothing.

// FunderStatement is one funder's account of a programme to date.
type FunderStatement struct {
	ProgrammeID   string
	ProgrammeName string
	FunderID      string
	FunderName    string
	ShareBps      int64
	// SettledCents is its part of every settlement made, PaidCents of those
	// paid, DueCents of those still to pay.
	SettledCents int64
	PaidCents    int64
	DueCents     int64
	Settlements  []FunderSettlement
	Months       []FunderMonth
}

// FunderSettlement is a funder's part of one settlement.
type FunderSettlement struct {
	SettlementID string
	Reference    string
	Cutoff       passnum.Date
	Status       passnum.SettlementStatus
	PaidOn       *passnum.Date
	TotalCents   int64
	ShareCents   int64
}

// FunderMonth is a funder's part of the settlements whose period ends in
// a month (Paris), "2026-03".
type FunderMonth struct {
	Month        string
	SettledCents int64
	PaidCents    int64
}

// FunderStatements gives each funder of the programme its statement to
// date, in the order of the programme's funders; funderID, when set, keeps
// that funder's.
func (tx *Tx) FunderStatements(ctx context.Context, programmeID, funderID string) ([]FunderStatement, error) {
	out, err := tx.funderStatementHeads(ctx, programmeID, funderID)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, st := range out {
		index[st.FunderID] = i
	}
	rows, err := tx.query(ctx, `SELECT sh.funder_id, s.id, s.reference, s.cutoff, s.status, s.paid_on, s.total_cents, CAST(SUM(sh.amount_cents) AS BIGINT)
		FROM settlements s JOIN settlement_line_shares sh ON sh.settlement_id = s.id
		WHERE s.programme_id = ?
		GROUP BY sh.funder_id, s.id, s.reference, s.cutoff, s.status, s.paid_on, s.total_cents, s.number
		ORDER BY s.number`, programmeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var fs FunderSettlement
		var funder string
		var paidOn passnum.Date
		if err := rows.Scan(&funder, &fs.SettlementID, &fs.Reference, &fs.Cutoff, &fs.Status, &paidOn, &fs.TotalCents, &fs.ShareCents); err != nil {
			return nil, err
		}
		if !paidOn.IsZero() {
			fs.PaidOn = &paidOn
		}
		if i, ok := index[funder]; ok {
			out[i].add(fs)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].DueCents = out[i].SettledCents - out[i].PaidCents
		slices.SortFunc(out[i].Months, func(a, b FunderMonth) int { return strings.Compare(a.Month, b.Month) })
	}
	return out, nil
}

// funderStatementHeads are the programme's funders (funderID alone when
// not empty), each with its share and empty lists.
func (tx *Tx) funderStatementHeads(ctx context.Context, programmeID, funderID string) ([]FunderStatement, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT f.organisation_id, o.name, f.share_bps FROM programme_funders f JOIN organisations o ON o.id = f.organisation_id
		WHERE f.programme_id = ? ORDER BY f.organisation_id`, programmeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FunderStatement
	for rows.Next() {
		st := FunderStatement{ProgrammeID: p.ID, ProgrammeName: p.Name, Settlements: []FunderSettlement{}, Months: []FunderMonth{}}
		if err := rows.Scan(&st.FunderID, &st.FunderName, &st.ShareBps); err != nil {
			return nil, err
		}
		if funderID == "" || st.FunderID == funderID {
			out = append(out, st)
		}
	}
	return out, rows.Err()
}

// add counts the funder's share of one settlement: in its settlements, in
// the month of its cut-off, settled, and paid when it is.
func (st *FunderStatement) add(fs FunderSettlement) {
	st.Settlements = append(st.Settlements, fs)
	month := fs.Cutoff.YearMonth()
	k := slices.IndexFunc(st.Months, func(m FunderMonth) bool { return m.Month == month })
	if k < 0 {
		st.Months = append(st.Months, FunderMonth{Month: month})
		k = len(st.Months) - 1
	}
	st.SettledCents += fs.ShareCents
	st.Months[k].SettledCents += fs.ShareCents
	if fs.Status == passnum.SettlementPaid {
		st.PaidCents += fs.ShareCents
		st.Months[k].PaidCents += fs.ShareCents
	}
}

// FunderLineShare is a funder's part of one line of a settlement: the
// rows of a funder's statement for that settlement.
type FunderLineShare struct {
	PlaceID     string
	PlaceName   string
	PlaceSIRET  string
	LineCents   int64 // what the line pays the place
	ShareBps    int64
	ShareCents  int64 // the funder's part of it
	Count       int64 // redemptions the line pays
	Adjustments int64 // corrections it took (≤ 0)
}

// SettlementFunderShares streams a funder's part of each paid line of a
// settlement, by place name.
func (tx *Tx) SettlementFunderShares(ctx context.Context, settlementID, funderID string, fn func(FunderLineShare) error) error {
	rows, err := tx.query(ctx, `SELECT l.place_id, o.name, COALESCE(o.siret, ''), l.amount_cents, sh.share_bps, sh.amount_cents, l.count, l.adjustments_cents
		FROM settlement_line_shares sh JOIN settlement_lines l ON l.settlement_id = sh.settlement_id AND l.place_id = sh.place_id
		JOIN organisations o ON o.id = l.place_id
		WHERE sh.settlement_id = ? AND sh.funder_id = ? ORDER BY o.name, l.place_id`, settlementID, funderID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s FunderLineShare
		if err := rows.Scan(&s.PlaceID, &s.PlaceName, &s.PlaceSIRET, &s.LineCents, &s.ShareBps, &s.ShareCents, &s.Count, &s.Adjustments); err != nil {
			return err
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}
