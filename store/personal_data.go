package store

import (
	"context"
	"time"

	"passnum"
)

// A young person's personal data (GDPR): the log of staff reads of their
// record, everything held on them in one answer (the right of access),
// and the pseudonymisation of their identity, on request (erasure) or at
// the end of its retention. Pseudonymising keeps the record's id, commune
// and situation, the year of birth, and every booklet, pass, redemption,
// booking and settlement as they were: statistics and money stay whole.

// consentDetails are the audit details of a registration: whether contact
// consent was recorded, never the details themselves.
func consentDetails(b passnum.Beneficiary) map[string]any {
	if !b.ContactConsent {
		return nil
	}
	d := map[string]any{"contact_consent": true}
	if b.Minor {
		d["minor"], d["guardian_consent"] = true, b.GuardianConsent
	}
	return d
}

// LogRead records that the acting staff member read the records of the
// young people ids, why and how. A read is logged in the answer's
// transaction, or refused with it.
func (tx *Tx) LogRead(ctx context.Context, actor passnum.Actor, purpose passnum.ReadPurpose, via passnum.ReadVia, ids ...string) error {
	if !purpose.Valid() {
		return passnum.Invalid(passnum.FieldError{Field: "purpose", Detail: "motif de consultation inconnu"})
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `INSERT INTO record_reads (id, beneficiary_id, at, organisation_id, actor_kind, actor_id, purpose, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			passnum.NewID(tx.now), id, micros(tx.now), actor.OrganisationID, actor.Kind, actor.ID, string(purpose), string(via)); err != nil {
			return err
		}
	}
	return nil
}

// LogExportRead records one read per young person of an agency (of every
// agency for distributorID ""): a download of the whole list. One
// statement, however many people.
func (tx *Tx) LogExportRead(ctx context.Context, actor passnum.Actor, distributorID string, purpose passnum.ReadPurpose) error {
	q := `INSERT INTO record_reads (id, beneficiary_id, at, organisation_id, actor_kind, actor_id, purpose, via)
		SELECT ? || id, id, ?, ?, ?, ?, ?, ? FROM beneficiaries WHERE pseudonymised_at IS NULL`
	args := []any{passnum.NewID(tx.now) + "-", micros(tx.now), actor.OrganisationID, actor.Kind, actor.ID, string(purpose), string(passnum.ReadViaExport)}
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	_, err := tx.exec(ctx, q, args...)
	return err
}

// RecordReads lists the reads of a young person's record, newest first,
// with who read it by name; distributorID, when set, must own the record.
func (tx *Tx) RecordReads(ctx context.Context, beneficiaryID, distributorID string, p Page) ([]passnum.RecordRead, string, error) {
	if _, err := tx.Beneficiary(ctx, beneficiaryID, distributorID); err != nil {
		return nil, "", err
	}
	q := `SELECT r.id, r.beneficiary_id, r.at, r.organisation_id, r.actor_kind, r.actor_id, r.purpose, r.via, COALESCE(o.name, ''),
			COALESCE(CASE WHEN r.actor_kind = 'user' THEN (SELECT CASE WHEN u.name <> '' THEN u.name ELSE u.email END FROM users u WHERE u.id = r.actor_id)
				WHEN r.actor_kind = 'key' THEN (SELECT 'Clé « ' || k.name || ' »' FROM api_keys k WHERE k.id = r.actor_id) END, '')
		FROM record_reads r LEFT JOIN organisations o ON o.id = r.organisation_id WHERE r.beneficiary_id = ?`
	q, args := p.apply(q, []any{beneficiaryID}, "r.at", "r.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []passnum.RecordRead{}
	for rows.Next() {
		var r passnum.RecordRead
		var at int64
		if err := rows.Scan(&r.ID, &r.BeneficiaryID, &at, &r.OrganisationID, &r.ActorKind, &r.ActorID, &r.Purpose, &r.Via, &r.OrganisationName, &r.ActorName); err != nil {
			return nil, "", err
		}
		r.At = fromMicros(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].At), out[i].ID })
	return out, next, nil
}

// PersonalData is everything held on a young person, as they or their
// counsellor download it.
type PersonalData struct {
	ExportedAt time.Time           `json:"exported_at"`
	Person     passnum.Beneficiary `json:"person"`
	// Distributor is the agency that registered the person.
	Distributor string               `json:"distributor"`
	Changes     []BeneficiaryChange  `json:"changes" doc:"corrections de la fiche : champ, ancienne et nouvelle valeur"`
	Passes      []BeneficiaryPass    `json:"passes"`
	Bookings    []passnum.Booking    `json:"bookings"`
	Reads       []passnum.RecordRead `json:"reads" doc:"consultations de la fiche par le personnel : qui, quand, pourquoi"`
}

// PersonalDataOf gathers everything held on a young person;
// distributorID, when set, must own the record.
func (tx *Tx) PersonalDataOf(ctx context.Context, beneficiaryID, distributorID string) (PersonalData, error) {
	d := PersonalData{ExportedAt: tx.now}
	var err error
	if d.Person, err = tx.Beneficiary(ctx, beneficiaryID, distributorID); err != nil {
		return d, err
	}
	if err := tx.queryRow(ctx, `SELECT name FROM organisations WHERE id = ?`, d.Person.DistributorID).Scan(&d.Distributor); err != nil {
		return d, err
	}
	if d.Changes, err = tx.BeneficiaryChanges(ctx, beneficiaryID); err != nil {
		return d, err
	}
	if d.Passes, err = tx.BeneficiaryPasses(ctx, beneficiaryID); err != nil {
		return d, err
	}
	if d.Bookings, _, err = tx.BeneficiaryBookings(ctx, beneficiaryID, Page{Limit: MaxPageSize}); err != nil {
		return d, err
	}
	if d.Bookings == nil {
		d.Bookings = []passnum.Booking{}
	}
	d.Reads, _, err = tx.RecordReads(ctx, beneficiaryID, "", Page{Limit: MaxPageSize})
	return d, err
}

// EraseBeneficiary pseudonymises a young person's identity at their
// request, irreversibly, with the reason in the audit trail. The operator
// (distributorID "") or their agency may do it. Erasing an erased record
// is refused.
func (tx *Tx) EraseBeneficiary(ctx context.Context, actor passnum.Actor, id, distributorID, reason string) (passnum.Beneficiary, error) {
	b, err := tx.Beneficiary(ctx, id, distributorID)
	if err != nil {
		return b, err
	}
	if b.PseudonymisedAt != nil {
		return b, passnum.Erased()
	}
	if reason == "" {
		return b, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "motif obligatoire : par exemple « demande de la personne du 12/03 par courrier »"})
	}
	if err := tx.pseudonymise(ctx, b); err != nil {
		return b, err
	}
	if err := tx.audit(ctx, actor, "beneficiary.erase", "beneficiary", id, reason, nil); err != nil {
		return b, err
	}
	return tx.Beneficiary(ctx, id, "")
}

// pseudonymise replaces the identity of a record: names, birth date (its
// year is kept), contact and guardian, the old and new values of its
// corrections of those fields, and its key for finding the same person.
// The person's sessions on /mon-pass end. Nothing else changes.
func (tx *Tx) pseudonymise(ctx context.Context, b passnum.Beneficiary) error {
	res, err := tx.exec(ctx, `UPDATE beneficiaries SET first_name = ?, last_name = ?, birth_date = ?, email = '', phone = '', contact_consent_at = NULL,
		guardian_consent = ?, guardian_name = '', identity_key = ?, pseudonymised_at = ? WHERE id = ? AND pseudonymised_at IS NULL`,
		passnum.ErasedFirstName, passnum.ErasedLastName, passnum.ErasedBirthDate(b.BirthDate).String(), false, "erased:"+b.ID, micros(tx.now), b.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Erased()
	}
	if _, err := tx.exec(ctx, `UPDATE beneficiary_changes SET old_value = '', new_value = ''
		WHERE beneficiary_id = ? AND field IN ('first_name', 'last_name', 'birth_date', 'email', 'phone', 'guardian_name')`, b.ID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM person_programme_locks WHERE identity_key = ?`, identityKey(b.FirstName, b.LastName, b.BirthDate)); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `DELETE FROM web_sessions WHERE beneficiary_id = ?`, b.ID)
	return err
}

// RetentionRun is what a retention run did.
type RetentionRun struct {
	Months        int `json:"months"`
	Pseudonymised int `json:"pseudonymised"`
}

// RunRetention pseudonymises the identity of every young person whose
// programme ended months ago or more: the latest end (last day a pass
// could be used) of the programmes of their booklets, or their
// registration day when they received none. Each is audited; a second run
// finds nothing more to do.
func (tx *Tx) RunRetention(ctx context.Context, actor passnum.Actor, months int) (RetentionRun, error) {
	run := RetentionRun{Months: months}
	if err := passnum.CheckRetentionMonths(months); err != nil {
		return run, err
	}
	today := tx.Today()
	rows, err := tx.query(ctx, `SELECT b.id, b.created_at, MAX(p.last_redeem_day) FROM beneficiaries b
		LEFT JOIN booklets bk ON bk.beneficiary_id = b.id LEFT JOIN programmes p ON p.id = bk.programme_id
		WHERE b.pseudonymised_at IS NULL GROUP BY b.id, b.created_at ORDER BY b.id`)
	if err != nil {
		return run, err
	}
	var due []string
	for rows.Next() {
		var id string
		var created int64
		var last passnum.Date
		if err := rows.Scan(&id, &created, &last); err != nil {
			rows.Close()
			return run, err
		}
		end := passnum.ParisDate(fromMicros(created))
		if !last.IsZero() {
			end = last
		}
		if passnum.RetentionDue(end, today, months) {
			due = append(due, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return run, err
	}
	for _, id := range due {
		b, err := tx.Beneficiary(ctx, id, "")
		if err != nil {
			return run, err
		}
		if err := tx.pseudonymise(ctx, b); passnum.ErrorCode(err) == passnum.EERASED {
			continue
		} else if err != nil {
			return run, err
		}
		if err := tx.audit(ctx, actor, "beneficiary.retention", "beneficiary", id, "", map[string]any{"retention_months": months}); err != nil {
			return run, err
		}
		run.Pseudonymised++
	}
	return run, nil
}
