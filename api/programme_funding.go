package api

import (
	"passnum/store"
)

func getFunding(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, id); err != nil {
			return nil, err
		}
		items, err := tx.FunderStatements(c.ctx(), id, c.funderFilter())
		return newCompleteList(answers(items, funderStatementAnswer)), err
	}, nil
}
