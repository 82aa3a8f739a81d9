package api

import (
	"passnum"
	"passnum/store"
)

func listOrganisations(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	kind := c.r.URL.Query().Get("kind")
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListOrganisations(c.ctx(), kind, c.ownFilter(), p)
		return newList(items, next), err
	}, nil
}

func getOrganisation(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if !c.isOperator() && id != c.actor.OrganisationID {
		return nil, passnum.NotFound("organisation")
	}
	return func(tx *store.Tx) (any, error) { return tx.Organisation(c.ctx(), id) }, nil
}
