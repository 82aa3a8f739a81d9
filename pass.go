package passnum

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// PassStatus is where a pass stands.
type PassStatus string

// Pass statuses as stored. "expired" is never stored: it is computed from
// the programme's last redeem day, so nothing has to run at midnight.
const (
	PassUnassigned PassStatus = "unassigned"
	PassAssigned   PassStatus = "assigned"
	PassRedeemed   PassStatus = "redeemed"
	PassBlocked    PassStatus = "blocked"
	PassExpired    PassStatus = "expired"
)

// PassStatuses lists the statuses users may see, in their order;
// StoredPassStatuses the ones a pass's row holds (all but expired).
var (
	PassStatuses       = []PassStatus{PassUnassigned, PassAssigned, PassRedeemed, PassBlocked, PassExpired}
	StoredPassStatuses = []PassStatus{PassUnassigned, PassAssigned, PassRedeemed, PassBlocked}
)

// Valid reports whether s is a known status, stored or shown.
func (s PassStatus) Valid() bool { return oneOf(s, PassStatuses) }

// Stored reports whether s is a status a pass's row may hold.
func (s PassStatus) Stored() bool { return oneOf(s, StoredPassStatuses) }

// CanBecome reports whether a stored pass in status s may move to next:
// handing out its booklet assigns it, a redemption redeems it and its
// cancellation assigns it again (or blocks it, when its booklet was
// blocked meanwhile); blocking the booklet blocks its assigned passes.
// Expiry is never stored, so no pass becomes expired.
func (s PassStatus) CanBecome(next PassStatus) bool {
	switch s {
	case PassUnassigned:
		return next == PassAssigned
	case PassAssigned:
		return next == PassRedeemed || next == PassBlocked
	case PassRedeemed:
		return next == PassAssigned || next == PassBlocked
	}
	return false
}

// Value stores the status as its text; expired is never stored.
func (s PassStatus) Value() (driver.Value, error) {
	if !s.Stored() {
		return nil, fmt.Errorf("statut de pass %q : jamais enregistré", string(s))
	}
	return string(s), nil
}

// Scan reads a stored status and refuses an unknown one, and expired,
// which is never stored.
func (s *PassStatus) Scan(src any) error {
	v, err := scanStatus(src, PassStatus.Stored, "de pass")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// BookletStatus is where a booklet stands between the programme's stock
// and its holder.
type BookletStatus string

// Booklet statuses.
const (
	BookletInStock   BookletStatus = "stock"
	BookletAllocated BookletStatus = "allocated"
	BookletHandedOut BookletStatus = "handed_out"
	BookletBlocked   BookletStatus = "blocked"
)

// BookletStatuses lists the statuses in their order.
var BookletStatuses = []BookletStatus{BookletInStock, BookletAllocated, BookletHandedOut, BookletBlocked}

// Valid reports whether s is a known status.
func (s BookletStatus) Valid() bool { return oneOf(s, BookletStatuses) }

// CanBecome reports whether a booklet in status s may move to next: the
// programme's stock is allocated to a distributor, which may move it back
// to the stock or hand it out; a handed-out booklet may be blocked (lost
// or stolen), and a blocked one stays blocked.
func (s BookletStatus) CanBecome(next BookletStatus) bool {
	switch s {
	case BookletInStock:
		return next == BookletAllocated
	case BookletAllocated:
		return next == BookletInStock || next == BookletHandedOut
	case BookletHandedOut:
		return next == BookletBlocked
	}
	return false
}

// Value stores the status as its text.
func (s BookletStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *BookletStatus) Scan(src any) error {
	v, err := scanStatus(src, BookletStatus.Valid, "de carnet")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Pass is one cheque of a booklet.
type Pass struct {
	ID             string     `json:"-"`
	Code           string     `json:"code"`
	ProgrammeID    string     `json:"programme_id"`
	BookletID      string     `json:"booklet_id"`
	Status         PassStatus `json:"status"`
	FaceValueCents int64      `json:"face_value_cents"`
	ValidUntil     Date       `json:"valid_until"`
	// Beneficiary is the minimum a place needs to check identity.
	Beneficiary *PassHolder `json:"beneficiary,omitempty"`
	// LastRedemption tells when and where a redeemed pass was used.
	LastRedemption *RedemptionSummary `json:"redemption,omitempty"`
}

// PassHolder is what a place may see of the beneficiary.
type PassHolder struct {
	FirstName string `json:"first_name"`
	BirthYear int    `json:"birth_year"`
}

// RedemptionSummary says when and where a pass was redeemed.
type RedemptionSummary struct {
	RedemptionID string    `json:"redemption_id"`
	PlaceID      string    `json:"place_id"`
	PlaceName    string    `json:"place_name"`
	RedeemedAt   time.Time `json:"redeemed_at"`
}

// DisplayStatus turns the stored status into what users see on day today.
func DisplayStatus(stored PassStatus, lastRedeemDay, today Date) PassStatus {
	if (stored == PassAssigned || stored == PassUnassigned) && today.After(lastRedeemDay) {
		return PassExpired
	}
	return stored
}

// Booklet is a set of passes handed to one beneficiary.
type Booklet struct {
	ID            string        `json:"booklet_id"`
	ProgrammeID   string        `json:"programme_id"`
	DistributorID string        `json:"distributor_id,omitempty"`
	BeneficiaryID string        `json:"beneficiary_id,omitempty"`
	Status        BookletStatus `json:"status"`
	ValidUntil    Date          `json:"valid_until"`
	HandedOutAt   *time.Time    `json:"handed_out_at,omitempty"`
	// VoidedPasses, in a booklet that replaced a lost one, are the passes
	// beyond the unused value it carries: they stay "unassigned", never
	// usable.
	VoidedPasses int    `json:"voided_passes,omitempty"`
	Passes       []Pass `json:"passes"`
}
