package api

import (
	"strings"

	"passnum/store"
)

func cancelBooking(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req reasonRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CancelBooking(c.ctx(), c.actor, id, strings.TrimSpace(deref(req.Reason)))
	}, nil
}
