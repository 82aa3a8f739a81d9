package passnum

import (
	"database/sql/driver"
	"time"
)

// RedemptionStatus says whether a redemption stands or was cancelled.
type RedemptionStatus string

// Redemption statuses: a redemption is active until cancelled, and a
// cancelled one stays cancelled.
const (
	RedemptionActive    RedemptionStatus = "active"
	RedemptionCancelled RedemptionStatus = "cancelled"
)

// RedemptionStatuses lists the statuses in their order.
var RedemptionStatuses = []RedemptionStatus{RedemptionActive, RedemptionCancelled}

// Valid reports whether s is a known status.
func (s RedemptionStatus) Valid() bool { return oneOf(s, RedemptionStatuses) }

// CanBecome reports whether a redemption in status s may move to next:
// only an active one is cancelled.
func (s RedemptionStatus) CanBecome(next RedemptionStatus) bool {
	return s == RedemptionActive && next == RedemptionCancelled
}

// Value stores the status as its text.
func (s RedemptionStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *RedemptionStatus) Scan(src any) error {
	v, err := scanStatus(src, RedemptionStatus.Valid, "d'encaissement")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Redemption is a place encashing one pass after delivering a service. It is
// never deleted; a cancellation marks it and writes a reversing ledger entry.
type Redemption struct {
	ID           string           `json:"redemption_id"`
	Code         string           `json:"code"`
	ProgrammeID  string           `json:"programme_id"`
	PlaceID      string           `json:"place_id"`
	Service      string           `json:"service"`
	RedeemedAt   time.Time        `json:"redeemed_at"`
	AmountCents  int64            `json:"amount_cents"`
	Status       RedemptionStatus `json:"status"`
	CancelledAt  *time.Time       `json:"cancelled_at,omitempty"`
	CancelReason string           `json:"cancel_reason,omitempty"`
	SiteID       string           `json:"site_id,omitempty"`
	SessionID    string           `json:"session_id,omitempty"`
}

// NationalServices is the national reference list of services (open data
// `services` field), exactly as the standard spells them.
var NationalServices = []string{
	"Aide aux démarches administratives",
	"Maîtrise des outils numériques du quotidien",
	"Insertion professionnelle via le numérique",
	"Utilisation sécurisée du numérique",
	"Parentalité et éducation avec le numérique",
	"Loisirs et créations numériques",
	"Compréhension du monde numérique",
	"Accès internet et matériel informatique",
	"Acquisition de matériel informatique à prix solidaire",
}

// ValidService reports whether s is a national service label.
func ValidService(s string) bool {
	for _, v := range NationalServices {
		if v == s {
			return true
		}
	}
	return false
}
