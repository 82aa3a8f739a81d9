package api

import (
	"passnum/store"
)

type handOutRequest struct {
	ProgrammeID              *string `json:"programme_id" api:"required"`
	ConfirmPossibleDuplicate *bool   `json:"confirm_possible_duplicate" doc:"remettre le carnet bien qu'une personne de mêmes prénom, nom et date de naissance en ait reçu un de ce programme dans une autre structure (réponse 409 possible_duplicate) : le cas est enregistré pour l'opérateur"`
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
	confirm := req.ConfirmPossibleDuplicate != nil && *req.ConfirmPossibleDuplicate
	return func(tx *store.Tx) (any, error) {
		return tx.HandOutWith(c.ctx(), c.actor, store.HandOutRequest{BeneficiaryID: id, ProgrammeID: programmeID, ConfirmPossibleDuplicate: confirm})
	}, nil
}
