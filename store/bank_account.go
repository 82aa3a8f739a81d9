package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

const bankAccountColumns = `id, organisation_id, holder, iban, bic, status, submitted_at, decided_at, decision_reason, valid_from, valid_until, first_approved_at`

func scanBankAccount(sc interface{ Scan(...any) error }) (passnum.BankAccount, error) {
	var b passnum.BankAccount
	var submitted int64
	var decided, from, until, first sql.NullInt64
	err := sc.Scan(&b.ID, &b.OrganisationID, &b.Holder, &b.IBAN, &b.BIC, &b.Status, &submitted, &decided, &b.DecisionReason, &from, &until, &first)
	b.SubmittedAt = fromMicros(submitted)
	b.DecidedAt, b.ValidFrom, b.ValidUntil, b.FirstApprovedAt = nullMicros(decided), nullMicros(from), nullMicros(until), nullMicros(first)
	return b, err
}

func bankActorRef(a passnum.Actor) string { return a.Kind + ":" + a.ID }

// ProposeBankAccount records new bank details for a place, pending until
// the operator approves them. At most one proposal waits at a time: the
// partial unique index is the last guard.
func (tx *Tx) ProposeBankAccount(ctx context.Context, actor passnum.Actor, orgID string, n passnum.NewBankAccount) (passnum.BankAccount, error) {
	if err := n.Validate("").Err(); err != nil {
		return passnum.BankAccount{}, err
	}
	if _, err := tx.lookupPlaceOrganisation(ctx, orgID); err != nil {
		return passnum.BankAccount{}, err
	}
	current, err := tx.bankAccountIn(ctx, orgID, passnum.BankPending)
	if err != nil {
		return passnum.BankAccount{}, err
	}
	if current != nil {
		return passnum.BankAccount{}, pendingBankAccount(current.ID)
	}
	approved, err := tx.bankAccountIn(ctx, orgID, passnum.BankApproved)
	if err != nil {
		return passnum.BankAccount{}, err
	}
	if approved != nil && approved.IBAN == n.IBAN && approved.BIC == n.BIC && approved.Holder == n.Holder {
		e := passnum.Errorf(passnum.ECONFLICT, "Ces coordonnées bancaires sont déjà celles en vigueur : il n'y a rien à changer.")
		e.Extra = map[string]any{"bank_account_id": approved.ID}
		return passnum.BankAccount{}, e
	}
	return tx.proposeBankAccount(ctx, actor, orgID, n)
}

func pendingBankAccount(id string) error {
	e := passnum.Errorf(passnum.ECONFLICT, "Des coordonnées bancaires attendent déjà la validation de l'opérateur (un seul changement à la fois) : attendez sa décision, ou demandez-lui de les rejeter, puis proposez les nouvelles.")
	if id != "" {
		e.Extra = map[string]any{"bank_account_id": id}
	}
	return e
}

// proposeBankAccount inserts validated details as pending.
func (tx *Tx) proposeBankAccount(ctx context.Context, actor passnum.Actor, orgID string, n passnum.NewBankAccount) (passnum.BankAccount, error) {
	b := passnum.BankAccount{ID: passnum.NewID(tx.now), OrganisationID: orgID, Holder: n.Holder, IBAN: n.IBAN, BIC: n.BIC,
		Status: passnum.BankPending, SubmittedAt: tx.now}
	_, err := tx.exec(ctx, `INSERT INTO bank_accounts (id, organisation_id, holder, iban, bic, status, submitted_at, submitted_by) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
		b.ID, orgID, b.Holder, b.IBAN, b.BIC, micros(tx.now), bankActorRef(actor))
	if err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return b, pendingBankAccount("")
		}
		return b, err
	}
	return b, tx.audit(ctx, actor, "bank_account.submit", "bank_account", b.ID, "", map[string]any{"organisation_id": orgID})
}

// bankAccountIn returns the organisation's account in status (pending or
// approved: there is at most one of each), or nil.
func (tx *Tx) bankAccountIn(ctx context.Context, orgID string, status passnum.BankStatus) (*passnum.BankAccount, error) {
	b, err := scanBankAccount(tx.queryRow(ctx, `SELECT `+bankAccountColumns+` FROM bank_accounts WHERE organisation_id = ? AND status = ?`, orgID, status))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// BankAccount returns one set of bank details; orgID, when set, must own it.
func (tx *Tx) BankAccount(ctx context.Context, id, orgID string) (passnum.BankAccount, error) {
	q := `SELECT ` + bankAccountColumns + ` FROM bank_accounts WHERE id = ?`
	args := []any{id}
	if orgID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, orgID)
	}
	b, err := scanBankAccount(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound("compte bancaire")
	}
	return b, err
}

// BankAccounts lists a place's bank details, newest first: the history,
// nothing ever removed.
func (tx *Tx) BankAccounts(ctx context.Context, orgID string) ([]passnum.BankAccount, error) {
	if _, err := tx.lookupPlaceOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+bankAccountColumns+` FROM bank_accounts WHERE organisation_id = ? ORDER BY submitted_at DESC, id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.BankAccount{}
	for rows.Next() {
		b, err := scanBankAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ApproveBankAccount makes pending details the ones the place is paid on:
// the account approved before is closed (replaced, with its end date) and
// the new one opens, in the same transaction.
//
// With four eyes (BankFourEyes), the first approval is only recorded: the
// details stay pending until a second, different operator approves them;
// the same operator approving again is refused (four_eyes_required). Once
// a first approval is recorded, the second is always another operator's,
// even if the setting was turned off meanwhile. Rejecting needs one
// operator, the first approver included.
func (tx *Tx) ApproveBankAccount(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.BankAccount, error) {
	b, err := tx.BankAccount(ctx, id, "")
	if err != nil {
		return b, err
	}
	if b.Status != passnum.BankPending {
		return b, alreadyDecided(b)
	}
	me := bankActorRef(actor)
	var first sql.NullString
	if err := tx.queryRow(ctx, `SELECT first_approved_by FROM bank_accounts WHERE id = ?`, id).Scan(&first); err != nil {
		return b, err
	}
	if first.Valid {
		if first.String == me {
			return b, passnum.Errorf(passnum.EFOUREYESREQUIRED, "Vous avez déjà approuvé ces coordonnées bancaires : un autre opérateur doit les approuver à son tour (quatre yeux).")
		}
		return tx.approveBankAccount(ctx, actor, b, reason)
	}
	four, err := tx.BankFourEyes(ctx, b.OrganisationID)
	if err != nil {
		return b, err
	}
	if !four {
		return tx.approveBankAccount(ctx, actor, b, reason)
	}
	res, err := tx.exec(ctx, `UPDATE bank_accounts SET first_approved_by = ?, first_approved_at = ? WHERE id = ? AND status = 'pending' AND first_approved_by IS NULL`,
		me, micros(tx.now), id)
	if err != nil {
		return b, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return b, passnum.Errorf(passnum.ECONFLICT, "Ces coordonnées bancaires viennent de faire l'objet d'une autre décision : rechargez-les.")
	}
	if err := tx.audit(ctx, actor, "bank_account.approve_first", "bank_account", id, reason, map[string]any{"organisation_id": b.OrganisationID}); err != nil {
		return b, err
	}
	return tx.BankAccount(ctx, id, "")
}

// BankFourEyes reports whether a place's new bank details need two
// operators' approvals: when four eyes is on for a programme that may
// still pay the place, that is a programme not yet expired (the place may
// redeem in it tomorrow) or one whose passes the place has redeemed (its
// settlements pay the place, until the last).
func (tx *Tx) BankFourEyes(ctx context.Context, placeID string) (bool, error) {
	var four bool
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM programmes p WHERE p.four_eyes
		AND (NOT EXISTS (SELECT 1 FROM programme_expiries e WHERE e.programme_id = p.id)
			OR EXISTS (SELECT 1 FROM redemptions r WHERE r.place_id = ? AND r.programme_id = p.id)))`, placeID).Scan(&four)
	return four, err
}

// RevealIBAN gives the operator the full IBAN of a place's bank details,
// and records who saw it: everyone else, and every other screen, shows it
// masked.
func (tx *Tx) RevealIBAN(ctx context.Context, actor passnum.Actor, placeID, accountID string) (passnum.BankAccount, error) {
	if actor.Role != passnum.RoleOperator {
		return passnum.BankAccount{}, passnum.Errorf(passnum.EFORBIDDEN, "Seul l'opérateur qui instruit les coordonnées bancaires peut voir un IBAN en entier.")
	}
	b, err := tx.BankAccount(ctx, accountID, placeID)
	if err != nil {
		return b, err
	}
	return b, tx.audit(ctx, actor, "bank_account.reveal_iban", "bank_account", accountID, "", map[string]any{"organisation_id": placeID})
}

func alreadyDecided(b passnum.BankAccount) error {
	e := passnum.Errorf(passnum.ECONFLICT, "Ces coordonnées bancaires ont déjà fait l'objet d'une décision (%s) : seules des coordonnées en attente peuvent être approuvées ou rejetées.", b.Status.Label())
	e.Extra = map[string]any{"status": b.Status}
	return e
}

func (tx *Tx) approveBankAccount(ctx context.Context, actor passnum.Actor, b passnum.BankAccount, reason string) (passnum.BankAccount, error) {
	var replaced string
	err := tx.queryRow(ctx, `SELECT id FROM bank_accounts WHERE organisation_id = ? AND status = 'approved'`, b.OrganisationID).Scan(&replaced)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, err
	}
	if replaced != "" {
		res, err := tx.exec(ctx, `UPDATE bank_accounts SET status = 'replaced', valid_until = ? WHERE id = ? AND status = 'approved'`, micros(tx.now), replaced)
		if err != nil {
			return b, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return b, passnum.Errorf(passnum.ECONFLICT, "Les coordonnées bancaires de ce lieu viennent de changer : rechargez-les avant de décider.")
		}
		if err := tx.audit(ctx, actor, "bank_account.replace", "bank_account", replaced, "", map[string]any{"organisation_id": b.OrganisationID, "replaced_by": b.ID}); err != nil {
			return b, err
		}
	}
	res, err := tx.exec(ctx, `UPDATE bank_accounts SET status = 'approved', decided_at = ?, decided_by = ?, decision_reason = ?, valid_from = ?
		WHERE id = ? AND status = 'pending'`, micros(tx.now), bankActorRef(actor), reason, micros(tx.now), b.ID)
	if err != nil {
		return b, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return b, passnum.Errorf(passnum.ECONFLICT, "Ces coordonnées bancaires viennent de faire l'objet d'une autre décision : rechargez-les.")
	}
	details := map[string]any{"organisation_id": b.OrganisationID}
	if replaced != "" {
		details["replaces"] = replaced
	}
	if err := tx.audit(ctx, actor, "bank_account.approve", "bank_account", b.ID, reason, details); err != nil {
		return b, err
	}
	return tx.BankAccount(ctx, b.ID, "")
}

// RejectBankAccount refuses pending details, with a reason given to the
// place; the account approved before, if any, stays in force.
func (tx *Tx) RejectBankAccount(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.BankAccount, error) {
	if reason == "" {
		return passnum.BankAccount{}, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "indiquez le motif du rejet : il est communiqué au lieu pour qu'il corrige ses coordonnées"})
	}
	b, err := tx.BankAccount(ctx, id, "")
	if err != nil {
		return b, err
	}
	if b.Status != passnum.BankPending {
		return b, alreadyDecided(b)
	}
	res, err := tx.exec(ctx, `UPDATE bank_accounts SET status = 'rejected', decided_at = ?, decided_by = ?, decision_reason = ? WHERE id = ? AND status = 'pending'`,
		micros(tx.now), bankActorRef(actor), reason, id)
	if err != nil {
		return b, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return b, passnum.Errorf(passnum.ECONFLICT, "Ces coordonnées bancaires viennent de faire l'objet d'une autre décision : rechargez-les.")
	}
	if err := tx.audit(ctx, actor, "bank_account.reject", "bank_account", id, reason, map[string]any{"organisation_id": b.OrganisationID}); err != nil {
		return b, err
	}
	return tx.BankAccount(ctx, id, "")
}
