package api

import (
	"passnum/store"
)

func getClosingTable(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, id); err != nil {
			return nil, err
		}
		return tx.ClosingTable(c.ctx(), id)
	}, nil
}

func getClosingStatement(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, id); err != nil {
			return nil, err
		}
		return tx.ClosingStatement(c.ctx(), id, c.funderFilter())
	}, nil
}
