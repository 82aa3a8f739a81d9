package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"passnum"
)

// ApplicationReceipt is what an applicant gets back: the place organisation
// (pending), its first site, its pending bank details and its API key, whose
// secret is shown only once.
type ApplicationReceipt struct {
	Organisation      passnum.Organisation
	Site              passnum.Site
	BankAccount       passnum.BankAccount
	CharterAcceptedAt time.Time
	Key               passnum.APIKey
	Secret            string
}

// ApplyForLabel records a training place's application: the organisation
// (pending), its profile with the accepted charter, its first site, its
// bank details (pending) and an API key of role place, all in one
// transaction. One SIRET, one place account: the unique SIRET is the last
// guard.
func (tx *Tx) ApplyForLabel(ctx context.Context, a passnum.NewPlaceApplication) (ApplicationReceipt, error) {
	var rc ApplicationReceipt
	if err := a.Validate(); err != nil {
		return rc, err
	}
	o := passnum.Organisation{ID: passnum.NewID(tx.now), Kind: passnum.RolePlace, Name: a.Name, SIRET: a.SIRET,
		CommuneINSEE: a.Site.CommuneINSEE, Status: passnum.OrgPending, CreatedAt: tx.now}
	if err := tx.freeSIRET(ctx, a.SIRET, o.ID); err != nil {
		return rc, err
	}
	var existing string
	err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE siret = ?`, a.SIRET).Scan(&existing)
	if err == nil {
		return rc, siretTaken()
	} else if !errors.Is(err, sql.ErrNoRows) {
		return rc, err
	}
	// The applicant acts for the organisation being created.
	actor := passnum.Actor{OrganisationID: o.ID, Role: passnum.RolePlace, Kind: "applicant", ID: o.ID}
	if _, err := tx.exec(ctx, `INSERT INTO organisations (id, kind, name, siret, commune_insee, status, created_at) VALUES (?, 'place', ?, ?, ?, 'pending', ?)`,
		o.ID, o.Name, o.SIRET, o.CommuneINSEE, micros(tx.now)); err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return rc, siretTaken()
		}
		return rc, err
	}
	if err := tx.audit(ctx, actor, "organisation.create", "organisation", o.ID, "", map[string]any{"kind": o.Kind}); err != nil {
		return rc, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO place_profiles (organisation_id, legal_rep_name, legal_rep_role, contact_email, contact_phone,
			charter_version, charter_accepted_at, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, a.LegalRep.Name, a.LegalRep.Role, a.ContactEmail, a.ContactPhone, a.CharterVersion, micros(tx.now), micros(tx.now), micros(tx.now)); err != nil {
		return rc, err
	}
	site, err := tx.createSite(ctx, actor, o, a.Site)
	if err != nil {
		return rc, err
	}
	bank, err := tx.proposeBankAccount(ctx, actor, o.ID, a.Bank)
	if err != nil {
		return rc, err
	}
	key, secret, err := tx.CreateKey(ctx, actor, o.ID, "Candidature au label")
	if err != nil {
		return rc, err
	}
	if err := tx.audit(ctx, actor, "place.apply", "organisation", o.ID, "", map[string]any{
		"site_id": site.ID, "bank_account_id": bank.ID, "charter_version": a.CharterVersion}); err != nil {
		return rc, err
	}
	return ApplicationReceipt{Organisation: o, Site: site, BankAccount: bank, CharterAcceptedAt: tx.now, Key: key, Secret: secret}, nil
}

// freeSIRET takes siret back from a place that no longer holds it (see
// passnum.UnsubmittedHold): refused, withdrawn, or registered without an
// application for too long. One conditional UPDATE moves it out of the
// unique column into released_siret, audited on the old place, for the new
// organisation takenBy.
func (tx *Tx) freeSIRET(ctx context.Context, siret, takenBy string) error {
	rows, err := tx.query(ctx, `UPDATE organisations SET released_siret = siret, siret = NULL, siret_released_at = ?
		WHERE siret = ? AND kind = 'place' AND (status IN ('refused', 'withdrawn')
			OR (status = 'pending' AND created_at < ? AND NOT EXISTS (
				SELECT 1 FROM place_profiles pp WHERE pp.organisation_id = organisations.id AND pp.submitted_at IS NOT NULL)))
		RETURNING id, status`, micros(tx.now), siret, micros(tx.now.Add(-passnum.UnsubmittedHold)))
	if err != nil {
		return err
	}
	type freed struct{ id, status string }
	var out []freed
	for rows.Next() {
		var f freed
		if err := rows.Scan(&f.id, &f.status); err != nil {
			rows.Close()
			return err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range out {
		if err := tx.audit(ctx, passnum.SystemActor, "place.siret_release", "organisation", f.id, "SIRET repris par une nouvelle candidature",
			map[string]any{"status": f.status, "taken_by": takenBy}); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseSIRET is the operator freeing the SIRET of a place that is not
// labelled or suspended (a pending application, a refused or withdrawn
// place), so that the organisation it belongs to can apply: one
// conditional UPDATE, audited with the operator's reason. The place keeps
// its file, the SIRET marked released; labelling it again takes the SIRET
// back if nobody else holds it.
func (tx *Tx) ReleaseSIRET(ctx context.Context, actor passnum.Actor, placeID, reason string) (passnum.PlaceApplication, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return passnum.PlaceApplication{}, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "indiquez pourquoi le SIRET est libéré : le motif est conservé au journal"})
	}
	if msg := passnum.TextProblem(reason, true); msg != "" {
		return passnum.PlaceApplication{}, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: msg})
	}
	var siret, status string
	err := tx.queryRow(ctx, `UPDATE organisations SET released_siret = siret, siret = NULL, siret_released_at = ?
		WHERE id = ? AND kind = 'place' AND siret IS NOT NULL AND status IN ('pending', 'refused', 'withdrawn')
		RETURNING released_siret, status`, micros(tx.now), placeID).Scan(&siret, &status)
	if errors.Is(err, sql.ErrNoRows) {
		a, err := tx.PlaceApplication(ctx, placeID, false)
		if err != nil {
			return a, err
		}
		if a.SIRETReleasedAt != nil {
			return a, passnum.Errorf(passnum.ECONFLICT, "Le SIRET de ce lieu est déjà libéré.")
		}
		return a, passnum.Errorf(passnum.ECONFLICT, "Le SIRET d'un lieu à l'état « %s » ne peut pas être libéré : retirez-lui d'abord son label.", a.Status.Label())
	}
	if err != nil {
		return passnum.PlaceApplication{}, err
	}
	if err := tx.audit(ctx, actor, "place.siret_release", "organisation", placeID, reason, map[string]any{"status": status}); err != nil {
		return passnum.PlaceApplication{}, err
	}
	return tx.PlaceApplication(ctx, placeID, true)
}

// reclaimSIRET gives a place labelled again the SIRET it had released, if
// no other organisation took it meanwhile.
func (tx *Tx) reclaimSIRET(ctx context.Context, placeID string) error {
	var released sql.NullString
	if err := tx.queryRow(ctx, `SELECT released_siret FROM organisations WHERE id = ? AND siret IS NULL`, placeID).Scan(&released); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	if !released.Valid {
		return nil
	}
	taken := passnum.Errorf(passnum.ECONFLICT, "Le SIRET %s de ce lieu a été libéré puis repris par une autre candidature : ce lieu ne peut plus être labellisé ; labellisez plutôt la nouvelle candidature.", released.String)
	var other string
	err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE siret = ?`, released.String).Scan(&other)
	if err == nil {
		return taken
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE organisations SET siret = released_siret, released_siret = NULL, siret_released_at = NULL WHERE id = ?`, placeID); err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return taken
		}
		return err
	}
	return nil
}

func siretTaken() error {
	return passnum.Errorf(passnum.ECONFLICT, "Un compte existe déjà pour ce SIRET : un SIRET, un compte lieu. Si votre structure est déjà inscrite, demandez une clé d'accès à l'opérateur du programme plutôt que de déposer une nouvelle candidature ; pour un autre établissement, utilisez son propre SIRET.")
}

// PlaceApplication returns a place's file: what it declared, where it
// stands, its sites, its bank details (IBAN in full only when fullIBAN) and
// the history of its application and decisions.
func (tx *Tx) PlaceApplication(ctx context.Context, id string, fullIBAN bool) (passnum.PlaceApplication, error) {
	var a passnum.PlaceApplication
	var charterAt, submitted, decided, released sql.NullInt64
	var created int64
	err := tx.queryRow(ctx, `SELECT o.id, o.name, COALESCE(o.siret, o.released_siret, ''), o.siret_released_at, o.status, COALESCE(o.commune_insee, ''), o.created_at,
			COALESCE(p.legal_rep_name, ''), COALESCE(p.legal_rep_role, ''), COALESCE(p.contact_email, ''), COALESCE(p.contact_phone, ''),
			COALESCE(p.charter_version, ''), p.charter_accepted_at, p.submitted_at, p.decided_at, COALESCE(p.decision_reason, '')
		FROM organisations o LEFT JOIN place_profiles p ON p.organisation_id = o.id
		WHERE o.id = ? AND o.kind = 'place'`, id).Scan(&a.ID, &a.Name, &a.SIRET, &released, &a.Status, &a.CommuneINSEE, &created,
		&a.LegalRepresentative.Name, &a.LegalRepresentative.Role, &a.ContactEmail, &a.ContactPhone,
		&a.CharterVersion, &charterAt, &submitted, &decided, &a.DecisionReason)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("candidature")
	}
	if err != nil {
		return a, err
	}
	a.CreatedAt = fromMicros(created)
	a.SIRETReleasedAt = nullMicros(released)
	a.CharterAcceptedAt, a.SubmittedAt, a.DecidedAt = nullMicros(charterAt), nullMicros(submitted), nullMicros(decided)
	if a.Sites, err = tx.PlaceSites(ctx, id); err != nil {
		return a, err
	}
	if a.BankAccounts, err = tx.BankAccounts(ctx, id); err != nil {
		return a, err
	}
	if !fullIBAN {
		for i := range a.BankAccounts {
			a.BankAccounts[i] = a.BankAccounts[i].Masked()
		}
	}
	a.History, err = tx.placeHistory(ctx, id)
	return a, err
}

// placeHistory reads the application and the decisions on a place from the
// audit trail, oldest first.
func (tx *Tx) placeHistory(ctx context.Context, id string) ([]passnum.PlaceDecision, error) {
	rows, err := tx.query(ctx, `SELECT at, action, reason FROM audit_log WHERE object_type = 'organisation' AND object_id = ? AND action LIKE 'place.%' ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.PlaceDecision{}
	for rows.Next() {
		var at int64
		var action, reason string
		if err := rows.Scan(&at, &action, &reason); err != nil {
			return nil, err
		}
		status := passnum.OrgStatus(strings.TrimPrefix(action, "place."))
		if status == "apply" {
			status = passnum.OrgPending
		}
		if !passnum.ValidPlaceStatus(status) {
			continue
		}
		out = append(out, passnum.PlaceDecision{At: fromMicros(at), Status: status, Reason: reason})
	}
	return out, rows.Err()
}

// ListPlaceApplications lists places for review, newest first, optionally
// only those in one status ("pending": the applications to decide on).
func (tx *Tx) ListPlaceApplications(ctx context.Context, status passnum.OrgStatus, p Page) ([]passnum.PlaceApplicationSummary, string, error) {
	if status != "" && !passnum.ValidPlaceStatus(status) {
		return nil, "", passnum.Invalid(passnum.FieldError{Field: "status", Detail: "statut inconnu : pending, labelled, suspended, refused ou withdrawn"})
	}
	q := `SELECT o.id, o.name, COALESCE(o.siret, o.released_siret, ''), o.status, COALESCE(o.commune_insee, ''), o.created_at, p.submitted_at, p.decided_at, COALESCE(p.decision_reason, '')
		FROM organisations o LEFT JOIN place_profiles p ON p.organisation_id = o.id WHERE o.kind = 'place'`
	var args []any
	if status != "" {
		q += ` AND o.status = ?`
		args = append(args, status)
	}
	q, args = p.apply(q, args, "o.created_at", "o.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.PlaceApplicationSummary
	for rows.Next() {
		var s passnum.PlaceApplicationSummary
		var created int64
		var submitted, decided sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Name, &s.SIRET, &s.Status, &s.CommuneINSEE, &created, &submitted, &decided, &s.DecisionReason); err != nil {
			return nil, "", err
		}
		s.CreatedAt = fromMicros(created)
		s.SubmittedAt, s.DecidedAt = nullMicros(submitted), nullMicros(decided)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// recordPlaceDecision keeps the operator's latest decision on the place's
// file, where the place and the operator read it. Labelling a place that has
// no approved bank details yet also approves the pending ones: the operator
// reviewed them with the application. A later change of details is never
// approved this way: it needs its own decision, so that relabelling a place
// cannot slip through an account nobody looked at. (Four eyes, when a
// programme asks for it, is for such changes: the first details are
// approved with the label decision.)
func (tx *Tx) recordPlaceDecision(ctx context.Context, actor passnum.Actor, orgID string, status passnum.OrgStatus, reason string) error {
	if _, err := tx.exec(ctx, `INSERT INTO place_profiles (organisation_id, decided_at, decision_reason, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (organisation_id) DO UPDATE SET decided_at = excluded.decided_at, decision_reason = excluded.decision_reason, updated_at = excluded.updated_at`,
		orgID, micros(tx.now), reason, micros(tx.now)); err != nil {
		return err
	}
	if status != passnum.OrgLabelled {
		return nil
	}
	approved, err := tx.bankAccountIn(ctx, orgID, passnum.BankApproved)
	if err != nil || approved != nil {
		return err
	}
	pending, err := tx.bankAccountIn(ctx, orgID, passnum.BankPending)
	if err != nil || pending == nil {
		return err
	}
	if pending.FirstApprovedAt != nil {
		// Already on its way through four eyes: a second operator's
		// approval decides, not the label.
		return nil
	}
	_, err = tx.approveBankAccount(ctx, actor, *pending, "approuvées avec la labellisation du lieu")
	return err
}
