package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"passnum"
)

// maxReasonRunes bounds the reason of a block or a replacement.
const maxReasonRunes = 500

// bookletRow is what blocking and replacing need to know of a booklet.
type bookletRow struct {
	id, programmeID, distributorID, beneficiaryID, replacedBy string
	status                                                    passnum.BookletStatus
}

// ownBooklet reads a booklet for an agency's action on it: distributorID,
// when set, must be the agency the booklet was allocated to (another
// agency's booklet is "not found", never described).
func (tx *Tx) ownBooklet(ctx context.Context, id, distributorID string) (bookletRow, error) {
	var b bookletRow
	var dist, ben, replaced sql.NullString
	q := `SELECT id, programme_id, distributor_id, beneficiary_id, status, replaced_by FROM booklets WHERE id = ?`
	args := []any{id}
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	err := tx.queryRow(ctx, q, args...).Scan(&b.id, &b.programmeID, &dist, &ben, &b.status, &replaced)
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound("carnet")
	}
	b.distributorID, b.beneficiaryID, b.replacedBy = dist.String, ben.String, replaced.String
	return b, err
}

func blockReason(reason, what string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "motif obligatoire : indiquez pourquoi le carnet est " + what + " (perte, vol, carnet abîmé…)"})
	}
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		return "", passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "motif trop long : 500 caractères au plus"})
	}
	return reason, nil
}

// BlockBooklet blocks a booklet handed to a beneficiary, typically lost or
// stolen: the booklet and its unused passes become "blocked", so that no
// place can redeem them any more; passes already redeemed stay redeemed.
// distributorID is the acting agency, which must be the one that handed the
// booklet out; "" for the operator. The reason goes to the audit trail.
func (tx *Tx) BlockBooklet(ctx context.Context, actor passnum.Actor, bookletID, distributorID, reason string) (passnum.Booklet, error) {
	reason, err := blockReason(reason, "bloqué")
	if err != nil {
		return passnum.Booklet{}, err
	}
	b, err := tx.ownBooklet(ctx, bookletID, distributorID)
	if err != nil {
		return passnum.Booklet{}, err
	}
	changed, err := tx.block(ctx, actor, b, reason)
	if err != nil {
		return passnum.Booklet{}, err
	}
	if !changed {
		return passnum.Booklet{}, passnum.Errorf(passnum.EBLOCKED, "Ce carnet est déjà bloqué : ses pass non utilisés ne peuvent plus être encaissés. Pour en remettre un nouveau au bénéficiaire, remplacez-le.")
	}
	return tx.Booklet(ctx, bookletID)
}

// block turns a handed-out booklet and its unused passes to "blocked", in
// conditional statements: a pass being redeemed at the same moment is
// either redeemed first (and stays redeemed) or blocked first (and its
// redemption refused). The passes a replacement booklet never handed out
// (voided) stay unassigned: they were never worth anything. changed is
// false when the booklet was already blocked.
func (tx *Tx) block(ctx context.Context, actor passnum.Actor, b bookletRow, reason string) (changed bool, err error) {
	res, err := tx.exec(ctx, `UPDATE booklets SET status = 'blocked', blocked_at = ? WHERE id = ? AND status = 'handed_out'`, micros(tx.now), b.id)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var status passnum.BookletStatus
		if err := tx.queryRow(ctx, `SELECT status FROM booklets WHERE id = ?`, b.id).Scan(&status); err != nil {
			return false, err
		}
		if status == passnum.BookletBlocked {
			return false, nil
		}
		return false, passnum.Errorf(passnum.ECONFLICT, "Ce carnet n'a pas été remis à un bénéficiaire (il est encore dans le stock) : seul un carnet remis peut être bloqué ou remplacé.")
	}
	res, err = tx.exec(ctx, `UPDATE passes SET status = 'blocked' WHERE booklet_id = ? AND status = 'assigned'`, b.id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return true, tx.audit(ctx, actor, "booklet.block", "booklet", b.id, reason, map[string]any{
		"beneficiary_id": b.beneficiaryID, "programme_id": b.programmeID, "blocked_passes": n})
}

// ReplaceBooklet hands the beneficiary of a lost booklet a new one from the
// stock of the agency that handed the lost one out, and returns the new
// booklet. The old booklet is blocked first if it is not yet, in this same
// transaction.
//
// The replacement carries only the unused value of the lost booklet: as
// many of its passes are handed out as the lost booklet has blocked
// passes, and the others stay unassigned (voided: never usable, printed
// nowhere, counted in the booklet's voided_passes). A young person who used
// 4 passes of 5 gets a booklet with 1 usable pass; replacing that one again
// carries 1 again; so the passes they hold (used or usable) never exceed
// what their booklets were worth, which "passnum check" verifies.
//
// The new booklet takes the old one's place under the programme's
// per-beneficiary limit: a replacement is given even when the limit is
// reached, and the replaced booklet no longer counts. Eligibility is not
// checked again (the person was eligible when the lost booklet was handed
// out), but the programme must still be handing out booklets, and a booklet
// whose passes were all used has nothing to replace. A booklet is replaced
// at most once; a replacement may itself be lost and replaced.
func (tx *Tx) ReplaceBooklet(ctx context.Context, actor passnum.Actor, bookletID, distributorID, reason string) (passnum.Booklet, error) {
	var bk passnum.Booklet
	reason, err := blockReason(reason, "remplacé")
	if err != nil {
		return bk, err
	}
	old, err := tx.ownBooklet(ctx, bookletID, distributorID)
	if err != nil {
		return bk, err
	}
	if old.replacedBy != "" {
		return bk, alreadyReplaced(old.replacedBy)
	}
	nothingLeft := passnum.Errorf(passnum.ECONFLICT, "Tous les pass de ce carnet ont déjà été encaissés : il n'y a rien à remplacer.")
	var unused int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE booklet_id = ? AND status IN ('assigned', 'blocked')`, old.id).Scan(&unused); err != nil {
		return bk, err
	}
	if unused == 0 {
		return bk, nothingLeft
	}
	if _, err := tx.block(ctx, actor, old, reason); err != nil {
		return bk, err
	}
	// What the replacement carries: the passes the block left unused,
	// counted after it, in this transaction (a redemption that won the
	// race is not carried).
	var carried int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE booklet_id = ? AND status = 'blocked'`, old.id).Scan(&carried); err != nil {
		return bk, err
	}
	if carried == 0 {
		return bk, nothingLeft
	}
	p, err := tx.programmeSettings(ctx, old.programmeID)
	if err != nil {
		return bk, err
	}
	if err := p.HandOutOpen(tx.Today()); err != nil {
		e := err.(*passnum.Error)
		e.Message = strings.TrimSuffix(e.Message, ".") + " : le carnet bloqué ne peut plus être remplacé."
		return bk, e
	}
	newID, err := tx.takeReplacement(ctx, old)
	if err != nil {
		return bk, err
	}
	if err := tx.fillReplacement(ctx, newID, carried, p.BookletSize); err != nil {
		return bk, err
	}
	if err := tx.statHandOut(ctx, newID, old.beneficiaryID, old.id); err != nil {
		return bk, err
	}
	if err := tx.markReplaced(ctx, old.id, newID); err != nil {
		return bk, err
	}
	if err := tx.audit(ctx, actor, "booklet.replace", "booklet", newID, reason, map[string]any{
		"replaced_booklet_id": old.id, "beneficiary_id": old.beneficiaryID, "programme_id": old.programmeID,
		"passes": carried, "voided_passes": p.BookletSize - carried}); err != nil {
		return bk, err
	}
	return tx.Booklet(ctx, newID)
}

// takeReplacement hands the lost booklet's holder a new booklet from the
// stock of the agency that handed out the old one: its lowest allocated
// booklet, one fewer in its stock.
func (tx *Tx) takeReplacement(ctx context.Context, old bookletRow) (string, error) {
	noStock := passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "La structure qui a remis ce carnet n'a plus de carnet de ce programme en stock : demandez une nouvelle dotation à l'opérateur, puis remplacez le carnet. Le carnet perdu reste bloqué.")
	res, err := tx.exec(ctx, `UPDATE distributor_stock SET available_booklets = available_booklets - 1
		WHERE programme_id = ? AND distributor_id = ? AND available_booklets >= 1`, old.programmeID, old.distributorID)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", noStock
	}
	var newID string
	err = tx.queryRow(ctx, `UPDATE booklets SET status = 'handed_out', beneficiary_id = ?, handed_out_at = ?
		WHERE id = (SELECT id FROM booklets WHERE programme_id = ? AND status = 'allocated' AND distributor_id = ? ORDER BY id LIMIT 1`+tx.s.dialect.skipLocked()+`)
		RETURNING id`, old.beneficiaryID, micros(tx.now), old.programmeID, old.distributorID).Scan(&newID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", noStock
	}
	if err != nil {
		return "", err
	}
	return newID, nil
}

// fillReplacement gives the new booklet as many passes as the old one left
// unused; the rest of it is void.
func (tx *Tx) fillReplacement(ctx context.Context, newID string, carried, size int) error {
	if carried > size {
		return errors.New("store: a booklet carries more blocked passes than a booklet holds")
	}
	if _, err := tx.exec(ctx, `UPDATE passes SET status = 'assigned'
		WHERE id IN (SELECT id FROM passes WHERE booklet_id = ? AND status = 'unassigned' ORDER BY id LIMIT ?)`, newID, carried); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET voided_passes = ? WHERE id = ?`, size-carried, newID); err != nil {
		return err
	}
	return nil
}

// markReplaced is the guard that makes a booklet replaced once, whatever
// runs at the same moment.
func (tx *Tx) markReplaced(ctx context.Context, oldID, newID string) error {
	res, err := tx.exec(ctx, `UPDATE booklets SET replaced_by = ? WHERE id = ? AND status = 'blocked' AND replaced_by IS NULL`, newID, oldID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var by sql.NullString
		_ = tx.queryRow(ctx, `SELECT replaced_by FROM booklets WHERE id = ?`, oldID).Scan(&by)
		return alreadyReplaced(by.String)
	}
	return nil
}

func alreadyReplaced(by string) error {
	e := passnum.Errorf(passnum.ECONFLICT, "Ce carnet a déjà été remplacé (par le carnet %s) : si le nouveau carnet est perdu à son tour, bloquez-le ou remplacez-le lui-même.", by)
	e.Extra = map[string]any{"replaced_by": by}
	return e
}
