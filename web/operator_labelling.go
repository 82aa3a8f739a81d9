package web

import (
	"net/http"
	"net/url"

	"passnum"
	"passnum/store"
)

// opStatusOptions filter the labelling list.
var opStatusOptions = []option{{string(passnum.OrgPending), "Candidatures en attente"}, {string(passnum.OrgLabelled), "Lieux labellisés"},
	{string(passnum.OrgSuspended), "Labels suspendus"}, {string(passnum.OrgRefused), "Candidatures refusées"}, {string(passnum.OrgWithdrawn), "Labels retirés"}, {"tous", "Tous les lieux"}}

type opLabellingList struct {
	Applications []passnum.PlaceApplicationSummary
	Next, First  string
	Status       string
	Options      []option
}

func operatorLabelling(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	query := q.r.URL.Query()
	status := query.Get("statut")
	if status == "" {
		status = string(passnum.OrgPending)
	}
	filter := passnum.OrgStatus(status)
	if status == "tous" || !passnum.ValidPlaceStatus(filter) {
		status, filter = "tous", ""
	}
	d := opLabellingList{Status: status, Options: opStatusOptions}
	var next string
	if err := q.view(func(tx *store.Tx) error {
		var err error
		d.Applications, next, err = tx.ListPlaceApplications(q.ctx(), filter, p)
		return err
	}); err != nil {
		return err
	}
	d.Next = opNextURL("/operateur/labellisation", query, next)
	d.First = opFirstURL("/operateur/labellisation", query)
	f := &form{Values: url.Values{"statut": {status}}}
	return q.render(http.StatusOK, "operator/labelling", "Labellisation des lieux", d, f)
}

// opApplicationView is a place's whole file, with the decisions on it.
type opApplicationView struct {
	A         passnum.PlaceApplication
	Decisions []opDecision
	// Pending is the bank account waiting for a decision, if any.
	Pending                             *passnum.BankAccount
	DecisionForm, BankForm, ReleaseForm *form
	Back                                string
}

// CanReleaseSIRET says whether the operator may free this place's SIRET.
func (v opApplicationView) CanReleaseSIRET() bool {
	return v.A.SIRETReleasedAt == nil && v.A.SIRET != "" && passnum.SIRETReleasable(v.A.Status)
}

// DecisionBox feeds the decision form of the application page.
func (v opApplicationView) DecisionBox() opDecisionBox {
	return opDecisionBox{ID: v.A.ID, Status: v.A.Status, Back: v.Back, Decisions: v.Decisions, Form: v.DecisionForm}
}

func (v opApplicationView) title() string { return "Candidature " + passnum.De(v.A.Name) }

func opLoadApplication(q *request, id string) (opApplicationView, error) {
	v := opApplicationView{DecisionForm: opEmptyForm(), BankForm: opEmptyForm(), ReleaseForm: opEmptyForm(), Back: opBackApplication}
	err := q.view(func(tx *store.Tx) error {
		var err error
		v.A, err = tx.PlaceApplication(q.ctx(), id, false)
		return err
	})
	if err != nil {
		return v, err
	}
	v.Decisions = opPlaceDecisions(v.A.Status)
	for i := range v.A.BankAccounts {
		if v.A.BankAccounts[i].Status == passnum.BankPending {
			v.Pending = &v.A.BankAccounts[i]
		}
	}
	return v, nil
}

func operatorApplication(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadApplication(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/application", v.title(), v, nil)
}

// operatorDecideBank approves or rejects a place's pending bank details.
func operatorDecideBank(approve bool) func(q *request) error {
	return func(q *request) error {
		ids, err := q.ids("id", "bank")
		if err != nil {
			return err
		}
		id, bankID := ids[0], ids[1]
		f := newForm(q.r)
		reason := f.Get("bank_reason")
		var after passnum.BankAccount
		err = q.write(func(tx *store.Tx) error {
			// The account must be this place's: another's is not found.
			if _, err := tx.BankAccount(q.ctx(), bankID, id); err != nil {
				return err
			}
			if approve {
				after, err = tx.ApproveBankAccount(q.ctx(), q.actor(), bankID, reason)
			} else {
				_, err = tx.RejectBankAccount(q.ctx(), q.actor(), bankID, reason)
			}
			return err
		})
		if err != nil {
			status, ok := opFormStatus(f, err, "reason", "bank_reason")
			if !ok {
				return err
			}
			v, lerr := opLoadApplication(q, id)
			if lerr != nil {
				return lerr
			}
			v.BankForm = f
			return q.render(status, "operator/application", v.title(), v, nil)
		}
		msg := "Coordonnées bancaires approuvées : les remboursements du lieu iront sur ce compte."
		if approve && after.Status == passnum.BankPending {
			msg = "Première approbation enregistrée : un second opérateur doit maintenant approuver ces coordonnées bancaires (quatre yeux)."
		}
		if !approve {
			msg = "Coordonnées bancaires rejetées : le motif est communiqué au lieu, qui peut en proposer d'autres."
		}
		return q.redirect("/operateur/labellisation/"+id, msg)
	}
}

// operatorReleaseSIRET frees the SIRET of a place that is not labelled (a
// pending application squatting it, a refused or withdrawn place), so that
// the organisation it belongs to can apply. The reason goes to the audit
// trail.
func operatorReleaseSIRET(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	err = q.write(func(tx *store.Tx) error {
		_, err := tx.ReleaseSIRET(q.ctx(), q.actor(), id, f.Get("release_reason"))
		return err
	})
	if err != nil {
		status, ok := opFormStatus(f, err, "reason", "release_reason")
		if !ok {
			return err
		}
		v, lerr := opLoadApplication(q, id)
		if lerr != nil {
			return lerr
		}
		v.ReleaseForm = f
		return q.render(status, "operator/application", v.title(), v, nil)
	}
	return q.redirect("/operateur/labellisation/"+id, "SIRET libéré : une nouvelle candidature peut l'utiliser. Ce lieu garde son dossier ; le labelliser à nouveau reprendra le SIRET s'il est encore libre.")
}
