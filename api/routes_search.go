package api

import (
	"net/http"

	"passnum"
)

// searchRoutes: finding a place (public, no key) and the anonymous
// activity export.
func searchRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/places/near", Summary: "Trouver les lieux les plus proches d'une commune, du plus proche au plus éloigné (public, sans clé). " +
			"Paramètres : commune (code INSEE, par exemple 25056) ou postcode (code postal, par exemple 25000) ; service (libellé du référentiel national) ; " +
			"within_weeks (seulement les sites qui ont une session avec des places libres dans les N prochaines semaines) ; radius_km (30 par défaut, 100 au plus) ; limit (20 par défaut, 100 au plus)",
			Query: []queryParam{
				{Name: "commune", Doc: "code INSEE de la commune, par exemple 25056"},
				{Name: "postcode", Doc: "code postal, par exemple 25000 (à la place de commune)"},
				{Name: "service", Doc: "libellé exact d'un service du référentiel national", Enum: passnum.NationalServices},
				{Name: "within_weeks", Type: "integer", Doc: "seulement les sites qui ont une session avec des places libres dans les N prochaines semaines (1 à 52)"},
				{Name: "radius_km", Type: "integer", Doc: "rayon en kilomètres (30 par défaut, 100 au plus)"},
				{Name: "limit", Type: "integer", Doc: "nombre de résultats (20 par défaut, 100 au plus)"},
			},
			Response: NearResult{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: placesNear},
		{Method: "GET", Path: "/sites/{id}", Summary: "Fiche publique d'un site (d'un lieu labellisé, ou entrée d'annuaire importée) : ses données open data, son organisation, s'il accepte le pass et ses prochaines sessions avec des places libres (public, sans clé)",
			Response: SiteCard{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getSiteCard},
		{Method: "GET", Path: "/exports/activities.csv", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace},
			Summary: "Export des activités (CSV UTF-8, séparateur virgule, RFC 4180) : une ligne par encaissement actif, au format des outils nationaux des médiateurs, sans nom ni identifiant. " +
				"Anonyme par défaut : semaine ISO, type d'activité, durée en minutes, code INSEE du lieu, thématique, tranche d'âge, genre, statut social, département du bénéficiaire. " +
				"precision=pseudonymous (opérateur seulement) : le jour, la commune et l'année de naissance du bénéficiaire, qui peuvent désigner une personne dans une petite commune. " +
				"Paramètres : from et to (AAAA-MM-JJ, jour de l'encaissement à Paris, inclus) ; place_id (opérateur). L'opérateur voit tous les lieux, un lieu les siens",
			Query: []queryParam{
				{Name: "from", Type: "date", Doc: "premier jour (heure de Paris), inclus"},
				{Name: "to", Type: "date", Doc: "dernier jour (heure de Paris), inclus"},
				{Name: "place_id", Doc: "un seul lieu (opérateur)"},
				{Name: "precision", Doc: "anonymous (par défaut) ou pseudonymous (opérateur)", Enum: []string{"anonymous", "pseudonymous"}},
			},
			Produces: "text/csv", Status: http.StatusOK, Errors: []string{passnum.EINVALID, passnum.EFORBIDDEN}, Handle: exportActivities},
	}
}
