package api

import (
	"passnum"
	"passnum/store"
)

// searchBeneficiaries lists the caller's beneficiaries (all of them for the
// operator), newest first, with their pass counts; ?q= keeps those whose
// names start with the words typed, ignoring case and accents.
func searchBeneficiaries(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query().Get("q")
	purpose, err := c.purpose(passnum.ReadSupport)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.SearchBeneficiaries(c.ctx(), c.ownFilter(), q, p)
		// Each record answered is read: the list holds whole records.
		ids := make([]string, 0, len(items))
		for _, b := range items {
			if b.PseudonymisedAt == nil {
				ids = append(ids, b.ID)
			}
		}
		c.logRead(purpose, passnum.ReadViaAPI, ids...)
		return newList(answers(items, beneficiarySummaryAnswer), next), err
	}, nil
}
