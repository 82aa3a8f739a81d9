package api

import (
	"passnum"
	"passnum/store"
)

type funderShareRequest struct {
	OrganisationID *string `json:"organisation_id" api:"required"`
	ShareBps       *int64  `json:"share_bps" api:"required" doc:"part en points de base ; les parts totalisent 10000"`
}

type programmeRequest struct {
	Name                      *string              `json:"name" api:"required"`
	FaceValueCents            *int64               `json:"face_value_cents" api:"required" doc:"valeur d'un pass en centimes (1000 = 10 €)"`
	BookletSize               *int                 `json:"booklet_size" api:"required" doc:"pass par carnet"`
	ValidFrom                 *string              `json:"valid_from" api:"required" format:"date"`
	ValidUntil                *string              `json:"valid_until" api:"required" format:"date" doc:"dernier jour de validité, inclus (heure de Paris)"`
	GraceDays                 *int                 `json:"grace_days" doc:"jours de tolérance après la fin de validité (31 par défaut)"`
	MinAge                    *int                 `json:"min_age" doc:"16 par défaut"`
	MaxAge                    *int                 `json:"max_age" doc:"25 par défaut"`
	MaxBookletsPerBeneficiary *int                 `json:"max_booklets_per_beneficiary" doc:"1 par défaut"`
	CancelWindowHours         *int                 `json:"cancel_window_hours" doc:"délai d'annulation d'un encaissement par le lieu, en heures (24 par défaut)"`
	Territory                 []string             `json:"territory" doc:"régions et départements du programme, par exemple [\"reg:27\"] (par défaut) ou [\"dep:25\", \"dep:39\"]"`
	MaxPassesPerTraining      *int                 `json:"max_passes_per_training" doc:"nombre maximal de pass qu'une formation peut coûter (5 par défaut)"`
	DormantDays               *int                 `json:"dormant_days" doc:"jours après la remise au-delà desquels un carnet jamais utilisé est dormant, 7 à 365 (60 par défaut)"`
	HandoutUntil              *string              `json:"handout_until" format:"date" doc:"dernier jour de remise des carnets (par défaut valid_until)"`
	BudgetCents               *int64               `json:"budget_cents" doc:"budget en centimes, plafond de la valeur faciale émise (57000000 pour 570 000 €) ; sans budget, l'émission n'est pas plafonnée tant que l'opérateur ne l'a pas fixé"`
	FourEyes                  *bool                `json:"four_eyes" doc:"un second opérateur confirme chaque paiement et chaque changement de coordonnées bancaires d'un lieu (false par défaut)"`
	Payer                     *payerRequest        `json:"payer" doc:"compte payeur du programme, débiteur des virements aux lieux"`
	Funders                   []funderShareRequest `json:"funders" api:"required"`
}

type payerRequest struct {
	Name *string `json:"name" api:"required" doc:"titulaire du compte"`
	IBAN *string `json:"iban" api:"required"`
	BIC  *string `json:"bic" api:"required"`
}

func (r *payerRequest) account() *passnum.PayingAccount {
	if r == nil {
		return nil
	}
	return &passnum.PayingAccount{Name: deref(r.Name), IBAN: deref(r.IBAN), BIC: deref(r.BIC)}
}

// showProgramme masks the programme's paying account for anyone but the
// operator.
func showProgramme(c *call, p passnum.Programme) passnum.Programme {
	if !c.isOperator() && p.Payer.IBAN != "" {
		p.Payer.IBAN = passnum.MaskIBAN(p.Payer.IBAN)
	}
	return p
}

func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func createProgramme(c *call) (func(*store.Tx) (any, error), error) {
	var req programmeRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("name", req.Name != nil)
	f.required("face_value_cents", req.FaceValueCents != nil)
	f.required("booklet_size", req.BookletSize != nil)
	p := passnum.Programme{
		Name:                      deref(req.Name),
		FaceValueCents:            deref(req.FaceValueCents),
		BookletSize:               deref(req.BookletSize),
		ValidFrom:                 f.date("valid_from", req.ValidFrom, true),
		ValidUntil:                f.date("valid_until", req.ValidUntil, true),
		GraceDays:                 orDefault(req.GraceDays, passnum.DefaultGraceDays),
		MinAge:                    orDefault(req.MinAge, 16),
		MaxAge:                    orDefault(req.MaxAge, 25),
		MaxBookletsPerBeneficiary: orDefault(req.MaxBookletsPerBeneficiary, 1),
		CancelWindowHours:         orDefault(req.CancelWindowHours, passnum.DefaultCancelWindowHours),
		Territory:                 req.Territory,
		MaxPassesPerTraining:      orDefault(req.MaxPassesPerTraining, passnum.DefaultMaxTrainingPasses),
		DormantDays:               orDefault(req.DormantDays, passnum.DefaultDormantDays),
		HandoutUntil:              f.date("handout_until", req.HandoutUntil, false),
		BudgetCents:               req.BudgetCents,
		FourEyes:                  deref(req.FourEyes),
	}
	if a := req.Payer.account(); a != nil {
		p.Payer = *a
	}
	f.required("funders", req.Funders != nil)
	for _, fs := range req.Funders {
		id := f.id("funders.organisation_id", fs.OrganisationID)
		f.required("funders.share_bps", fs.ShareBps != nil)
		p.Funders = append(p.Funders, passnum.FunderShare{OrganisationID: id, ShareBps: deref(fs.ShareBps)})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		created, err := tx.CreateProgramme(c.ctx(), c.actor, p)
		if err != nil {
			return nil, err
		}
		created, err = tx.Programme(c.ctx(), created.ID)
		return showProgramme(c, created), err
	}, nil
}
