package api

import (
	"net/http"
	"slices"

	"passnum"
	"passnum/store"
)

// route is one API action: its address, the roles allowed on it, its
// documentation and its handler. Handle checks the request outside any
// transaction and returns the work to run inside one (a read snapshot for
// GET, an atomic write for POST and DELETE).
type route struct {
	Method   string
	Path     string
	Roles    []passnum.Role // none: public
	Summary  string
	Request  any // zero value of the body type, for the documentation
	Response any // zero value of the answer type
	Status   int
	// AltStatus is the other success an answer may choose (statused): a
	// POST whose work was already done answers 200 instead of 201.
	AltStatus int
	AltDoc    string
	Errors    []string
	// MaxBody caps the request body (MaxBodyBytes, 1 MiB, when zero); file
	// uploads such as an open-data import set more.
	MaxBody int64
	// Exclusive writes (issuing booklets) run in a transaction of their own.
	Exclusive bool
	// Query documents the query parameters a route reads.
	Query []queryParam
	// Produces is the media type of a success that is not JSON (a CSV file);
	// Consumes lists the media types of a body that may not be JSON.
	Produces string
	Consumes []string
	// Urgent routes serve a place with the young person in front of it
	// (checking a pass, redeeming it): they never wait behind page views and
	// exports for a slot of the server's general lane (server/lanes.go).
	Urgent bool
	Handle func(c *call) (func(*store.Tx) (any, error), error)
}

// queryParam documents one query parameter.
type queryParam struct {
	Name, Doc string
	Type      string // "string" (default), "integer", "date"
	Enum      []string
}

func (rt *route) fullPath() string { return Prefix + rt.Path }

func (rt *route) allows(r passnum.Role) bool { return slices.Contains(rt.Roles, r) }

var (
	operator    = []passnum.Role{passnum.RoleOperator}
	distributor = []passnum.Role{passnum.RoleDistributor}
	place       = []passnum.Role{passnum.RolePlace}
	anyRole     = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RoleDistributor, passnum.RolePlace}
)

// Routes returns a copy of the route table, for tests and documentation.
func Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(routes))
	for _, rt := range routes {
		out = append(out, RouteInfo{Method: rt.Method, Path: rt.fullPath(), Roles: slices.Clone(rt.Roles), Status: rt.Status, Errors: slices.Clone(rt.Errors)})
	}
	return out
}

// RouteInfo describes a route without its handler.
type RouteInfo struct {
	Method string
	Path   string
	Roles  []passnum.Role
	Status int
	Errors []string
}

// routes is the one table of the API: every address, who may call it. Each
// area of the product contributes its part, declared next to its handlers.
var routes []*route

func init() {
	routes = slices.Concat(lifecycleRoutes(), placeApplicationRoutes(), catalogueRoutes(), directoryRoutes(), searchRoutes(), settlementRoutes(), documentRoutes(), settlementDocumentRoutes(), statsRoutes(), personalDataRoutes(), reminderRoutes())
}

// documentRoutes documents the API itself.
func documentRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/openapi.json", Summary: "Ce document OpenAPI", Status: http.StatusOK, Handle: openAPIDocument},
	}
}

// lifecycleRoutes: the life of a pass, from the programme to the redemption.
func lifecycleRoutes() []*route {
	return slices.Concat(organisationRoutes(), programmeRoutes(), beneficiaryRoutes(), passRoutes(), trailRoutes())
}

// organisationRoutes are the routes of the organisations, their API keys and the places' label.
func organisationRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/organisations", Roles: operator, Summary: "Créer une organisation (distributeur, lieu, financeur)",
			Request: organisationRequest{}, Response: passnum.Organisation{}, Status: http.StatusCreated,
			Errors: []string{passnum.EINVALID, passnum.ECONFLICT}, Handle: createOrganisation},
		{Method: "GET", Path: "/organisations", Roles: anyRole, Summary: "Lister les organisations (l'opérateur voit tout, les autres leur propre organisation)",
			Query:    []queryParam{{Name: "kind", Doc: "type d'organisation", Enum: []string{"operator", "funder", "distributor", "place"}}},
			Response: list[passnum.Organisation]{}, Status: http.StatusOK, Handle: listOrganisations},
		{Method: "GET", Path: "/organisations/{id}", Roles: anyRole, Summary: "Lire une organisation",
			Response: passnum.Organisation{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getOrganisation},
		{Method: "POST", Path: "/organisations/{id}/keys", Roles: operator, Summary: "Créer une clé d'API nommée pour une organisation (affichée une seule fois)",
			Request: keyRequest{}, Response: keyResponse{}, Status: http.StatusCreated, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: createKey},
		{Method: "GET", Path: "/organisations/{id}/keys", Roles: operator, Summary: "Lister les clés d'une organisation (sans leur secret)",
			Response: list[passnum.APIKey]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listKeys},
		{Method: "DELETE", Path: "/keys/{id}", Roles: operator, Summary: "Révoquer une clé d'API, immédiatement",
			Status: http.StatusNoContent, Errors: []string{passnum.ENOTFOUND}, Handle: revokeKey},
		{Method: "POST", Path: "/places/{id}/label", Roles: operator, Summary: "Labelliser un lieu",
			Request: reasonRequest{}, Response: placeStatus{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: setPlaceStatus(passnum.OrgLabelled)},
		{Method: "POST", Path: "/places/{id}/suspend", Roles: operator, Summary: "Suspendre le label d'un lieu (motif obligatoire)",
			Request: reasonRequest{}, Response: placeStatus{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: setPlaceStatus(passnum.OrgSuspended)},
		{Method: "POST", Path: "/places/{id}/refuse", Roles: operator, Summary: "Refuser le label à un lieu (motif obligatoire)",
			Request: reasonRequest{}, Response: placeStatus{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: setPlaceStatus(passnum.OrgRefused)},
		{Method: "POST", Path: "/places/{id}/withdraw", Roles: operator, Summary: "Retirer le label d'un lieu (motif obligatoire)",
			Request: reasonRequest{}, Response: placeStatus{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: setPlaceStatus(passnum.OrgWithdrawn)},
	}
}

// programmeRoutes are the routes of the programmes, their issuances and allocations, a distributor's stock.
func programmeRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/programmes", Roles: operator, Summary: "Créer un programme et les parts de ses financeurs",
			Request: programmeRequest{}, Response: passnum.Programme{}, Status: http.StatusCreated, Errors: []string{passnum.EINVALID}, Handle: createProgramme},
		{Method: "GET", Path: "/programmes", Roles: anyRole, Summary: "Lister les programmes (un financeur voit ceux qu'il finance)",
			Response: list[passnum.Programme]{}, Status: http.StatusOK, Handle: listProgrammes},
		{Method: "GET", Path: "/programmes/{id}", Roles: anyRole, Summary: "Lire un programme, ses financeurs et son stock",
			Response: passnum.Programme{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getProgramme},
		{Method: "POST", Path: "/programmes/{id}/settings", Roles: operator, Summary: "Modifier les réglages d'un programme (nom, validité, tolérance, âges, limites, territoire) ; la valeur des pass, la taille des carnets et les financeurs ne changent plus",
			Request: programmeSettingsRequest{}, Response: passnum.Programme{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: updateProgrammeSettings},
		{Method: "POST", Path: "/programmes/{id}/issuances", Roles: operator, Summary: "Émettre des carnets de pass dans le stock central du programme",
			Request: issuanceRequest{}, Response: passnum.Issuance{}, Status: http.StatusCreated, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Exclusive: true, Handle: createIssuance},
		{Method: "POST", Path: "/programmes/{id}/allocations", Roles: operator, Summary: "Doter un distributeur de carnets",
			Request: allocationRequest{}, Response: passnum.Allocation{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EINSUFFICIENTSTOCK}, Handle: createAllocation},
		{Method: "GET", Path: "/programmes/{id}/allocations", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Lister les dotations (un distributeur voit les siennes)",
			Response: list[passnum.Allocation]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listAllocations},
		{Method: "GET", Path: "/programmes/{id}/stock", Roles: distributor, Summary: "Stock de carnets de la structure pour ce programme",
			Response: DistributorStock{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getStock},
	}
}

// beneficiaryRoutes are the routes of the young people, their booklets, hand-outs, blocks and replacements.
func beneficiaryRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/beneficiaries", Roles: distributor, Summary: "Inscrire un bénéficiaire",
			Request: beneficiaryRequest{}, Response: passnum.Beneficiary{}, Status: http.StatusCreated, Errors: []string{passnum.EINVALID, passnum.EDUPLICATEPERSON}, Handle: createBeneficiary},
		{Method: "POST", Path: "/beneficiaries/{id}/record", Roles: distributor, Summary: "Corriger la fiche d'un bénéficiaire (prénom, nom, date de naissance, commune, situation) : les champs envoyés remplacent les anciens, les anciennes et nouvelles valeurs sont conservées",
			Request: beneficiaryCorrection{}, Response: passnum.Beneficiary{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EDUPLICATEPERSON, passnum.EERASED}, Handle: correctBeneficiary},
		{Method: "GET", Path: "/beneficiaries", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Lister ou chercher les bénéficiaires, avec leurs pass remis et utilisés (un distributeur voit les siens)",
			Query:    []queryParam{{Name: "q", Doc: "début du prénom et/ou du nom, sans souci des majuscules ni des accents (« lea mar » trouve « Léa Martin »)"}, purposeQuery},
			Response: list[BeneficiarySummary]{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: searchBeneficiaries},
		{Method: "GET", Path: "/beneficiaries/{id}", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Lire un bénéficiaire (la lecture est consignée avec son motif)",
			Query: []queryParam{purposeQuery}, Response: passnum.Beneficiary{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: getBeneficiary},
		{Method: "POST", Path: "/beneficiaries/{id}/booklets", Roles: distributor, Summary: "Vérifier l'éligibilité et remettre un carnet",
			Request: handOutRequest{}, Response: passnum.Booklet{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ENOTELIGIBLE, passnum.EINSUFFICIENTSTOCK, passnum.EBOOKLETLIMIT, passnum.EPROGRAMMECLOSED, passnum.EPOSSIBLEDUPLICATE, passnum.EERASED}, Handle: handOut},
		{Method: "GET", Path: "/duplicate-confirmations", Roles: operator, Summary: "Remises confirmées malgré un carnet du même programme reçu par la même personne dans une autre structure, avec leur nombre",
			Response: duplicateList{}, Status: http.StatusOK, Handle: listDuplicateConfirmations},
		{Method: "GET", Path: "/beneficiaries/{id}/booklets", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Lister les carnets d'un bénéficiaire",
			Response: list[passnum.Booklet]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listBeneficiaryBooklets},
		{Method: "GET", Path: "/booklets/{id}", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Lire un carnet et ses pass",
			Response: passnum.Booklet{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getBooklet},
		{Method: "POST", Path: "/booklets/{id}/block", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Bloquer un carnet perdu ou volé : ses pass non utilisés ne peuvent plus être encaissés (motif obligatoire)",
			Request: bookletReasonRequest{}, Response: passnum.Booklet{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EBLOCKED, passnum.ECONFLICT}, Handle: blockBooklet},
		{Method: "POST", Path: "/booklets/{id}/replace", Roles: []passnum.Role{passnum.RoleOperator, passnum.RoleDistributor}, Summary: "Remplacer un carnet perdu : le bloquer s'il ne l'est pas, et remettre au même bénéficiaire un nouveau carnet du stock de la structure (motif obligatoire)",
			Request: bookletReasonRequest{}, Response: passnum.Booklet{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ECONFLICT, passnum.EINSUFFICIENTSTOCK, passnum.EPROGRAMMECLOSED}, Handle: replaceBooklet},
	}
}

// passRoutes are the routes of checking and redeeming a pass, the redemptions and their cancellation.
func passRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/passes/{code}", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace}, Summary: "Vérifier un pass avant de l'encaisser",
			Response: passnum.Pass{}, Status: http.StatusOK, Errors: []string{passnum.EINVALIDCODE, passnum.ENOTFOUND, passnum.EPLACENOTLABELLED}, Urgent: true, Handle: getPass},
		{Method: "POST", Path: "/passes/{code}/redeem", Roles: place, Summary: "Encaisser un pass après une formation",
			Request: redeemRequest{}, Response: redeemResponse{}, Status: http.StatusCreated,
			Errors: []string{passnum.EINVALIDCODE, passnum.ENOTFOUND, passnum.EINVALID, passnum.EPLACENOTLABELLED, passnum.EALREADYREDEEMED, passnum.ENOTASSIGNED,
				passnum.EEXPIRED, passnum.EBLOCKED, passnum.EOUTSIDETERRITORY, passnum.ESESSIONCLOSED, passnum.ENOTENOUGHPASSES, passnum.ECONFLICT},
			Urgent: true, Handle: redeem},
		{Method: "GET", Path: "/redemptions", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace}, Summary: "Lister les encaissements, du plus récent au plus ancien (un lieu voit les siens)",
			Response: list[passnum.Redemption]{}, Status: http.StatusOK, Handle: listRedemptions},
		{Method: "GET", Path: "/redemptions/{id}", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace}, Summary: "Lire un encaissement",
			Response: passnum.Redemption{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getRedemption},
		{Method: "POST", Path: "/redemptions/{id}/cancel", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace}, Summary: "Annuler un encaissement erroné (le lieu dans le délai, l'opérateur avant remboursement)",
			Request: reasonRequest{}, Response: passnum.Redemption{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ECANCELWINDOWCLOSED, passnum.EALREADYCANCELLED, passnum.EALREADYREIMBURSED}, Handle: cancelRedemption},
	}
}

// trailRoutes are the routes of the audit trail and its signed daily digest.
func trailRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/audit", Roles: operator, Summary: "Journal d'audit : qui a fait quoi, quand et pourquoi, avec les noms résolus à la lecture (les entrées ne gardent que des identifiants)",
			Query: []queryParam{{Name: "object_type", Doc: "type d'objet (organisation, programme, booklet, redemption…)"}, {Name: "object_id", Doc: "identifiant de l'objet"},
				{Name: "action", Doc: "code de l'opération (pass.redeem, booklet.block…)"}},
			Response: list[AuditLine]{}, Status: http.StatusOK, Handle: listAudit},
		{Method: "GET", Path: "/digests/latest", Roles: operator, Summary: "Dernière empreinte quotidienne signée (Ed25519) de la chaîne des sceaux du journal d'audit et du grand livre, à garder hors de la base pour « passnum check --digest »",
			Response: store.Digest{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: latestDigest},
	}
}
