package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

const beneficiaryColumns = `id, distributor_id, first_name, last_name, birth_date, commune_insee, job_seeker, in_studies, created_at, ` +
	`email, phone, contact_consent_at, guardian_consent, guardian_name, pseudonymised_at`

func scanBeneficiary(sc interface{ Scan(...any) error }) (passnum.Beneficiary, error) {
	var b passnum.Beneficiary
	var created int64
	var consent, erased sql.NullInt64
	err := sc.Scan(&b.ID, &b.DistributorID, &b.FirstName, &b.LastName, &b.BirthDate, &b.CommuneINSEE, &b.JobSeeker, &b.InStudies, &created,
		&b.Email, &b.Phone, &consent, &b.GuardianConsent, &b.GuardianName, &erased)
	b.CreatedAt = fromMicros(created)
	b.ContactConsentAt, b.PseudonymisedAt = nullMicros(consent), nullMicros(erased)
	b.ContactConsent = b.ContactConsentAt != nil
	b.Minor = b.PseudonymisedAt == nil && !b.BirthDate.IsZero() && b.BirthDate.AgeOn(passnum.ParisDate(b.CreatedAt)) < passnum.MajorityAge
	return b, err
}

// CreateBeneficiary registers a young person under the acting distributor.
// The same person (same folded names and birth date, identityKey) is
// registered once per agency: a second registration is refused
// (duplicate_person) with the existing record's id in the error's Extra,
// and the database's unique index is the last guard.
func (tx *Tx) CreateBeneficiary(ctx context.Context, actor passnum.Actor, b passnum.Beneficiary) (passnum.Beneficiary, error) {
	if err := b.Validate(tx.Today()); err != nil {
		return b, err
	}
	b.ID = passnum.NewID(tx.now)
	b.DistributorID = actor.OrganisationID
	b.CreatedAt = tx.now
	b.PseudonymisedAt, b.ContactConsentAt = nil, nil
	var consentAt any
	if b.ContactConsent {
		b.ContactConsentAt, consentAt = &b.CreatedAt, micros(tx.now)
	}
	key := identityKey(b.FirstName, b.LastName, b.BirthDate)
	var id string
	err := tx.queryRow(ctx, `INSERT INTO beneficiaries (`+beneficiaryColumns+`, identity_key) VALUES (`+placeholders(16)+`)
		ON CONFLICT (distributor_id, identity_key) DO NOTHING RETURNING id`,
		b.ID, b.DistributorID, b.FirstName, b.LastName, b.BirthDate.String(), b.CommuneINSEE, b.JobSeeker, b.InStudies, micros(tx.now),
		b.Email, b.Phone, consentAt, b.GuardianConsent, b.GuardianName, nil, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return b, tx.duplicatePerson(ctx, b.DistributorID, key)
	}
	if err != nil {
		return b, err
	}
	return b, tx.audit(ctx, actor, "beneficiary.create", "beneficiary", b.ID, "", consentDetails(b))
}

// duplicatePerson is the refusal of a second record of the same person in
// one agency, naming the existing record by its id.
func (tx *Tx) duplicatePerson(ctx context.Context, distributorID, key string) error {
	e := passnum.Errorf(passnum.EDUPLICATEPERSON, "Cette personne est déjà inscrite dans votre structure (mêmes prénom, nom et date de naissance) : ouvrez sa fiche plutôt que de l'inscrire une seconde fois.")
	var existing string
	err := tx.queryRow(ctx, `SELECT id FROM beneficiaries WHERE distributor_id = ? AND identity_key = ?`, distributorID, key).Scan(&existing)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if existing != "" {
		e.Extra = map[string]any{"beneficiary_id": existing}
	}
	return e
}

// Beneficiary returns one beneficiary; distributorID, when set, must own it
// (another agency's beneficiary is "not found", never shown).
func (tx *Tx) Beneficiary(ctx context.Context, id, distributorID string) (passnum.Beneficiary, error) {
	q := `SELECT ` + beneficiaryColumns + ` FROM beneficiaries WHERE id = ?`
	args := []any{id}
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	b, err := scanBeneficiary(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound("bénéficiaire")
	}
	return b, err
}

// ListBeneficiaries lists beneficiaries, newest first.
func (tx *Tx) ListBeneficiaries(ctx context.Context, distributorID string, p Page) ([]passnum.Beneficiary, string, error) {
	q := `SELECT ` + beneficiaryColumns + ` FROM beneficiaries WHERE 1=1`
	var args []any
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Beneficiary
	for rows.Next() {
		b, err := scanBeneficiary(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// HandOut checks eligibility on the Paris day and gives the beneficiary a
// booklet from the distributor's stock, refusing when the same person holds
// a booklet of the programme in another agency (HandOutRequest tells how to
// confirm).
func (tx *Tx) HandOut(ctx context.Context, actor passnum.Actor, beneficiaryID, programmeID string) (passnum.Booklet, error) {
	return tx.HandOutWith(ctx, actor, HandOutRequest{BeneficiaryID: beneficiaryID, ProgrammeID: programmeID})
}

// HandOutRequest is a hand-out and what the counsellor confirmed.
type HandOutRequest struct {
	BeneficiaryID, ProgrammeID string
	// ConfirmPossibleDuplicate hands out although a person with the same
	// names and birth date already holds a booklet of the programme in
	// another agency: the counsellor checked it is someone else, or that
	// the person moved. The case is recorded for the operator.
	ConfirmPossibleDuplicate bool
}

// HandOutWith checks eligibility on the Paris day and gives the
// beneficiary a booklet from the distributor's stock. Each guard is a
// conditional statement, so concurrent hand-outs can neither overdraw the
// stock nor exceed the per-beneficiary limit; a lock row per person and
// programme makes two agencies handing out to the same person at once see
// each other.
func (tx *Tx) HandOutWith(ctx context.Context, actor passnum.Actor, req HandOutRequest) (passnum.Booklet, error) {
	var bk passnum.Booklet
	beneficiaryID, programmeID := req.BeneficiaryID, req.ProgrammeID
	b, err := tx.Beneficiary(ctx, beneficiaryID, actor.OrganisationID)
	if err != nil {
		return bk, err
	}
	if b.PseudonymisedAt != nil {
		return bk, passnum.Erased()
	}
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return bk, passnum.Invalid(passnum.FieldError{Field: "programme_id", Detail: "programme inconnu"})
		}
		return bk, err
	}
	today := tx.Today()
	if err := p.HandOutOpen(today); err != nil {
		return bk, err
	}
	if reasons := passnum.CheckEligibility(&b, &p, today); len(reasons) > 0 {
		return bk, passnum.NotEligible(&b, &p, today, reasons)
	}
	elsewhere, err := tx.heldElsewhereLocked(ctx, actor.OrganisationID, programmeID, identityKey(b.FirstName, b.LastName, b.BirthDate))
	if err != nil {
		return bk, err
	}
	if elsewhere && !req.ConfirmPossibleDuplicate {
		return bk, PossibleDuplicate()
	}
	var held int
	err = tx.queryRow(ctx, `INSERT INTO beneficiary_booklets (beneficiary_id, programme_id, booklets) VALUES (?, ?, 1)
		ON CONFLICT (beneficiary_id, programme_id) DO UPDATE SET booklets = beneficiary_booklets.booklets + 1
		WHERE beneficiary_booklets.booklets < ? RETURNING booklets`, beneficiaryID, programmeID, p.MaxBookletsPerBeneficiary).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && held > p.MaxBookletsPerBeneficiary) {
		return bk, passnum.Errorf(passnum.EBOOKLETLIMIT, "Cette personne a déjà reçu le nombre maximal de carnets de ce programme (%d).", p.MaxBookletsPerBeneficiary)
	}
	if err != nil {
		return bk, err
	}
	noStock := passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Votre structure n'a plus de carnet de ce programme en stock : demandez une nouvelle dotation à l'opérateur.")
	var bookletID string
	err = tx.queryRow(ctx, `UPDATE booklets SET status = 'handed_out', beneficiary_id = ?, handed_out_at = ?
		WHERE id = (SELECT id FROM booklets WHERE programme_id = ? AND status = 'allocated' AND distributor_id = ? ORDER BY id LIMIT 1`+tx.s.dialect.skipLocked()+`)
		RETURNING id`, beneficiaryID, micros(tx.now), programmeID, actor.OrganisationID).Scan(&bookletID)
	if errors.Is(err, sql.ErrNoRows) {
		return bk, noStock
	}
	if err != nil {
		return bk, err
	}
	if _, err := tx.exec(ctx, `UPDATE passes SET status = 'assigned' WHERE booklet_id = ? AND status = 'unassigned'`, bookletID); err != nil {
		return bk, err
	}
	if err := tx.statHandOut(ctx, bookletID, beneficiaryID, ""); err != nil {
		return bk, err
	}
	details := map[string]any{"beneficiary_id": beneficiaryID, "programme_id": programmeID}
	if elsewhere {
		details["confirmed_possible_duplicate"] = true
	}
	if err := tx.audit(ctx, actor, "booklet.hand_out", "booklet", bookletID, "", details); err != nil {
		return bk, err
	}
	if elsewhere {
		if err := tx.recordDuplicateConfirmation(ctx, actor, programmeID, beneficiaryID, bookletID); err != nil {
			return bk, err
		}
	}
	out, err := tx.Booklet(ctx, bookletID)
	if err != nil {
		return bk, err
	}
	// The agency's stock last: on PostgreSQL its row stays locked until
	// commit and every hand-out of the agency waits for it, so it is held
	// for the commit alone rather than for the whole hand-out. The booklet
	// taken above (skipping those other hand-outs hold) already says
	// whether one is left.
	res, err := tx.exec(ctx, `UPDATE distributor_stock SET available_booklets = available_booklets - 1
		WHERE programme_id = ? AND distributor_id = ? AND available_booklets >= 1`, programmeID, actor.OrganisationID)
	if err != nil {
		return bk, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return bk, noStock
	}
	return out, nil
}

// Booklet returns a booklet with its passes' codes and statuses.
func (tx *Tx) Booklet(ctx context.Context, id string) (passnum.Booklet, error) {
	var bk passnum.Booklet
	var dist, ben sql.NullString
	var handed sql.NullInt64
	err := tx.queryRow(ctx, `SELECT b.id, b.programme_id, b.distributor_id, b.beneficiary_id, b.status, b.handed_out_at, b.voided_passes, p.valid_until
		FROM booklets b JOIN programmes p ON p.id = b.programme_id WHERE b.id = ?`, id).
		Scan(&bk.ID, &bk.ProgrammeID, &dist, &ben, &bk.Status, &handed, &bk.VoidedPasses, &bk.ValidUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return bk, notFound("carnet")
	}
	if err != nil {
		return bk, err
	}
	bk.DistributorID, bk.BeneficiaryID = dist.String, ben.String
	bk.HandedOutAt = nullMicros(handed)
	rows, err := tx.query(ctx, `SELECT ps.code, ps.status, p.face_value_cents, p.last_redeem_day FROM passes ps JOIN programmes p ON p.id = ps.programme_id
		WHERE ps.booklet_id = ? ORDER BY ps.id`, id)
	if err != nil {
		return bk, err
	}
	defer rows.Close()
	today := tx.Today()
	for rows.Next() {
		ps := passnum.Pass{BookletID: id, ProgrammeID: bk.ProgrammeID, ValidUntil: bk.ValidUntil}
		var last passnum.Date
		if err := rows.Scan(&ps.Code, &ps.Status, &ps.FaceValueCents, &last); err != nil {
			return bk, err
		}
		ps.Status = passnum.DisplayStatus(ps.Status, last, today)
		bk.Passes = append(bk.Passes, ps)
	}
	return bk, rows.Err()
}

// BeneficiaryBooklets lists the booklets handed to a beneficiary.
func (tx *Tx) BeneficiaryBooklets(ctx context.Context, beneficiaryID string) ([]passnum.Booklet, error) {
	rows, err := tx.query(ctx, `SELECT id FROM booklets WHERE beneficiary_id = ? ORDER BY handed_out_at DESC, id DESC`, beneficiaryID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]passnum.Booklet, 0, len(ids))
	for _, id := range ids {
		bk, err := tx.Booklet(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, bk)
	}
	return out, nil
}

func frDate(d passnum.Date) string {
	return d.String()[8:10] + "/" + d.String()[5:7] + "/" + d.String()[:4]
}
