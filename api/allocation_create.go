package api

import (
	"passnum/store"
)

type allocationRequest struct {
	DistributorID *string `json:"distributor_id" api:"required"`
	Booklets      *int64  `json:"booklets" api:"required" bound:"booklets"`
}

func createAllocation(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req allocationRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	dist := f.id("distributor_id", req.DistributorID)
	f.required("booklets", req.Booklets != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.Allocate(c.ctx(), c.actor, id, dist, *req.Booklets)
	}, nil
}

func listAllocations(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Programme(c.ctx(), id); err != nil {
			return nil, err
		}
		items, next, err := tx.ListAllocations(c.ctx(), id, c.ownFilter(), p)
		return newList(items, next), err
	}, nil
}

func getStock(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Programme(c.ctx(), id); err != nil {
			return nil, err
		}
		s, err := tx.Stock(c.ctx(), id, c.actor.OrganisationID)
		if err != nil {
			return nil, err
		}
		return DistributorStock(s), nil
	}, nil
}
