package api

import (
	"net/http"

	"passnum"
	"passnum/store"
)

// expiryAnswer is the expiry step: 201 when this call ran it, 200 when it
// had already run.
type expiryAnswer struct {
	passnum.ProgrammeExpiry
}

func (a expiryAnswer) httpStatus() int {
	if a.Created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func expireProgramme(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := c.decode(&struct{}{}); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		e, err := tx.ExpireProgramme(c.ctx(), c.actor, id)
		return expiryAnswer{e}, err
	}, nil
}
