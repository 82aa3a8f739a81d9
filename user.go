package passnum

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person who signs in to the web pages. A user belongs to one
// organisation and acts with its role.
type User struct {
	ID               string `json:"id"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	Role             Role   `json:"role"`
	// OrganisationStatus is the organisation's status: a place's user
	// whose place is not labelled sees where its application stands.
	OrganisationStatus OrgStatus  `json:"organisation_status"`
	Email              string     `json:"email"`
	Name               string     `json:"name"`
	HasPassword        bool       `json:"has_password"`
	TOTPEnabled        bool       `json:"totp_enabled"`
	DisabledAt         *time.Time `json:"disabled_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
}

// Actor is how a signed-in person is recorded on what they do.
func (u User) Actor() Actor {
	return Actor{OrganisationID: u.OrganisationID, Role: u.Role, Kind: "user", ID: u.ID}
}

// NewUser is a person invited into an organisation.
type NewUser struct {
	OrganisationID string
	Email          string
	Name           string
}

// NormaliseEmail checks an e-mail address and returns it in lower case.
func NormaliseEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if s == "" || err != nil || a.Address != s || !strings.Contains(s, "@") || len(s) > 254 {
		return "", Invalid(FieldError{Field: field, Detail: "adresse électronique attendue, par exemple prenom.nom@exemple.fr"})
	}
	return strings.ToLower(s), nil
}
