package api

import (
	"passnum/store"
)

// replaceBooklet blocks a lost booklet (if not yet) and hands its
// beneficiary a new one from the same agency's stock.
func replaceBooklet(c *call) (func(*store.Tx) (any, error), error) {
	id, reason, err := c.bookletReason()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.ReplaceBooklet(c.ctx(), c.actor, id, c.ownFilter(), reason)
	}, nil
}
