package api

import (
	"passnum"
	"passnum/store"
)

type bankAccountRequest struct {
	Holder *string `json:"holder" api:"required" doc:"titulaire du compte, tel qu'il figure sur le RIB"`
	IBAN   *string `json:"iban" api:"required" doc:"IBAN d'un compte de la zone SEPA ; les espaces sont tolérés, par exemple FR76 3000 6000 0112 3456 7890 189"`
	BIC    *string `json:"bic" api:"required" doc:"BIC de 8 ou 11 caractères, par exemple BNPAFRPP"`
}

func (r *bankAccountRequest) newBankAccount() passnum.NewBankAccount {
	return passnum.NewBankAccount{Holder: deref(r.Holder), IBAN: deref(r.IBAN), BIC: deref(r.BIC)}
}

func submitBankAccount(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnPlaceAccount(c, id); err != nil {
		return nil, err
	}
	var req bankAccountRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	n := req.newBankAccount()
	if err := n.Validate("").Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		b, err := tx.ProposeBankAccount(c.ctx(), c.actor, id, n)
		if err != nil {
			return nil, err
		}
		return showBankAccount(c, b), nil
	}, nil
}

func listBankAccounts(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnPlaceAccount(c, id); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, err := tx.BankAccounts(c.ctx(), id)
		if err != nil {
			return nil, err
		}
		for i := range items {
			items[i] = showBankAccount(c, items[i])
		}
		return newCompleteList(items), nil
	}, nil
}

// showBankAccount masks the IBAN for everyone, the place itself included:
// an API key that leaks must not leak the account. The operator who
// reviews bank details sees the full IBAN through the audited reveal
// (POST /places/{id}/bank-accounts/{account_id}/iban).
func showBankAccount(c *call, b passnum.BankAccount) passnum.BankAccount {
	return b.Masked()
}
