package api

import (
	"passnum"
	"passnum/store"
)

// balanceAnswer is what a place is still owed on a day.
type balanceAnswer struct {
	PlaceID      string       `json:"place_id"`
	ProgrammeID  string       `json:"programme_id,omitempty" doc:"absent : tous programmes confondus"`
	On           passnum.Date `json:"on"`
	BalanceCents int64        `json:"balance_cents" doc:"encaissements, moins annulations, corrections et paiements ; négatif quand des corrections dépassent ce qui reste à payer"`
}

func getPlaceBalance(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if c.actor.Role == passnum.RolePlace {
		if err := checkOwnPlaceAccount(c, id); err != nil {
			return nil, err
		}
	}
	q := c.r.URL.Query()
	var f fields
	programmeID := q.Get("programme_id")
	if programmeID != "" && !passnum.ValidID(programmeID) {
		f.Add("programme_id", "identifiant de programme inconnu")
	}
	if programmeID == "" && c.actor.Role == passnum.RoleFunder {
		f.Add("programme_id", "obligatoire pour un financeur : le solde dans un programme qu'il finance")
	}
	var on passnum.Date
	if v := q.Get("on"); v != "" {
		on = f.date("on", &v, false)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if _, err := tx.Organisation(c.ctx(), id); err != nil {
			return nil, err
		}
		if programmeID != "" {
			if err := visibleProgramme(c, tx, programmeID); err != nil {
				return nil, err
			}
		}
		day := on
		if day.IsZero() {
			day = tx.Today()
		}
		b, err := tx.PlaceBalance(c.ctx(), id, programmeID, day)
		return balanceAnswer{PlaceID: id, ProgrammeID: programmeID, On: day, BalanceCents: b}, err
	}, nil
}
