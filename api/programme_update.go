package api

import (
	"encoding/json"
	"sort"

	"passnum"
	"passnum/store"
)

// programmeSettingsRequest holds the settings that may change after a
// programme's creation; every field is optional and a field left out keeps
// its value (rules: passnum.ProgrammeUpdate). The face value, the booklet
// size and the funders are not here: they never change (see
// frozenProgrammeFields).
type programmeSettingsRequest struct {
	Name                      *string       `json:"name" doc:"200 caractères au plus"`
	ValidFrom                 *string       `json:"valid_from" format:"date" doc:"modifiable seulement tant qu'aucun carnet n'est émis"`
	ValidUntil                *string       `json:"valid_until" format:"date" doc:"dernier jour de validité, inclus (heure de Paris) : prolonger est toujours possible, avancer seulement jusqu'à aujourd'hui et jamais avant valid_from ; le dernier jour d'encaissement (valid_until + grace_days) suit"`
	GraceDays                 *int          `json:"grace_days" doc:"jours de tolérance après la fin de validité, 0 à 366 ; le dernier jour d'encaissement ne peut pas passer avant aujourd'hui"`
	MinAge                    *int          `json:"min_age" doc:"pour les remises à venir"`
	MaxAge                    *int          `json:"max_age" doc:"pour les remises à venir"`
	MaxBookletsPerBeneficiary *int          `json:"max_booklets_per_beneficiary" doc:"jamais en dessous du nombre de carnets qu'un bénéficiaire détient déjà"`
	CancelWindowHours         *int          `json:"cancel_window_hours" doc:"délai d'annulation d'un encaissement par le lieu, en heures (0 à 744), appliqué dès maintenant"`
	MaxPassesPerTraining      *int          `json:"max_passes_per_training" doc:"nombre maximal de pass qu'une formation peut coûter (1 à 20), pour les encaissements à venir"`
	DormantDays               *int          `json:"dormant_days" doc:"un carnet remis depuis plus de ce nombre de jours sans pass utilisé est dormant : 7 à 365 ; change aussitôt la liste des carnets dormants et les rappels"`
	Territory                 []string      `json:"territory" doc:"régions et départements, par exemple [\"reg:27\"] ou [\"dep:25\", \"dep:39\"] ; au moins un"`
	HandoutUntil              *string       `json:"handout_until" format:"date" doc:"dernier jour de remise des carnets, entre valid_from et valid_until ; avancé au plus tôt à aujourd'hui ; quand il est le dernier jour de validité, il suit valid_until"`
	BudgetCents               *int64        `json:"budget_cents" doc:"budget en centimes, jamais en dessous de la valeur faciale déjà émise"`
	FourEyes                  *bool         `json:"four_eyes" doc:"un second opérateur confirme les paiements et les changements de coordonnées bancaires à venir"`
	Payer                     *payerRequest `json:"payer" doc:"compte payeur du programme : nom, IBAN et BIC ensemble"`
}

// frozenProgrammeFields refuses, with the reason, the settings that never
// change once a programme exists, rather than calling them unknown.
func frozenProgrammeFields(body []byte) error {
	var fieldsSent map[string]json.RawMessage
	if json.Unmarshal(body, &fieldsSent) != nil {
		return nil // decodeStrict says what is wrong with the body
	}
	var names []string
	for name := range fieldsSent {
		if _, frozen := passnum.FrozenProgrammeFields[name]; frozen {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	var fe passnum.FieldErrors
	for _, name := range names {
		fe.Add(name, passnum.FrozenProgrammeFields[name])
	}
	return fe.Err()
}

func updateProgrammeSettings(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := frozenProgrammeFields(c.body); err != nil {
		return nil, err
	}
	var req programmeSettingsRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	u := passnum.ProgrammeUpdate{
		Name:                      req.Name,
		GraceDays:                 req.GraceDays,
		MinAge:                    req.MinAge,
		MaxAge:                    req.MaxAge,
		MaxBookletsPerBeneficiary: req.MaxBookletsPerBeneficiary,
		CancelWindowHours:         req.CancelWindowHours,
		MaxPassesPerTraining:      req.MaxPassesPerTraining,
		DormantDays:               req.DormantDays,
		Territory:                 req.Territory,
	}
	if req.ValidFrom != nil {
		d := f.date("valid_from", req.ValidFrom, true)
		u.ValidFrom = &d
	}
	if req.ValidUntil != nil {
		d := f.date("valid_until", req.ValidUntil, true)
		u.ValidUntil = &d
	}
	if req.HandoutUntil != nil {
		d := f.date("handout_until", req.HandoutUntil, true)
		u.HandoutUntil = &d
	}
	u.BudgetCents, u.FourEyes, u.Payer = req.BudgetCents, req.FourEyes, req.Payer.account()
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		p, err := tx.UpdateProgramme(c.ctx(), c.actor, id, u)
		return showProgramme(c, p), err
	}, nil
}
