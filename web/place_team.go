package web

import (
	"net/http"
	"time"

	"passnum"
	"passnum/store"
)

// The place's staff, and where its label stands.

type lieuTeamView struct {
	Users []passnum.User
	Me    string
}

func lieuTeamPage(q *request) error {
	return lieuTeam(q, http.StatusOK, nil)
}

func lieuTeam(q *request, status int, f *form) error {
	v := lieuTeamView{Me: q.user.ID}
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.Users, err = tx.ListUsers(q.ctx(), q.org())
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "place/team", "Équipe", v, f)
}

// lieuInvite opens an account for a colleague and mails them a link to
// choose their password.
func lieuInvite(q *request) error {
	f := newForm(q.r)
	var u passnum.User
	var secret string
	err := q.write(func(tx *store.Tx) error {
		var err error
		u, err = tx.CreateUser(q.ctx(), q.actor(), passnum.NewUser{OrganisationID: q.org(), Email: f.Get("email"), Name: f.Get("name")})
		if err != nil {
			return err
		}
		secret, err = tx.CreateAccountLink(q.ctx(), q.actor(), u.ID, store.LinkInvite, inviteTTL)
		return err
	})
	if err != nil {
		if !f.Fail(err) {
			return err
		}
		return lieuTeam(q, lieuStatusOf(err), f)
	}
	if err := q.s.sendLink(q, u, store.LinkInvite, secret); err != nil {
		return err
	}
	return q.redirect("/lieu/equipe", "Invitation envoyée à "+u.Email+" : le lien pour choisir un mot de passe est valable 7 jours.")
}

// lieuReinvite sends a fresh invitation to someone who has not chosen a
// password yet; the earlier link stops working.
func lieuReinvite(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var u passnum.User
	var secret string
	if err := q.write(func(tx *store.Tx) error {
		var err error
		if u, err = tx.User(q.ctx(), id, q.org()); err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return passnum.Errorf(passnum.EINVALID, "Ce compte est désactivé : réactivez-le avant de renvoyer une invitation.")
		}
		if u.HasPassword {
			return passnum.Errorf(passnum.EINVALID, "%s a déjà choisi son mot de passe : en cas d'oubli, il ou elle peut demander un lien depuis la page de connexion.", u.Email)
		}
		secret, err = tx.CreateAccountLink(q.ctx(), q.actor(), u.ID, store.LinkInvite, inviteTTL)
		return err
	}); err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTFOUND || !lieuIsDomain(err) {
			return err
		}
		return lieuTeam(q, lieuStatusOf(err), &form{Message: passnum.ErrorMessage(err)})
	}
	if err := q.s.sendLink(q, u, store.LinkInvite, secret); err != nil {
		return err
	}
	return q.redirect("/lieu/equipe", "Nouvelle invitation envoyée à "+u.Email+" : le lien est valable 7 jours.")
}

func lieuSetDisabled(disabled bool) func(q *request) error {
	return func(q *request) error {
		id, err := q.id("id")
		if err != nil {
			return err
		}
		var u passnum.User
		if err := q.write(func(tx *store.Tx) error {
			var err error
			u, err = tx.SetUserDisabled(q.ctx(), q.actor(), id, q.org(), disabled)
			return err
		}); err != nil {
			if passnum.ErrorCode(err) == passnum.ENOTFOUND || !lieuIsDomain(err) {
				return err
			}
			return lieuTeam(q, lieuStatusOf(err), &form{Message: passnum.ErrorMessage(err)})
		}
		if disabled {
			return q.redirect("/lieu/equipe", "Le compte "+passnum.De(u.Email)+" est désactivé : cette personne ne peut plus se connecter.")
		}
		return q.redirect("/lieu/equipe", "Le compte "+passnum.De(u.Email)+" est réactivé.")
	}
}

// lieuLabelView is where the place's label stands.
type lieuLabelView struct {
	App passnum.PlaceApplication
	// Since is when the place was last labelled.
	Since *time.Time
	// Reason is the reason of the last decision, for a refusal, a
	// suspension or a withdrawal.
	Reason    string
	DecidedAt *time.Time
}

func lieuLabelPage(q *request) error {
	var v lieuLabelView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.App, err = tx.PlaceApplication(q.ctx(), q.org(), false)
		return err
	}); err != nil {
		return err
	}
	v.Reason, v.DecidedAt = v.App.DecisionReason, v.App.DecidedAt
	for i := len(v.App.History) - 1; i >= 0; i-- {
		h := v.App.History[i]
		if h.Status == v.App.Status {
			at := h.At
			v.DecidedAt = &at
			if h.Reason != "" {
				v.Reason = h.Reason
			}
			if h.Status == passnum.OrgLabelled {
				v.Since = &at
			}
			break
		}
	}
	if v.App.Status == passnum.OrgLabelled && v.Since == nil {
		v.Since = v.App.DecidedAt
	}
	return q.render(http.StatusOK, "place/label", "Label de votre lieu", v, nil)
}
