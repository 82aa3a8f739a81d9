package api

import (
	"strings"

	"passnum"
	"passnum/paydoc"
	"passnum/store"
)

type paymentRequest struct {
	PaidOn        *string `json:"paid_on" format:"date" doc:"jour où la banque a fait les virements ; obligatoire pour enregistrer le paiement, facultatif pour le confirmer (quatre yeux : il doit alors être le même)"`
	BankReference *string `json:"bank_reference" doc:"référence du paiement donnée par la banque, 140 caractères au plus ; même règle que paid_on"`
}

func markSettlementSent(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := c.decode(&struct{}{}); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		s, err := tx.MarkSettlementSent(c.ctx(), c.actor, id)
		if err != nil {
			return nil, err
		}
		return showSettlement(s), c.tellPlaces(tx, s)
	}, nil
}

func recordSettlementPayment(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req paymentRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	pay := store.Payment{PaidOn: f.date("paid_on", req.PaidOn, false), BankReference: strings.TrimSpace(deref(req.BankReference))}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		s, err := tx.RecordSettlementPayment(c.ctx(), c.actor, id, pay)
		if err != nil {
			return nil, err
		}
		return showSettlement(s), c.tellPlaces(tx, s)
	}, nil
}

// tellPlaces queues the e-mails to the places paid by a settlement just
// sent or paid; they leave once the change committed, and a failure is
// only logged.
func (c *call) tellPlaces(tx *store.Tx, s passnum.Settlement) error {
	if s.Status != passnum.SettlementSent && s.Status != passnum.SettlementPaid {
		return nil
	}
	msgs, err := paydoc.SettlementMessages(c.ctx(), tx, s.ID, c.siteURL)
	c.mails = append(c.mails, msgs...)
	return err
}
