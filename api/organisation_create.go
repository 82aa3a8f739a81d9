package api

import (
	"passnum"
	"passnum/store"
)

type organisationRequest struct {
	Kind         *string `json:"kind" api:"required" enum:"distributor,place,funder"`
	Name         *string `json:"name" api:"required"`
	SIRET        *string `json:"siret" doc:"14 chiffres, obligatoire pour un lieu"`
	CommuneINSEE *string `json:"commune_insee" doc:"code INSEE de la commune, par exemple 25056"`
}

func createOrganisation(c *call) (func(*store.Tx) (any, error), error) {
	var req organisationRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("kind", req.Kind != nil)
	f.required("name", req.Name != nil)
	n := passnum.NewOrganisation{Kind: passnum.Role(deref(req.Kind)), Name: deref(req.Name), SIRET: deref(req.SIRET), CommuneINSEE: deref(req.CommuneINSEE)}
	if req.Kind != nil && n.Kind == passnum.RoleOperator {
		f.Add("kind", "doit valoir distributor, place ou funder")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CreateOrganisation(c.ctx(), c.actor, n)
	}, nil
}
