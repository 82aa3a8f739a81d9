package api

import (
	"passnum"
	"passnum/store"
)

// settlementFilter limits a place to the settlements with its line and a
// funder to those of the programmes it funds.
func (c *call) settlementFilter() store.SettlementFilter {
	switch c.actor.Role {
	case passnum.RolePlace:
		return store.SettlementFilter{PlaceID: c.actor.OrganisationID}
	case passnum.RoleFunder:
		return store.SettlementFilter{FunderID: c.actor.OrganisationID}
	}
	return store.SettlementFilter{}
}

func listSettlements(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	f := c.settlementFilter()
	if v := c.r.URL.Query().Get("programme_id"); v != "" {
		if !passnum.ValidID(v) {
			return nil, passnum.Invalid(passnum.FieldError{Field: "programme_id", Detail: "identifiant de programme inconnu"})
		}
		f.ProgrammeID = v
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListSettlements(c.ctx(), f, p)
		for i := range items {
			items[i] = showSettlement(items[i])
		}
		return newList(items, next), err
	}, nil
}

func getSettlement(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		s, err := tx.Settlement(c.ctx(), id, c.settlementFilter().PlaceID)
		if err != nil {
			return nil, err
		}
		if f := c.funderFilter(); f != "" {
			if ok, err := tx.IsProgrammeFunder(c.ctx(), s.ProgrammeID, f); err != nil || !ok {
				if err == nil {
					err = passnum.NotFound("remboursement")
				}
				return nil, err
			}
		}
		return showSettlement(s), nil
	}, nil
}
