package api

import (
	"passnum/store"
)

type issuanceRequest struct {
	Booklets *int64 `json:"booklets" api:"required" bound:"booklets" doc:"nombre de carnets à émettre ; un programme plus grand que le maximum s'émet en plusieurs tranches"`
}

func createIssuance(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req issuanceRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("booklets", req.Booklets != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.Issue(c.ctx(), c.actor, id, *req.Booklets)
	}, nil
}
