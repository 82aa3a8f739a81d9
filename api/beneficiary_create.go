package api

import (
	"passnum"
	"passnum/store"
)

type beneficiaryRequest struct {
	FirstName    *string `json:"first_name" api:"required"`
	LastName     *string `json:"last_name" api:"required"`
	BirthDate    *string `json:"birth_date" api:"required" format:"date"`
	CommuneINSEE *string `json:"commune_insee" api:"required" doc:"code INSEE de la commune de résidence"`
	JobSeeker    *bool   `json:"job_seeker" api:"required" doc:"en recherche d'emploi"`
	InStudies    *bool   `json:"in_studies" api:"required" doc:"en études"`
}

func createBeneficiary(c *call) (func(*store.Tx) (any, error), error) {
	var req beneficiaryRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("first_name", req.FirstName != nil)
	f.required("last_name", req.LastName != nil)
	birth := f.date("birth_date", req.BirthDate, true)
	f.required("commune_insee", req.CommuneINSEE != nil)
	f.required("job_seeker", req.JobSeeker != nil)
	f.required("in_studies", req.InStudies != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	b := passnum.Beneficiary{FirstName: *req.FirstName, LastName: *req.LastName, BirthDate: birth, CommuneINSEE: *req.CommuneINSEE,
		JobSeeker: *req.JobSeeker, InStudies: *req.InStudies}
	return func(tx *store.Tx) (any, error) {
		return tx.CreateBeneficiary(c.ctx(), c.actor, b)
	}, nil
}
