package api

import (
	"strings"

	"passnum/store"
)

// beneficiaryCorrection changes the fields given and keeps the others.
type beneficiaryCorrection struct {
	FirstName    *string `json:"first_name"`
	LastName     *string `json:"last_name"`
	BirthDate    *string `json:"birth_date" format:"date"`
	CommuneINSEE *string `json:"commune_insee" doc:"code INSEE de la commune de résidence"`
	JobSeeker    *bool   `json:"job_seeker" doc:"en recherche d'emploi"`
	InStudies    *bool   `json:"in_studies" doc:"en études"`
	Reason       *string `json:"reason" doc:"motif de la correction, conservé dans le journal d'audit"`
	contactRequest
}

// correctBeneficiary corrects a young person's record: the fields sent
// replace the recorded ones. The old and new values are kept with the
// record; the audit trail names the fields changed.
func correctBeneficiary(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req beneficiaryCorrection
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	birth := f.date("birth_date", req.BirthDate, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		b, err := tx.Beneficiary(c.ctx(), id, c.actor.OrganisationID)
		if err != nil {
			return nil, err
		}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&b.FirstName, req.FirstName)
		set(&b.LastName, req.LastName)
		set(&b.CommuneINSEE, req.CommuneINSEE)
		if req.BirthDate != nil {
			b.BirthDate = birth
		}
		if req.JobSeeker != nil {
			b.JobSeeker = *req.JobSeeker
		}
		if req.InStudies != nil {
			b.InStudies = *req.InStudies
		}
		req.contactRequest.apply(&b)
		return tx.CorrectBeneficiary(c.ctx(), c.actor, id, b, strings.TrimSpace(deref(req.Reason)))
	}, nil
}

// duplicateList is the operator's list of confirmed possible duplicates,
// with how many there are in all.
type duplicateList struct {
	Count int64                   `json:"count" doc:"nombre de remises confirmées malgré un carnet reçu ailleurs, en tout"`
	Items []DuplicateConfirmation `json:"items"`
	Next  *string                 `json:"next"`
}

func listDuplicateConfirmations(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListDuplicateConfirmations(c.ctx(), p)
		if err != nil {
			return nil, err
		}
		n, err := tx.CountDuplicateConfirmations(c.ctx(), "")
		l := newList(answers(items, duplicateConfirmationAnswer), next)
		return duplicateList{Count: n, Items: l.Items, Next: l.Next}, err
	}, nil
}
