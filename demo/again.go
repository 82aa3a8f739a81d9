package demo

import (
	"context"
	"errors"
	"time"

	"passnum"
	"passnum/store"
)

// ErrNotDemo says that a database holds data that did not come from the
// demonstration: nothing of it is printed or changed.
var ErrNotDemo = errors.New("la base contient des données qui ne viennent pas de la démonstration : --demo n'y ajoute rien et n'en montre rien")

// Again finds the demonstration in a database that already holds it and
// returns its accesses again, so that "serve --demo" run twice prints the
// same accounts, pass code, birth date and links.
//
// API keys are stored hashed, so the old secrets cannot be printed: the
// demo's keys (named "démo") are revoked and new ones created, each in the
// audit trail. Deriving them from a stored seed would print the same
// secrets but would keep in the database something from which keys can be
// computed; revoking them keeps no secret in clear, at the price of
// scripts holding the previous demo keys having to take the new ones.
func Again(ctx context.Context, s *store.Store, now time.Time) (Summary, error) {
	sum := Summary{Keys: map[string]DemoKey{}, Again: true}
	err := s.WriteAt(ctx, now, func(tx *store.Tx) error {
		var operator passnum.Actor
		for role, acc := range accounts {
			c, err := tx.UserCredentials(ctx, acc.Email)
			if passnum.ErrorCode(err) == passnum.ENOTFOUND {
				return ErrNotDemo
			}
			if err != nil {
				return err
			}
			if c.User.Role != role {
				return ErrNotDemo
			}
			sum.Keys[string(role)] = DemoKey{OrganisationID: c.User.OrganisationID, OrganisationName: c.User.OrganisationName, Email: acc.Email}
			if role == passnum.RoleOperator {
				operator = c.User.Actor()
			}
		}
		for role, k := range sum.Keys {
			keys, err := tx.ListKeys(ctx, k.OrganisationID)
			if err != nil {
				return err
			}
			for _, old := range keys {
				if old.Name == keyName && old.RevokedAt == nil {
					if err := tx.RevokeKey(ctx, operator, old.ID); err != nil {
						return err
					}
				}
			}
			if _, k.Secret, err = tx.CreateKey(ctx, operator, k.OrganisationID, keyName); err != nil {
				return err
			}
			sum.Keys[role] = k
		}
		return showcaseAgain(ctx, tx, sum.Keys[string(passnum.RoleDistributor)].OrganisationID, &sum)
	})
	return sum, err
}

// keyName names the demo's API keys.
const keyName = "démo"

// showcaseAgain finds the young person printed for trying the API, and the
// first of their passes still to use.
func showcaseAgain(ctx context.Context, tx *store.Tx, distributorID string, sum *Summary) error {
	list, _, err := tx.SearchBeneficiaries(ctx, distributorID, showcaseFirst+" "+showcaseLast, store.Page{Limit: 10})
	if err != nil {
		return err
	}
	for _, b := range list {
		if b.FirstName != showcaseFirst || b.LastName != showcaseLast {
			continue
		}
		sum.Beneficiary.FirstName, sum.Beneficiary.BirthDate = b.FirstName, b.BirthDate.String()
		booklets, err := tx.BeneficiaryBooklets(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, bk := range booklets {
			for _, p := range bk.Passes {
				if p.Status != passnum.PassAssigned {
					continue
				}
				prog, err := tx.Programme(ctx, bk.ProgrammeID)
				if err != nil {
					return err
				}
				sum.Beneficiary.PassCode, sum.CurrentProgramme = p.Code, prog.Name
				return nil
			}
		}
		return nil
	}
	return nil
}
