package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"

	"passnum"
)

const orgColumns = `id, kind, name, COALESCE(siret, ''), COALESCE(commune_insee, ''), status, created_at`

func scanOrganisation(sc interface{ Scan(...any) error }) (passnum.Organisation, error) {
	var o passnum.Organisation
	var kind string
	var created int64
	err := sc.Scan(&o.ID, &kind, &o.Name, &o.SIRET, &o.CommuneINSEE, &o.Status, &created)
	o.Kind = passnum.Role(kind)
	o.CreatedAt = fromMicros(created)
	return o, err
}

// CreateOrganisation registers a distributor, place, funder or operator. A
// place starts "pending" until the operator labels it.
func (tx *Tx) CreateOrganisation(ctx context.Context, actor passnum.Actor, n passnum.NewOrganisation) (passnum.Organisation, error) {
	if err := n.Validate(); err != nil {
		return passnum.Organisation{}, err
	}
	o := passnum.Organisation{ID: passnum.NewID(tx.now), Kind: n.Kind, Name: n.Name, SIRET: n.SIRET, CommuneINSEE: n.CommuneINSEE, Status: passnum.OrgActive, CreatedAt: tx.now}
	if n.Kind == passnum.RolePlace {
		o.Status = passnum.OrgPending
	}
	if n.SIRET != "" && n.Kind == passnum.RolePlace {
		if err := tx.freeSIRET(ctx, n.SIRET, o.ID); err != nil {
			return o, err
		}
	}
	if n.SIRET != "" {
		var existing string
		err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE siret = ?`, n.SIRET).Scan(&existing)
		if err == nil {
			return o, passnum.Errorf(passnum.ECONFLICT, "Ce SIRET est déjà celui d'une organisation inscrite (un SIRET, un compte) : retrouvez-la plutôt que d'en créer une autre.")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return o, err
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO organisations (id, kind, name, siret, commune_insee, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.ID, string(o.Kind), o.Name, nullString(o.SIRET), nullString(o.CommuneINSEE), o.Status, micros(tx.now))
	if err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return o, passnum.Errorf(passnum.ECONFLICT, "Ce SIRET est déjà celui d'une organisation inscrite (un SIRET, un compte).")
		}
		return o, err
	}
	return o, tx.audit(ctx, actor, "organisation.create", "organisation", o.ID, "", map[string]any{"kind": o.Kind})
}

// Organisation returns one organisation.
func (tx *Tx) Organisation(ctx context.Context, id string) (passnum.Organisation, error) {
	o, err := scanOrganisation(tx.queryRow(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, notFound("organisation")
	}
	return o, err
}

// ListOrganisations lists organisations, newest first; onlyID restricts
// the list to one organisation (what a non-operator may see).
func (tx *Tx) ListOrganisations(ctx context.Context, kind, onlyID string, p Page) ([]passnum.Organisation, string, error) {
	q := `SELECT ` + orgColumns + ` FROM organisations WHERE 1=1`
	var args []any
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	if onlyID != "" {
		q += ` AND id = ?`
		args = append(args, onlyID)
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Organisation
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// SetPlaceStatus labels, suspends, refuses or withdraws a place.
func (tx *Tx) SetPlaceStatus(ctx context.Context, actor passnum.Actor, id string, status passnum.OrgStatus, reason string) (passnum.Organisation, error) {
	o, err := tx.Organisation(ctx, id)
	if err != nil {
		return o, err
	}
	if o.Kind != passnum.RolePlace {
		return o, notFound("lieu")
	}
	if status != passnum.OrgLabelled && strings.TrimSpace(reason) == "" {
		return o, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "indiquez le motif : il est conservé et communiqué au lieu"})
	}
	if o.Status == status {
		return o, nil // deciding again what is already decided changes nothing
	}
	if err := passnum.CheckPlaceTransition(o.Status, status); err != nil {
		return o, err
	}
	if status == passnum.OrgLabelled {
		if err := tx.reclaimSIRET(ctx, id); err != nil {
			return o, err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE organisations SET status = ? WHERE id = ?`, status, id); err != nil {
		return o, err
	}
	from := o.Status
	o.Status = status
	if err := tx.recordPlaceDecision(ctx, actor, id, status, reason); err != nil {
		return o, err
	}
	return o, tx.audit(ctx, actor, "place."+string(status), "organisation", id, reason, map[string]any{"from": from, "to": status})
}

// NewKeySecret returns a fresh API key: "pn_" then 32 random base32 characters.
func newKeySecret() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "pn_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func hashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateKey issues a named API key for an organisation; the secret is
// returned once and only its hash is kept.
func (tx *Tx) CreateKey(ctx context.Context, actor passnum.Actor, orgID, name string) (passnum.APIKey, string, error) {
	if _, err := tx.Organisation(ctx, orgID); err != nil {
		return passnum.APIKey{}, "", err
	}
	if len(name) > 200 {
		return passnum.APIKey{}, "", passnum.Invalid(passnum.FieldError{Field: "name", Detail: "200 caractères au plus"})
	}
	k := passnum.APIKey{ID: passnum.NewID(tx.now), OrganisationID: orgID, Name: name, CreatedAt: tx.now}
	secret := newKeySecret()
	if _, err := tx.exec(ctx, `INSERT INTO api_keys (id, organisation_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.ID, orgID, name, hashKey(secret), micros(tx.now)); err != nil {
		return k, "", err
	}
	return k, secret, tx.audit(ctx, actor, "key.create", "api_key", k.ID, "", map[string]any{"organisation_id": orgID})
}

// RevokeKey revokes a key at once.
func (tx *Tx) RevokeKey(ctx context.Context, actor passnum.Actor, id string) error {
	res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(tx.now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		if err := tx.queryRow(ctx, `SELECT 1 FROM api_keys WHERE id = ?`, id).Scan(&exists); errors.Is(err, sql.ErrNoRows) {
			return notFound("clé")
		}
		return nil // already revoked: revoking again changes nothing
	}
	return tx.audit(ctx, actor, "key.revoke", "api_key", id, "", nil)
}

// ListKeys lists an organisation's keys (never their secrets).
func (tx *Tx) ListKeys(ctx context.Context, orgID string) ([]passnum.APIKey, error) {
	rows, err := tx.query(ctx, `SELECT id, organisation_id, name, created_at, revoked_at FROM api_keys WHERE organisation_id = ? ORDER BY created_at DESC, id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passnum.APIKey
	for rows.Next() {
		var k passnum.APIKey
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&k.ID, &k.OrganisationID, &k.Name, &created, &revoked); err != nil {
			return nil, err
		}
		k.CreatedAt = fromMicros(created)
		k.RevokedAt = nullMicros(revoked)
		out = append(out, k)
	}
	return out, rows.Err()
}

const authenticateQuery = `SELECT k.id, o.id, o.kind FROM api_keys k JOIN organisations o ON o.id = k.organisation_id
	WHERE k.secret_hash = ? AND k.revoked_at IS NULL`

// authStmt is Authenticate's query, prepared once on the pool (database/sql
// then keeps it prepared on each connection it runs on): every API request
// runs it, and parsing it again each time cost as much as running it. Nil
// while it could not be prepared: the query then runs unprepared.
func (s *Store) authStmt(ctx context.Context) *sql.Stmt {
	if st := s.auth.Load(); st != nil {
		return st
	}
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if st := s.auth.Load(); st != nil {
		return st
	}
	st, err := s.db.PrepareContext(ctx, s.dialect.rebind(authenticateQuery))
	if err != nil {
		return nil
	}
	s.auth.Store(st)
	return st
}

// Authenticate finds the actor behind an API key secret; revoked or unknown
// keys are refused.
func (s *Store) Authenticate(ctx context.Context, secret string) (passnum.Actor, error) {
	var a passnum.Actor
	var role string
	var row *sql.Row
	if st := s.authStmt(ctx); st != nil {
		row = st.QueryRowContext(ctx, hashKey(secret))
	} else {
		row = s.db.QueryRowContext(ctx, s.dialect.rebind(authenticateQuery), hashKey(secret))
	}
	err := row.Scan(&a.ID, &a.OrganisationID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return a, passnum.Errorf(passnum.EUNAUTHENTICATED, "Clé d'API inconnue ou révoquée : demandez une clé à l'opérateur du programme.")
	}
	if err != nil {
		return a, s.mapErr(err)
	}
	a.Kind = "key"
	a.Role = passnum.Role(role)
	return a, nil
}

// CreateOperatorKey makes sure an operator organisation exists and issues
// a key for it: what "passnum admin create-key" does.
func (s *Store) CreateOperatorKey(ctx context.Context, name string) (string, error) {
	var secret string
	err := s.Write(ctx, func(tx *Tx) error {
		var orgID string
		err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE kind = 'operator' ORDER BY created_at, id LIMIT 1`).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur du programme"})
			if err != nil {
				return err
			}
			orgID = o.ID
		} else if err != nil {
			return err
		}
		actor := passnum.SystemActor
		actor.OrganisationID = orgID
		_, secret, err = tx.CreateKey(ctx, actor, orgID, name)
		return err
	})
	return secret, err
}

func notFound(what string) error { return passnum.NotFound(what) }

func nullInt64(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DecidePlace is SetPlaceStatus for the operator's decisions, with what to
// tell the place: notice is nil when nothing changed or the place gave no
// contact address (places created by the operator without an application).
func (tx *Tx) DecidePlace(ctx context.Context, actor passnum.Actor, id string, status passnum.OrgStatus, reason string) (passnum.Organisation, *passnum.PlaceDecisionNotice, error) {
	before, err := tx.Organisation(ctx, id)
	if err != nil {
		return before, nil, err
	}
	o, err := tx.SetPlaceStatus(ctx, actor, id, status, reason)
	if err != nil || before.Status == o.Status {
		return o, nil, err
	}
	var email string
	err = tx.queryRow(ctx, `SELECT contact_email FROM place_profiles WHERE organisation_id = ?`, id).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) || err == nil && strings.TrimSpace(email) == "" {
		return o, nil, nil
	}
	if err != nil {
		return o, nil, err
	}
	return o, &passnum.PlaceDecisionNotice{PlaceName: o.Name, ContactEmail: email, From: before.Status, Status: o.Status, Reason: strings.TrimSpace(reason)}, nil
}
