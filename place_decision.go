package passnum

import "strings"

// PlaceDecisionNotice is what a place is told by e-mail when the operator
// decides on its label: labelled, refused (with the reason), suspended or
// withdrawn (with the reason). It is written once here, for the pages and
// the API alike.
type PlaceDecisionNotice struct {
	PlaceName    string
	ContactEmail string
	// From and Status are the label's status before and after.
	From, Status OrgStatus
	Reason       string
}

// Subject is the message's subject.
func (n PlaceDecisionNotice) Subject() string {
	switch n.Status {
	case OrgLabelled:
		if n.From == OrgSuspended {
			return "Pass numérique : votre label est rétabli"
		}
		return "Pass numérique : votre lieu est labellisé"
	case OrgRefused:
		return "Pass numérique : votre candidature au label est refusée"
	case OrgSuspended:
		return "Pass numérique : votre label est suspendu"
	case OrgWithdrawn:
		return "Pass numérique : votre label est retiré"
	}
	return "Pass numérique : décision sur votre label"
}

// Body is the message, in French; siteURL is the site's public address.
func (n PlaceDecisionNotice) Body(siteURL string) string {
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	switch n.Status {
	case OrgLabelled:
		b.WriteString("L'opérateur du Pass numérique a labellisé « " + n.PlaceName + " ». Vous pouvez dès maintenant encaisser les pass des jeunes après leurs formations, depuis votre espace : " + siteURL + "/lieu\n")
	case OrgRefused:
		b.WriteString("L'opérateur du Pass numérique a refusé la candidature de « " + n.PlaceName + " » au label.\n")
	case OrgSuspended:
		b.WriteString("L'opérateur du Pass numérique a suspendu le label de « " + n.PlaceName + " » : tant qu'il est suspendu, vous ne pouvez plus encaisser de pass. Les encaissements déjà faits restent dus.\n")
	case OrgWithdrawn:
		b.WriteString("L'opérateur du Pass numérique a retiré le label de « " + n.PlaceName + " » : vous ne pouvez plus encaisser de pass. Les encaissements déjà faits restent dus.\n")
	}
	if r := strings.TrimSpace(n.Reason); r != "" {
		b.WriteString("\nMotif : " + r + "\n")
	}
	if n.Status != OrgLabelled {
		b.WriteString("\nPour toute question, ou pour présenter une nouvelle candidature, répondez à l'opérateur du programme depuis " + siteURL + "/candidature.\n")
	}
	b.WriteString("\nCe message vous est envoyé à l'adresse de contact donnée dans la candidature.\n")
	return b.String()
}
