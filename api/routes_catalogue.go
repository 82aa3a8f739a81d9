package api

import (
	"net/http"

	"passnum"
)

var (
	placeOrOperator       = []passnum.Role{passnum.RolePlace, passnum.RoleOperator}
	distributorOrOperator = []passnum.Role{passnum.RoleDistributor, passnum.RoleOperator}
)

// catalogueRoutes: a place's trainings and their dated sessions, bookings
// made by distributors for their beneficiaries.
func catalogueRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/trainings", Roles: place, Summary: "Publier une formation au catalogue de son lieu (service du référentiel national, niveau, durée, nombre de pass demandés)",
			Request: trainingRequest{}, Response: passnum.Training{}, Status: http.StatusCreated, Errors: []string{passnum.EINVALID}, Handle: createTraining},
		{Method: "GET", Path: "/places/{id}/trainings", Summary: "Catalogue d'un lieu labellisé : ses formations actives, de la plus récente à la plus ancienne (public, sans clé ; un lieu non labellisé n'a pas de catalogue public)",
			Response: list[passnum.Training]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: listPlaceTrainings},
		{Method: "GET", Path: "/trainings/{id}", Summary: "Lire une formation d'un lieu labellisé (public, sans clé)",
			Response: passnum.Training{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getTraining},
		{Method: "POST", Path: "/trainings/{id}/deactivate", Roles: placeOrOperator, Summary: "Retirer une formation du catalogue (elle n'est jamais supprimée ; les sessions déjà programmées restent, jusqu'à leur annulation)",
			Request: reasonRequest{}, Response: passnum.Training{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: deactivateTraining},
		{Method: "POST", Path: "/trainings/{id}/sessions", Roles: place, Summary: "Programmer une session datée d'une de ses formations, sur un de ses sites, avec un nombre de places",
			Request: sessionRequest{}, Response: passnum.Session{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ETRAININGINACTIVE}, Handle: createSession},
		{Method: "GET", Path: "/trainings/{id}/sessions", Summary: "Sessions programmées d'une formation d'un lieu labellisé, de la plus proche à la plus lointaine, avec les places restantes (public, sans clé). " +
			"Par défaut celles à venir ; from et to (jour AAAA-MM-JJ inclus, ou date et heure RFC 3339) bornent leur début",
			Query: []queryParam{
				{Name: "from", Doc: "début au plus tôt : jour AAAA-MM-JJ inclus ou date et heure RFC 3339"},
				{Name: "to", Doc: "début au plus tard : jour AAAA-MM-JJ inclus ou date et heure RFC 3339"},
			},
			Response: list[passnum.Session]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: listTrainingSessions},
		{Method: "GET", Path: "/sessions/{id}", Summary: "Lire une session d'un lieu labellisé et ses places restantes (public, sans clé)",
			Response: passnum.Session{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getSession},
		{Method: "POST", Path: "/sessions/{id}/cancel", Roles: placeOrOperator, Summary: "Annuler une session qui n'a pas commencé (motif obligatoire) : ses réservations sont annulées avec elle",
			Request: reasonRequest{}, Response: passnum.Session{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ESESSIONCLOSED}, Handle: cancelSession},
		{Method: "GET", Path: "/sessions/{id}/bookings", Roles: placeOrOperator, Summary: "Qui vient : les personnes inscrites à une session (prénom, année de naissance, pass encore utilisables), dans l'ordre d'inscription",
			Response: list[passnum.Attendee]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listSessionBookings},
		{Method: "POST", Path: "/sessions/{id}/bookings", Roles: distributor, Summary: "Inscrire un de ses bénéficiaires à une session (une place, tant qu'il en reste et que la session n'a pas commencé)",
			Request: bookingRequest{}, Response: passnum.Booking{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EPLACENOTLABELLED, passnum.ESESSIONFULL, passnum.EALREADYBOOKED, passnum.ESESSIONCLOSED}, Handle: createBooking},
		{Method: "POST", Path: "/bookings/{id}/cancel", Roles: distributorOrOperator, Summary: "Annuler une réservation avant le début de la session : la place est libérée",
			Request: reasonRequest{}, Response: passnum.Booking{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.ECONFLICT, passnum.ESESSIONCLOSED}, Handle: cancelBooking},
		{Method: "GET", Path: "/beneficiaries/{id}/bookings", Roles: distributorOrOperator, Summary: "Réservations d'un bénéficiaire, de la plus récente à la plus ancienne",
			Response: list[passnum.Booking]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listBeneficiaryBookings},
	}
}
