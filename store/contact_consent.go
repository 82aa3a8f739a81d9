package store

import (
	"context"

	"passnum"
)

// WithdrawContactConsent records that a young person no longer wants to be
// contacted (no more reminders): the consent goes, and with it the e-mail
// address, the mobile number and the guardian's consent, which were kept
// only for it (passnum.Beneficiary's rule). Audited with the young person
// as actor; the details name nothing. Without consent, nothing changes.
func (tx *Tx) WithdrawContactConsent(ctx context.Context, beneficiaryID string) error {
	b, err := tx.Beneficiary(ctx, beneficiaryID, "")
	if err != nil {
		return err
	}
	if b.PseudonymisedAt != nil {
		return passnum.Erased()
	}
	if !b.ContactConsent && b.Email == "" && b.Phone == "" {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE beneficiaries SET email = '', phone = '', contact_consent_at = NULL, guardian_consent = FALSE, guardian_name = ''
		WHERE id = ?`, b.ID); err != nil {
		return err
	}
	actor := passnum.Actor{OrganisationID: b.DistributorID, Kind: "beneficiary", ID: b.ID}
	return tx.audit(ctx, actor, "beneficiary.contact_withdraw", "beneficiary", b.ID, "", nil)
}

// GiveContactConsent records that a young person, on their own space,
// agrees to be contacted at the e-mail address or mobile number they give
// (one at least, checked as at registration). A minor at registration
// cannot: a legal guardian's consent is needed, which their counsellor
// records. Audited with the young person as actor, without the details.
func (tx *Tx) GiveContactConsent(ctx context.Context, beneficiaryID, email, phone string) (passnum.Beneficiary, error) {
	b, err := tx.Beneficiary(ctx, beneficiaryID, "")
	if err != nil {
		return b, err
	}
	if b.PseudonymisedAt != nil {
		return b, passnum.Erased()
	}
	if b.Minor {
		return b, passnum.Errorf(passnum.ECONFLICT, passnum.MinorConsentMessage)
	}
	nb := b
	nb.Email, nb.Phone, nb.ContactConsent = email, phone, true
	if err := nb.Validate(tx.Today()); err != nil {
		return b, err
	}
	if _, err := tx.exec(ctx, `UPDATE beneficiaries SET email = ?, phone = ?, contact_consent_at = ?, guardian_consent = FALSE, guardian_name = ''
		WHERE id = ?`, nb.Email, nb.Phone, micros(tx.now), b.ID); err != nil {
		return b, err
	}
	actor := passnum.Actor{OrganisationID: b.DistributorID, Kind: "beneficiary", ID: b.ID}
	if err := tx.audit(ctx, actor, "beneficiary.contact_consent", "beneficiary", b.ID, "", nil); err != nil {
		return b, err
	}
	return tx.Beneficiary(ctx, b.ID, "")
}
