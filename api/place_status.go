package api

import (
	"passnum"
	"passnum/mail"
	"passnum/store"
)

type reasonRequest struct {
	Reason *string `json:"reason" doc:"motif, conservé dans le journal d'audit"`
}

type placeStatus struct {
	ID     string            `json:"id"`
	Status passnum.OrgStatus `json:"status"`
}

func setPlaceStatus(status passnum.OrgStatus) func(c *call) (func(*store.Tx) (any, error), error) {
	return func(c *call) (func(*store.Tx) (any, error), error) {
		id, reason, err := c.idAndReason()
		if err != nil {
			return nil, err
		}
		return func(tx *store.Tx) (any, error) {
			o, notice, err := tx.DecidePlace(c.ctx(), c.actor, id, status, reason)
			if notice != nil {
				c.mails = append(c.mails, mail.Message{To: notice.ContactEmail, Subject: notice.Subject(), Body: notice.Body(c.siteURL)})
			}
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
