package api

import (
	"passnum"
	"passnum/store"
)

// ibanAnswer is a place's bank details with the IBAN in full.
type ibanAnswer struct {
	BankAccountID  string             `json:"bank_account_id"`
	OrganisationID string             `json:"organisation_id"`
	Holder         string             `json:"holder"`
	IBAN           string             `json:"iban" doc:"en entier ; la consultation est inscrite au journal d'audit"`
	BIC            string             `json:"bic"`
	Status         passnum.BankStatus `json:"status"`
}

// redacted keeps the full IBAN out of the stored idempotent answer: a
// replay shows it masked.
func (a ibanAnswer) redacted() any {
	a.IBAN = passnum.MaskIBAN(a.IBAN)
	return a
}

func revealIBAN(c *call) (func(*store.Tx) (any, error), error) {
	placeID, err := c.id("id")
	if err != nil {
		return nil, err
	}
	accountID, err := c.id("account_id")
	if err != nil {
		return nil, err
	}
	if err := c.decode(&struct{}{}); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		b, err := tx.RevealIBAN(c.ctx(), c.actor, placeID, accountID)
		if err != nil {
			return nil, err
		}
		return ibanAnswer{BankAccountID: b.ID, OrganisationID: b.OrganisationID, Holder: b.Holder, IBAN: b.IBAN, BIC: b.BIC, Status: b.Status}, nil
	}, nil
}
