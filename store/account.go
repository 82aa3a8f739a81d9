package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"passnum"
)

// Account links and sessions are reached by secrets of 32 random bytes;
// only their SHA-256 is stored, so a copy of the database opens nothing.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

const userColumns = `u.id, u.organisation_id, o.name, o.kind, o.status, u.email, u.name, u.password_hash, u.totp_secret, u.totp_enabled_at, u.disabled_at, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (passnum.User, string, string, error) {
	var u passnum.User
	var role, hash, totp string
	var totpAt, disabled sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.OrganisationID, &u.OrganisationName, &role, &u.OrganisationStatus, &u.Email, &u.Name, &hash, &totp, &totpAt, &disabled, &created); err != nil {
		return u, "", "", err
	}
	u.Role = passnum.Role(role)
	u.HasPassword = hash != ""
	u.TOTPEnabled = totpAt.Valid
	u.DisabledAt = nullMicros(disabled)
	u.CreatedAt = fromMicros(created)
	return u, hash, totp, nil
}

// CreateUser adds a person to an organisation, with no password yet: an
// invitation link lets them choose one.
func (tx *Tx) CreateUser(ctx context.Context, actor passnum.Actor, n passnum.NewUser) (passnum.User, error) {
	email, err := passnum.NormaliseEmail("email", n.Email)
	if err != nil {
		return passnum.User{}, err
	}
	name := strings.TrimSpace(n.Name)
	if len(name) > 200 {
		return passnum.User{}, passnum.Invalid(passnum.FieldError{Field: "name", Detail: "200 caractères au plus"})
	}
	if msg := passnum.TextProblem(name, false); msg != "" {
		return passnum.User{}, passnum.Invalid(passnum.FieldError{Field: "name", Detail: msg})
	}
	if _, err := tx.Organisation(ctx, n.OrganisationID); err != nil {
		return passnum.User{}, err
	}
	id := passnum.NewID(tx.now)
	if _, err := tx.exec(ctx, `INSERT INTO users (id, organisation_id, email, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, n.OrganisationID, email, name, micros(tx.now), micros(tx.now)); err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return passnum.User{}, passnum.Errorf(passnum.ECONFLICT, "L'adresse %s a déjà un compte : renvoyez-lui une invitation ou un lien de nouveau mot de passe.", email)
		}
		return passnum.User{}, err
	}
	if err := tx.audit(ctx, actor, "user.create", "user", id, "", map[string]any{"organisation_id": n.OrganisationID}); err != nil {
		return passnum.User{}, err
	}
	return tx.User(ctx, id, "")
}

// User reads a person; orgID, when not empty, restricts to that
// organisation (another organisation's person is not found).
func (tx *Tx) User(ctx context.Context, id, orgID string) (passnum.User, error) {
	u, _, _, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE u.id = ? AND (? = '' OR u.organisation_id = ?)`, id, orgID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("personne")
	}
	return u, err
}

// Credentials are what sign-in checks, outside any transaction: hashing a
// password is slow on purpose and must not hold the writer.
type Credentials struct {
	User         passnum.User
	PasswordHash string
	TOTPSecret   string
}

// UserCredentials finds a person by e-mail. Unknown addresses answer
// ErrNoRows-like not found; the caller must answer as for a bad password.
func (tx *Tx) UserCredentials(ctx context.Context, email string) (Credentials, error) {
	var c Credentials
	var err error
	c.User, c.PasswordHash, c.TOTPSecret, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE u.email = ?`, strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("personne")
	}
	return c, err
}

// ListUsers lists an organisation's people ("" lists everyone's).
func (tx *Tx) ListUsers(ctx context.Context, orgID string) ([]passnum.User, error) {
	rows, err := tx.query(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE (? = '' OR u.organisation_id = ?) ORDER BY o.name, u.email`, orgID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passnum.User
	for rows.Next() {
		u, _, _, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserDisabled disables a person's account (their sessions end at once)
// or enables it again. orgID restricts to one organisation when not empty.
func (tx *Tx) SetUserDisabled(ctx context.Context, actor passnum.Actor, id, orgID string, disabled bool) (passnum.User, error) {
	if _, err := tx.User(ctx, id, orgID); err != nil {
		return passnum.User{}, err
	}
	if actor.Kind == "user" && actor.ID == id && disabled {
		return passnum.User{}, passnum.Errorf(passnum.EINVALID, "Vous ne pouvez pas désactiver votre propre compte : demandez-le à une autre personne de votre organisation.")
	}
	var at any
	action := "user.enable"
	if disabled {
		at, action = micros(tx.now), "user.disable"
		if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, id); err != nil {
			return passnum.User{}, err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?`, at, micros(tx.now), id); err != nil {
		return passnum.User{}, err
	}
	if err := tx.audit(ctx, actor, action, "user", id, "", nil); err != nil {
		return passnum.User{}, err
	}
	return tx.User(ctx, id, "")
}

// SetTOTPSecret records a second-factor secret being set up (not yet
// enabled) or, with enable, turns the second factor on once the person has
// shown a valid code. An empty secret turns it off.
func (tx *Tx) SetTOTPSecret(ctx context.Context, actor passnum.Actor, userID, secret string, enable bool) error {
	var at any
	action := "user.totp_setup"
	switch {
	case secret == "":
		action = "user.totp_disable"
	case enable:
		at, action = micros(tx.now), "user.totp_enable"
	}
	// A new secret starts a new series of codes: the last step used is
	// the old secret's.
	res, err := tx.exec(ctx, `UPDATE users SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = 0, updated_at = ? WHERE id = ?`, secret, at, micros(tx.now), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("personne")
	}
	if secret == "" {
		// Without a second factor, recovery codes mean nothing.
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
	}
	return tx.audit(ctx, actor, action, "user", userID, "", nil)
}

func codeAlreadyUsed() error {
	return passnum.Errorf(passnum.EUNAUTHENTICATED, "Ce code a déjà servi : attendez que votre application en affiche un nouveau (toutes les 30 secondes), puis saisissez-le.")
}

// UseTOTPStep spends the time step of a second-factor code a person just
// typed: one conditional UPDATE that succeeds only for a step later than
// the last one used, so a code is accepted once (RFC 6238 §5.2), even when
// two servers receive it at the same moment.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	res, err := tx.exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return codeAlreadyUsed()
	}
	return nil
}

// ReplaceRecoveryCodes gives a person new one-time recovery codes (their
// hashes are stored, never the codes); the earlier ones stop working.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, actor passnum.Actor, userID string, codes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`,
			userID, passnum.HashRecoveryCode(userID, c), micros(tx.now)); err != nil {
			return err
		}
	}
	return tx.audit(ctx, actor, "user.recovery_codes", "user", userID, "", map[string]any{"codes": len(codes)})
}

// UseRecoveryCode spends one of a person's recovery codes, in place of a
// second-factor code: a conditional UPDATE, so a code serves once however
// many requests carry it. It returns how many codes are left.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID, code string) (int, error) {
	wrong := passnum.Errorf(passnum.EUNAUTHENTICATED, "Code de secours incorrect ou déjà utilisé : chaque code ne sert qu'une fois.")
	if passnum.NormaliseRecoveryCode(code) == "" {
		return 0, wrong
	}
	res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		micros(tx.now), userID, passnum.HashRecoveryCode(userID, code))
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, wrong
	}
	left, err := tx.RecoveryCodesLeft(ctx, userID)
	if err != nil {
		return 0, err
	}
	actor := passnum.Actor{Kind: "user", ID: userID}
	if u, err := tx.User(ctx, userID, ""); err == nil {
		actor = u.Actor()
	}
	return left, tx.audit(ctx, actor, "user.recovery_code_use", "user", userID, "", map[string]any{"left": left})
}

// RecoveryCodesLeft counts a person's unused recovery codes.
func (tx *Tx) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// UpgradePasswordHash replaces a person's password hash made with older
// parameters by one made now, after a successful sign-in; a password
// changed meanwhile is left alone.
func (tx *Tx) UpgradePasswordHash(ctx context.Context, userID, oldHash, newHash string) error {
	_, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, newHash, userID, oldHash)
	return err
}

// Link purposes.
const (
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// CreateAccountLink makes a one-time link for a person: an invitation or a
// password reset, valid for ttl. Earlier unused links of the same purpose
// stop working. It returns the secret to put in the link.
func (tx *Tx) CreateAccountLink(ctx context.Context, actor passnum.Actor, userID, purpose string, ttl time.Duration) (string, error) {
	if purpose != LinkInvite && purpose != LinkReset {
		return "", passnum.Errorf(passnum.EINVALID, "Type de lien inconnu %q.", purpose)
	}
	if _, err := tx.User(ctx, userID, ""); err != nil {
		return "", err
	}
	if _, err := tx.exec(ctx, `UPDATE account_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, micros(tx.now), userID, purpose); err != nil {
		return "", err
	}
	secret := newSecret()
	if _, err := tx.exec(ctx, `INSERT INTO account_links (secret_hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashKey(secret), purpose, userID, micros(tx.now), micros(tx.now.Add(ttl))); err != nil {
		return "", err
	}
	return secret, tx.audit(ctx, actor, "user."+purpose+"_link", "user", userID, "", nil)
}

func linkExpired() error {
	return passnum.Errorf(passnum.ENOTFOUND, "Ce lien n'est plus valable (déjà utilisé, remplacé ou expiré) : demandez-en un nouveau.")
}

// AccountLink finds the person a valid, unused link is for.
func (tx *Tx) AccountLink(ctx context.Context, secret, purpose string) (passnum.User, error) {
	var userID string
	err := tx.queryRow(ctx, `SELECT user_id FROM account_links WHERE secret_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
		hashKey(secret), purpose, micros(tx.now)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.User{}, linkExpired()
	}
	if err != nil {
		return passnum.User{}, err
	}
	return tx.User(ctx, userID, "")
}

// UseAccountLink spends a link: the person's password becomes hash, every
// session they had ends, and the link cannot be used again.
func (tx *Tx) UseAccountLink(ctx context.Context, secret, purpose, passwordHash string) (passnum.User, error) {
	u, err := tx.AccountLink(ctx, secret, purpose)
	if err != nil {
		return u, err
	}
	if u.DisabledAt != nil {
		return u, passnum.Errorf(passnum.EFORBIDDEN, "Ce compte est désactivé : adressez-vous à l'opérateur du programme.")
	}
	res, err := tx.exec(ctx, `UPDATE account_links SET used_at = ? WHERE secret_hash = ? AND used_at IS NULL`, micros(tx.now), hashKey(secret))
	if err != nil {
		return u, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return u, linkExpired()
	}
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, micros(tx.now), u.ID); err != nil {
		return u, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, u.ID); err != nil {
		return u, err
	}
	// A new password lifts the lock that wrong ones put on the account.
	if err := tx.ForgetAttempts(ctx, passnum.StaffAccountLimit, u.Email); err != nil {
		return u, err
	}
	return u, tx.audit(ctx, u.Actor(), "user.password_set", "user", u.ID, "", map[string]any{"link": purpose})
}

// SetPassword sets a password directly: the demo seed only.
func (tx *Tx) SetPassword(ctx context.Context, actor passnum.Actor, userID, passwordHash string) error {
	if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, micros(tx.now), userID); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "user.password_set", "user", userID, "", nil)
}

// WebSession is a signed-in visitor: a staff person or a beneficiary.
type WebSession struct {
	User          *passnum.User
	BeneficiaryID string
	PendingTOTP   bool
	TOTPSecret    string // the person's second-factor secret, while pending
	ExpiresAt     time.Time
}

// NewWebSession opens a session.
type NewWebSession struct {
	UserID        string
	BeneficiaryID string
	PendingTOTP   bool
	TTL           time.Duration
}

// CreateWebSession opens a session and returns the secret for its cookie.
// Sessions that have expired are cleared on the way.
func (tx *Tx) CreateWebSession(ctx context.Context, n NewWebSession) (string, error) {
	if (n.UserID == "") == (n.BeneficiaryID == "") {
		return "", errors.New("store: a session is for a user or for a beneficiary")
	}
	if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, micros(tx.now)); err != nil {
		return "", err
	}
	pending := 0
	if n.PendingTOTP {
		pending = 1
	}
	secret := newSecret()
	_, err := tx.exec(ctx, `INSERT INTO web_sessions (secret_hash, user_id, beneficiary_id, pending_totp, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		hashKey(secret), nullString(n.UserID), nullString(n.BeneficiaryID), pending, micros(tx.now), micros(tx.now.Add(n.TTL)))
	return secret, err
}

// WebSession finds the live session behind a cookie secret. A disabled
// person's session is not found.
func (tx *Tx) WebSession(ctx context.Context, secret string) (WebSession, error) {
	var ws WebSession
	var userID, benID sql.NullString
	var pending int
	var expires int64
	err := tx.queryRow(ctx, `SELECT user_id, beneficiary_id, pending_totp, expires_at FROM web_sessions WHERE secret_hash = ? AND expires_at > ?`,
		hashKey(secret), micros(tx.now)).Scan(&userID, &benID, &pending, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, notFound("session")
	}
	if err != nil {
		return ws, err
	}
	ws.PendingTOTP = pending == 1
	ws.ExpiresAt = fromMicros(expires)
	ws.BeneficiaryID = benID.String
	if userID.Valid {
		u, _, totp, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?`, userID.String))
		if err != nil {
			return ws, err
		}
		if u.DisabledAt != nil {
			return ws, notFound("session")
		}
		ws.User = &u
		if ws.PendingTOTP {
			ws.TOTPSecret = totp
		}
	}
	return ws, nil
}

// EndWebSession signs out.
func (tx *Tx) EndWebSession(ctx context.Context, secret string) error {
	_, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE secret_hash = ?`, hashKey(secret))
	return err
}

// ApplicationDraft is a place application saved between visits.
type ApplicationDraft struct {
	Email          string
	Data           string // the form's fields, as JSON
	OrganisationID string // set once the application is submitted
	UpdatedAt      time.Time
}

// CreateApplicationDraft starts a draft and returns the secret of its link.
func (tx *Tx) CreateApplicationDraft(ctx context.Context, email, data string) (string, error) {
	email, err := passnum.NormaliseEmail("email", email)
	if err != nil {
		return "", err
	}
	secret := newSecret()
	_, err = tx.exec(ctx, `INSERT INTO application_drafts (secret_hash, email, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		hashKey(secret), email, data, micros(tx.now), micros(tx.now))
	return secret, err
}

// ApplicationDraft reads a draft by the secret of its link.
func (tx *Tx) ApplicationDraft(ctx context.Context, secret string) (ApplicationDraft, error) {
	var d ApplicationDraft
	var org sql.NullString
	var updated int64
	err := tx.queryRow(ctx, `SELECT email, data, organisation_id, updated_at FROM application_drafts WHERE secret_hash = ?`, hashKey(secret)).Scan(&d.Email, &d.Data, &org, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return d, passnum.Errorf(passnum.ENOTFOUND, "Ce brouillon de candidature est introuvable : vérifiez le lien reçu par courriel, ou commencez une nouvelle candidature.")
	}
	d.OrganisationID = org.String
	d.UpdatedAt = fromMicros(updated)
	return d, err
}

// SaveApplicationDraft keeps the form's fields; a submitted draft is not
// changed any more.
func (tx *Tx) SaveApplicationDraft(ctx context.Context, secret, data, organisationID string) error {
	res, err := tx.exec(ctx, `UPDATE application_drafts SET data = ?, organisation_id = ?, updated_at = ? WHERE secret_hash = ? AND organisation_id IS NULL`,
		data, nullString(organisationID), micros(tx.now), hashKey(secret))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return passnum.Errorf(passnum.ECONFLICT, "Cette candidature a déjà été déposée : elle ne peut plus être modifiée.")
	}
	return nil
}

// InviteUser adds a person and makes their invitation link: what
// "passnum admin create-user" does. For the operator role, the operator
// organisation is found or created; other roles name their organisation,
// whose kind must match.
func (s *Store) InviteUser(ctx context.Context, role passnum.Role, orgID, email, name string, ttl time.Duration) (passnum.User, string, error) {
	var u passnum.User
	var secret string
	err := s.Write(ctx, func(tx *Tx) error {
		actor := passnum.SystemActor
		switch {
		case role == passnum.RoleOperator && orgID == "":
			err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE kind = 'operator' ORDER BY created_at, id LIMIT 1`).Scan(&orgID)
			if errors.Is(err, sql.ErrNoRows) {
				o, err := tx.CreateOrganisation(ctx, actor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur du programme"})
				if err != nil {
					return err
				}
				orgID = o.ID
			} else if err != nil {
				return err
			}
		case !role.Valid():
			return passnum.Errorf(passnum.EINVALID, "Rôle %q inconnu : choisissez operator, funder, distributor ou place.", role)
		default:
			o, err := tx.Organisation(ctx, orgID)
			if err != nil {
				return err
			}
			if o.Kind != role {
				return passnum.Errorf(passnum.EINVALID, "L'organisation %s est de type %s, pas %s : vérifiez --organisation ou --role.", orgID, o.Kind, role)
			}
		}
		actor.OrganisationID = orgID
		var err error
		if u, err = tx.CreateUser(ctx, actor, passnum.NewUser{OrganisationID: orgID, Email: email, Name: name}); err != nil {
			return err
		}
		secret, err = tx.CreateAccountLink(ctx, actor, u.ID, LinkInvite, ttl)
		return err
	})
	return u, secret, err
}
