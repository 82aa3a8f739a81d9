package web

import (
	"slices"

	"passnum"
)

// page is one address of the site: who may see it and what answers.
type page struct {
	Method string
	Path   string
	// Who may use it.
	Access access
	// Roles are the staff roles allowed when Access is staffOnly.
	Roles []passnum.Role
	// Handle answers; it writes the page or returns an error shown as one.
	Handle func(q *request) error
	// Urgent pages serve a place with the young person in front of it: they
	// never wait behind page views and exports for a slot of the server's
	// general lane (server/lanes.go).
	Urgent bool
}

// urgent marks a page Urgent.
func urgent(p *page) *page {
	p.Urgent = true
	return p
}

// access says which visitors a page is for.
type access int

const (
	// public pages are for everyone, signed in or not.
	public access = iota
	// staffOnly pages are for signed-in people whose role is in Roles.
	staffOnly
	// beneficiaryOnly pages are for a young person signed in with a pass.
	beneficiaryOnly
	// pendingFactor is the second-factor step of a staff sign-in.
	pendingFactor
)

var (
	operatorRole    = []passnum.Role{passnum.RoleOperator}
	funderRole      = []passnum.Role{passnum.RoleFunder}
	distributorRole = []passnum.Role{passnum.RoleDistributor}
	placeRole       = []passnum.Role{passnum.RolePlace}
	everyRole       = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RoleDistributor, passnum.RolePlace}
)

// pages is the one table of the site. Each area contributes its part,
// declared next to its handlers.
var pages []*page

func init() {
	pages = slices.Concat(publicPages(), accountPages(), operatorPages(), identityPages(), funderPages(), distributorPages(), distributorRecordPages(), placePages(), beneficiaryPages(), applicationPages(), downloadPages(), paymentDocumentPages(), paymentPages(), distributorDataPages(), distributorDormantPages(), operatorDataPages(), beneficiaryDataPages(), digestPages(), operatorSettlementPages(), dashboardPages())
}

// PageInfo describes a page without its handler, for tests.
type PageInfo struct {
	Method        string
	Path          string
	Public        bool
	Beneficiary   bool
	PendingFactor bool
	Roles         []passnum.Role
}

// Pages lists the site's pages.
func Pages() []PageInfo {
	out := make([]PageInfo, 0, len(pages))
	for _, p := range pages {
		out = append(out, PageInfo{Method: p.Method, Path: p.Path, Public: p.Access == public, Beneficiary: p.Access == beneficiaryOnly,
			PendingFactor: p.Access == pendingFactor, Roles: slices.Clone(p.Roles)})
	}
	return out
}
