package api

import (
	"net/http"

	"passnum"
	"passnum/store"
)

// reminderRoutes: whether reminding young people pushes use up.
func reminderRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/programmes/{id}/reminders", Roles: funderReaders, Summary: "Effet des rappels d'un programme : parmi les carnets endormis (aucun pass utilisé pendant le délai de sommeil), remis jusqu'au mois « through », combien ont été commencés depuis quand le jeune a reçu un rappel et quand il n'en a pas reçu ; rappels envoyés par motif et par canal",
			Response: ReminderEffect{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getReminderEffect},
	}
}

func getReminderEffect(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		if err := visibleProgramme(c, tx, id); err != nil {
			return nil, err
		}
		e, err := tx.ReminderEffect(c.ctx(), id, c.actor.Role == passnum.RoleFunder)
		if err != nil {
			return nil, err
		}
		return ReminderEffect(e), nil
	}, nil
}
