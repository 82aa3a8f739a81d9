package api

import (
	"time"

	"passnum"
	"passnum/store"
)

// The API's answer shapes for the life of a pass (a distributor's stock,
// its beneficiaries, the possible duplicates) and for the audit trail:
// the JSON of the store's read models of the same names.

// DistributorStock is a distributor's stock of one programme:
// store.DistributorStock.
type DistributorStock struct {
	ProgrammeID       string `json:"programme_id"`
	DistributorID     string `json:"distributor_id"`
	AllocatedBooklets int64  `json:"allocated_booklets"`
	AvailableBooklets int64  `json:"available_booklets"`
}

// BeneficiarySummary is a beneficiary as a counsellor's list shows it:
// store.BeneficiarySummary.
type BeneficiarySummary struct {
	passnum.Beneficiary
	PassesTotal     int    `json:"passes_total"`
	PassesUsed      int    `json:"passes_used"`
	LatestBookletID string `json:"latest_booklet_id,omitempty"`
}

func beneficiarySummaryAnswer(b store.BeneficiarySummary) BeneficiarySummary {
	return BeneficiarySummary(b)
}

// DuplicateConfirmation is a hand-out confirmed although the person held
// a booklet of the programme elsewhere: store.DuplicateConfirmation.
type DuplicateConfirmation struct {
	ID                    string    `json:"id"`
	At                    int64     `json:"-"`
	ProgrammeID           string    `json:"programme_id"`
	DistributorID         string    `json:"distributor_id"`
	BeneficiaryID         string    `json:"beneficiary_id"`
	BookletID             string    `json:"booklet_id"`
	ActorKind             string    `json:"actor_kind"`
	ActorID               string    `json:"actor_id"`
	ConfirmedAt           time.Time `json:"confirmed_at"`
	OtherDistributorIDs   []string  `json:"other_distributor_ids"`
	ProgrammeName         string    `json:"programme_name"`
	DistributorName       string    `json:"distributor_name"`
	OtherDistributorNames []string  `json:"other_distributor_names"`
}

func duplicateConfirmationAnswer(d store.DuplicateConfirmation) DuplicateConfirmation {
	return DuplicateConfirmation(d)
}

// AuditLine is an audit entry with its names resolved: store.AuditLine.
type AuditLine struct {
	passnum.AuditEntry
	ActionLabel      string `json:"action_label"`
	ObjectTypeLabel  string `json:"object_type_label"`
	ActorKindLabel   string `json:"actor_kind_label"`
	ActorName        string `json:"actor_name,omitempty"`
	OrganisationName string `json:"organisation_name,omitempty"`
	ObjectName       string `json:"object_name,omitempty"`
}

func auditLineAnswer(l store.AuditLine) AuditLine { return AuditLine(l) }
