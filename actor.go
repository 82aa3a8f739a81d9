package passnum

// Role is what an organisation is in the programme; a key or a person acts
// with the role of its organisation.
type Role string

// The four roles of the scheme.
const (
	RoleOperator    Role = "operator"
	RoleFunder      Role = "funder"
	RoleDistributor Role = "distributor"
	RolePlace       Role = "place"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOperator, RoleFunder, RoleDistributor, RolePlace:
		return true
	}
	return false
}

// Actor is who performs an action: recorded on every state change.
type Actor struct {
	OrganisationID string
	Role           Role
	// Kind is "key" for an API key, "user" for a signed-in person,
	// "system" for the CLI, the demo seed or scheduled jobs.
	Kind string
	ID   string
}

// SystemActor acts for the command line and the demo seed.
var SystemActor = Actor{Role: RoleOperator, Kind: "system", ID: "cli"}
