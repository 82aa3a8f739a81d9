package api

import (
	"passnum/store"
)

// listSessionBookings tells the owning place (or the operator) who is
// coming: first name, birth year and whether they hold unused passes.
func listSessionBookings(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, err := tx.SessionAttendees(c.ctx(), id, c.ownFilter())
		return newList(items, ""), err
	}, nil
}
