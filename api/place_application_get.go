package api

import (
	"passnum"
	"passnum/store"
)

func listPlaceApplications(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	status := passnum.OrgStatus(c.r.URL.Query().Get("status"))
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListPlaceApplications(c.ctx(), status, p)
		return newList(items, next), err
	}, nil
}

func getPlaceApplication(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnPlaceAccount(c, id); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		// IBANs masked for everyone: the operator reveals one through the
		// audited route.
		return tx.PlaceApplication(c.ctx(), id, false)
	}, nil
}
