package api

import (
	"net/http"

	"passnum"
)

var (
	settlementReaders = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RolePlace}
	funderReaders     = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder}
	balanceReaders    = []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RolePlace}
)

// settlementRoutes: paying the places (settlements, their payment,
// corrections), what the funders owe, and the end of a programme. The
// documents (SEPA file, statements, accounting export) are served next to
// these, from the store's streaming reads.
func settlementRoutes() []*route {
	return []*route{
		{Method: "POST", Path: "/settlements", Roles: operator, Summary: "Calculer un remboursement des lieux d'un programme jusqu'à un jour inclus : chaque encaissement actif non encore remboursé, une ligne par lieu ; un lieu sans coordonnées bancaires approuvées, suspendu ou retiré a une ligne retenue",
			Request: settlementRequest{}, Response: settlementAnswer{}, Status: http.StatusCreated,
			AltStatus: http.StatusOK, AltDoc: "rien de nouveau depuis le remboursement déjà calculé pour ce jour : il est renvoyé, avec « created »: false",
			Errors: []string{passnum.EINVALID, passnum.ENOTHINGTOSETTLE}, Exclusive: true, Handle: createSettlement},
		{Method: "GET", Path: "/settlements", Roles: settlementReaders, Summary: "Lister les remboursements, du plus récent au plus ancien (un lieu voit ceux qui le concernent, avec sa ligne ; un financeur ceux des programmes qu'il finance)",
			Query:    []queryParam{{Name: "programme_id", Doc: "remboursements de ce programme"}},
			Response: list[passnum.Settlement]{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: listSettlements},
		{Method: "GET", Path: "/settlements/{id}", Roles: settlementReaders, Summary: "Lire un remboursement, ses lignes et les parts des financeurs (un lieu ne voit que sa ligne ; les IBAN sont masqués)",
			Response: passnum.Settlement{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getSettlement},
		{Method: "POST", Path: "/settlements/{id}/sent", Roles: operator, Summary: "Marquer un remboursement comme envoyé à la banque (fichier de virements transmis)",
			Response: passnum.Settlement{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EALREADYSETTLED}, Handle: markSettlementSent},
		{Method: "POST", Path: "/settlements/{id}/paid", Roles: operator, Summary: "Enregistrer le paiement d'un remboursement (jour et référence de la banque) ; avec les quatre yeux, un second opérateur le confirme",
			Request: paymentRequest{}, Response: passnum.Settlement{}, Status: http.StatusOK,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ENOTSETTLED, passnum.EALREADYSETTLED, passnum.EFOUREYESREQUIRED, passnum.ECONFLICT}, Handle: recordSettlementPayment},
		{Method: "POST", Path: "/redemptions/{id}/corrections", Roles: operator, Summary: "Corriger un encaissement déjà remboursé (motif obligatoire) : une régularisation négative du lieu au prochain remboursement ; un encaissement non remboursé s'annule",
			Request: correctionRequest{}, Response: passnum.Correction{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.ENOTSETTLED, passnum.EALREADYCANCELLED, passnum.ECONFLICT}, Handle: createCorrection},
		{Method: "GET", Path: "/programmes/{id}/corrections", Roles: []passnum.Role{passnum.RoleOperator, passnum.RolePlace}, Summary: "Lister les corrections d'encaissements remboursés d'un programme, de la plus récente à la plus ancienne (un lieu voit les siennes)",
			Response: completeList[passnum.Correction]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: listCorrections},
		{Method: "GET", Path: "/places/{id}/balance", Roles: balanceReaders, Summary: "Solde d'un lieu : ce qui lui reste dû, somme de ses écritures (encaissements, annulations, corrections, paiements) jusqu'à un jour inclus ; le même chiffre pour l'opérateur, le lieu et ses financeurs",
			Query:    []queryParam{{Name: "programme_id", Doc: "solde dans ce programme (obligatoire pour un financeur)"}, {Name: "on", Doc: "jour, inclus (aujourd'hui par défaut)", Type: "date"}},
			Response: balanceAnswer{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND, passnum.EINVALID}, Handle: getPlaceBalance},
		{Method: "POST", Path: "/places/{id}/bank-accounts/{account_id}/iban", Roles: operator, Summary: "Voir l'IBAN complet de coordonnées bancaires d'un lieu, pour les instruire ; chaque consultation est inscrite au journal d'audit",
			Response: ibanAnswer{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: revealIBAN},
		{Method: "GET", Path: "/programmes/{id}/funding", Roles: funderReaders, Summary: "Ce que doit chaque financeur : sa part de chaque remboursement, par mois et au total, payée et restant à payer (un financeur voit la sienne)",
			Response: completeList[FunderStatement]{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getFunding},
		{Method: "GET", Path: "/programmes/{id}/closing", Roles: funderReaders, Summary: "Tableau de fin de programme par distributeur (montré à partir de J-30) : carnets attribués, remis, non remis, entamés, pass utilisés et inutilisés",
			Response: ClosingTable{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getClosingTable},
		{Method: "POST", Path: "/programmes/{id}/stock-transfers", Roles: operator, Summary: "Déplacer des carnets non remis d'un distributeur vers un autre, ou les rendre au stock central du programme (motif obligatoire), jusqu'au dernier jour de remise",
			Request: stockTransferRequest{}, Response: passnum.StockTransfer{}, Status: http.StatusCreated,
			Errors: []string{passnum.ENOTFOUND, passnum.EINVALID, passnum.EINSUFFICIENTSTOCK, passnum.EPROGRAMMECLOSED, passnum.ECONFLICT}, Handle: createStockTransfer},
		{Method: "POST", Path: "/programmes/{id}/expire", Roles: operator, Summary: "Faire expirer les pass non utilisés d'un programme, après son délai de tolérance : une fois, les chiffres sont arrêtés",
			Response: expiryAnswer{}, Status: http.StatusCreated, AltStatus: http.StatusOK, AltDoc: "le programme avait déjà expiré : l'expiration faite est renvoyée, avec « created »: false",
			Errors: []string{passnum.ENOTFOUND, passnum.ECONFLICT}, Handle: expireProgramme},
		{Method: "GET", Path: "/programmes/{id}/closing-statement", Roles: funderReaders, Summary: "Bilan de clôture d'un programme par financeur : valeur faciale utilisée, corrigée, libérée (jamais utilisée), remboursée et payée, dernier remboursement (un financeur voit sa part)",
			Response: ClosingStatement{}, Status: http.StatusOK, Errors: []string{passnum.ENOTFOUND}, Handle: getClosingStatement},
	}
}
