package api

import (
	"passnum"
	"passnum/store"
)

func getBeneficiary(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	purpose, err := c.purpose(passnum.ReadSupport)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		b, err := tx.Beneficiary(c.ctx(), id, c.ownFilter())
		if err == nil {
			c.logRead(purpose, passnum.ReadViaAPI, id)
		}
		return b, err
	}, nil
}

func listBeneficiaryBooklets(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Beneficiary(c.ctx(), id, c.ownFilter()); err != nil {
			return nil, err
		}
		items, err := tx.BeneficiaryBooklets(c.ctx(), id)
		return newList(items, ""), err
	}, nil
}

func getBooklet(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		bk, err := tx.Booklet(c.ctx(), id)
		if err != nil {
			return nil, err
		}
		if f := c.ownFilter(); f != "" && bk.DistributorID != f {
			return nil, passnum.NotFound("carnet")
		}
		return bk, nil
	}, nil
}
