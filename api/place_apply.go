package api

import (
	"time"

	"passnum"
	"passnum/store"
)

type placeApplicationRequest struct {
	Name                *string             `json:"name" api:"required" doc:"raison sociale de l'organisation"`
	SIRET               *string             `json:"siret" api:"required" doc:"14 chiffres ; un SIRET, un compte lieu"`
	LegalRepresentative *legalRepRequest    `json:"legal_representative" api:"required" doc:"représentant légal de l'organisation"`
	ContactEmail        *string             `json:"contact_email" api:"required" doc:"adresse électronique où l'opérateur répond à la candidature"`
	ContactPhone        *string             `json:"contact_phone" api:"required" doc:"téléphone, par exemple 03 81 87 80 00"`
	Site                *siteRequest        `json:"site" api:"required" doc:"premier site (point de présence) du lieu"`
	CharterAccepted     *bool               `json:"charter_accepted" api:"required" doc:"true : l'organisation accepte la charte du programme ; la date d'acceptation est enregistrée"`
	CharterVersion      *string             `json:"charter_version" api:"required" doc:"version de la charte acceptée : 2026-01"`
	BankAccount         *bankAccountRequest `json:"bank_account" api:"required" doc:"coordonnées bancaires pour les remboursements, validées par l'opérateur avec la candidature"`
}

type legalRepRequest struct {
	Name *string `json:"name" api:"required" doc:"prénom et nom"`
	Role *string `json:"role" api:"required" doc:"qualité, par exemple « présidente » ou « directeur »"`
}

type placeApplicationResponse struct {
	ID                string            `json:"id" doc:"identifiant du lieu (organisation)"`
	Status            passnum.OrgStatus `json:"status" doc:"pending : en attente de la décision de l'opérateur"`
	SiteID            string            `json:"site_id"`
	BankAccountID     string            `json:"bank_account_id"`
	CharterVersion    string            `json:"charter_version"`
	CharterAcceptedAt time.Time         `json:"charter_accepted_at"`
	KeyID             string            `json:"key_id"`
	Key               string            `json:"key,omitempty" doc:"clé d'API du lieu, affichée une seule fois : elle permet de suivre la candidature, de gérer les sites et, une fois le lieu labellisé, d'encaisser des pass"`
}

// redacted keeps the key's secret out of the idempotency record.
func (r placeApplicationResponse) redacted() any {
	r.Key = ""
	return r
}

func applyForLabel(c *call) (func(*store.Tx) (any, error), error) {
	var req placeApplicationRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("name", req.Name != nil)
	f.required("siret", req.SIRET != nil)
	f.required("legal_representative", req.LegalRepresentative != nil)
	f.required("contact_email", req.ContactEmail != nil)
	f.required("contact_phone", req.ContactPhone != nil)
	f.required("site", req.Site != nil)
	f.required("charter_accepted", req.CharterAccepted != nil)
	f.required("charter_version", req.CharterVersion != nil)
	f.required("bank_account", req.BankAccount != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	a := passnum.NewPlaceApplication{
		Name:            *req.Name,
		SIRET:           *req.SIRET,
		LegalRep:        passnum.LegalRepresentative{Name: deref(req.LegalRepresentative.Name), Role: deref(req.LegalRepresentative.Role)},
		ContactEmail:    *req.ContactEmail,
		ContactPhone:    *req.ContactPhone,
		Site:            req.Site.newSite(),
		CharterAccepted: *req.CharterAccepted,
		CharterVersion:  *req.CharterVersion,
		Bank:            req.BankAccount.newBankAccount(),
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		// Applications from one address are counted in the transaction that
		// records them (a refused one counts nothing), with the pages'.
		if _, err := tx.CountAttempt(c.ctx(), passnum.ApplicationAddressLimit, c.address); err != nil {
			return nil, err
		}
		rc, err := tx.ApplyForLabel(c.ctx(), a)
		if err != nil {
			return nil, err
		}
		return placeApplicationResponse{ID: rc.Organisation.ID, Status: rc.Organisation.Status, SiteID: rc.Site.ID, BankAccountID: rc.BankAccount.ID,
			CharterVersion: a.CharterVersion, CharterAcceptedAt: rc.CharterAcceptedAt, KeyID: rc.Key.ID, Key: rc.Secret}, nil
	}, nil
}
