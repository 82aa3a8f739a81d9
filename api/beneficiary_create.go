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
	contactRequest
}

// contactRequest is how a young person agreed to be contacted: an e-mail
// and/or a mobile number are kept only with their consent, and a minor's
// with a legal guardian's too.
type contactRequest struct {
	Email           *string `json:"email" doc:"adresse e-mail, avec l'accord de la personne"`
	Phone           *string `json:"phone" doc:"numéro de mobile (06 ou 07), avec l'accord de la personne"`
	ContactConsent  *bool   `json:"contact_consent" doc:"la personne accepte d'être contactée (rappels) ; obligatoire avec un e-mail ou un mobile"`
	GuardianConsent *bool   `json:"guardian_consent" doc:"accord d'un représentant légal, obligatoire pour un mineur (16 ou 17 ans à l'inscription) qui donne ses coordonnées"`
	GuardianName    *string `json:"guardian_name" doc:"nom du représentant légal qui a donné son accord"`
}

// apply sets the fields given on b, keeping the others.
func (r contactRequest) apply(b *passnum.Beneficiary) {
	if r.Email != nil {
		b.Email = *r.Email
	}
	if r.Phone != nil {
		b.Phone = *r.Phone
	}
	if r.ContactConsent != nil {
		b.ContactConsent = *r.ContactConsent
	}
	if r.GuardianConsent != nil {
		b.GuardianConsent = *r.GuardianConsent
	}
	if r.GuardianName != nil {
		b.GuardianName = *r.GuardianName
	}
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
	req.contactRequest.apply(&b)
	return func(tx *store.Tx) (any, error) {
		return tx.CreateBeneficiary(c.ctx(), c.actor, b)
	}, nil
}
