package api

import (
	"passnum/store"
)

func listRedemptions(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListRedemptions(c.ctx(), c.ownFilter(), p)
		return newList(items, next), err
	}, nil
}

func getRedemption(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) { return tx.Redemption(c.ctx(), id, c.ownFilter()) }, nil
}
