package api

import (
	"passnum/store"
)

func deactivateTraining(c *call) (func(*store.Tx) (any, error), error) {
	id, reason, err := c.idAndReason()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.DeactivateTraining(c.ctx(), c.actor, id, reason)
	}, nil
}
