package passnum

import "time"

// AuditEntry records one state change: who, when, what, why. It holds ids
// only, never names or birth dates, so it can be kept after erasure.
type AuditEntry struct {
	ID             string    `json:"id"`
	At             time.Time `json:"at"`
	OrganisationID string    `json:"organisation_id"`
	ActorKind      string    `json:"actor_kind"`
	ActorID        string    `json:"actor_id"`
	Action         string    `json:"action"`
	ObjectType     string    `json:"object_type"`
	ObjectID       string    `json:"object_id"`
	Reason         string    `json:"reason,omitempty"`
	Details        string    `json:"details,omitempty"`
}
