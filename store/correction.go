package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

// CorrectRedemption takes back a settled redemption (a pass redeemed by
// mistake, fraud, a duplicate), with a reason: a correction, which the
// place's next line takes as a negative adjustment, and its ledger entry,
// −amount, now. The redemption itself stays as it was. A redemption not
// yet settled is cancelled instead; one is corrected once. Only the
// operator corrects (the API's route says so; this is the last guard).
func (tx *Tx) CorrectRedemption(ctx context.Context, actor passnum.Actor, redemptionID, reason string) (passnum.Correction, error) {
	if actor.Role != passnum.RoleOperator {
		return passnum.Correction{}, passnum.Errorf(passnum.EFORBIDDEN, "Seul l'opérateur du programme corrige un encaissement remboursé.")
	}
	if err := passnum.CheckReason("reason", reason, "indiquez pourquoi cet encaissement remboursé est repris (pass encaissé par erreur, fraude, doublon…) : le motif figure sur le relevé du lieu"); err != nil {
		return passnum.Correction{}, err
	}
	var status passnum.RedemptionStatus
	var programmeID, placeID string
	var amount int64
	var settlement sql.NullString
	err := tx.queryRow(ctx, `SELECT status, programme_id, place_id, amount_cents, settlement_id FROM redemptions WHERE id = ?`, redemptionID).
		Scan(&status, &programmeID, &placeID, &amount, &settlement)
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.Correction{}, notFound("encaissement")
	}
	if err != nil {
		return passnum.Correction{}, err
	}
	if status == passnum.RedemptionCancelled {
		return passnum.Correction{}, passnum.Errorf(passnum.EALREADYCANCELLED, "Cet encaissement a été annulé : il n'a pas été remboursé et il n'y a rien à corriger.")
	}
	if !settlement.Valid {
		return passnum.Correction{}, passnum.Errorf(passnum.ENOTSETTLED, "Cet encaissement n'a pas encore été remboursé : annulez-le (POST /api/v1/redemptions/{id}/cancel) plutôt que de le corriger ; il ne sera alors jamais payé.")
	}
	var existing string
	var at int64
	err = tx.queryRow(ctx, `SELECT id, created_at FROM corrections WHERE redemption_id = ?`, redemptionID).Scan(&existing, &at)
	if err == nil {
		e := passnum.Errorf(passnum.ECONFLICT, "Cet encaissement a déjà été corrigé le %s : une correction suffit.", fromMicros(at).In(passnum.Paris).Format("02/01/2006"))
		e.Extra = map[string]any{"correction_id": existing}
		return passnum.Correction{}, e
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return passnum.Correction{}, err
	}
	id := passnum.NewID(tx.now)
	if _, err := tx.exec(ctx, `INSERT INTO corrections (id, redemption_id, programme_id, place_id, amount_cents, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, redemptionID, programmeID, placeID, -amount, reason, micros(tx.now), bankActorRef(actor)); err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return passnum.Correction{}, passnum.Errorf(passnum.ECONFLICT, "Cet encaissement vient d'être corrigé par quelqu'un d'autre : une correction suffit.")
		}
		return passnum.Correction{}, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at) VALUES (?, ?, ?, ?, 'correction', ?, ?)`,
		passnum.NewID(tx.now), redemptionID, programmeID, placeID, -amount, micros(tx.now)); err != nil {
		return passnum.Correction{}, err
	}
	if err := tx.audit(ctx, actor, "redemption.correct", "redemption", redemptionID, reason, map[string]any{"correction_id": id, "settled_in": settlement.String,
		"amount_cents": -amount}); err != nil {
		return passnum.Correction{}, err
	}
	return tx.Correction(ctx, id)
}

// PlaceCorrections lists a place's corrections in a programme, newest
// first, taken or still waiting for a settlement (empty placeID: every
// place's).
func (tx *Tx) PlaceCorrections(ctx context.Context, programmeID, placeID string) ([]passnum.Correction, error) {
	q := `SELECT ` + correctionColumns + ` FROM corrections c JOIN redemptions r ON r.id = c.redemption_id JOIN passes ps ON ps.id = r.pass_id
		WHERE c.programme_id = ?`
	args := []any{programmeID}
	if placeID != "" {
		q += ` AND c.place_id = ?`
		args = append(args, placeID)
	}
	rows, err := tx.query(ctx, q+` ORDER BY c.created_at DESC, c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.Correction{}
	for rows.Next() {
		c, err := scanCorrection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
