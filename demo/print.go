package demo

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"passnum"
	"passnum/opendata"
)

// roleLabels names the roles as users say them, in the order printed.
var roleLabels = []struct{ role, label, path string }{
	{"operator", "Opérateur du programme", "/programmes"},
	{"funder", "Financeur", "/programmes"},
	{"distributor", "Distributeur (conseiller)", "/beneficiaries"},
	{"place", "Lieu labellisé", "/passes/{code}"},
}

// Print tells, in French, where to go and how to try each role.
func (s Summary) Print(w io.Writer, baseURL string) {
	base := strings.TrimRight(baseURL, "/")
	api := base + "/api/v1"
	code := passnum.FormatPassCode(s.Beneficiary.PassCode)
	var b strings.Builder
	if s.Again {
		fmt.Fprintf(&b, "La démonstration du Pass numérique Bourgogne-Franche-Comté est déjà dans cette base : voici de nouveau ses accès.\n\n")
		fmt.Fprintf(&b, "L'API est servie sous %s (sa documentation OpenAPI : %s/openapi.json ; état du service : %s/healthz).\n\n", api, api, base)
	} else {
		fmt.Fprintf(&b, "Démonstration du Pass numérique Bourgogne-Franche-Comté prête.\n\n")
		fmt.Fprintf(&b, "L'API est servie sous %s (sa documentation OpenAPI : %s/openapi.json ; état du service : %s/healthz).\n\n", api, api, base)
		fmt.Fprintf(&b, "Données chargées : %s programmes dont « %s » en cours, %s organisations, %s bénéficiaires, %s pass émis, %s encaissements (dont %s annulés).\n\n",
			frInt(s.Programmes), s.CurrentProgramme, frInt(s.Organisations), frInt(s.Beneficiaries), frInt(s.Passes), frInt(s.Redemptions), frInt(s.Cancelled))
		fmt.Fprintf(&b, "Lieux : %s sites, %s formations au catalogue, %s sessions passées et %s sessions à venir dans les six prochaines semaines (%s places déjà réservées).\n\n",
			frInt(s.Sites), frInt(s.Trainings), frInt(s.PastSessions), frInt(s.UpcomingSessions), frInt(s.Bookings))
		fmt.Fprintf(&b, "Remboursements des lieux : %s calculés mois par mois, dont %s payés et %s à la banque, en attente de paiement ; les encaissements depuis attendent le prochain (%s/settlements).\n\n",
			frInt(s.Settlements), frInt(s.SettlementsPaid), frInt(s.SettlementsSent), api)
	}
	fmt.Fprintf(&b, "Le site : %s/\nComptes de démonstration (mot de passe « %s ») :\n", base, Password)
	for _, r := range roleLabels {
		if k, ok := s.Keys[r.role]; ok && k.Email != "" {
			fmt.Fprintf(&b, "  %-28s %s — %s\n", k.Email, r.label, k.OrganisationName)
		}
	}
	fmt.Fprintf(&b, "\n")
	fmt.Fprintf(&b, "Clés d'API de démonstration, à envoyer dans l'en-tête « Authorization: Bearer <clé> » :\n")
	if s.Again {
		fmt.Fprintf(&b, "(la base ne garde des clés qu'une empreinte, pas la clé : les précédentes clés de la démonstration sont donc révoquées et remplacées par celles-ci)\n")
	}
	for _, r := range roleLabels {
		k, ok := s.Keys[r.role]
		if !ok {
			continue
		}
		path := strings.Replace(r.path, "{code}", code, 1)
		fmt.Fprintf(&b, "\n  %s — %s\n    clé : %s\n    curl -H 'Authorization: Bearer %s' %s%s\n", r.label, k.OrganisationName, k.Secret, k.Secret, api, path)
	}
	if s.Again && s.Beneficiary.FirstName != "" && s.Beneficiary.PassCode == "" {
		fmt.Fprintf(&b, "\nBénéficiaire pour essayer : %s (date de naissance : %s) ; tous ses pass sont utilisés. Pour retrouver un pass à encaisser, repartez d'une base neuve (voir plus bas).\n", s.Beneficiary.FirstName, frBirthDate(s.Beneficiary.BirthDate))
	}
	if s.Beneficiary.PassCode != "" {
		if s.Again {
			fmt.Fprintf(&b, "\nBénéficiaire pour essayer : %s (date de naissance : %s), carnet du programme « %s ».\n", s.Beneficiary.FirstName, frBirthDate(s.Beneficiary.BirthDate), s.CurrentProgramme)
		} else {
			fmt.Fprintf(&b, "\nBénéficiaire pour essayer : %s (date de naissance : %s), carnet du programme « %s » remis il y a deux semaines, un pass déjà utilisé.\n", s.Beneficiary.FirstName, frBirthDate(s.Beneficiary.BirthDate), s.CurrentProgramme)
		}
		fmt.Fprintf(&b, "  Pass à encaisser : %s\n", code)
		fmt.Fprintf(&b, "  Espace bénéficiaire : %s/mon-pass (code de pass et date de naissance)\n", base)
		if k, ok := s.Keys["place"]; ok {
			fmt.Fprintf(&b, "  Encaisser ce pass (clé du lieu) :\n    curl -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n      -d '{\"service\": \"Maîtrise des outils numériques du quotidien\"}' %s/passes/%s/redeem\n", k.Secret, api, code)
		}
	}
	fmt.Fprintf(&b, "\nSans clé, comme le public :\n")
	fmt.Fprintf(&b, "  Lieux proches de Besançon avec des sessions ouvertes dans les quatre semaines :\n    curl '%s/places/near?commune=25056&within_weeks=4'\n", api)
	fmt.Fprintf(&b, "  Export open data des lieux labellisés (standard national des lieux de médiation numérique) :\n    curl -o %s.csv %s/opendata/%s.csv\n", opendata.FileName, api, opendata.FileName)
	fmt.Fprintf(&b, "\nCes clés ouvrent les données de démonstration : ne les gardez pas pour une base réelle.\n")
	fmt.Fprintf(&b, "%s\n", Afresh)
	io.WriteString(w, b.String())
}

// Afresh says how to start the demonstration from an empty database.
const Afresh = "Pour repartir d'une démonstration neuve : arrêtez le serveur, supprimez le fichier de la base (passnum.db, avec passnum.db-wal et passnum.db-shm s'ils existent) ou choisissez-en un autre avec --db sqlite:autre.db, puis relancez « passnum serve --demo »."

// frInt groups thousands with a space, the French way: 5 500.
func frInt(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + frInt(-n)
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func frBirthDate(s string) string {
	d, err := passnum.ParseDate(s)
	if err != nil {
		return s
	}
	return frDate(d)
}
