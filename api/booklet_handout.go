package api

import (
	"passnum/store"
)

type handOutRequest struct {
	ProgrammeID *string `json:"programme_id" api:"required"`
}

func handOut(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req handOutRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	programmeID := f.id("programme_id", req.ProgrammeID)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.HandOut(c.ctx(), c.actor, id, programmeID)
	}, nil
}
