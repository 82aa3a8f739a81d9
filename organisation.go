package passnum

import (
	"database/sql/driver"
	"strings"
	"time"

	"passnum/territory"
)

// OrgStatus is where an organisation stands; for a place, where its
// application and its label stand.
type OrgStatus string

// Organisation statuses. Operators, funders and distributors are "active";
// a place goes pending → labelled ⇄ suspended, or refused / withdrawn.
const (
	OrgActive    OrgStatus = "active"
	OrgPending   OrgStatus = "pending"
	OrgLabelled  OrgStatus = "labelled"
	OrgSuspended OrgStatus = "suspended"
	OrgRefused   OrgStatus = "refused"
	OrgWithdrawn OrgStatus = "withdrawn"
)

// OrgStatuses lists the statuses in their order; PlaceStatuses the ones a
// place can have.
var (
	OrgStatuses   = []OrgStatus{OrgActive, OrgPending, OrgLabelled, OrgSuspended, OrgRefused, OrgWithdrawn}
	PlaceStatuses = []OrgStatus{OrgPending, OrgLabelled, OrgSuspended, OrgRefused, OrgWithdrawn}
)

// Valid reports whether s is a known status.
func (s OrgStatus) Valid() bool { return oneOf(s, OrgStatuses) }

// CanBecome reports whether a place in status s may be given status next
// by a label decision (placeTransitions).
func (s OrgStatus) CanBecome(next OrgStatus) bool { return oneOf(next, placeTransitions[s]) }

// Value stores the status as its text.
func (s OrgStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *OrgStatus) Scan(src any) error {
	v, err := scanStatus(src, OrgStatus.Valid, "d'organisation")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Organisation is a legal entity taking part in the scheme.
type Organisation struct {
	ID           string    `json:"id"`
	Kind         Role      `json:"kind"`
	Name         string    `json:"name"`
	SIRET        string    `json:"siret,omitempty"`
	CommuneINSEE string    `json:"commune_insee,omitempty"`
	Status       OrgStatus `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
}

// placeTransitions lists the label decisions allowed from each status: a
// pending application is labelled or refused; a labelled place may be
// suspended or withdrawn; a suspended one labelled again or withdrawn; a
// refused or withdrawn place may apply again and be labelled.
var placeTransitions = map[OrgStatus][]OrgStatus{
	OrgPending:   {OrgLabelled, OrgRefused},
	OrgLabelled:  {OrgSuspended, OrgWithdrawn},
	OrgSuspended: {OrgLabelled, OrgWithdrawn},
	OrgRefused:   {OrgLabelled},
	OrgWithdrawn: {OrgLabelled},
}

// A SIRET belongs to one place at a time. A place holds it while its
// application is pending, and while it is labelled or suspended. A refused
// or withdrawn place, or one the operator registered and whose application
// was never submitted within UnsubmittedHold, no longer holds it: the next
// application with that SIRET takes it (the old place keeps its history and
// the SIRET in its file, marked released). The operator may also release
// the SIRET of a place that is not labelled or suspended.
const UnsubmittedHold = 30 * 24 * time.Hour

// SIRETReleasable reports whether the operator may release the SIRET of a
// place in status.
func SIRETReleasable(status OrgStatus) bool {
	return status == OrgPending || status == OrgRefused || status == OrgWithdrawn
}

// CheckPlaceTransition refuses a label decision that makes no sense from the
// place's current status.
func CheckPlaceTransition(from, to OrgStatus) error {
	if from.CanBecome(to) {
		return nil
	}
	return Errorf(ECONFLICT, "Impossible de passer un lieu de l'état « %s » à l'état « %s » : %s", from.Label(), to.Label(), placeTransitionHint(from))
}

func placeTransitionHint(from OrgStatus) string {
	switch from {
	case OrgPending:
		return "une candidature en attente se labellise ou se refuse."
	case OrgLabelled:
		return "un lieu labellisé peut être suspendu ou perdre son label."
	case OrgSuspended:
		return "un lieu suspendu peut être labellisé à nouveau ou perdre son label."
	}
	return "ce lieu ne peut qu'être labellisé à nouveau."
}

// NewOrganisation is what an operator submits to create one.
type NewOrganisation struct {
	Kind         Role
	Name         string
	SIRET        string
	CommuneINSEE string
}

// Validate checks the fields; a place needs a SIRET with a valid key.
func (n *NewOrganisation) Validate() error {
	var fe FieldErrors
	switch n.Kind {
	case RoleDistributor, RolePlace, RoleFunder, RoleOperator:
	default:
		fe.Add("kind", "doit valoir distributor, place ou funder")
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > 200 {
		fe.Add("name", "nom obligatoire, 200 caractères au plus")
	} else if msg := TextProblem(n.Name, false); msg != "" {
		fe.Add("name", msg)
	}
	if n.SIRET != "" && !ValidSIRET(n.SIRET) {
		fe.Add("siret", "SIRET invalide : 14 chiffres dont le dernier est une clé de contrôle ; vérifiez-le sur l'avis de situation SIRENE")
	} else if n.SIRET == "" && n.Kind == RolePlace {
		fe.Add("siret", "le SIRET est obligatoire pour un lieu (un SIRET, un compte lieu)")
	}
	if n.CommuneINSEE != "" {
		if msg := CheckCommune(n.CommuneINSEE); msg != "" {
			fe.Add("commune_insee", msg)
		}
	}
	return fe.Err()
}

// CheckCommune returns what is wrong with a commune code, or "" when it
// names a commune of the reference territory.
func CheckCommune(code string) string {
	if !ValidINSEECode(code) {
		return "code INSEE de commune attendu (5 caractères, par exemple 25056 pour Besançon)"
	}
	if _, ok := territory.LookupCommune(code); !ok {
		return "aucune commune ne porte le code INSEE " + code + " : vérifiez-le (le code INSEE n'est pas le code postal)"
	}
	return ""
}

// ValidINSEECode checks the shape of a commune code: 5 characters, digits
// except Corsica's 2A/2B.
func ValidINSEECode(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if i == 1 && s[0] == '2' && (c == 'A' || c == 'B') {
			continue
		}
		return false
	}
	return true
}

// APIKey is a named credential of one organisation. Only its hash is stored.
type APIKey struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"created_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
}
