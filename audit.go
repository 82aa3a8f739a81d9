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

// AuditActions names every action of the audit trail in French: the one
// place the operator's page, the API and the exports read them from.
var AuditActions = map[string]string{
	"programme.create":             "Création d'un programme",
	"programme.update":             "Modification des réglages d'un programme",
	"programme.issue":              "Émission de carnets",
	"programme.allocate":           "Attribution de carnets à un distributeur",
	"programme.expire":             "Pass non utilisés déclarés expirés",
	"stock.move":                   "Carnets déplacés entre distributeurs",
	"settlement.create":            "Remboursement des lieux calculé",
	"settlement.sent":              "Virements envoyés à la banque",
	"settlement.payment_recorded":  "Paiement enregistré, à confirmer par un second opérateur",
	"settlement.paid":              "Virements payés",
	"organisation.create":          "Création d'une organisation",
	"place.apply":                  "Candidature au label",
	"place.labelled":               "Lieu labellisé",
	"place.refused":                "Candidature refusée",
	"place.suspended":              "Label suspendu",
	"place.withdrawn":              "Label retiré",
	"place.siret_release":          "SIRET libéré",
	"bank_account.submit":          "Coordonnées bancaires proposées",
	"bank_account.approve":         "Coordonnées bancaires approuvées",
	"bank_account.approve_first":   "Coordonnées bancaires approuvées par un premier opérateur",
	"bank_account.reveal_iban":     "IBAN affiché en entier",
	"bank_account.reject":          "Coordonnées bancaires rejetées",
	"bank_account.replace":         "Coordonnées bancaires remplacées",
	"key.create":                   "Création d'une clé d'API",
	"key.revoke":                   "Révocation d'une clé d'API",
	"user.create":                  "Création d'un compte",
	"user.invite_link":             "Envoi d'une invitation",
	"user.reset_link":              "Envoi d'un lien de nouveau mot de passe",
	"user.password_set":            "Mot de passe choisi",
	"user.disable":                 "Compte désactivé",
	"user.enable":                  "Compte réactivé",
	"user.totp_setup":              "Double authentification en cours de configuration",
	"user.totp_enable":             "Double authentification activée",
	"user.totp_disable":            "Double authentification désactivée",
	"user.recovery_codes":          "Codes de secours renouvelés",
	"user.recovery_code_use":       "Code de secours utilisé",
	"beneficiary.create":           "Inscription d'un bénéficiaire",
	"beneficiary.correct":          "Correction de la fiche d'un bénéficiaire",
	"beneficiary.signin_unlock":    "Accès à « Mon pass » débloqué",
	"beneficiary.contact_withdraw": "Le bénéficiaire ne veut plus être contacté (rappels arrêtés)",
	"beneficiary.contact_consent":  "Le bénéficiaire accepte d'être contacté (rappels)",
	"beneficiary.erase":            "Données d'identité d'un bénéficiaire effacées à sa demande",
	"beneficiary.retention":        "Données d'identité d'un bénéficiaire pseudonymisées au terme de leur conservation",
	"booklet.hand_out":             "Remise d'un carnet",
	"booklet.duplicate_confirmed":  "Remise confirmée malgré un carnet reçu dans une autre structure",
	"booklet.block":                "Carnet bloqué",
	"booklet.replace":              "Carnet remplacé",
	"booklet.call":                 "Bénéficiaire d'un carnet dormant rappelé",
	"pass.redeem":                  "Pass encaissé",
	"redemption.cancel":            "Encaissement annulé",
	"redemption.correct":           "Encaissement remboursé corrigé",
	"training.create":              "Création d'une formation",
	"training.deactivate":          "Formation retirée",
	"session.create":               "Création d'une séance",
	"session.cancel":               "Séance annulée",
	"booking.create":               "Réservation d'une séance",
	"booking.cancel":               "Réservation annulée",
	"site.create":                  "Création d'un site",
	"site.update":                  "Modification d'un site",
	"sites.import":                 "Import de sites (open data)",
	"site.rename":                  "Nom du site modifié",
	"logo.add":                     "Logo d'un financeur ajouté",
	"logo.remove":                  "Logo d'un financeur retiré",
}

// AuditActionLabel is the French words for an action code; an unknown
// code is shown as it is.
func AuditActionLabel(action string) string {
	if s, ok := AuditActions[action]; ok {
		return s
	}
	return action
}

// AuditObjectTypes names the kinds of objects of the audit trail in French.
var AuditObjectTypes = map[string]string{
	"organisation": "Organisation", "programme": "Programme", "user": "Personne", "api_key": "Clé d'API",
	"bank_account": "Coordonnées bancaires", "beneficiary": "Bénéficiaire", "booklet": "Carnet", "redemption": "Encaissement",
	"training": "Formation", "session": "Séance", "booking": "Réservation", "site": "Site", "site_import": "Import de sites", "logo": "Logo", "settlement": "Remboursement", "stock_transfer": "Déplacement de stock",
}

// AuditObjectTypeLabel is the French name of an object type.
func AuditObjectTypeLabel(t string) string {
	if s, ok := AuditObjectTypes[t]; ok {
		return s
	}
	return t
}

// AuditActorKindLabel is the French name of who acted.
func AuditActorKindLabel(k string) string {
	switch k {
	case "user":
		return "personne"
	case "key":
		return "clé d'API"
	case "system":
		return "système"
	case "applicant":
		return "candidat"
	case "beneficiary":
		return "bénéficiaire"
	}
	return k
}
