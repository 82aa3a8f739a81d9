package api

import (
	"strings"

	"passnum/store"
)

// bookletReasonRequest is the body of blocking or replacing a booklet.
type bookletReasonRequest struct {
	Reason *string `json:"reason" api:"required" doc:"motif (perte, vol, carnet abîmé…), conservé dans le journal d'audit"`
}

// bookletReason reads the booklet id from the path and the reason from the
// body; an empty reason is refused by the store, which says what to write.
func (c *call) bookletReason() (id, reason string, err error) {
	if id, err = c.id("id"); err != nil {
		return "", "", err
	}
	var req bookletReasonRequest
	if err := c.decode(&req); err != nil {
		return "", "", err
	}
	return id, strings.TrimSpace(deref(req.Reason)), nil
}

// blockBooklet blocks a lost booklet: its unused passes can no longer be
// redeemed. A distributor acts on the booklets it handed out only.
func blockBooklet(c *call) (func(*store.Tx) (any, error), error) {
	id, reason, err := c.bookletReason()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.BlockBooklet(c.ctx(), c.actor, id, c.ownFilter(), reason)
	}, nil
}
