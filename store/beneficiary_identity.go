package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"passnum"
)

// One young person, one booklet: within an agency a person is registered
// once (the unique index on beneficiaries' identity_key per agency); across
// agencies a hand-out to someone who already holds a booklet of the
// programme elsewhere needs the counsellor's confirmation, and each
// confirmed case is recorded for the operator.

// PossibleDuplicate is the refusal of a hand-out to a person who may
// already hold a booklet of the programme in another agency. It names
// nothing of the other agency: the counsellor checks with the young
// person.
func PossibleDuplicate() *passnum.Error {
	return passnum.Errorf(passnum.EPOSSIBLEDUPLICATE, "Une personne avec les mêmes prénom, nom et date de naissance a déjà reçu un carnet de ce programme dans une autre structure. Vérifiez avec le jeune ; si c'est bien une autre personne (ou s'il a déménagé), confirmez la remise.")
}

// heldElsewhereLocked is heldElsewhere under the lock of the person and
// programme: a concurrent hand-out to the same person waits here for the
// first one's commit, then sees its booklet.
func (tx *Tx) heldElsewhereLocked(ctx context.Context, distributorID, programmeID, key string) (bool, error) {
	if _, err := tx.exec(ctx, `INSERT INTO person_programme_locks (identity_key, programme_id) VALUES (?, ?)
		ON CONFLICT (identity_key, programme_id) DO UPDATE SET programme_id = excluded.programme_id`, key, programmeID); err != nil {
		return false, err
	}
	return tx.heldElsewhere(ctx, distributorID, programmeID, key)
}

func (tx *Tx) recordDuplicateConfirmation(ctx context.Context, actor passnum.Actor, programmeID, beneficiaryID, bookletID string) error {
	id := passnum.NewID(tx.now)
	if _, err := tx.exec(ctx, `INSERT INTO duplicate_confirmations (id, at, programme_id, distributor_id, beneficiary_id, booklet_id, actor_kind, actor_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, micros(tx.now), programmeID, actor.OrganisationID, beneficiaryID, bookletID, actor.Kind, actor.ID); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "booklet.duplicate_confirmed", "booklet", bookletID, "",
		map[string]any{"confirmation_id": id, "beneficiary_id": beneficiaryID, "programme_id": programmeID})
}

// DuplicateConfirmation is a hand-out confirmed by a counsellor although
// the same person already held a booklet of the programme in another
// agency. The operator sees which agencies: the other records are found by
// the same identity.
type DuplicateConfirmation struct {
	ID            string
	At            int64
	ProgrammeID   string
	DistributorID string
	BeneficiaryID string
	BookletID     string
	ActorKind     string
	ActorID       string
	// ConfirmedAt is when the counsellor confirmed.
	ConfirmedAt time.Time
	// OtherDistributorIDs are the agencies where the same person holds a
	// booklet of the programme too, today.
	OtherDistributorIDs []string
	// Names, resolved for the operator's page and the API answer.
	ProgrammeName         string
	DistributorName       string
	OtherDistributorNames []string
}

// CountDuplicateConfirmations counts the confirmed cases, of one programme
// when programmeID is set.
func (tx *Tx) CountDuplicateConfirmations(ctx context.Context, programmeID string) (int64, error) {
	q := `SELECT COUNT(*) FROM duplicate_confirmations`
	var args []any
	if programmeID != "" {
		q += ` WHERE programme_id = ?`
		args = append(args, programmeID)
	}
	var n int64
	err := tx.queryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// ListDuplicateConfirmations lists the confirmed cases, newest first, with
// the names of the programme and the agencies (the operator's list).
func (tx *Tx) ListDuplicateConfirmations(ctx context.Context, p Page) ([]DuplicateConfirmation, string, error) {
	q := `SELECT d.id, d.at, d.programme_id, d.distributor_id, d.beneficiary_id, d.booklet_id, d.actor_kind, d.actor_id, pr.name, o.name
		FROM duplicate_confirmations d JOIN programmes pr ON pr.id = d.programme_id JOIN organisations o ON o.id = d.distributor_id WHERE 1=1`
	q, args := p.apply(q, nil, "d.at", "d.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var out []DuplicateConfirmation
	for rows.Next() {
		var d DuplicateConfirmation
		if err := rows.Scan(&d.ID, &d.At, &d.ProgrammeID, &d.DistributorID, &d.BeneficiaryID, &d.BookletID, &d.ActorKind, &d.ActorID, &d.ProgrammeName, &d.DistributorName); err != nil {
			rows.Close()
			return nil, "", err
		}
		d.ConfirmedAt = fromMicros(d.At)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return out[i].At, out[i].ID })
	for i := range out {
		d := &out[i]
		rows, err := tx.query(ctx, `SELECT DISTINCT o.id, o.name FROM beneficiaries me
			JOIN beneficiaries b ON b.identity_key = me.identity_key AND b.distributor_id <> me.distributor_id
			JOIN organisations o ON o.id = b.distributor_id
			WHERE me.id = ? AND EXISTS (SELECT 1 FROM booklets bk WHERE bk.beneficiary_id = b.id AND bk.programme_id = ?)
			ORDER BY o.name, o.id`, d.BeneficiaryID, d.ProgrammeID)
		if err != nil {
			return nil, "", err
		}
		d.OtherDistributorIDs, d.OtherDistributorNames = []string{}, []string{}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, "", err
			}
			d.OtherDistributorIDs = append(d.OtherDistributorIDs, id)
			d.OtherDistributorNames = append(d.OtherDistributorNames, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// BeneficiaryChange is one field of a young person's record corrected:
// who, when, the value before and after. Kept apart from the audit trail
// (which names the field only) so that erasing the person erases it.
type BeneficiaryChange struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	ActorKind string    `json:"actor_kind"`
	ActorID   string    `json:"actor_id"`
	Field     string    `json:"field"`
	Old       string    `json:"old"`
	New       string    `json:"new"`
}

// CorrectBeneficiary corrects a young person's record (names, birth date,
// commune, situation) in the acting agency. Each changed field is kept
// with its old and new values in beneficiary_changes; the audit entry
// names the fields only. A correction that makes the record the same
// person as another of the agency is refused (duplicate_person, with the
// other's id). Nothing changed, nothing written.
func (tx *Tx) CorrectBeneficiary(ctx context.Context, actor passnum.Actor, id string, nb passnum.Beneficiary, reason string) (passnum.Beneficiary, error) {
	old, err := tx.Beneficiary(ctx, id, actor.OrganisationID)
	if err != nil {
		return old, err
	}
	if old.PseudonymisedAt != nil {
		return old, passnum.Erased()
	}
	nb.CreatedAt = old.CreatedAt
	if err := nb.Validate(tx.Today()); err != nil {
		return old, err
	}
	type change struct{ field, old, new string }
	var changes []change
	diff := func(field, o, n string) {
		if o != n {
			changes = append(changes, change{field, o, n})
		}
	}
	diff("first_name", old.FirstName, nb.FirstName)
	diff("last_name", old.LastName, nb.LastName)
	diff("birth_date", old.BirthDate.String(), nb.BirthDate.String())
	diff("commune_insee", old.CommuneINSEE, nb.CommuneINSEE)
	diff("job_seeker", strconv.FormatBool(old.JobSeeker), strconv.FormatBool(nb.JobSeeker))
	diff("in_studies", strconv.FormatBool(old.InStudies), strconv.FormatBool(nb.InStudies))
	diff("email", old.Email, nb.Email)
	diff("phone", old.Phone, nb.Phone)
	diff("contact_consent", strconv.FormatBool(old.ContactConsent), strconv.FormatBool(nb.ContactConsent))
	diff("guardian_consent", strconv.FormatBool(old.GuardianConsent), strconv.FormatBool(nb.GuardianConsent))
	diff("guardian_name", old.GuardianName, nb.GuardianName)
	if len(changes) == 0 {
		return old, nil
	}
	key := identityKey(nb.FirstName, nb.LastName, nb.BirthDate)
	var other string
	err = tx.queryRow(ctx, `SELECT id FROM beneficiaries WHERE distributor_id = ? AND identity_key = ? AND id <> ?`, old.DistributorID, key, id).Scan(&other)
	if err == nil {
		e := passnum.Errorf(passnum.EDUPLICATEPERSON, "Une autre fiche de votre structure porte déjà ces prénom, nom et date de naissance : ouvrez-la plutôt que de corriger celle-ci.")
		e.Extra = map[string]any{"beneficiary_id": other}
		return old, e
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return old, err
	}
	// Consent keeps the day it was first given; withdrawn, it is gone.
	var consentAt any
	if nb.ContactConsent {
		consentAt = micros(tx.now)
		if old.ContactConsentAt != nil {
			consentAt = micros(*old.ContactConsentAt)
		}
	}
	_, err = tx.exec(ctx, `UPDATE beneficiaries SET first_name = ?, last_name = ?, birth_date = ?, commune_insee = ?, job_seeker = ?, in_studies = ?, identity_key = ?,
		email = ?, phone = ?, contact_consent_at = ?, guardian_consent = ?, guardian_name = ?
		WHERE id = ? AND distributor_id = ? AND pseudonymised_at IS NULL`, nb.FirstName, nb.LastName, nb.BirthDate.String(), nb.CommuneINSEE, nb.JobSeeker, nb.InStudies, key,
		nb.Email, nb.Phone, consentAt, nb.GuardianConsent, nb.GuardianName, id, old.DistributorID)
	if tx.s.dialect.uniqueViolation(err) {
		// Registered meanwhile by a colleague (PostgreSQL).
		return old, passnum.Errorf(passnum.EDUPLICATEPERSON, "Une autre fiche de votre structure porte déjà ces prénom, nom et date de naissance : ouvrez-la plutôt que de corriger celle-ci.")
	}
	if err != nil {
		return old, err
	}
	fields := make([]string, 0, len(changes))
	var changeIDs []string
	for _, c := range changes {
		cid := passnum.NewID(tx.now)
		if _, err := tx.exec(ctx, `INSERT INTO beneficiary_changes (id, beneficiary_id, at, actor_kind, actor_id, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			cid, id, micros(tx.now), actor.Kind, actor.ID, c.field, c.old, c.new); err != nil {
			return old, err
		}
		fields = append(fields, c.field)
		changeIDs = append(changeIDs, cid)
	}
	if err := tx.audit(ctx, actor, "beneficiary.correct", "beneficiary", id, reason, map[string]any{"fields": fields, "change_ids": changeIDs}); err != nil {
		return old, err
	}
	return tx.Beneficiary(ctx, id, actor.OrganisationID)
}

// BeneficiaryChanges lists the corrections of a young person's record,
// newest first.
func (tx *Tx) BeneficiaryChanges(ctx context.Context, beneficiaryID string) ([]BeneficiaryChange, error) {
	rows, err := tx.query(ctx, `SELECT id, at, actor_kind, actor_id, field, old_value, new_value FROM beneficiary_changes
		WHERE beneficiary_id = ? ORDER BY at DESC, id DESC`, beneficiaryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BeneficiaryChange{}
	for rows.Next() {
		var c BeneficiaryChange
		var at int64
		if err := rows.Scan(&c.ID, &at, &c.ActorKind, &c.ActorID, &c.Field, &c.Old, &c.New); err != nil {
			return nil, err
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
