package api

import (
	"passnum/store"
)

type keyRequest struct {
	Name *string `json:"name" doc:"nom de la clé, par exemple « accueil Planoise »"`
}

type keyResponse struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Name           string `json:"name"`
	Key            string `json:"key,omitempty" doc:"le secret, affiché une seule fois"`
}

// redacted keeps the secret out of the idempotency record: a replay gets
// the same id, never the secret again.
func (k keyResponse) redacted() any {
	k.Key = ""
	return k
}

func createKey(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req keyRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		k, secret, err := tx.CreateKey(c.ctx(), c.actor, id, deref(req.Name))
		return keyResponse{ID: k.ID, OrganisationID: k.OrganisationID, Name: k.Name, Key: secret}, err
	}, nil
}

func listKeys(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Organisation(c.ctx(), id); err != nil {
			return nil, err
		}
		keys, err := tx.ListKeys(c.ctx(), id)
		return newList(keys, ""), err
	}, nil
}

func revokeKey(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return nil, tx.RevokeKey(c.ctx(), c.actor, id)
	}, nil
}
