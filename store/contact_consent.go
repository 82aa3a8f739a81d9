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
