package api

import (
	"strings"

	"passnum/store"
)

func decideBankAccount(approve bool) func(c *call) (func(*store.Tx) (any, error), error) {
	return func(c *call) (func(*store.Tx) (any, error), error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		var req reasonRequest
		if err := c.decode(&req); err != nil {
			return nil, err
		}
		reason := strings.TrimSpace(deref(req.Reason))
		return func(tx *store.Tx) (any, error) {
			if approve {
				return tx.ApproveBankAccount(c.ctx(), c.actor, id, reason)
			}
			return tx.RejectBankAccount(c.ctx(), c.actor, id, reason)
		}, nil
	}
}
