package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"passnum"
	"passnum/store"
)

// opAuditView is the audit trail with its filters.
type opAuditView struct {
	Entries       []opAuditLine
	Next, First   string
	TypeOptions   []option
	ActionOptions []option
	OrgOptions    []option
	Filtered      bool
}

// opAuditLine is one entry, with the names the ids stand for when known.
type opAuditLine struct {
	passnum.AuditEntry
	OrganisationName string
	// ActorLabel names who acted: a person's address, or nothing.
	ActorLabel string
	// ObjectURL leads to the object's page when it has one.
	ObjectURL string
}

// opAuditFields are the filters of the audit page (all ids or codes, never
// personal data, so they may sit in the address).
var opAuditFields = []string{"object_type", "object_id", "organisation_id", "actor_id", "action", "du", "au"}

func operatorAudit(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	query := q.r.URL.Query()
	f := &form{Values: query, Errors: map[string]string{}}
	filter := store.AuditFilter{ObjectType: f.Get("object_type"), ObjectID: f.Get("object_id"), OrganisationID: f.Get("organisation_id"),
		ActorID: f.Get("actor_id"), Action: f.Get("action"), Page: p}
	var fe passnum.FieldErrors
	for _, name := range []string{"object_id", "organisation_id", "actor_id", "action", "object_type"} {
		if len(f.Get(name)) > 100 {
			fe.Add(name, "100 caractères au plus")
		}
	}
	if s := f.Get("du"); s != "" {
		if d, err := parseFrenchDate("du", s); err != nil {
			fe = append(fe, err.(*passnum.Error).Fields...)
		} else {
			filter.From = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, passnum.Paris)
		}
	}
	if s := f.Get("au"); s != "" {
		if d, err := parseFrenchDate("au", s); err != nil {
			fe = append(fe, err.(*passnum.Error).Fields...)
		} else {
			filter.Until = d.EndInstant()
		}
	}
	v := opAuditView{TypeOptions: opObjectTypeOptions(), ActionOptions: opActionOptions()}
	for _, name := range opAuditFields {
		if f.Get(name) != "" {
			v.Filtered = true
		}
	}
	status := http.StatusOK
	if err := fe.Err(); err != nil {
		f.Fail(err)
		status = http.StatusUnprocessableEntity
	}
	var next string
	if err := q.view(func(tx *store.Tx) error {
		orgs, _, err := tx.ListOrganisations(q.ctx(), "", "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		names := map[string]string{}
		v.OrgOptions = []option{{"", "Toutes"}}
		for _, o := range orgs {
			names[o.ID] = o.Name
			v.OrgOptions = append(v.OrgOptions, option{o.ID, o.Name})
		}
		if status != http.StatusOK {
			return nil
		}
		entries, n, err := tx.ListAudit(q.ctx(), filter)
		if err != nil {
			return err
		}
		next = n
		people, err := tx.ListUsers(q.ctx(), "")
		if err != nil {
			return err
		}
		emails := map[string]string{}
		for _, u := range people {
			emails[u.ID] = u.Email
		}
		for _, e := range entries {
			l := opAuditLine{AuditEntry: e, OrganisationName: names[e.OrganisationID]}
			if e.ActorKind == "user" {
				l.ActorLabel = emails[e.ActorID]
			}
			switch e.ObjectType {
			case "organisation":
				l.ObjectURL = "/operateur/organisations/" + e.ObjectID
			case "programme":
				l.ObjectURL = "/operateur/programmes/" + e.ObjectID
			}
			v.Entries = append(v.Entries, l)
		}
		return nil
	}); err != nil {
		return err
	}
	v.Next = opNextURL("/operateur/journal", query, next)
	v.First = opFirstURL("/operateur/journal", query)
	return q.render(status, "operator/audit", "Journal des opérations", v, f)
}

// opActions names the actions of the audit trail in French.
var opActions = map[string]string{
	"programme.create":          "Création d'un programme",
	"programme.issue":           "Émission de carnets",
	"programme.allocate":        "Attribution de carnets à un distributeur",
	"organisation.create":       "Création d'une organisation",
	"place.apply":               "Candidature au label",
	"place.labelled":            "Lieu labellisé",
	"place.refused":             "Candidature refusée",
	"place.suspended":           "Label suspendu",
	"place.withdrawn":           "Label retiré",
	"place.siret_release":       "SIRET libéré",
	"bank_account.submit":       "Coordonnées bancaires proposées",
	"bank_account.approve":      "Coordonnées bancaires approuvées",
	"bank_account.reject":       "Coordonnées bancaires rejetées",
	"bank_account.replace":      "Coordonnées bancaires remplacées",
	"key.create":                "Création d'une clé d'API",
	"key.revoke":                "Révocation d'une clé d'API",
	"user.create":               "Création d'un compte",
	"user.invite_link":          "Envoi d'une invitation",
	"user.reset_link":           "Envoi d'un lien de nouveau mot de passe",
	"user.password_set":         "Mot de passe choisi",
	"user.disable":              "Compte désactivé",
	"user.enable":               "Compte réactivé",
	"user.totp_setup":           "Double authentification en cours de configuration",
	"user.totp_enable":          "Double authentification activée",
	"user.totp_disable":         "Double authentification désactivée",
	"user.recovery_codes":       "Codes de secours renouvelés",
	"user.recovery_code_use":    "Code de secours utilisé",
	"beneficiary.create":        "Inscription d'un bénéficiaire",
	"beneficiary.signin_unlock": "Accès à « Mon pass » débloqué",
	"booklet.hand_out":          "Remise d'un carnet",
	"booklet.block":             "Carnet bloqué",
	"booklet.replace":           "Carnet remplacé",
	"pass.redeem":               "Pass encaissé",
	"redemption.cancel":         "Encaissement annulé",
	"training.create":           "Création d'une formation",
	"training.deactivate":       "Formation retirée",
	"session.create":            "Création d'une séance",
	"session.cancel":            "Séance annulée",
	"booking.create":            "Réservation d'une séance",
	"booking.cancel":            "Réservation annulée",
	"site.create":               "Création d'un site",
	"site.update":               "Modification d'un site",
	"sites.import":              "Import de sites (open data)",
}

func opActionFR(a string) string {
	if s, ok := opActions[a]; ok {
		return s
	}
	return a
}

func opActionOptions() []option {
	out := []option{{"", "Toutes"}}
	keys := make([]string, 0, len(opActions))
	for k := range opActions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return opActions[keys[i]] < opActions[keys[j]] })
	for _, k := range keys {
		out = append(out, option{k, opActions[k]})
	}
	return out
}

var opObjectTypes = map[string]string{
	"organisation": "Organisation", "programme": "Programme", "user": "Personne", "api_key": "Clé d'API",
	"bank_account": "Coordonnées bancaires", "beneficiary": "Bénéficiaire", "booklet": "Carnet", "redemption": "Encaissement",
	"training": "Formation", "session": "Séance", "booking": "Réservation", "site": "Site", "site_import": "Import de sites",
}

func opObjectTypeFR(t string) string {
	if s, ok := opObjectTypes[t]; ok {
		return s
	}
	return t
}

func opObjectTypeOptions() []option {
	out := []option{{"", "Tous"}}
	keys := make([]string, 0, len(opObjectTypes))
	for k := range opObjectTypes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return opObjectTypes[keys[i]] < opObjectTypes[keys[j]] })
	for _, k := range keys {
		out = append(out, option{k, opObjectTypes[k]})
	}
	return out
}

func opActorKindFR(k string) string {
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
	return strings.TrimSpace(k)
}
