package api

import (
	"passnum"
	"passnum/store"
)

func getPass(c *call) (func(*store.Tx) (any, error), error) {
	code, err := c.code()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if c.actor.Role == passnum.RolePlace {
			if err := tx.PlaceLabelled(c.ctx(), c.actor.OrganisationID); err != nil {
				return nil, err
			}
		}
		return tx.Pass(c.ctx(), code)
	}, nil
}
