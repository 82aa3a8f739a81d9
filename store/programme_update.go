package store

import (
	"context"
	"strings"

	"passnum"
)

// UpdateProgramme changes a programme's settings, on the terms of
// passnum.ProgrammeUpdate (what may change, and the rules), and records a
// "programme.update" audit entry whose details give each changed setting
// with its old and new values: {"valid_until": {"old": "2026-12-31", "new":
// "2027-03-31"}, "last_redeem_day": {…}}. Settings are not personal data.
// An update that changes nothing writes nothing and returns the programme.
//
// The programme's row is locked first, so that two updates at once apply
// one after the other, each on the other's values (valid_until and
// grace_days together make last_redeem_day: neither may be lost).
//
// Lowering max_booklets_per_beneficiary is checked against the counters
// of the booklets held. A hand-out that read the old limit just before
// and commits just after can still reach it (on PostgreSQL, where
// hand-outs do not lock the programme, by design); the limit then holds
// for every hand-out after.
func (tx *Tx) UpdateProgramme(ctx context.Context, actor passnum.Actor, id string, u passnum.ProgrammeUpdate) (passnum.Programme, error) {
	res, err := tx.exec(ctx, `UPDATE programmes SET name = name WHERE id = ?`, id)
	if err != nil {
		return passnum.Programme{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Programme{}, notFound("programme")
	}
	p, err := tx.Programme(ctx, id)
	if err != nil {
		return p, err
	}
	held := 0
	if u.MaxBookletsPerBeneficiary != nil && *u.MaxBookletsPerBeneficiary < p.MaxBookletsPerBeneficiary {
		if held, err = tx.MostBookletsHeld(ctx, id); err != nil {
			return p, err
		}
	}
	q, err := u.Apply(p, tx.Today(), held)
	if err != nil {
		return p, err
	}
	changes := passnum.ProgrammeChanges(&p, &q)
	if len(changes) == 0 {
		return p, nil
	}
	// The budget's CHECK is the last guard against one below what an
	// issuance committed meanwhile (the row lock above orders them).
	if _, err := tx.exec(ctx, `UPDATE programmes SET name = ?, valid_from = ?, valid_until = ?, last_redeem_day = ?, grace_days = ?,
		min_age = ?, max_age = ?, max_booklets_per_beneficiary = ?, cancel_window_hours = ?, territory = ?, max_passes_per_training = ?,
		handout_until = ?, budget_cents = ?, four_eyes = ?, payer_name = ?, payer_iban = ?, payer_bic = ?, dormant_days = ? WHERE id = ?`,
		q.Name, q.ValidFrom.String(), q.ValidUntil.String(), q.LastRedeemDay().String(), q.GraceDays,
		q.MinAge, q.MaxAge, q.MaxBookletsPerBeneficiary, q.CancelWindowHours, strings.Join(q.Territory, ","), q.MaxPassesPerTraining,
		q.LastHandOutDay().String(), nullInt64(q.BudgetCents), q.FourEyes, q.Payer.Name, q.Payer.IBAN, q.Payer.BIC, q.DormantDays, id); err != nil {
		return p, err
	}
	type oldNew struct {
		Old any `json:"old"`
		New any `json:"new"`
	}
	details := make(map[string]any, len(changes))
	for _, c := range changes {
		details[c.Field] = oldNew{c.Old, c.New}
	}
	if err := tx.audit(ctx, actor, "programme.update", "programme", id, "", details); err != nil {
		return q, err
	}
	return tx.Programme(ctx, id)
}

// MostBookletsHeld is the most booklets of a programme one beneficiary
// holds, as counted under max_booklets_per_beneficiary (a replacement takes
// the lost booklet's place): the floor of that limit.
func (tx *Tx) MostBookletsHeld(ctx context.Context, programmeID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(booklets), 0) FROM beneficiary_booklets WHERE programme_id = ?`, programmeID).Scan(&n)
	return n, err
}
