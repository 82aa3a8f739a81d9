package api

import (
	"passnum/store"
)

// listBeneficiaryBookings lists a beneficiary's bookings for their
// distributor (or the operator), newest first.
func listBeneficiaryBookings(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Beneficiary(c.ctx(), id, c.ownFilter()); err != nil {
			return nil, err
		}
		items, next, err := tx.BeneficiaryBookings(c.ctx(), id, p)
		return newList(items, next), err
	}, nil
}
