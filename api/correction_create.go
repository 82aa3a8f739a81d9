package api

import (
	"strings"

	"passnum"
	"passnum/store"
)

type correctionRequest struct {
	Reason *string `json:"reason" api:"required" doc:"pourquoi l'encaissement remboursé est repris (pass encaissé par erreur, fraude, doublon…), 500 caractères au plus ; il figure sur le relevé du lieu"`
}

func createCorrection(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req correctionRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(deref(req.Reason))
	if err := passnum.CheckReason("reason", reason, "indiquez pourquoi cet encaissement remboursé est repris (pass encaissé par erreur, fraude, doublon…)"); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CorrectRedemption(c.ctx(), c.actor, id, reason)
	}, nil
}

func listCorrections(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Programme(c.ctx(), id); err != nil {
			return nil, err
		}
		items, err := tx.PlaceCorrections(c.ctx(), id, c.ownFilter())
		return newCompleteList(items), err
	}, nil
}
