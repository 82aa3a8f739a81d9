package passnum

// The French words for the domain's values: every page, API detail, PDF
// and e-mail that names a status or a role to a person takes its word
// from here, so that one state never has two names. Internal codes
// ("redeemed", "place") are never shown.

// Label is the role's French name: "opérateur", "financeur",
// "distributeur", "lieu labellisé".
func (r Role) Label() string {
	switch r {
	case RoleOperator:
		return "opérateur"
	case RoleFunder:
		return "financeur"
	case RoleDistributor:
		return "distributeur"
	case RolePlace:
		return "lieu labellisé"
	}
	return string(r)
}

// Label names a pass status (as DisplayStatus gives it) as the holder and
// the distributor read it.
func (s PassStatus) Label() string {
	switch s {
	case PassRedeemed:
		return "utilisé"
	case PassBlocked:
		return "bloqué"
	case PassAssigned:
		return "disponible"
	case PassExpired:
		return "expiré"
	case PassUnassigned:
		return "non remis"
	}
	return string(s)
}

// Label names a redemption's status: "encaissé" or "annulé".
func (s RedemptionStatus) Label() string {
	switch s {
	case RedemptionActive:
		return "encaissé"
	case RedemptionCancelled:
		return "annulé"
	}
	return string(s)
}

// Label names a booklet status.
func (s BookletStatus) Label() string {
	switch s {
	case BookletHandedOut:
		return "remis"
	case BookletBlocked:
		return "bloqué (perdu ou volé)"
	case BookletAllocated:
		return "en stock"
	case BookletInStock:
		return "non attribué"
	}
	return string(s)
}

// Label names an organisation's status; for a place, where its label
// stands.
func (s OrgStatus) Label() string {
	switch s {
	case OrgActive:
		return "actif"
	case OrgPending:
		return "candidature à l'étude"
	case OrgLabelled:
		return "labellisé"
	case OrgSuspended:
		return "label suspendu"
	case OrgRefused:
		return "candidature refusée"
	case OrgWithdrawn:
		return "label retiré"
	}
	return string(s)
}

// Label names the status of a place's bank details (« coordonnées
// bancaires », hence the feminine plural).
func (s BankStatus) Label() string {
	switch s {
	case BankPending:
		return "en attente de validation"
	case BankApproved:
		return "approuvées"
	case BankRejected:
		return "rejetées"
	case BankReplaced:
		return "remplacées"
	}
	return string(s)
}

// Label names a session status: "programmée", "annulée".
func (s SessionStatus) Label() string {
	switch s {
	case SessionScheduled:
		return "programmée"
	case SessionCancelled:
		return "annulée"
	}
	return string(s)
}

// Label names a booking status: "réservée", "annulée".
func (s BookingStatus) Label() string {
	switch s {
	case BookingBooked:
		return "réservée"
	case BookingCancelled:
		return "annulée"
	}
	return string(s)
}
