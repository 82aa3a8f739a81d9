package passnum

import "time"

// Redemption statuses.
const (
	RedemptionActive    = "active"
	RedemptionCancelled = "cancelled"
)

// Redemption is a place encashing one pass after delivering a service. It is
// never deleted; a cancellation marks it and writes a reversing ledger entry.
type Redemption struct {
	ID           string     `json:"redemption_id"`
	Code         string     `json:"code"`
	ProgrammeID  string     `json:"programme_id"`
	PlaceID      string     `json:"place_id"`
	Service      string     `json:"service"`
	RedeemedAt   time.Time  `json:"redeemed_at"`
	AmountCents  int64      `json:"amount_cents"`
	Status       string     `json:"status"`
	CancelledAt  *time.Time `json:"cancelled_at,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	SiteID       string     `json:"site_id,omitempty"`
	SessionID    string     `json:"session_id,omitempty"`
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
