package api

import (
	"passnum"
	"passnum/store"
)

type redeemRequest struct {
	Service   *string `json:"service" api:"required" doc:"service délivré, libellé exact du référentiel national"`
	SiteID    *string `json:"site_id" doc:"site (point de présence) où la formation a eu lieu"`
	SessionID *string `json:"session_id" doc:"session de formation"`
}

func redeem(c *call) (func(*store.Tx) (any, error), error) {
	code, err := c.code()
	if err != nil {
		return nil, err
	}
	var req redeemRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("service", req.Service != nil)
	if req.SiteID != nil && !passnum.ValidID(*req.SiteID) {
		f.Add("site_id", "site inconnu")
	}
	if req.SessionID != nil && !passnum.ValidID(*req.SessionID) {
		f.Add("session_id", "session inconnue")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	r := store.RedeemRequest{Code: code, Service: *req.Service, SiteID: deref(req.SiteID), SessionID: deref(req.SessionID)}
	return func(tx *store.Tx) (any, error) {
		return tx.Redeem(c.ctx(), c.actor, r)
	}, nil
}
