package api

import (
	"passnum"
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
		t, err := tx.ClosingTable(c.ctx(), id, c.actor.Role == passnum.RoleFunder)
		if err != nil {
			return nil, err
		}
		return closingTableAnswer(t), nil
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
		s, err := tx.ClosingStatement(c.ctx(), id, c.funderFilter())
		if err != nil {
			return nil, err
		}
		return closingStatementAnswer(s), nil
	}, nil
}
