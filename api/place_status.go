package api

import (
	"passnum/store"
)

type reasonRequest struct {
	Reason *string `json:"reason" doc:"motif, conservé dans le journal d'audit"`
}

type placeStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func setPlaceStatus(status string) func(c *call) (func(*store.Tx) (any, error), error) {
	return func(c *call) (func(*store.Tx) (any, error), error) {
		id, reason, err := c.idAndReason()
		if err != nil {
			return nil, err
		}
		return func(tx *store.Tx) (any, error) {
			o, err := tx.SetPlaceStatus(c.ctx(), c.actor, id, status, reason)
			return placeStatus{ID: o.ID, Status: o.Status}, err
		}, nil
	}
}

// releaseSIRET frees a place's SIRET for another application.
func releaseSIRET(c *call) (func(*store.Tx) (any, error), error) {
	id, reason, err := c.idAndReason()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) { return tx.ReleaseSIRET(c.ctx(), c.actor, id, reason) }, nil
}
