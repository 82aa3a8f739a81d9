package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"passnum"
)

// The payment of a settlement: created → sent (the file went to the
// treasurer's bank) → paid (the bank made the transfers, on a day, under a
// reference). When the programme requires four eyes, "paid" recorded by one
// operator waits for another operator's confirmation (payment_recorded).
// Each step is one conditional UPDATE on the status it starts from, so two
// operators clicking at once move it once; each is audited. When the
// settlement becomes paid, each paid line writes its payment into the
// place's ledger.

// settlementState is what a status change needs to know.
type settlementState struct {
	status     passnum.SettlementStatus
	programme  string
	createdAt  int64
	recordedBy sql.NullString
	paidOn     passnum.Date
	bankRef    sql.NullString
}

func (tx *Tx) settlementState(ctx context.Context, id string) (settlementState, error) {
	var st settlementState
	err := tx.queryRow(ctx, `SELECT status, programme_id, created_at, payment_recorded_by, paid_on, bank_reference FROM settlements WHERE id = ?`, id).
		Scan(&st.status, &st.programme, &st.createdAt, &st.recordedBy, &st.paidOn, &st.bankRef)
	if errors.Is(err, sql.ErrNoRows) {
		return st, notFound("remboursement")
	}
	return st, err
}

// MarkSettlementSent records that the settlement's transfers were sent to
// the bank.
func (tx *Tx) MarkSettlementSent(ctx context.Context, actor passnum.Actor, id string) (passnum.Settlement, error) {
	st, err := tx.settlementState(ctx, id)
	if err != nil {
		return passnum.Settlement{}, err
	}
	if !st.status.CanBecome(passnum.SettlementSent, false) {
		return passnum.Settlement{}, st.status.StatusError(passnum.SettlementSent, false)
	}
	res, err := tx.exec(ctx, `UPDATE settlements SET status = 'sent', sent_at = ?, sent_by = ? WHERE id = ? AND status = 'created'`, micros(tx.now), bankActorRef(actor), id)
	if err != nil {
		return passnum.Settlement{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Settlement{}, passnum.Errorf(passnum.EALREADYSETTLED, "Ce remboursement vient d'être marqué comme envoyé par quelqu'un d'autre : rechargez-le.")
	}
	if err := tx.audit(ctx, actor, "settlement.sent", "settlement", id, "", map[string]any{"programme_id": st.programme}); err != nil {
		return passnum.Settlement{}, err
	}
	return tx.Settlement(ctx, id, "")
}

// Payment is what the operator says of a payment: the day the bank made
// the transfers and its reference. A confirmation (four eyes) may leave
// both out, or must repeat what was recorded.
type Payment struct {
	PaidOn        passnum.Date
	BankReference string
}

// RecordSettlementPayment records that the settlement was paid. Without
// four eyes it becomes paid; with four eyes (the programme's setting now),
// the first call records the payment (payment_recorded) and a call by
// another operator confirms it (paid); the same operator's second call is
// refused with four_eyes_required. Operators are told apart by who acts:
// a person's account, or an API key.
func (tx *Tx) RecordSettlementPayment(ctx context.Context, actor passnum.Actor, id string, pay Payment) (passnum.Settlement, error) {
	st, err := tx.settlementState(ctx, id)
	if err != nil {
		return passnum.Settlement{}, err
	}
	if st.status == passnum.SettlementPaymentRecorded {
		return tx.confirmPayment(ctx, actor, id, st, pay)
	}
	p, err := tx.programmeSettings(ctx, st.programme)
	if err != nil {
		return passnum.Settlement{}, err
	}
	next := passnum.SettlementPaid
	if p.FourEyes {
		next = passnum.SettlementPaymentRecorded
	}
	if !st.status.CanBecome(next, p.FourEyes) {
		return passnum.Settlement{}, st.status.StatusError(next, p.FourEyes)
	}
	if err := checkPayment(pay, passnum.ParisDate(fromMicros(st.createdAt)), tx.Today()); err != nil {
		return passnum.Settlement{}, err
	}
	me := bankActorRef(actor)
	var res sql.Result
	if p.FourEyes {
		res, err = tx.exec(ctx, `UPDATE settlements SET status = 'payment_recorded', four_eyes = ?, paid_on = ?, bank_reference = ?, payment_recorded_at = ?, payment_recorded_by = ?
			WHERE id = ? AND status = 'sent'`, true, pay.PaidOn.String(), pay.BankReference, micros(tx.now), me, id)
	} else {
		res, err = tx.exec(ctx, `UPDATE settlements SET status = 'paid', four_eyes = ?, paid_on = ?, bank_reference = ?, paid_at = ?, paid_by = ?
			WHERE id = ? AND status = 'sent'`, false, pay.PaidOn.String(), pay.BankReference, micros(tx.now), me, id)
	}
	if err != nil {
		return passnum.Settlement{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Settlement{}, passnum.Errorf(passnum.EALREADYSETTLED, "Le paiement de ce remboursement vient d'être enregistré par quelqu'un d'autre : rechargez-le.")
	}
	details := map[string]any{"programme_id": st.programme, "paid_on": pay.PaidOn.String(), "bank_reference": pay.BankReference}
	if p.FourEyes {
		if err := tx.audit(ctx, actor, "settlement.payment_recorded", "settlement", id, "", details); err != nil {
			return passnum.Settlement{}, err
		}
		return tx.Settlement(ctx, id, "")
	}
	if err := tx.audit(ctx, actor, "settlement.paid", "settlement", id, "", details); err != nil {
		return passnum.Settlement{}, err
	}
	if err := tx.writePayments(ctx, id); err != nil {
		return passnum.Settlement{}, err
	}
	return tx.Settlement(ctx, id, "")
}

// confirmPayment is the second operator's confirmation of a payment
// recorded with four eyes.
func (tx *Tx) confirmPayment(ctx context.Context, actor passnum.Actor, id string, st settlementState, pay Payment) (passnum.Settlement, error) {
	me := bankActorRef(actor)
	if st.recordedBy.String == me {
		return passnum.Settlement{}, passnum.Errorf(passnum.EFOUREYESREQUIRED, "Vous avez vous-même enregistré ce paiement : un autre opérateur doit le confirmer (quatre yeux). Demandez à un collègue de confirmer le paiement du %s, référence « %s ».",
			frDate(st.paidOn), st.bankRef.String)
	}
	if !pay.PaidOn.IsZero() && pay.PaidOn != st.paidOn {
		return passnum.Settlement{}, passnum.Invalid(passnum.FieldError{Field: "paid_on", Detail: "le paiement a été enregistré au " + frDate(st.paidOn) +
			" : confirmez ce jour, ou demandez à l'opérateur qui l'a enregistré de le corriger avec la banque"})
	}
	if pay.BankReference != "" && pay.BankReference != st.bankRef.String {
		return passnum.Settlement{}, passnum.Invalid(passnum.FieldError{Field: "bank_reference", Detail: "le paiement a été enregistré sous la référence « " + st.bankRef.String + " » : confirmez cette référence"})
	}
	res, err := tx.exec(ctx, `UPDATE settlements SET status = 'paid', paid_at = ?, paid_by = ? WHERE id = ? AND status = 'payment_recorded' AND payment_recorded_by <> ?`,
		micros(tx.now), me, id, me)
	if err != nil {
		return passnum.Settlement{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Settlement{}, passnum.Errorf(passnum.EALREADYSETTLED, "Ce paiement vient d'être confirmé par quelqu'un d'autre : rechargez le remboursement.")
	}
	if err := tx.audit(ctx, actor, "settlement.paid", "settlement", id, "", map[string]any{"programme_id": st.programme, "paid_on": st.paidOn.String(),
		"bank_reference": st.bankRef.String, "confirms": st.recordedBy.String}); err != nil {
		return passnum.Settlement{}, err
	}
	if err := tx.writePayments(ctx, id); err != nil {
		return passnum.Settlement{}, err
	}
	return tx.Settlement(ctx, id, "")
}

// checkPayment refuses a payment day outside the settlement's life (before
// it was made, or in the future) and a missing bank reference.
func checkPayment(pay Payment, created, today passnum.Date) error {
	var fe passnum.FieldErrors
	switch {
	case pay.PaidOn.IsZero():
		fe.Add("paid_on", "jour où la banque a fait les virements, obligatoire (AAAA-MM-JJ)")
	case pay.PaidOn.Before(created):
		fe.Add("paid_on", "au plus tôt le jour où le remboursement a été calculé, le "+frDate(created))
	case pay.PaidOn.After(today):
		fe.Add("paid_on", "au plus tard aujourd'hui, le "+frDate(today)+" : on enregistre un paiement fait")
	}
	ref := strings.TrimSpace(pay.BankReference)
	switch {
	case ref == "":
		fe.Add("bank_reference", "référence du paiement donnée par la banque (relevé ou avis d'opéré), obligatoire")
	case len([]rune(ref)) > 140:
		fe.Add("bank_reference", "140 caractères au plus")
	}
	return fe.Err()
}

// writePayments books each paid line of the settlement into its place's
// ledger: −amount, at the moment the payment is known. A line of zero
// (corrections took it all) pays nothing and writes nothing.
func (tx *Tx) writePayments(ctx context.Context, settlementID string) error {
	type line struct {
		place, programme string
		amount           int64
	}
	var lines []line
	rows, err := tx.query(ctx, `SELECT place_id, programme_id, amount_cents FROM settlement_lines WHERE settlement_id = ? AND NOT held_back AND amount_cents > 0`, settlementID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var l line
		if err := rows.Scan(&l.place, &l.programme, &l.amount); err != nil {
			rows.Close()
			return err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for chunk := range slices.Chunk(lines, settleChunk) {
		var q strings.Builder
		q.WriteString(`INSERT INTO ledger_entries (id, settlement_id, programme_id, place_id, kind, amount_cents, at) VALUES `)
		args := make([]any, 0, len(chunk)*6)
		for i, l := range chunk {
			if i > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,'payment',?,?)")
			args = append(args, passnum.NewID(tx.now), settlementID, l.programme, l.place, -l.amount, micros(tx.now))
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
