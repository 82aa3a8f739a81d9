package web

import (
	"passnum"
)

// A young person's personal data in the counsellor's pages: contact
// details with consent, the rights of access and erasure, and the log of
// reads of their record.

// distContactFrom reads the contact fields of a registration or a
// correction form.
func distContactFrom(f *form, b *passnum.Beneficiary) {
	b.Email, b.Phone = f.Get("email"), f.Get("phone")
	b.ContactConsent, b.GuardianConsent = f.Get("contact_consent") != "", f.Get("guardian_consent") != ""
	b.GuardianName = f.Get("guardian_name")
}

// distContactValues fills the contact fields with a record's.
func distContactValues(f *form, b passnum.Beneficiary) {
	f.Values.Set("email", b.Email)
	f.Values.Set("phone", passnum.MobileFR(b.Phone))
	f.Values.Set("guardian_name", b.GuardianName)
	if b.ContactConsent {
		f.Values.Set("contact_consent", "1")
	}
	if b.GuardianConsent {
		f.Values.Set("guardian_consent", "1")
	}
}
