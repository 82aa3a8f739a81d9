package api

import (
	"passnum/store"
)

// listPlaceTrainings is a place's public catalogue: its active trainings.
func listPlaceTrainings(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListPublicTrainings(c.ctx(), id, p)
		return newList(items, next), err
	}, nil
}

func getTraining(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) { return tx.PublicTraining(c.ctx(), id) }, nil
}
