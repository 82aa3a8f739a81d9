package api

import (
	"passnum/store"
)

// searchBeneficiaries lists the caller's beneficiaries (all of them for the
// operator), newest first, with their pass counts; ?q= keeps those whose
// names start with the words typed, ignoring case and accents.
func searchBeneficiaries(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query().Get("q")
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.SearchBeneficiaries(c.ctx(), c.ownFilter(), q, p)
		return newList(items, next), err
	}, nil
}
