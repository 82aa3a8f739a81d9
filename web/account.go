package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/pquerna/otp/totp"

	"passnum"
	"passnum/document"
	"passnum/mail"
	"passnum/store"
)

const securityPath = "/compte"

// Links sent by e-mail: an invitation lasts a week, a reset an hour.
const (
	inviteTTL = 7 * 24 * time.Hour
	resetTTL  = time.Hour
)

// accountPages: signing in and out, the second factor, one-time links.
func accountPages() []*page {
	return []*page{
		{Method: "GET", Path: "/connexion", Access: public, Handle: signInPage},
		{Method: "POST", Path: "/connexion", Access: public, Handle: signIn},
		{Method: "POST", Path: "/deconnexion", Access: public, Handle: signOut},
		{Method: "GET", Path: "/connexion/code", Access: pendingFactor, Handle: factorPage},
		{Method: "POST", Path: "/connexion/code", Access: pendingFactor, Handle: checkFactor},
		{Method: "GET", Path: "/mot-de-passe-oublie", Access: public, Handle: forgotPage},
		{Method: "POST", Path: "/mot-de-passe-oublie", Access: public, Handle: forgot},
		{Method: "GET", Path: "/lien/{purpose}/{secret}", Access: public, Handle: linkPage},
		{Method: "POST", Path: "/lien/{purpose}/{secret}", Access: public, Handle: useLink},
		{Method: "GET", Path: securityPath, Access: staffOnly, Roles: everyRole, Handle: securityPage},
		{Method: "POST", Path: securityPath + "/double-authentification", Access: staffOnly, Roles: everyRole, Handle: setupFactor},
		{Method: "POST", Path: securityPath + "/double-authentification/desactiver", Access: staffOnly, Roles: everyRole, Handle: disableFactor},
	}
}

// homeOf is where a signed-in person lands.
func homeOf(u *passnum.User) string {
	switch u.Role {
	case passnum.RoleOperator:
		return "/operateur"
	case passnum.RoleFunder:
		return "/financeur"
	case passnum.RoleDistributor:
		return "/distributeur"
	case passnum.RolePlace:
		if u.OrganisationStatus != passnum.OrgLabelled {
			return "/lieu/label"
		}
		return "/lieu"
	}
	return "/"
}

func signInPage(q *request) error {
	if q.user != nil {
		return q.redirect(homeOf(q.user), "")
	}
	f := &form{Values: q.r.URL.Query()}
	return q.render(http.StatusOK, "account/signin", "Connexion", nil, f)
}

// Failed sign-ins from one address within signinWindow: after
// slowAfter, each answer waits a little longer; after refuseAfter the
// address is refused until the window has passed. Counting by address,
// never by account, means a stranger cannot lock anyone out of their own
// account from elsewhere.
const (
	signinWindow = 15 * time.Minute
	slowAfter    = 5
	refuseAfter  = 20
)

// throttle answers for an address that has failed too often, and says
// whether to go on.
func (q *request) throttle(page string, f *form) (bool, error) {
	addr := q.s.clientAddress(q.r)
	var n int
	var last time.Time
	if err := q.view(func(tx *store.Tx) error {
		var err error
		n, last, err = tx.SigninFailures(q.ctx(), addr, q.s.cfg.Now().Add(-signinWindow))
		return err
	}); err != nil {
		return false, err
	}
	if n >= refuseAfter {
		wait := max(time.Minute, last.Add(signinWindow).Sub(q.s.cfg.Now())).Round(time.Minute)
		f.Message = "Trop d'essais infructueux depuis votre connexion : réessayez dans " + minutesFR(wait) + ". Si vous avez oublié votre mot de passe, demandez un nouveau lien."
		q.w.Header().Set("Retry-After", "900")
		return false, q.render(http.StatusTooManyRequests, page, "Connexion", nil, f)
	}
	if n >= slowAfter {
		delay := time.Duration(n-slowAfter+1) * 500 * time.Millisecond
		select {
		case <-time.After(min(delay, 5*time.Second)):
		case <-q.ctx().Done():
			return false, q.ctx().Err()
		}
	}
	return true, nil
}

func minutesFR(d time.Duration) string {
	m := int(d.Minutes())
	if m <= 1 {
		return "une minute"
	}
	return itoa(m) + " minutes"
}

func (q *request) failedSignin() error {
	addr := q.s.clientAddress(q.r)
	return q.write(func(tx *store.Tx) error { return tx.RecordSigninFailure(q.ctx(), addr) })
}

func signIn(q *request) error {
	f := newForm(q.r)
	if ok, err := q.throttle("account/signin", f); !ok {
		return err
	}
	email, password := f.Get("email"), f.Values.Get("password")
	var cred store.Credentials
	err := q.view(func(tx *store.Tx) error {
		var err error
		cred, err = tx.UserCredentials(q.ctx(), email)
		return err
	})
	var pe *passnum.Error
	if err != nil && !(errors.As(err, &pe) && pe.Code == passnum.ENOTFOUND) {
		return err
	}
	// Hash even for an unknown address, so that timing does not tell
	// which addresses have an account.
	hash := cred.PasswordHash
	if hash == "" {
		hash = decoyHash
	}
	matches := passnum.PasswordMatches(hash, password) && cred.PasswordHash != ""
	if !matches || cred.User.DisabledAt != nil {
		if err := q.failedSignin(); err != nil {
			return err
		}
		f.Values.Del("password")
		f.Message = "Adresse électronique ou mot de passe incorrect. Vérifiez-les, ou demandez un lien pour choisir un nouveau mot de passe."
		if cred.User.DisabledAt != nil && matches {
			f.Message = "Ce compte est désactivé : adressez-vous à une personne de votre organisation ou à l'opérateur du programme."
		}
		return q.render(http.StatusUnauthorized, "account/signin", "Connexion", nil, f)
	}
	pending := cred.User.TOTPEnabled
	ttl := staffSessionTTL
	if pending {
		ttl = factorSessionTTL
	}
	if err := q.startSession(store.NewWebSession{UserID: cred.User.ID, PendingTOTP: pending, TTL: ttl}); err != nil {
		return err
	}
	next := safeNext(f.Get("suite"))
	if pending {
		if next != "" {
			return q.redirect("/connexion/code?suite="+urlQuery(next), "")
		}
		return q.redirect("/connexion/code", "")
	}
	if next == "" {
		next = homeOf(&cred.User)
	}
	return q.redirect(next, "")
}

// startSession signs the visitor in after a successful check: a new
// session replaces the one they had (so that a session id known before
// signing in is worth nothing after), and their address's failures are
// forgotten.
func (q *request) startSession(n store.NewWebSession) error {
	addr := q.s.clientAddress(q.r)
	var secret string
	if err := q.write(func(tx *store.Tx) error {
		if err := tx.ClearSigninFailures(q.ctx(), addr); err != nil {
			return err
		}
		if q.sessionSecret != "" {
			if err := tx.EndWebSession(q.ctx(), q.sessionSecret); err != nil {
				return err
			}
		}
		var err error
		secret, err = tx.CreateWebSession(q.ctx(), n)
		return err
	}); err != nil {
		return err
	}
	q.setSession(secret, n.TTL)
	return nil
}

// decoyHash is checked against when an address has no account.
var decoyHash = passnum.HashPassword("pas de compte pour cette adresse")

func signOut(q *request) error {
	if q.sessionSecret != "" {
		if err := q.write(func(tx *store.Tx) error { return tx.EndWebSession(q.ctx(), q.sessionSecret) }); err != nil {
			return err
		}
	}
	q.clearSession()
	return q.redirect("/", "Vous êtes déconnecté.")
}

func factorPage(q *request) error {
	return q.render(http.StatusOK, "account/factor", "Code de vérification", nil, &form{Values: q.r.URL.Query()})
}

func checkFactor(q *request) error {
	f := newForm(q.r)
	if ok, err := q.throttle("account/factor", f); !ok {
		return err
	}
	if !totp.Validate(f.Get("code"), q.session.TOTPSecret) {
		if err := q.failedSignin(); err != nil {
			return err
		}
		f.Errors["code"] = "code incorrect ou expiré : saisissez les 6 chiffres affichés maintenant par votre application"
		f.Values.Del("code")
		return q.render(http.StatusUnauthorized, "account/factor", "Code de vérification", nil, f)
	}
	u := q.session.User
	if err := q.startSession(store.NewWebSession{UserID: u.ID, TTL: staffSessionTTL}); err != nil {
		return err
	}
	next := safeNext(f.Get("suite"))
	if next == "" {
		next = homeOf(u)
	}
	return q.redirect(next, "")
}

func forgotPage(q *request) error {
	return q.render(http.StatusOK, "account/forgot", "Mot de passe oublié", nil, nil)
}

// forgot sends a reset link when the address has an account, and answers
// the same either way.
func forgot(q *request) error {
	f := newForm(q.r)
	email, err := passnum.NormaliseEmail("email", f.Get("email"))
	if err != nil {
		f.Fail(err)
		return q.render(http.StatusUnprocessableEntity, "account/forgot", "Mot de passe oublié", nil, f)
	}
	if ok, err := q.throttle("account/forgot", f); !ok {
		return err
	}
	var cred store.Credentials
	var secret string
	err = q.write(func(tx *store.Tx) error {
		var err error
		if cred, err = tx.UserCredentials(q.ctx(), email); err != nil {
			return err
		}
		if cred.User.DisabledAt != nil {
			return passnum.NotFound("personne")
		}
		secret, err = tx.CreateAccountLink(q.ctx(), cred.User.Actor(), cred.User.ID, store.LinkReset, resetTTL)
		return err
	})
	var pe *passnum.Error
	switch {
	case err == nil:
		if err := q.s.sendLink(q, cred.User, store.LinkReset, secret); err != nil {
			return err
		}
	case errors.As(err, &pe) && pe.Code == passnum.ENOTFOUND:
		// Same answer: the page must not tell who has an account.
		if err := q.failedSignin(); err != nil {
			return err
		}
	default:
		return err
	}
	return q.redirect("/connexion", "Si cette adresse a un compte, un lien pour choisir un nouveau mot de passe vient de lui être envoyé. Il est valable une heure.")
}

// LinkURL is the address of a one-time link.
func (s *Server) LinkURL(purpose, secret string) string {
	return s.cfg.PublicURL + "/lien/" + purpose + "/" + secret
}

// sendNotice mails a message that follows a committed decision; a failure
// is logged, and the decision stands. It reports whether the message left.
func (s *Server) sendNotice(q *request, m mail.Message) bool {
	if s.cfg.Mail == nil {
		return false
	}
	if err := s.cfg.Mail.Send(q.ctx(), m); err != nil {
		s.log.Error("mail not sent", "route", q.r.Pattern, "subject", m.Subject, "err", err)
		return false
	}
	return true
}

// sendLink mails an invitation or a reset link.
func (s *Server) sendLink(q *request, u passnum.User, purpose, secret string) error {
	if s.cfg.Mail == nil {
		return passnum.Errorf(passnum.EUNAVAILABLE, "L'envoi de courriels n'est pas configuré : l'administrateur doit régler PASSNUM_SMTP ou PASSNUM_OUTBOX.")
	}
	m := mail.Message{To: u.Email}
	link := s.LinkURL(purpose, secret)
	if purpose == store.LinkInvite {
		m.Subject = "Votre accès au Pass numérique"
		m.Body = "Bonjour,\n\nUn compte a été ouvert pour vous sur le Pass numérique, au sein de « " + u.OrganisationName + " ».\n\n" +
			"Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours, une seule fois) :\n" + link + "\n\n" +
			"Si vous n'attendiez pas ce message, ignorez-le.\n"
	} else {
		m.Subject = "Nouveau mot de passe pour le Pass numérique"
		m.Body = "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :\n" + link + "\n\n" +
			"Si vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.\n"
	}
	return s.cfg.Mail.Send(q.ctx(), m)
}

func linkPurpose(q *request) (string, error) {
	p := q.r.PathValue("purpose")
	if p != store.LinkInvite && p != store.LinkReset {
		return "", passnum.NotFound("page")
	}
	return p, nil
}

func linkPage(q *request) error {
	purpose, err := linkPurpose(q)
	if err != nil {
		return err
	}
	var u passnum.User
	if err := q.view(func(tx *store.Tx) error {
		var err error
		u, err = tx.AccountLink(q.ctx(), q.r.PathValue("secret"), purpose)
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "account/link", linkTitle(purpose), u, nil)
}

func linkTitle(purpose string) string {
	if purpose == store.LinkInvite {
		return "Bienvenue : choisissez votre mot de passe"
	}
	return "Choisissez un nouveau mot de passe"
}

func useLink(q *request) error {
	purpose, err := linkPurpose(q)
	if err != nil {
		return err
	}
	f := newForm(q.r)
	secret := q.r.PathValue("secret")
	pw := f.Values.Get("password")
	var u passnum.User
	if err := q.view(func(tx *store.Tx) error {
		var err error
		u, err = tx.AccountLink(q.ctx(), secret, purpose)
		return err
	}); err != nil {
		return err
	}
	bad := passnum.CheckNewPassword(pw)
	if bad == nil && pw != f.Values.Get("confirm") {
		bad = passnum.Invalid(passnum.FieldError{Field: "confirm", Detail: "les deux mots de passe diffèrent : saisissez deux fois le même"})
	}
	if bad != nil {
		f.Fail(bad)
		f.Values.Del("password")
		f.Values.Del("confirm")
		return q.render(http.StatusUnprocessableEntity, "account/link", linkTitle(purpose), u, f)
	}
	hash := passnum.HashPassword(pw)
	if err := q.write(func(tx *store.Tx) error {
		var err error
		u, err = tx.UseAccountLink(q.ctx(), secret, purpose, hash)
		return err
	}); err != nil {
		return err
	}
	return q.redirect("/connexion?email="+urlQuery(u.Email), "Votre mot de passe est enregistré : connectez-vous.")
}

// security is the "Mon compte" page: the second factor.
type security struct {
	Required bool
	// While setting up: the secret, its QR code and its otpauth URL.
	Secret, QR string
}

func securityPage(q *request) error {
	return q.render(http.StatusOK, "account/security", "Mon compte", security{Required: q.user.Role == passnum.RoleOperator && q.s.cfg.RequireOperatorTOTP}, nil)
}

// setupFactor has two steps: the first makes a secret and shows it; the
// second checks a code from the person's application and turns it on.
func setupFactor(q *request) error {
	f := newForm(q.r)
	sec := security{Required: q.user.Role == passnum.RoleOperator && q.s.cfg.RequireOperatorTOTP}
	if secret := f.Get("secret"); secret != "" {
		if totp.Validate(f.Get("code"), secret) {
			if err := q.write(func(tx *store.Tx) error { return tx.SetTOTPSecret(q.ctx(), q.actor(), q.user.ID, secret, true) }); err != nil {
				return err
			}
			return q.redirect(securityPath, "La double authentification est activée : à chaque connexion, un code vous sera demandé.")
		}
		f.Errors["code"] = "code incorrect : saisissez les 6 chiffres affichés maintenant par votre application"
		f.Values.Del("code")
		sec.Secret = secret
	} else {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Pass numérique", AccountName: q.user.Email})
		if err != nil {
			return err
		}
		sec.Secret = key.Secret()
	}
	uri := "otpauth://totp/" + urlPath("Pass numérique:"+q.user.Email) + "?secret=" + sec.Secret + "&issuer=" + urlQuery("Pass numérique")
	png, err := document.QRPNG(uri, 240)
	if err != nil {
		return err
	}
	sec.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	return q.render(http.StatusOK, "account/security", "Mon compte", sec, f)
}

func disableFactor(q *request) error {
	if q.user.Role == passnum.RoleOperator && q.s.cfg.RequireOperatorTOTP {
		return passnum.Errorf(passnum.EFORBIDDEN, "La double authentification est obligatoire pour les comptes de l'opérateur : elle ne peut pas être désactivée.")
	}
	if err := q.write(func(tx *store.Tx) error { return tx.SetTOTPSecret(q.ctx(), q.actor(), q.user.ID, "", false) }); err != nil {
		return err
	}
	return q.redirect(securityPath, "La double authentification est désactivée.")
}
