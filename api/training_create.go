package api

import (
	"strings"

	"passnum"
	"passnum/store"
)

type trainingRequest struct {
	Title           *string `json:"title" api:"required" doc:"intitulé de la formation, 200 caractères au plus"`
	Service         *string `json:"service" api:"required" doc:"service du référentiel national, libellé exact"`
	Level           *string `json:"level" enum:"Tous niveaux,Débutant,Intermédiaire,Confirmé" doc:"niveau attendu ; « Tous niveaux » par défaut"`
	DurationMinutes *int    `json:"duration_minutes" api:"required" doc:"durée en minutes"`
	PassesCost      *int    `json:"passes_cost" doc:"nombre de pass demandés pour la formation, 1 par défaut ; le maximum du programme s'applique à l'encaissement"`
	Description     *string `json:"description" doc:"présentation de la formation, 4000 caractères au plus"`
}

func createTraining(c *call) (func(*store.Tx) (any, error), error) {
	var req trainingRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("title", req.Title != nil)
	f.required("service", req.Service != nil)
	f.required("duration_minutes", req.DurationMinutes != nil)
	if req.PassesCost != nil && *req.PassesCost < 1 {
		f.Add("passes_cost", "nombre de pass demandés pour la formation, entre 1 et 20 (1 par défaut)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	t := passnum.Training{Title: *req.Title, Service: strings.TrimSpace(*req.Service), Level: strings.TrimSpace(deref(req.Level)),
		DurationMinutes: *req.DurationMinutes, PassesCost: deref(req.PassesCost), Description: deref(req.Description)}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CreateTraining(c.ctx(), c.actor, t)
	}, nil
}
