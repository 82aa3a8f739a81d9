package passnum

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// A settlement pays the places of one programme for what they redeemed up
// to a cut-off day: one immutable record, one line per place, each line
// paid by one SEPA credit transfer to the place's approved bank account as
// it stood when the settlement was made. Nothing in it is ever edited: a
// mistake found later is a correction, a negative adjustment of the
// place's line in the next settlement.

// SettlementStatus is where a settlement's payment stands.
type SettlementStatus string

// A settlement is created, then sent to the treasurer's bank, then paid.
// When the programme requires four eyes, "paid" recorded by one operator
// waits for a second operator's confirmation (PaymentRecorded).
const (
	SettlementCreated         SettlementStatus = "created"
	SettlementSent            SettlementStatus = "sent"
	SettlementPaymentRecorded SettlementStatus = "payment_recorded"
	SettlementPaid            SettlementStatus = "paid"
)

// SettlementStatuses lists the statuses in their order.
var SettlementStatuses = []SettlementStatus{SettlementCreated, SettlementSent, SettlementPaymentRecorded, SettlementPaid}

// Label is the status as users read it.
func (s SettlementStatus) Label() string {
	switch s {
	case SettlementCreated:
		return "à envoyer à la banque"
	case SettlementSent:
		return "virement envoyé"
	case SettlementPaymentRecorded:
		return "paiement à confirmer"
	case SettlementPaid:
		return "payé"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s SettlementStatus) Valid() bool {
	for _, v := range SettlementStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// CanBecome reports whether a settlement in status s may move to next.
// fourEyes is the programme's setting: with it, paid is reached only
// through PaymentRecorded.
func (s SettlementStatus) CanBecome(next SettlementStatus, fourEyes bool) bool {
	switch {
	case s == SettlementCreated && next == SettlementSent:
		return true
	case s == SettlementSent && next == SettlementPaid:
		return !fourEyes
	case s == SettlementSent && next == SettlementPaymentRecorded:
		return fourEyes
	case s == SettlementPaymentRecorded && next == SettlementPaid:
		return fourEyes
	}
	return false
}

// Value stores the status as its text.
func (s SettlementStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *SettlementStatus) Scan(src any) error {
	v, err := scanText(src)
	if err != nil {
		return err
	}
	if !SettlementStatus(v).Valid() {
		return fmt.Errorf("statut de remboursement inconnu %q", v)
	}
	*s = SettlementStatus(v)
	return nil
}

// scanText reads a TEXT column from either engine's driver.
func scanText(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("texte attendu, reçu %T", src)
}

// HeldBackReason says why a place's line is not paid in a settlement. Its
// redemptions stay unsettled and go into the first run after the cause is
// fixed.
type HeldBackReason string

// The causes of a held-back line.
const (
	HeldNoBankAccount HeldBackReason = "no_bank_account"
	HeldSuspended     HeldBackReason = "place_suspended"
	HeldWithdrawn     HeldBackReason = "place_withdrawn"
)

// Label says the cause and what fixes it.
func (r HeldBackReason) Label() string {
	switch r {
	case HeldNoBankAccount:
		return "pas de coordonnées bancaires approuvées : le lieu les dépose, l'opérateur les approuve, et le prochain remboursement les paie"
	case HeldSuspended:
		return "label suspendu : le paiement attend la levée de la suspension"
	case HeldWithdrawn:
		return "label retiré : le paiement attend la décision de l'opérateur"
	}
	return string(r)
}

// Settlement is one run of reimbursements of a programme up to a cut-off
// day (included, as a whole Paris day).
type Settlement struct {
	ID            string `json:"id"`
	ProgrammeID   string `json:"programme_id"`
	ProgrammeName string `json:"programme_name"`
	// Reference is unique in the installation and short enough for a SEPA
	// end-to-end identification (35 characters): PN-20261130-0007.
	Reference string           `json:"reference"`
	Cutoff    Date             `json:"cutoff"`
	Status    SettlementStatus `json:"status"`
	// Created is false when a run found nothing new and answered with the
	// settlement already made for that cut-off.
	Created bool `json:"created"`
	// TotalCents is the sum of the lines that are paid (not held back).
	TotalCents int64 `json:"total_cents"`
	// LineCount counts the lines, HeldBackCount those held back, PaidCount
	// the others (one SEPA transfer each, when their amount is not zero).
	LineCount     int `json:"line_count"`
	HeldBackCount int `json:"held_back_count"`
	// Lines are every line for the operator and the funders, the place's
	// own line for a place; lists leave them out.
	Lines []SettlementLine `json:"lines,omitempty" doc:"toutes les lignes pour l'opérateur et les financeurs, la sienne seule pour un lieu ; absentes des listes"`
	// FourEyes is the programme's setting when the settlement was made
	// paid or is still to be: a second operator confirms the payment.
	FourEyes  bool       `json:"four_eyes"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	// PaymentRecordedAt is when the first operator recorded the payment,
	// with four eyes (PaidAt is then the second operator's confirmation).
	PaymentRecordedAt *time.Time `json:"payment_recorded_at"`
	// PaidOn is the day the bank made the transfers, BankReference its
	// reference; both given by the operator who records the payment.
	PaidOn        *Date      `json:"paid_on"`
	BankReference string     `json:"bank_reference,omitempty"`
	PaidAt        *time.Time `json:"paid_at"`
}

// SettlementLine is what one place is paid in one settlement.
//
//	AmountCents + CarriedOutCents = RedemptionsCents + AdjustmentsCents + CarriedInCents
//
// with AmountCents ≥ 0 and CarriedOutCents ≤ 0: a line never pays a
// negative amount; what corrections take beyond it is carried to the
// place's next line.
type SettlementLine struct {
	PlaceID   string `json:"place_id"`
	PlaceName string `json:"place_name"`
	// Count and RedemptionsCents: the redemptions this line pays.
	Count            int64 `json:"count"`
	RedemptionsCents int64 `json:"redemptions_cents"`
	// AdjustmentsCents sums the corrections this line takes (≤ 0).
	AdjustmentsCents int64 `json:"adjustments_cents"`
	CarriedInCents   int64 `json:"carried_in_cents"`
	AmountCents      int64 `json:"amount_cents"`
	CarriedOutCents  int64 `json:"carried_out_cents"`
	HeldBack         bool  `json:"held_back"`
	// HeldBackReason is null unless HeldBack.
	HeldBackReason *HeldBackReason `json:"held_back_reason" enum:"no_bank_account,place_suspended,place_withdrawn"`
	// HeldCount and HeldCents say what a held-back line leaves waiting:
	// the place's unsettled redemptions before the cut-off, which stay
	// unsettled (zero on a paid line). A held-back line pays nothing and
	// passes the place's carry on unchanged.
	HeldCount int64 `json:"held_count"`
	HeldCents int64 `json:"held_cents"`
	// The bank account paid, copied when the settlement was made; IBAN is
	// masked for anyone but the operator who reviews it.
	BankAccountID string `json:"bank_account_id,omitempty"`
	Holder        string `json:"holder,omitempty"`
	IBAN          string `json:"iban,omitempty"`
	BIC           string `json:"bic,omitempty"`
	// Shares splits AmountCents between the programme's funders.
	Shares []FunderAmount `json:"shares"`
	// Status is the settlement's, repeated so that a place reading only
	// its own lines sees where its payment stands.
	Status SettlementStatus `json:"status"`
}

// FunderAmount is one funder's part of an amount.
type FunderAmount struct {
	OrganisationID string `json:"organisation_id"`
	ShareBps       int64  `json:"share_bps"`
	AmountCents    int64  `json:"amount_cents"`
}

// SettleLine computes a line's paid amount and carry from its parts.
func SettleLine(redemptions, adjustments, carriedIn int64) (amount, carriedOut int64) {
	net := redemptions + adjustments + carriedIn
	if net < 0 {
		return 0, net
	}
	return net, 0
}

// Correction takes back a settled redemption (a pass redeemed by mistake,
// fraud, a duplicate): a negative adjustment of the place's line in the
// next settlement. The redemption itself stays as it was.
type Correction struct {
	ID           string    `json:"id"`
	RedemptionID string    `json:"redemption_id"`
	ProgrammeID  string    `json:"programme_id"`
	PlaceID      string    `json:"place_id"`
	AmountCents  int64     `json:"amount_cents"` // negative
	Reason       string    `json:"reason"`
	CreatedAt    time.Time `json:"created_at"`
	// Code is the corrected pass's code, masked but its last group;
	// RedeemedAt when it was redeemed.
	Code       string    `json:"code" doc:"code du pass masqué, sauf ses 4 derniers caractères"`
	RedeemedAt time.Time `json:"redeemed_at"`
	// SettledIn is the settlement that paid the corrected redemption.
	SettledIn string `json:"settled_in"`
	// SettlementID is the settlement whose line took it; empty until then.
	SettlementID string `json:"settlement_id,omitempty"`
}

// DefaultCutoff is the default cut-off of a settlement run made on day
// today: the last day of the previous month.
func DefaultCutoff(today Date) Date {
	first := Date{Year: today.Year, Month: today.Month, Day: 1}
	return first.AddDays(-1)
}

// CheckCutoff refuses a cut-off day after today: a settlement pays what
// was redeemed, never what might be.
func CheckCutoff(cutoff, today Date) error {
	if cutoff.IsZero() {
		return Invalid(FieldError{Field: "cutoff", Detail: "jour de fin de période obligatoire (AAAA-MM-JJ), inclus"})
	}
	if cutoff.After(today) {
		return Invalid(FieldError{Field: "cutoff", Detail: "le jour de fin de période est au plus aujourd'hui (" + frenchDay(today) + ") : un remboursement paie ce qui a été encaissé"})
	}
	return nil
}

// MaxReasonLength bounds the reasons people write (corrections, transfers).
const MaxReasonLength = 500

// CheckReason requires a reason, what is wrong written in a few words.
func CheckReason(field, reason, what string) error {
	switch {
	case reason == "":
		return Invalid(FieldError{Field: field, Detail: what})
	case len([]rune(reason)) > MaxReasonLength:
		return Invalid(FieldError{Field: field, Detail: "500 caractères au plus"})
	}
	return nil
}

// StatusError says why a settlement may not move from s to next, and what
// to do instead.
func (s SettlementStatus) StatusError(next SettlementStatus, fourEyes bool) *Error {
	switch {
	case s == next || (next == SettlementPaymentRecorded && s == SettlementPaid):
		return Errorf(EALREADYSETTLED, "Ce remboursement est déjà au statut « %s ».", s.Label())
	case next == SettlementSent:
		return Errorf(EALREADYSETTLED, "Ce remboursement est déjà au statut « %s » : il a été envoyé à la banque.", s.Label())
	case s == SettlementCreated:
		return Errorf(ENOTSETTLED, "Ce remboursement n'a pas encore été envoyé à la banque : marquez-le d'abord comme envoyé, puis comme payé quand la banque a fait les virements.")
	}
	return Errorf(ECONFLICT, "Un remboursement au statut « %s » ne peut pas passer au statut « %s ».", s.Label(), next.Label())
}
