package web

import (
	"net/http"
	"net/url"
	"strings"

	"passnum"
	"passnum/mail"
	"passnum/store"
)

type opOrganisationList struct {
	Organisations []passnum.Organisation
	Next, First   string
	Kind          string
}

// opKindOptions are the kinds an operator creates; the list filter adds
// "all" and the operator itself.
var opKindOptions = []option{{string(passnum.RoleDistributor), "Distributeur (mission locale, agence France Travail…)"},
	{string(passnum.RolePlace), "Lieu de formation (candidat au label)"}, {string(passnum.RoleFunder), "Financeur"}}

func operatorOrganisations(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	query := q.r.URL.Query()
	kind := query.Get("kind")
	if !passnum.Role(kind).Valid() {
		kind = ""
	}
	d := opOrganisationList{Kind: kind}
	var next string
	if err := q.view(func(tx *store.Tx) error {
		var err error
		d.Organisations, next, err = tx.ListOrganisations(q.ctx(), kind, "", p)
		return err
	}); err != nil {
		return err
	}
	d.Next = opNextURL("/operateur/organisations", query, next)
	d.First = opFirstURL("/operateur/organisations", query)
	f := &form{Values: url.Values{"kind": {kind}}}
	return q.render(http.StatusOK, "operator/organisations", "Organisations", d, f)
}

func operatorNewOrganisation(q *request) error {
	f := &form{Values: url.Values{"kind": {q.r.URL.Query().Get("kind")}}}
	return q.render(http.StatusOK, "operator/organisation_new", "Nouvelle organisation", opKindOptions, f)
}

func operatorCreateOrganisation(q *request) error {
	f := newForm(q.r)
	n := passnum.NewOrganisation{Kind: passnum.Role(f.Get("kind")), Name: f.Get("name"), SIRET: strings.ReplaceAll(f.Get("siret"), " ", "")}
	var err error
	if typed := f.Get("commune_insee"); typed != "" {
		// Its name, its postcode or its INSEE code: the commune it means.
		n.CommuneINSEE, err = resolveCommune("commune_insee", typed)
	}
	switch {
	case err != nil:
	case n.Kind == passnum.RoleOperator:
		err = passnum.Invalid(passnum.FieldError{Field: "kind", Detail: "choisissez distributeur, lieu ou financeur"})
	default:
		err = n.Validate()
	}
	var o passnum.Organisation
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			var err error
			o, err = tx.CreateOrganisation(q.ctx(), q.actor(), n)
			return err
		})
	}
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		if f.Errors["kind"] != "" {
			f.Errors["kind"] = "choisissez distributeur, lieu ou financeur"
		}
		return q.render(status, "operator/organisation_new", "Nouvelle organisation", opKindOptions, f)
	}
	msg := "L'organisation « " + o.Name + " » est créée : invitez maintenant les personnes qui y travaillent."
	if o.Kind == passnum.RolePlace {
		msg = "Le lieu « " + o.Name + " » est créé, en attente de labellisation : invitez ses formateurs, puis décidez du label."
	}
	return q.redirect("/operateur/organisations/"+o.ID, msg)
}

// opOrganisationView is an organisation's page: its people, its API keys
// and, for a place, its label.
type opOrganisationView struct {
	Org    passnum.Organisation
	People []passnum.User
	Keys   []passnum.APIKey
	// NewKey and Secret are shown once, right after a key is created.
	NewKey passnum.APIKey
	Secret string
	// Decisions are the label decisions allowed from the place's status.
	Decisions []opDecision
	// Profile says whether the place has an application file to read.
	Profile                           bool
	InviteForm, KeyForm, DecisionForm *form
	// Back is where the decision form returns ("" for this page).
	Back string
}

// opDecisionBox is what the label decision form needs.
type opDecisionBox struct {
	ID, Back  string
	Status    passnum.OrgStatus
	Decisions []opDecision
	Form      *form
}

// DecisionBox feeds the decision form of the organisation page.
func (v opOrganisationView) DecisionBox() opDecisionBox {
	return opDecisionBox{ID: v.Org.ID, Status: v.Org.Status, Back: v.Back, Decisions: v.Decisions, Form: v.DecisionForm}
}

// opDecision is one button of the label decision form.
type opDecision struct {
	Status passnum.OrgStatus
	Label  string
	Danger bool
}

// opPlaceDecisions lists the decisions allowed from a place's status, in
// the order the operator weighs them.
func opPlaceDecisions(from passnum.OrgStatus) []opDecision {
	all := []opDecision{{passnum.OrgLabelled, "Labelliser", false}, {passnum.OrgRefused, "Refuser", true},
		{passnum.OrgSuspended, "Suspendre", true}, {passnum.OrgWithdrawn, "Retirer le label", true}}
	var out []opDecision
	for _, d := range all {
		if passnum.CheckPlaceTransition(from, d.Status) == nil {
			out = append(out, d)
		}
	}
	return out
}

func opEmptyForm() *form { return &form{Values: url.Values{}, Errors: map[string]string{}} }

func opLoadOrganisation(q *request, id string) (opOrganisationView, error) {
	v := opOrganisationView{InviteForm: opEmptyForm(), KeyForm: opEmptyForm(), DecisionForm: opEmptyForm()}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Org, err = tx.Organisation(q.ctx(), id); err != nil {
			return err
		}
		if v.People, err = tx.ListUsers(q.ctx(), id); err != nil {
			return err
		}
		if v.Keys, err = tx.ListKeys(q.ctx(), id); err != nil {
			return err
		}
		if v.Org.Kind == passnum.RolePlace {
			v.Decisions = opPlaceDecisions(v.Org.Status)
			a, err := tx.PlaceApplication(q.ctx(), id, false)
			if err != nil {
				return err
			}
			v.Profile = a.SubmittedAt != nil || len(a.Sites) > 0 || len(a.BankAccounts) > 0
		}
		return nil
	})
	return v, err
}

func (v opOrganisationView) title() string { return v.Org.Name }

func operatorOrganisation(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadOrganisation(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/organisation", v.title(), v, nil)
}

// opInvite opens an account in an organisation and mails the person a
// link to choose a password.
func opInvite(q *request, orgID, email, name string) (passnum.User, error) {
	var u passnum.User
	var secret string
	if err := q.write(func(tx *store.Tx) error {
		if _, err := tx.Organisation(q.ctx(), orgID); err != nil {
			if passnum.ErrorCode(err) == passnum.ENOTFOUND {
				return passnum.Invalid(passnum.FieldError{Field: "organisation_id", Detail: "choisissez l'organisation de la personne"})
			}
			return err
		}
		var err error
		if u, err = tx.CreateUser(q.ctx(), q.actor(), passnum.NewUser{OrganisationID: orgID, Email: email, Name: name}); err != nil {
			return err
		}
		secret, err = tx.CreateAccountLink(q.ctx(), q.actor(), u.ID, store.LinkInvite, inviteTTL)
		return err
	}); err != nil {
		return u, err
	}
	return u, q.s.sendLink(q, u, store.LinkInvite, secret)
}

func operatorInviteToOrganisation(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	u, err := opInvite(q, id, f.Get("email"), f.Get("name"))
	if err != nil {
		if passnum.ErrorCode(err) == passnum.EINVALID {
			if pe, ok := err.(*passnum.Error); ok && len(pe.Fields) == 1 && pe.Fields[0].Field == "organisation_id" {
				return passnum.NotFound("organisation")
			}
		}
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		v, lerr := opLoadOrganisation(q, id)
		if lerr != nil {
			return lerr
		}
		v.InviteForm = f
		return q.render(status, "operator/organisation", v.title(), v, nil)
	}
	return q.redirect("/operateur/organisations/"+id, "Invitation envoyée à "+u.Email+" : le lien pour choisir un mot de passe est valable 7 jours.")
}

func operatorCreateKey(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var k passnum.APIKey
	var secret string
	err = q.write(func(tx *store.Tx) error {
		var err error
		k, secret, err = tx.CreateKey(q.ctx(), q.actor(), id, f.Get("key_name"))
		return err
	})
	if err != nil {
		status, ok := opFormStatus(f, err, "name", "key_name")
		if !ok {
			return err
		}
		v, lerr := opLoadOrganisation(q, id)
		if lerr != nil {
			return lerr
		}
		v.KeyForm = f
		return q.render(status, "operator/organisation", v.title(), v, nil)
	}
	// The secret is shown on this answer and never again: no redirect.
	v, err := opLoadOrganisation(q, id)
	if err != nil {
		return err
	}
	v.NewKey, v.Secret = k, secret
	return q.render(http.StatusOK, "operator/organisation", v.title(), v, nil)
}

func operatorRevokeKey(q *request) error {
	ids, err := q.ids("id", "key")
	if err != nil {
		return err
	}
	id, keyID := ids[0], ids[1]
	var name string
	if err := q.write(func(tx *store.Tx) error {
		keys, err := tx.ListKeys(q.ctx(), id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.ID == keyID {
				name = k.Name
				return tx.RevokeKey(q.ctx(), q.actor(), keyID)
			}
		}
		return passnum.NotFound("clé")
	}); err != nil {
		return err
	}
	if name == "" {
		name = "sans nom"
	}
	return q.redirect("/operateur/organisations/"+id, "La clé « "+name+" » est révoquée : elle ne donne plus accès à l'API.")
}

// opDecisionBacks are the pages the label decision form is on.
const opBackApplication = "candidature"

func operatorDecidePlace(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	status, reason := passnum.OrgStatus(f.Get("status")), f.Get("reason")
	var o passnum.Organisation
	var notice *passnum.PlaceDecisionNotice
	switch status {
	case passnum.OrgLabelled, passnum.OrgRefused, passnum.OrgSuspended, passnum.OrgWithdrawn:
		err = q.write(func(tx *store.Tx) error {
			var err error
			o, notice, err = tx.DecidePlace(q.ctx(), q.actor(), id, status, reason)
			return err
		})
	default:
		err = passnum.Invalid(passnum.FieldError{Field: "status", Detail: "choisissez une décision"})
	}
	back := "/operateur/organisations/" + id
	if f.Get("retour") == opBackApplication {
		back = "/operateur/labellisation/" + id
	}
	if err != nil {
		code, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		if f.Get("retour") == opBackApplication {
			v, lerr := opLoadApplication(q, id)
			if lerr != nil {
				return lerr
			}
			v.DecisionForm = f
			return q.render(code, "operator/application", v.title(), v, nil)
		}
		v, lerr := opLoadOrganisation(q, id)
		if lerr != nil {
			return lerr
		}
		if v.Org.Kind != passnum.RolePlace {
			return passnum.NotFound("lieu")
		}
		v.DecisionForm = f
		return q.render(code, "operator/organisation", v.title(), v, nil)
	}
	told := ""
	if notice != nil && q.s.sendNotice(q, mail.Message{To: notice.ContactEmail, Subject: notice.Subject(), Body: notice.Body(q.s.cfg.PublicURL)}) {
		told = " Le lieu en est informé par courriel."
	}
	return q.redirect(back, "Décision enregistrée : « "+o.Name+" » est maintenant "+o.Status.Label()+"."+told)
}
