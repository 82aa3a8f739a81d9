package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"passnum"
	"passnum/mail"
	"passnum/store"
)

// The label application: a training place leaves its e-mail address and
// gets the secret link of a draft it can fill in over several visits; once
// submitted, the place is pending and its applicant is invited to an
// account from which to follow the decision.

// applicationPages: the application for the label, and the public search
// for places (both for visitors who are not signed in).
func applicationPages() []*page {
	return append([]*page{
		{Method: "GET", Path: "/candidature", Access: public, Handle: applicationStartPage},
		{Method: "POST", Path: "/candidature", Access: public, Handle: applicationStart},
		{Method: "GET", Path: "/candidature/brouillon/{secret}", Access: public, Handle: applicationDraftPage},
		{Method: "POST", Path: "/candidature/brouillon/{secret}", Access: public, Handle: applicationDraftSubmit},
	}, publicPlacePages()...)
}

const applicationDraftPath = "/candidature/brouillon/"

// applFields are the form's fields kept in a draft: their names are the
// domain's, so that its errors land next to them.
var applFields = append([]string{
	"name", "siret", "legal_representative.name", "legal_representative.role", "contact_email", "contact_phone",
	"site.name", "site.address", "site.address_complement", "site.postcode", "site.commune", "site.latitude", "site.longitude",
	"site.opening_hours", "site.phone", "site.email", "site.website", "site.accessibility_url",
	"site.services", "site.publics", "site.specific_support",
	"charter_accepted", "bank_account.holder", "bank_account.iban", "bank_account.bic",
}, hoursFieldNames("site.")...)

// applView is what the application templates receive.
type applView struct {
	Email          string
	Link           string
	MailOff        bool
	CharterVersion string
	Services       []string
	Publics        []string
	Supports       []string
	// Once submitted.
	Organisation passnum.Organisation
	Invited      bool
}

func (q *request) applView() applView {
	return applView{CharterVersion: passnum.CharterVersion, MailOff: q.s.cfg.Mail == nil,
		Services: passnum.NationalServices, Publics: passnum.PlacePublics, Supports: passnum.PlaceSpecificSupports}
}

func applicationStartPage(q *request) error {
	return q.render(http.StatusOK, "application/start", "Devenir lieu labellisé", q.applView(), nil)
}

func applicationStart(q *request) error {
	f := newForm(q.r)
	email, err := passnum.NormaliseEmail("email", f.Get("email"))
	if err != nil {
		f.Fail(err)
		return q.render(http.StatusUnprocessableEntity, "application/start", "Devenir lieu labellisé", q.applView(), f)
	}
	data, _ := json.Marshal(map[string][]string{"contact_email": {email}})
	// Each start sends a message to the address typed: it is counted
	// against the visitor's address, in the draft's transaction, so that
	// nobody can use the form to flood someone's mailbox.
	addr := q.s.clientAddress(q.r)
	var secret string
	if err := q.write(func(tx *store.Tx) error {
		if _, err := tx.CountAttempt(q.ctx(), passnum.DraftAddressLimit, addr); err != nil {
			return err
		}
		var err error
		secret, err = tx.CreateApplicationDraft(q.ctx(), email, string(data))
		return err
	}); err != nil {
		return q.refused(err, "application/start", "Devenir lieu labellisé", q.applView(), f)
	}
	path := applicationDraftPath + secret
	if q.s.cfg.Mail == nil {
		return q.redirect(path, "Votre brouillon de candidature est créé. L'envoi de courriels n'est pas configuré : gardez l'adresse de cette page (dans vos favoris) pour reprendre plus tard.")
	}
	m := mail.Message{To: email, Subject: "Votre candidature au label Pass numérique",
		Body: "Bonjour,\n\nVous avez commencé la candidature de votre structure au label du Pass numérique.\n\n" +
			"Pour la compléter et la déposer, maintenant ou plus tard, ouvrez ce lien :\n" + q.s.cfg.PublicURL + path + "\n\n" +
			"Gardez ce message : ce lien est personnel (qui le connaît peut modifier le brouillon) et reste valable jusqu'au dépôt de la candidature.\n\n" +
			"Si vous n'avez rien demandé, ignorez ce message.\n"}
	if err := q.s.cfg.Mail.Send(q.ctx(), m); err != nil {
		q.s.log.ErrorContext(q.ctx(), "application draft mail failed", "err", err)
		return q.redirect(path, "Votre brouillon est créé, mais le courriel n'a pas pu être envoyé : gardez l'adresse de cette page (dans vos favoris) pour reprendre plus tard.")
	}
	return q.redirect(path, "Votre brouillon est créé. Un lien pour le reprendre plus tard vient d'être envoyé à "+email+".")
}

// applDraft reads the draft of the link, or answers "not found".
func (q *request) applDraft() (string, store.ApplicationDraft, error) {
	secret := q.r.PathValue("secret")
	var d store.ApplicationDraft
	if len(secret) < 20 || len(secret) > 100 {
		return secret, d, passnum.Errorf(passnum.ENOTFOUND, "Ce brouillon de candidature est introuvable : vérifiez le lien reçu par courriel, ou commencez une nouvelle candidature.")
	}
	err := q.view(func(tx *store.Tx) error {
		var err error
		d, err = tx.ApplicationDraft(q.ctx(), secret)
		return err
	})
	return secret, d, err
}

func applicationDraftPage(q *request) error {
	// The address is a secret: it must not leak to other sites.
	q.w.Header().Set("Referrer-Policy", "no-referrer")
	secret, d, err := q.applDraft()
	if err != nil {
		return err
	}
	v := q.applView()
	v.Email, v.Link = d.Email, q.s.cfg.PublicURL+applicationDraftPath+secret
	if d.OrganisationID != "" {
		return q.applStatus(v, d)
	}
	f := &form{Values: applDecode(d.Data), Errors: map[string]string{}}
	return q.render(http.StatusOK, "application/draft", "Candidature au label", v, f)
}

// applStatus shows where a submitted application stands.
func (q *request) applStatus(v applView, d store.ApplicationDraft) error {
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Organisation, err = tx.Organisation(q.ctx(), d.OrganisationID); err != nil {
			return err
		}
		_, err = tx.UserCredentials(q.ctx(), d.Email)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return nil
		}
		v.Invited = err == nil
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "application/status", "Votre candidature", v, nil)
}

func applDecode(data string) url.Values {
	var m map[string][]string
	if err := json.Unmarshal([]byte(data), &m); err != nil || m == nil {
		return url.Values{}
	}
	return url.Values(m)
}

func applicationDraftSubmit(q *request) error {
	q.w.Header().Set("Referrer-Policy", "no-referrer")
	secret, d, err := q.applDraft()
	if err != nil {
		return err
	}
	path := applicationDraftPath + secret
	if d.OrganisationID != "" {
		return q.redirect(path, "Cette candidature a déjà été déposée : elle ne peut plus être modifiée.")
	}
	f := newForm(q.r)
	kept := url.Values{}
	for _, name := range applFields {
		if vs, ok := f.Values[name]; ok {
			kept[name] = vs
		}
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	v := q.applView()
	v.Email, v.Link = d.Email, q.s.cfg.PublicURL+path
	saveDraft := func() error {
		return q.write(func(tx *store.Tx) error { return tx.SaveApplicationDraft(q.ctx(), secret, string(data), "") })
	}
	if f.Values.Get("action") != "deposer" {
		if err := saveDraft(); err != nil {
			return err
		}
		if q.s.cfg.Mail == nil {
			return q.redirect(path, "Brouillon enregistré. Pour le reprendre plus tard, gardez l'adresse de cette page.")
		}
		return q.redirect(path, "Brouillon enregistré. Vous pouvez le reprendre plus tard avec le lien reçu par courriel.")
	}

	a, pre := applBuild(f)
	verr := a.Validate()
	if verr != nil || len(pre) > 0 {
		for _, fe := range pre {
			f.Errors[fe.Field] = fe.Detail
		}
		if verr != nil && !f.Fail(verr, applRenames...) {
			return verr
		}
		// What was typed is kept in the draft: a refused submission loses
		// nothing, even if the page is closed now.
		if err := saveDraft(); err != nil {
			return err
		}
		f.Message = "La candidature n'est pas déposée : corrigez " + passnum.Plural(len(f.Errors), "le champ signalé", "les "+passnum.FormatCount(len(f.Errors))+" champs signalés") +
			", puis déposez-la à nouveau. Ce que vous avez saisi est enregistré dans le brouillon : vous pouvez aussi y revenir plus tard."
		return q.render(http.StatusUnprocessableEntity, "application/draft", "Candidature au label", v, f)
	}

	done, err := q.applDeposit(secret, d, a, data)
	if err != nil {
		return q.applRefused(err, done.siretTaken, saveDraft, v, f)
	}
	org, invitee, inviteSecret := done.org, done.invitee, done.inviteSecret
	flash := "Votre candidature est déposée : l'opérateur du programme va l'étudier."
	if inviteSecret != "" {
		if err := q.s.sendLink(q, invitee, store.LinkInvite, inviteSecret); err != nil {
			q.s.log.ErrorContext(q.ctx(), "applicant invitation failed", "err", err, "organisation", org.ID)
			flash += " Le courriel d'invitation n'a pas pu être envoyé : demandez un lien depuis « Mot de passe oublié » sur la page de connexion."
		} else {
			flash += " Un courriel vous invite à choisir un mot de passe pour suivre son avancement."
		}
	}
	return q.redirect(path, flash)
}

// applDeposited is what depositing an application made.
type applDeposited struct {
	org          passnum.Organisation
	invitee      passnum.User
	inviteSecret string
	siretTaken   bool // refused: a place with this SIRET exists
}

// applDeposit records the application, in one write with its draft, the
// attempt counted against the address and, for an address without an
// account, the applicant's account in the new place.
func (q *request) applDeposit(secret string, d store.ApplicationDraft, a passnum.NewPlaceApplication, data []byte) (applDeposited, error) {
	var out applDeposited
	addr := q.s.clientAddress(q.r)
	err := q.write(func(tx *store.Tx) error {
		// Submitted meanwhile, from another window?
		if d, err := tx.ApplicationDraft(q.ctx(), secret); err != nil || d.OrganisationID != "" {
			if err == nil {
				err = passnum.Errorf(passnum.ECONFLICT, "Cette candidature a déjà été déposée : elle ne peut plus être modifiée.")
			}
			return err
		}
		// Applications from one address are counted in the transaction
		// that records them, with the API's: a refused one counts nothing.
		if _, err := tx.CountAttempt(q.ctx(), passnum.ApplicationAddressLimit, addr); err != nil {
			return err
		}
		rc, err := tx.ApplyForLabel(q.ctx(), a)
		if err != nil {
			out.siretTaken = passnum.ErrorCode(err) == passnum.ECONFLICT
			return err
		}
		out.org = rc.Organisation
		if err := tx.SaveApplicationDraft(q.ctx(), secret, string(data), out.org.ID); err != nil {
			return err
		}
		// The person who applied gets an account in the new place, to
		// follow the decision; an address that has an account already
		// keeps it.
		_, err = tx.UserCredentials(q.ctx(), d.Email)
		if passnum.ErrorCode(err) != passnum.ENOTFOUND {
			return err
		}
		actor := passnum.Actor{OrganisationID: out.org.ID, Role: passnum.RolePlace, Kind: "applicant", ID: out.org.ID}
		if out.invitee, err = tx.CreateUser(q.ctx(), actor, passnum.NewUser{OrganisationID: out.org.ID, Email: d.Email, Name: a.LegalRep.Name}); err != nil {
			return err
		}
		if q.s.cfg.Mail == nil {
			return nil
		}
		out.inviteSecret, err = tx.CreateAccountLink(q.ctx(), actor, out.invitee.ID, store.LinkInvite, inviteTTL)
		return err
	})
	return out, err
}

// applRefused answers a deposit refused: the draft keeps what was typed
// (unless it was deposited meanwhile), and the form says why.
func (q *request) applRefused(err error, siretTaken bool, saveDraft func() error, v applView, f *form) error {
	if code := passnum.ErrorCode(err); code == passnum.ETOOMANYATTEMPTS || code == passnum.EBUSY {
		return q.refused(err, "application/draft", "Candidature au label", v, f)
	}
	if !f.Fail(err, applRenames...) {
		return err
	}
	if passnum.ErrorCode(err) != passnum.ECONFLICT || siretTaken {
		// Refused (a SIRET already known…): the draft keeps what was
		// typed. A draft submitted meanwhile is left as it was.
		if serr := saveDraft(); serr != nil {
			return serr
		}
	}
	if siretTaken {
		f.Errors["siret"] = "un compte lieu existe déjà pour ce SIRET"
	}
	status := http.StatusUnprocessableEntity
	if passnum.ErrorCode(err) == passnum.ECONFLICT {
		status = http.StatusConflict
	}
	return q.render(status, "application/draft", "Candidature au label", v, f)
}

// applRenames maps the domain's field names to the form's.
var applRenames = []string{"site.commune_insee", "site.commune", "charter_version", "charter_accepted"}

// applBuild reads the form into an application; pre are the failures
// found while reading it (a commune that cannot be found, coordinates that
// are not numbers).
func applBuild(f *form) (passnum.NewPlaceApplication, passnum.FieldErrors) {
	site, pre := siteFromForm(f, "site.")
	a := passnum.NewPlaceApplication{
		Name: f.Get("name"), SIRET: f.Get("siret"),
		LegalRep:     passnum.LegalRepresentative{Name: f.Get("legal_representative.name"), Role: f.Get("legal_representative.role")},
		ContactEmail: f.Get("contact_email"), ContactPhone: f.Get("contact_phone"),
		Site:            site,
		CharterAccepted: f.Get("charter_accepted") != "", CharterVersion: passnum.CharterVersion,
		Bank: passnum.NewBankAccount{Holder: f.Get("bank_account.holder"), IBAN: f.Get("bank_account.iban"), BIC: f.Get("bank_account.bic")},
	}
	return a, pre
}
