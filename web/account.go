package web

import (
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
		{Method: "POST", Path: securityPath + "/codes-de-secours", Access: staffOnly, Roles: everyRole, Handle: renewRecoveryCodes},
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

// A sign-in attempt is counted before it is evaluated (a password hashed,
// a code or a birth date compared), in the database, against the client's
// address and against its target: the account, the second factor, the
// pass holder. The limits are the domain's (limit.go). A success gives the
// address its attempt back and clears the target's count; an attempt the
// server could not evaluate (too busy) gives both back.

// target is what a sign-in attempt tries: a staff account (by e-mail), an
// account's second factor (by id), a pass holder. Its key is hashed in
// the database.
type target struct {
	limit passnum.Limit
	key   string
}

// countAttempt counts an attempt from the client's address on its
// targets, in one transaction, before it is evaluated; it returns the
// refusal when a limit is reached (and then counts nothing).
func (q *request) countAttempt(ts ...target) error {
	addr := q.s.clientAddress(q.r)
	return q.write(func(tx *store.Tx) error {
		if _, err := tx.CountAttempt(q.ctx(), passnum.SigninAddressLimit, addr); err != nil {
			return err
		}
		for _, t := range ts {
			if _, err := tx.CountAttempt(q.ctx(), t.limit, t.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// notEvaluated gives an attempt back when the server could not evaluate
// it (busy): it must not count against the person.
func (q *request) notEvaluated(ts ...target) error {
	addr := q.s.clientAddress(q.r)
	return q.write(func(tx *store.Tx) error {
		if err := tx.GiveBackAttempt(q.ctx(), passnum.SigninAddressLimit, addr); err != nil {
			return err
		}
		for _, t := range ts {
			if err := tx.GiveBackAttempt(q.ctx(), t.limit, t.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// succeeded, in the transaction of what a successful attempt opens, gives
// the address its attempt back and clears the targets' counts.
func (q *request) succeeded(tx *store.Tx, ts ...target) error {
	if err := tx.GiveBackAttempt(q.ctx(), passnum.SigninAddressLimit, q.s.clientAddress(q.r)); err != nil {
		return err
	}
	for _, t := range ts {
		if err := tx.ForgetAttempts(q.ctx(), t.limit, t.key); err != nil {
			return err
		}
	}
	return nil
}

// refused answers an attempt refused by a limit (429) or by a busy server
// (503), on the page it was made from, with Retry-After. Other errors are
// returned as they are.
func (q *request) refused(err error, page, title string, data any, f *form) error {
	var pe *passnum.Error
	if !errors.As(err, &pe) || (pe.Code != passnum.ETOOMANYATTEMPTS && pe.Code != passnum.EBUSY) {
		return err
	}
	status, _ := errorStatus(pe)
	setRetryAfter(q.w, pe)
	q.s.logRefusal(q.r, pe)
	f.Values.Del("password")
	f.Values.Del("code")
	f.Message = pe.Message
	return q.render(status, page, title, data, f)
}

func signIn(q *request) error {
	f := newForm(q.r)
	email, password := f.Get("email"), f.Values.Get("password")
	t := target{passnum.StaffAccountLimit, strings.ToLower(email)}
	if err := q.countAttempt(t); err != nil {
		return q.refused(err, "account/signin", "Connexion", nil, f)
	}
	var cred store.Credentials
	err := q.view(func(tx *store.Tx) error {
		var err error
		cred, err = tx.UserCredentials(q.ctx(), email)
		return err
	})
	if err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
		return err
	}
	// An address without an account is checked against a decoy, so that
	// timing does not tell which addresses have one.
	check, err := q.s.hasher.Check(q.ctx(), cred.PasswordHash, password)
	if err != nil {
		if gerr := q.notEvaluated(t); gerr != nil {
			return gerr
		}
		return q.refused(err, "account/signin", "Connexion", nil, f)
	}
	if !check.Match || cred.User.DisabledAt != nil {
		f.Values.Del("password")
		f.Message = "Adresse électronique ou mot de passe incorrect. Vérifiez-les, ou demandez un lien pour choisir un nouveau mot de passe."
		if cred.User.DisabledAt != nil && check.Match {
			f.Message = "Ce compte est désactivé : adressez-vous à une personne de votre organisation ou à l'opérateur du programme."
		}
		return q.render(http.StatusUnauthorized, "account/signin", "Connexion", nil, f)
	}
	if check.Outdated {
		q.upgradeHash(cred, password)
	}
	pending := cred.User.TOTPEnabled
	ttl := staffSessionTTL
	if pending {
		ttl = factorSessionTTL
	}
	if err := q.startSession(store.NewWebSession{UserID: cred.User.ID, PendingTOTP: pending, TTL: ttl}, t, nil); err != nil {
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

// upgradeHash replaces a password hash made with older parameters, after a
// successful sign-in. It is best effort: a busy server keeps the old hash
// for another time.
func (q *request) upgradeHash(cred store.Credentials, password string) {
	h, err := q.s.hasher.Hash(q.ctx(), password)
	if err == nil {
		err = q.write(func(tx *store.Tx) error { return tx.UpgradePasswordHash(q.ctx(), cred.User.ID, cred.PasswordHash, h) })
	}
	if err != nil {
		q.s.log.Warn("password hash upgrade postponed", "user", cred.User.ID, "err", err)
	}
}

// startSession signs the visitor in after a successful check: a new
// session replaces the one they had (so that a session id known before
// signing in is worth nothing after), the attempt is given back to the
// address and the target's count cleared. also, when set, runs in the same
// transaction first (spending a second-factor code): if it fails, nothing
// is done.
func (q *request) startSession(n store.NewWebSession, t target, also func(tx *store.Tx) error) error {
	var secret string
	if err := q.write(func(tx *store.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		if err := q.succeeded(tx, t); err != nil {
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

// secondFactor checks a code typed for a person's second factor: the
// 6 digits of their application (a code already used is refused) or one
// of their recovery codes (each serves once). It returns what spends the
// code, to run in the transaction of what the code opens; a wrong code is
// an "unauthenticated" error.
// When the code is a recovery code, left is set to how many remain once
// it is spent; otherwise it is left as it is.
func (q *request) secondFactor(u *passnum.User, secret, code string, left *int) (spend func(tx *store.Tx) error, err error) {
	if passnum.NormaliseRecoveryCode(code) != "" {
		return func(tx *store.Tx) error {
			n, err := tx.UseRecoveryCode(q.ctx(), u.ID, code)
			*left = n
			return err
		}, nil
	}
	step, ok := passnum.TOTPStep(secret, code, q.s.store.Now())
	if !ok {
		return nil, passnum.Errorf(passnum.EUNAUTHENTICATED, "code incorrect ou expiré : saisissez les 6 chiffres affichés maintenant par votre application, ou l'un de vos codes de secours")
	}
	return func(tx *store.Tx) error { return tx.UseTOTPStep(q.ctx(), u.ID, step) }, nil
}

func checkFactor(q *request) error {
	f := newForm(q.r)
	u := q.session.User
	t := target{passnum.SecondFactorLimit, u.ID}
	if err := q.countAttempt(t); err != nil {
		return q.refused(err, "account/factor", "Code de vérification", nil, f)
	}
	wrong := func(err error) error {
		f.Errors["code"] = passnum.ErrorMessage(err)
		f.Values.Del("code")
		return q.render(http.StatusUnauthorized, "account/factor", "Code de vérification", nil, f)
	}
	left := -1
	spend, err := q.secondFactor(u, q.session.TOTPSecret, f.Get("code"), &left)
	if err != nil {
		return wrong(err)
	}
	if err := q.startSession(store.NewWebSession{UserID: u.ID, TTL: staffSessionTTL}, t, spend); err != nil {
		if passnum.ErrorCode(err) == passnum.EUNAUTHENTICATED {
			return wrong(err)
		}
		return err
	}
	next := safeNext(f.Get("suite"))
	if next == "" {
		next = homeOf(u)
	}
	flash := ""
	if left >= 0 {
		flash = fmt.Sprintf("Code de secours accepté : il vous en reste %d. Chaque code ne sert qu'une fois ; depuis « Mon compte », vous pouvez en obtenir de nouveaux.", left)
	}
	return q.redirect(next, flash)
}

func forgotPage(q *request) error {
	return q.render(http.StatusOK, "account/forgot", "Mot de passe oublié", nil, nil)
}

// forgot sends a reset link when the address has an account, and answers
// the same either way. Each request counts against the client's address
// like a failed sign-in, and an address gets a few links an hour at most,
// whoever asks for them: beyond, nothing is sent, and the answer is the
// same.
func forgot(q *request) error {
	f := newForm(q.r)
	email, err := passnum.NormaliseEmail("email", f.Get("email"))
	if err != nil {
		f.Fail(err)
		return q.render(http.StatusUnprocessableEntity, "account/forgot", "Mot de passe oublié", nil, f)
	}
	addr := q.s.clientAddress(q.r)
	var cred store.Credentials
	var secret string
	err = q.write(func(tx *store.Tx) error {
		if _, err := tx.CountAttempt(q.ctx(), passnum.SigninAddressLimit, addr); err != nil {
			return err
		}
		if _, err := tx.CountAttempt(q.ctx(), passnum.ResetAccountLimit, email); err != nil {
			if passnum.ErrorCode(err) == passnum.ETOOMANYATTEMPTS {
				return nil // the address's count stays; no link
			}
			return err
		}
		var err error
		cred, err = tx.UserCredentials(q.ctx(), email)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND || (err == nil && cred.User.DisabledAt != nil) {
			return nil // same answer: the page must not tell who has an account
		}
		if err != nil {
			return err
		}
		secret, err = tx.CreateAccountLink(q.ctx(), cred.User.Actor(), cred.User.ID, store.LinkReset, resetTTL)
		return err
	})
	if err != nil {
		return q.refused(err, "account/forgot", "Mot de passe oublié", nil, f)
	}
	if secret != "" {
		if err := q.s.sendLink(q, cred.User, store.LinkReset, secret); err != nil {
			return err
		}
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
	hash, err := q.s.hasher.Hash(q.ctx(), pw)
	if err != nil {
		return err
	}
	if err := q.write(func(tx *store.Tx) error {
		var err error
		u, err = tx.UseAccountLink(q.ctx(), secret, purpose, hash)
		return err
	}); err != nil {
		return err
	}
	return q.redirect("/connexion?email="+urlQuery(u.Email), "Votre mot de passe est enregistré : connectez-vous.")
}

// security is the "Mon compte" page: the second factor and its recovery
// codes.
type security struct {
	Required bool
	Enabled  bool
	// CodesLeft is how many recovery codes are still unused.
	CodesLeft int
	// While setting up: the new secret and its QR code.
	Secret, QR string
	// RecoveryCodes are shown once, right after they are drawn.
	RecoveryCodes []string
}

func (q *request) security() (security, error) {
	sec := security{Required: q.user.Role == passnum.RoleOperator && q.s.cfg.RequireOperatorTOTP, Enabled: q.user.TOTPEnabled}
	if !sec.Enabled {
		return sec, nil
	}
	err := q.view(func(tx *store.Tx) error {
		var err error
		sec.CodesLeft, err = tx.RecoveryCodesLeft(q.ctx(), q.user.ID)
		return err
	})
	return sec, err
}

func securityPage(q *request) error {
	sec, err := q.security()
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "account/security", "Mon compte", sec, nil)
}

// errIdentity is a failed confirmation of identity: the form says what.
var errIdentity = errors.New("identity not confirmed")

// confirmIdentity asks again who the person is before their second factor
// is turned on, replaced or off, or their recovery codes drawn again: their
// password and, when a second factor is on, a current code or a recovery
// code. Both count as sign-in attempts, before they are checked. It
// returns what spends the code and clears the counts, to run in the
// transaction of the change; errIdentity when the form now says what is
// wrong; or a refusal (too many attempts, busy).
func (q *request) confirmIdentity(f *form) (func(tx *store.Tx) error, error) {
	u := q.user
	ts := []target{{passnum.StaffAccountLimit, u.Email}}
	if u.TOTPEnabled {
		ts = append(ts, target{passnum.SecondFactorLimit, u.ID})
	}
	if err := q.countAttempt(ts...); err != nil {
		return nil, err
	}
	var cred store.Credentials
	if err := q.view(func(tx *store.Tx) error {
		var err error
		cred, err = tx.UserCredentials(q.ctx(), u.Email)
		return err
	}); err != nil {
		return nil, err
	}
	check, err := q.s.hasher.Check(q.ctx(), cred.PasswordHash, f.Values.Get("current_password"))
	if err != nil {
		if gerr := q.notEvaluated(ts...); gerr != nil {
			return nil, gerr
		}
		return nil, err
	}
	f.Values.Del("current_password")
	if !check.Match {
		f.Errors["current_password"] = "mot de passe incorrect : saisissez celui avec lequel vous vous connectez"
	}
	spend := func(*store.Tx) error { return nil }
	if u.TOTPEnabled {
		code := f.Get("current_code")
		f.Values.Del("current_code")
		left := 0
		if spend, err = q.secondFactor(u, cred.TOTPSecret, code, &left); err != nil {
			f.Errors["current_code"] = passnum.ErrorMessage(err)
		}
	}
	if len(f.Errors) > 0 {
		f.Message = "Pour modifier la double authentification, confirmez votre identité : mot de passe et code actuel."
		return nil, errIdentity
	}
	return func(tx *store.Tx) error {
		if err := spend(tx); err != nil {
			return err
		}
		return q.succeeded(tx, ts...)
	}, nil
}

// identityRefused answers a failed confirmation of identity on the account
// page.
func (q *request) identityRefused(err error, sec security, f *form) error {
	switch {
	case errors.Is(err, errIdentity):
		return q.render(http.StatusUnauthorized, "account/security", "Mon compte", sec, f)
	case passnum.ErrorCode(err) == passnum.EUNAUTHENTICATED:
		// The code was spent meanwhile (a replay): said next to it.
		f.Errors["current_code"] = passnum.ErrorMessage(err)
		f.Message = "Pour modifier la double authentification, confirmez votre identité : mot de passe et code actuel."
		return q.render(http.StatusUnauthorized, "account/security", "Mon compte", sec, f)
	}
	return q.refused(err, "account/security", "Mon compte", sec, f)
}

// setupFactor has two steps: the first draws a secret and shows it; the
// second checks the person's password, their current code when a second
// factor is already on (replacing it: a new phone), and a code from the
// new application, then turns it on and shows new recovery codes, once.
func setupFactor(q *request) error {
	f := newForm(q.r)
	sec, err := q.security()
	if err != nil {
		return err
	}
	secret := f.Get("secret")
	if secret == "" {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Pass numérique", AccountName: q.user.Email})
		if err != nil {
			return err
		}
		return q.renderSetup(sec, key.Secret(), http.StatusOK, f)
	}
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil || len(secret) < 16 || len(secret) > 64 {
		return passnum.Errorf(passnum.EINVALID, "La clé de configuration a été altérée : recommencez la configuration.")
	}
	spend, err := q.confirmIdentity(f)
	if err != nil {
		if errors.Is(err, errIdentity) {
			return q.renderSetup(sec, secret, http.StatusUnauthorized, f)
		}
		return q.identityRefused(err, sec, f)
	}
	step, ok := passnum.TOTPStep(secret, f.Get("code"), q.s.store.Now())
	if !ok {
		f.Errors["code"] = "code incorrect : saisissez les 6 chiffres affichés maintenant par votre application"
		f.Values.Del("code")
		return q.renderSetup(sec, secret, http.StatusUnprocessableEntity, f)
	}
	codes := passnum.NewRecoveryCodes()
	if err := q.write(func(tx *store.Tx) error {
		if err := spend(tx); err != nil {
			return err
		}
		if err := tx.SetTOTPSecret(q.ctx(), q.actor(), q.user.ID, secret, true); err != nil {
			return err
		}
		// The code just typed is spent: it cannot serve to sign in.
		if err := tx.UseTOTPStep(q.ctx(), q.user.ID, step); err != nil {
			return err
		}
		return tx.ReplaceRecoveryCodes(q.ctx(), q.actor(), q.user.ID, codes)
	}); err != nil {
		return q.identityRefused(err, sec, f)
	}
	sec.Enabled, sec.RecoveryCodes, sec.CodesLeft = true, codes, len(codes)
	q.flash = "La double authentification est activée : à chaque connexion, un code vous sera demandé."
	return q.render(http.StatusOK, "account/security", "Mon compte", sec, nil)
}

// renderSetup shows the second step of setting up: the secret, its QR
// code, and the form.
func (q *request) renderSetup(sec security, secret string, status int, f *form) error {
	sec.Secret = secret
	uri := "otpauth://totp/" + urlPath("Pass numérique:"+q.user.Email) + "?secret=" + secret + "&issuer=" + urlQuery("Pass numérique")
	png, err := document.QRPNG(uri, 240)
	if err != nil {
		return err
	}
	sec.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	return q.render(status, "account/security", "Mon compte", sec, f)
}

func disableFactor(q *request) error {
	if q.user.Role == passnum.RoleOperator && q.s.cfg.RequireOperatorTOTP {
		return passnum.Errorf(passnum.EFORBIDDEN, "La double authentification est obligatoire pour les comptes de l'opérateur : elle ne peut pas être désactivée.")
	}
	if !q.user.TOTPEnabled {
		return q.redirect(securityPath, "La double authentification n'est pas activée.")
	}
	f := newForm(q.r)
	sec, err := q.security()
	if err != nil {
		return err
	}
	spend, err := q.confirmIdentity(f)
	if err != nil {
		return q.identityRefused(err, sec, f)
	}
	if err := q.write(func(tx *store.Tx) error {
		if err := spend(tx); err != nil {
			return err
		}
		return tx.SetTOTPSecret(q.ctx(), q.actor(), q.user.ID, "", false)
	}); err != nil {
		return q.identityRefused(err, sec, f)
	}
	return q.redirect(securityPath, "La double authentification est désactivée ; vos codes de secours ne servent plus.")
}

// renewRecoveryCodes draws new recovery codes (the old ones stop working)
// and shows them once.
func renewRecoveryCodes(q *request) error {
	if !q.user.TOTPEnabled {
		return q.redirect(securityPath, "Les codes de secours accompagnent la double authentification : activez-la d'abord.")
	}
	f := newForm(q.r)
	sec, err := q.security()
	if err != nil {
		return err
	}
	spend, err := q.confirmIdentity(f)
	if err != nil {
		return q.identityRefused(err, sec, f)
	}
	codes := passnum.NewRecoveryCodes()
	if err := q.write(func(tx *store.Tx) error {
		if err := spend(tx); err != nil {
			return err
		}
		return tx.ReplaceRecoveryCodes(q.ctx(), q.actor(), q.user.ID, codes)
	}); err != nil {
		return q.identityRefused(err, sec, f)
	}
	sec.RecoveryCodes, sec.CodesLeft = codes, len(codes)
	q.flash = "Nouveaux codes de secours : les anciens ne servent plus."
	return q.render(http.StatusOK, "account/security", "Mon compte", sec, nil)
}
