package api

import (
	"passnum/store"
)

func decideBankAccount(approve bool) func(c *call) (func(*store.Tx) (any, error), error) {
	return func(c *call) (func(*store.Tx) (any, error), error) {
		id, reason, err := c.idAndReason()
		if err != nil {
			return nil, err
		}
		return func(tx *store.Tx) (any, error) {
			if approve {
				return tx.ApproveBankAccount(c.ctx(), c.actor, id, reason)
			}
			return tx.RejectBankAccount(c.ctx(), c.actor, id, reason)
		}, nil
	}
}
