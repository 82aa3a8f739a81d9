package api

import (
	"net/http"

	"passnum"
)

var placeAccountRoles = []passnum.Role{passnum.RoleOperator, passnum.RolePlace}

// placeApplicationRoutes: a training place applies for the label, the
// operator reviews it; the place's bank details and sites.
func placeApplicationRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/place-applications", Summary: "Candidater au label de lieu (public, sans clé) : l'organisation, son représentant légal, son premier site, l'acceptation de la charte et ses coordonnées bancaires ; renvoie une clé d'API du lieu, affichée une seule fois. " +
			"Cinq candidatures par adresse IP et par jour au plus (429 too_many_attempts, avec Retry-After). Le SIRET d'une candidature refusée, d'un lieu dont le label est retiré ou d'un lieu inscrit sans candidature depuis 30 jours est repris par la nouvelle candidature",
			Request: placeApplicationRequest{}, Response: placeApplicationResponse{}, Status: http.StatusCreated,
			Errors: []string{passnum.EINVALID, passnum.ECONFLICT, passnum.ETOOMANYATTEMPTS}, Handle: applyForLabel},
		{Method: "POST", Path: "/places/{id}/release-siret", Roles: operator, Summary: "Libérer le SIRET d'un lieu non labellisé (candidature en attente, refusée, label retiré) pour qu'une autre candidature puisse l'utiliser (motif obligatoire, conservé au journal) ; le lieu garde son dossier, et le labelliser à nouveau reprend le SIRET s'il est encore libre",
			Request: reasonRequest{}, Response: passnum.PlaceApplication{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ECONFLICT}, Handle: releaseSIRET},
		{Method: "GET", Path: "/place-applications", Roles: operator, Summary: "Lister les candidatures des lieux, de la plus récente à la plus ancienne (?status=pending : celles à instruire)",
			Query:    []queryParam{{Name: "status", Doc: "statut des lieux à lister", Enum: []string{"pending", "labelled", "suspended", "refused", "withdrawn"}}},
			Response: list[passnum.PlaceApplicationSummary]{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: listPlaceApplications},
		{Method: "GET", Path: "/place-applications/{id}", Roles: placeAccountRoles, Summary: "Lire une candidature : ce qui a été déclaré, le statut, le motif de la dernière décision, les sites et les coordonnées bancaires (IBAN masqué pour tous ; l'opérateur le voit en entier par POST /places/{id}/bank-accounts/{account_id}/iban, consultation journalisée)",
			Response: passnum.PlaceApplication{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getPlaceApplication},
		{Method: "POST", Path: "/places/{id}/bank-accounts", Roles: placeAccountRoles, Summary: "Proposer de nouvelles coordonnées bancaires (en attente de validation par l'opérateur ; une seule proposition à la fois)",
			Request: bankAccountRequest{}, Response: passnum.BankAccount{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ECONFLICT}, Handle: submitBankAccount},
		{Method: "GET", Path: "/places/{id}/bank-accounts", Roles: placeAccountRoles, Summary: "Historique des coordonnées bancaires d'un lieu, avec leurs dates (IBAN masqué pour tous ; l'opérateur le voit en entier par POST /places/{id}/bank-accounts/{account_id}/iban, consultation journalisée)",
			Response: completeList[passnum.BankAccount]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listBankAccounts},
		{Method: "POST", Path: "/bank-accounts/{id}/approve", Roles: operator, Summary: "Approuver des coordonnées bancaires : elles remplacent les précédentes, qui restent archivées avec leurs dates ; avec les quatre yeux (un programme qui peut payer le lieu le demande), la première approbation est enregistrée et un second opérateur approuve à son tour",
			Request: reasonRequest{}, Response: passnum.BankAccount{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.ECONFLICT, passnum.EFOUREYESREQUIRED}, Handle: decideBankAccount(true)},
		{Method: "POST", Path: "/bank-accounts/{id}/reject", Roles: operator, Summary: "Rejeter des coordonnées bancaires (motif obligatoire, communiqué au lieu)",
			Request: reasonRequest{}, Response: passnum.BankAccount{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ECONFLICT}, Handle: decideBankAccount(false)},
		{Method: "POST", Path: "/places/{id}/sites", Roles: placeAccountRoles, Summary: "Ouvrir un site (point de présence) du lieu",
			Request: siteRequest{}, Response: passnum.Site{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: createPlaceSite},
		{Method: "GET", Path: "/places/{id}/sites", Roles: placeAccountRoles, Summary: "Lister les sites du lieu, le premier déclaré en tête",
			Response: completeList[passnum.Site]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listPlaceSites},
		{Method: "POST", Path: "/sites/{id}", Roles: placeAccountRoles, Summary: "Modifier un site : seuls les champs envoyés changent, le site entier est vérifié à nouveau",
			Request: siteUpdateRequest{}, Response: passnum.Site{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: updatePlaceSite},
	}
}

// checkOwnPlaceAccount refuses, as "not found", a place acting on another place:
// it must not even learn that the other exists.
func checkOwnPlaceAccount(c *call, placeID string) error {
	if !c.isOperator() && placeID != c.actor.OrganisationID {
		return passnum.Errorf(passnum.ENOTFOUND, "Lieu introuvable : vérifiez l'identifiant.")
	}
	return nil
}

// completeList is a list answered whole, in the shape of every list: a
// place has few sites and few sets of bank details.
type completeList[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next" doc:"toujours null : la liste est complète"`
}

func newCompleteList[T any](items []T) completeList[T] {
	if items == nil {
		items = []T{}
	}
	return completeList[T]{Items: items}
}
