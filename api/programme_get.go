package api

import (
	"passnum"
	"passnum/store"
)

// funderFilter limits a funder to the programmes it pays for; distributors
// and places see every programme's public settings.
func (c *call) funderFilter() string {
	if c.actor.Role == passnum.RoleFunder {
		return c.actor.OrganisationID
	}
	return ""
}

func listProgrammes(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListProgrammes(c.ctx(), c.funderFilter(), p)
		for i := range items {
			items[i] = showProgramme(c, items[i])
		}
		return newList(items, next), err
	}, nil
}

func getProgramme(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, id); err != nil {
			return nil, err
		}
		p, err := tx.Programme(c.ctx(), id)
		return showProgramme(c, p), err
	}, nil
}

// visibleProgramme hides from a funder the programmes it does not fund.
func visibleProgramme(c *call, tx *store.Tx, id string) error {
	if f := c.funderFilter(); f != "" {
		ok, err := tx.IsProgrammeFunder(c.ctx(), id, f)
		if err != nil {
			return err
		}
		if !ok {
			return passnum.NotFound("programme")
		}
	}
	return nil
}
