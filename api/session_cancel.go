package api

import (
	"strings"

	"passnum/store"
)

func cancelSession(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req reasonRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	if f.required("reason", req.Reason != nil) && strings.TrimSpace(*req.Reason) == "" {
		f.Add("reason", "indiquez pourquoi la session est annulée : le motif est communiqué aux personnes inscrites")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CancelSession(c.ctx(), c.actor, id, strings.TrimSpace(*req.Reason))
	}, nil
}
