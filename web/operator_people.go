package web

import (
	"net/http"

	"passnum"
	"passnum/store"
)

// opPeopleView lists everyone who signs in, with the invitation form.
type opPeopleView struct {
	People  []passnum.User
	Orgs    []option
	Invite  *form
	Current string // the signed-in operator, who cannot disable themself
}

func opLoadPeople(q *request) (opPeopleView, error) {
	v := opPeopleView{Invite: opEmptyForm(), Current: q.user.ID}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.People, err = tx.ListUsers(q.ctx(), ""); err != nil {
			return err
		}
		orgs, _, err := tx.ListOrganisations(q.ctx(), "", "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		v.Orgs = []option{{"", "— choisissez l'organisation —"}}
		for _, o := range orgs {
			v.Orgs = append(v.Orgs, option{o.ID, o.Name + " (" + o.Kind.Label() + ")"})
		}
		return nil
	})
	return v, err
}

func operatorPeople(q *request) error {
	v, err := opLoadPeople(q)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/people", "Personnes", v, nil)
}

func operatorInvitePerson(q *request) error {
	f := newForm(q.r)
	orgID := f.Get("organisation_id")
	var u passnum.User
	var err error
	if !passnum.ValidID(orgID) {
		err = passnum.Invalid(passnum.FieldError{Field: "organisation_id", Detail: "choisissez l'organisation de la personne"})
	} else {
		u, err = opInvite(q, orgID, f.Get("email"), f.Get("name"))
	}
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		v, lerr := opLoadPeople(q)
		if lerr != nil {
			return lerr
		}
		v.Invite = f
		return q.render(status, "operator/people", "Personnes", v, nil)
	}
	return q.redirect("/operateur/personnes", "Invitation envoyée à "+u.Email+" ("+u.OrganisationName+") : le lien pour choisir un mot de passe est valable 7 jours.")
}

func operatorSetDisabled(disabled bool) func(q *request) error {
	return func(q *request) error {
		id, err := q.id("id")
		if err != nil {
			return err
		}
		var u passnum.User
		if err := q.write(func(tx *store.Tx) error {
			var err error
			u, err = tx.SetUserDisabled(q.ctx(), q.actor(), id, "", disabled)
			return err
		}); err != nil {
			return err
		}
		msg := "Le compte " + passnum.De(u.Email) + " est réactivé : la personne peut de nouveau se connecter."
		if disabled {
			msg = "Le compte " + passnum.De(u.Email) + " est désactivé : ses sessions sont fermées et elle ne peut plus se connecter."
		}
		return q.redirect("/operateur/personnes", msg)
	}
}

// operatorSendLink mails a new invitation to someone who never chose a
// password, or a link to choose a new one to someone who did.
func operatorSendLink(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var u passnum.User
	var secret, purpose string
	if err := q.write(func(tx *store.Tx) error {
		var err error
		if u, err = tx.User(q.ctx(), id, ""); err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return passnum.Errorf(passnum.EINVALID, "Le compte %s est désactivé : réactivez-le avant de lui envoyer un lien.", passnum.De(u.Email))
		}
		ttl := inviteTTL
		purpose = store.LinkInvite
		if u.HasPassword {
			purpose, ttl = store.LinkReset, resetTTL
		}
		secret, err = tx.CreateAccountLink(q.ctx(), q.actor(), id, purpose, ttl)
		return err
	}); err != nil {
		return err
	}
	if err := q.s.sendLink(q, u, purpose, secret); err != nil {
		return err
	}
	msg := "Nouvelle invitation envoyée à " + u.Email + " : le lien est valable 7 jours."
	if purpose == store.LinkReset {
		msg = "Lien pour choisir un nouveau mot de passe envoyé à " + u.Email + " : il est valable une heure."
	}
	return q.redirect("/operateur/personnes", msg)
}

// operatorResetFactor turns off the second factor of someone who lost
// their phone: they sign in with their password and set it up again. The
// audit trail records who did it. One cannot reset one's own.
func operatorResetFactor(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	if id == q.user.ID {
		return passnum.Errorf(passnum.EINVALID, "Vous ne pouvez pas réinitialiser votre propre double authentification : demandez-le à une autre personne de l'opérateur.")
	}
	var u passnum.User
	if err := q.write(func(tx *store.Tx) error {
		var err error
		if u, err = tx.User(q.ctx(), id, ""); err != nil {
			return err
		}
		if !u.TOTPEnabled {
			return passnum.Errorf(passnum.EINVALID, "La double authentification %s n'est pas activée : rien à réinitialiser.", passnum.De(u.Email))
		}
		if err := tx.SetTOTPSecret(q.ctx(), q.actor(), id, "", false); err != nil {
			return err
		}
		// Wrong codes typed meanwhile no longer lock the account.
		return tx.ForgetAttempts(q.ctx(), passnum.SecondFactorLimit, id)
	}); err != nil {
		return err
	}
	return q.redirect("/operateur/personnes", "La double authentification "+passnum.De(u.Email)+" est désactivée : à sa prochaine connexion, le mot de passe suffira ; invitez la personne à la configurer de nouveau.")
}
