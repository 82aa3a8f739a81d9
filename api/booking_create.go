package api

import (
	"passnum/store"
)

type bookingRequest struct {
	BeneficiaryID *string `json:"beneficiary_id" api:"required" doc:"bénéficiaire de votre structure à inscrire"`
}

func createBooking(c *call) (func(*store.Tx) (any, error), error) {
	sessionID, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req bookingRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	beneficiaryID := f.id("beneficiary_id", req.BeneficiaryID)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.Book(c.ctx(), c.actor, sessionID, beneficiaryID)
	}, nil
}
