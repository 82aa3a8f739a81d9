package demo

import "passnum"

// The demo's cast: real communes of Bourgogne-Franche-Comté, plausible
// structures. Names of missions locales and agencies follow the real
// network; the places and their SIRETs are fictitious.

const (
	operatorName = "Région Bourgogne-Franche-Comté — Service du numérique"
	regionName   = "Région Bourgogne-Franche-Comté"
	stateName    = "État — Préfecture de région"
)

// distributorSpec is a structure that hands out booklets.
type distributorSpec struct {
	name    string
	commune string
	weight  float64 // share of the hand-outs
	radius  float64 // km around its commune where its young people live
	current bool    // joined for the current programme only
}

// distributorSpecs starts with the mission locale the "conseiller" key
// belongs to.
var distributorSpecs = []distributorSpec{
	{"Mission locale du Grand Besançon", "25056", 14, 25, false},
	{"Mission locale de Dijon", "21231", 13, 25, false},
	{"Mission locale du Chalonnais", "71076", 8, 30, false},
	{"Mission locale Nevers Sud Nivernais", "58194", 6, 35, false},
	{"Mission locale de l'Auxerrois", "89024", 7, 30, false},
	{"Mission locale du Territoire de Belfort", "90010", 7, 20, false},
	{"Mission locale de Lons-le-Saunier", "39300", 5, 35, false},
	{"Mission locale de Vesoul", "70550", 5, 35, false},
	{"France Travail Besançon Planoise", "25056", 6, 20, false},
	{"France Travail Montbéliard", "25388", 6, 20, false},
	{"France Travail Mâcon", "71270", 4, 30, false},
	{"France Travail Sens", "89387", 4, 30, false},
	{"Université de Franche-Comté — Service de la vie étudiante", "25056", 2, 15, true},
}

// Place cohorts: when a place applied and was labelled.
const (
	cohortLaunch  = iota // labelled at the June 2022 commission
	cohortAutumn         // labelled at the September 2022 commission
	cohortCurrent        // joined for the current programme
	cohortPending        // applied in the last days, not labelled yet
)

// placeSpec is a place that delivers training and encashes passes. Its
// first site is at address, in its commune; domain names its e-mail
// addresses.
type placeSpec struct {
	name       string
	commune    string
	weight     float64 // how many young people it trains
	cohort     int
	suspend    bool
	address    string
	complement string
	domain     string
}

// placeSpecs starts with the Besançon place the "lieu" key belongs to.
var placeSpecs = []placeSpec{
	{"Espace public numérique de Planoise", "25056", 10, cohortLaunch, false, "2 avenue du Parc", "Rez-de-chaussée, salle multimédia", "epn-planoise.fr"},
	{"Centre social de Palente-Orchamps", "25056", 5, cohortLaunch, false, "25 rue de Champagne", "", "cs-palente-orchamps.fr"},
	{"Centre social des Grésilles", "21231", 7, cohortLaunch, false, "8 avenue Champollion", "", "cs-gresilles.fr"},
	{"Espace numérique de la Fontaine d'Ouche", "21231", 6, cohortLaunch, false, "14 avenue du Lac", "Bâtiment B, 1er étage", "numerique-fontainedouche.fr"},
	{"Médiathèque de Chenôve", "21166", 3, cohortAutumn, false, "2 place Pierre Meunier", "", "mediatheque-chenove.fr"},
	{"Espace public numérique du Grand Chalon", "71076", 6, cohortLaunch, false, "4 place de l'Hôtel de Ville", "", "epn-grandchalon.fr"},
	{"Atelier numérique de la Maison des associations du Creusot", "71153", 3, cohortLaunch, false, "6 rue Jean Jaurès", "Maison des associations, salle 12", "mda-lecreusot.fr"},
	{"Médiathèque de Mâcon — espace multimédia", "71270", 4, cohortLaunch, false, "9 rue Philibert Laguiche", "", "mediatheque-macon.fr"},
	{"Association Nevers Numérique Solidaire", "58194", 5, cohortLaunch, false, "15 rue du Commandant Rivière", "", "nevers-numerique-solidaire.fr"},
	{"Centre social de Cosne-Cours-sur-Loire", "58086", 2, cohortAutumn, false, "3 rue des Frères Gambon", "", "cs-cosne.fr"},
	{"Espace multimédia des Rosoirs", "89024", 5, cohortLaunch, false, "2 place des Rosoirs", "", "multimedia-rosoirs.fr"},
	{"Association Clic & Vous", "89206", 3, cohortLaunch, true, "18 rue Gabriel Cortel", "", "clicetvous-joigny.fr"},
	{"Tiers-lieu numérique du Sénonais", "89387", 3, cohortAutumn, false, "5 rue de la République", "", "tierslieu-senonais.fr"},
	{"Espace numérique des Résidences", "90010", 6, cohortLaunch, false, "3 rue de Marseille", "", "numerique-residences.fr"},
	{"Centre social de la Petite-Hollande", "25388", 5, cohortLaunch, false, "5 rue de Copenhague", "", "cs-petitehollande.fr"},
	{"Médiathèque d'Audincourt", "25031", 2, cohortAutumn, false, "11 rue de Belfort", "", "mediatheque-audincourt.fr"},
	{"Espace public numérique de Lons-le-Saunier", "39300", 4, cohortLaunch, false, "2 rue Pasteur", "", "epn-lons.fr"},
	{"Médiathèque de Dole", "39198", 3, cohortAutumn, false, "2 place Jules Grévy", "", "mediatheque-dole.fr"},
	{"Espace numérique de Vesoul", "70550", 4, cohortLaunch, false, "15 rue Paul Morel", "", "numerique-vesoul.fr"},
	{"Centre social de Lure", "70310", 2, cohortLaunch, false, "6 rue Jean Jaurès", "", "cs-lure.fr"},
	{"Association pontissalienne pour l'inclusion numérique", "25462", 3, cohortCurrent, false, "14 rue de la Gare", "", "apin-pontarlier.fr"},
	{"Tiers-lieu rural du Montbardois", "21425", 2, cohortCurrent, false, "3 rue Edme Piot", "", "tierslieu-montbardois.fr"},
	{"Atelier numérique France services d'Autun", "71014", 2, cohortCurrent, false, "1 place du Champ de Mars", "", "franceservices-autun.fr"},
	{"Repair café numérique de Gray", "70279", 1, cohortPending, false, "8 rue Victor Hugo", "", "repaircafe-gray.fr"},
	{"L'Atelier partagé, tiers-lieu de Saint-Claude", "39478", 1, cohortPending, false, "5 rue du Pré", "", "atelierpartage-saintclaude.fr"},
}

// secondSites are the second sites of the two biggest places, opened in
// another district of their commune.
var secondSites = map[string]struct{ name, address, complement string }{
	"Espace public numérique de Planoise": {"Espace public numérique de Planoise — antenne de Montrapon", "8 avenue de Montrapon", "Maison de quartier"},
	"Centre social des Grésilles":         {"Centre social des Grésilles — point numérique de la Toison d'Or", "4 rue Pierre de Coubertin", ""},
}

// Places whose bank details change: one change approved in the current
// programme (the former account is kept as replaced), one waiting for the
// operator today.
const (
	bankChangedPlace = "Association Nevers Numérique Solidaire"
	bankPendingPlace = "Centre social de Cosne-Cours-sur-Loire"
)

// bank is a French bank a place may hold its account at: its code (the
// first 5 digits of the BBAN) and its BIC.
type bank struct{ code, bic string }

// banks are the banks associations and communes of the region commonly use.
var banks = []bank{
	{"42559", "CCOPFRPP"},    // Crédit Coopératif
	{"20041", "PSSTFRPPDIJ"}, // La Banque Postale, centre de Dijon
	{"10278", "CMCIFR2A"},    // Crédit Mutuel
	{"12135", "CEPAFRPP213"}, // Caisse d'Épargne de Bourgogne Franche-Comté
	{"10807", "CCBPFRPPDJN"}, // Banque Populaire Bourgogne Franche-Comté
	{"12506", "AGRIFRPP825"}, // Crédit Agricole de Franche-Comté
	{"30004", "BNPAFRPP"},    // BNP Paribas
}

// Legal representatives are adults: names of their generation.
var (
	femaleAdultNames = []string{"Nathalie", "Sylvie", "Isabelle", "Valérie", "Catherine", "Sandrine", "Christine", "Véronique",
		"Stéphanie", "Claire", "Florence", "Agnès", "Hélène", "Muriel", "Karima"}
	maleAdultNames = []string{"Philippe", "Pascal", "Didier", "Laurent", "Christophe", "Thierry", "Olivier", "Frédéric",
		"Patrick", "Éric", "Jean-Marc", "Bruno", "Rachid", "Hervé", "Gilles"}
)

// openingHours are weekly timetables in OpenStreetMap syntax, by kind of
// place: a médiathèque opens afternoons and Saturdays, a France services
// office weekdays, a tiers-lieu a few afternoons and Saturday.
var (
	hoursLibrary    = "Tu 14:00-18:00; We 10:00-12:00,14:00-18:00; Th 14:00-18:00; Fr 14:00-19:00; Sa 10:00-12:30,14:00-17:00; PH off"
	hoursOffice     = "Mo-Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00,13:30-16:30; PH off"
	hoursThirdPlace = "We 14:00-19:00; Fr 14:00-18:00; Sa 09:30-12:30,14:00-17:00"
	hoursCommon     = []string{
		"Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
		"Tu-Fr 09:00-12:30,13:30-18:00; Sa 09:00-12:30; PH off",
		"Mo 14:00-18:00; Tu-Fr 09:00-12:00,14:00-18:00",
	}
)

// trainingSpec is a training a place may list in its catalogue.
type trainingSpec struct {
	title, service, level string
	minutes, passes       int
	description           string
}

// trainingSpecs is the pool catalogues are drawn from: most trainings cost
// one pass, the longer courses two or three.
var trainingSpecs = []trainingSpec{
	{"Premiers pas sur smartphone", "Maîtrise des outils numériques du quotidien", passnum.LevelBeginner, 90, 1,
		"Allumer, régler et utiliser son téléphone : appels, messages, applications, photos. Venez avec votre smartphone."},
	{"Bien utiliser sa messagerie électronique", "Maîtrise des outils numériques du quotidien", passnum.LevelBeginner, 90, 1,
		"Créer une adresse, écrire, joindre un document, trier ses messages et repérer les courriels douteux."},
	{"Ordinateur : les bases", "Maîtrise des outils numériques du quotidien", passnum.LevelBeginner, 120, 1,
		"Clavier, souris, fichiers et dossiers, navigation sur Internet : prendre en main un ordinateur."},
	{"Créer son CV en ligne", "Insertion professionnelle via le numérique", passnum.LevelAll, 120, 1,
		"Rédiger et mettre en page son CV avec un outil en ligne, l'enregistrer en PDF et l'envoyer."},
	{"Chercher un emploi sur Internet", "Insertion professionnelle via le numérique", passnum.LevelIntermediate, 120, 1,
		"Espace France Travail, sites d'offres, alertes et candidatures en ligne : organiser sa recherche."},
	{"Parcours emploi : CV, lettre et candidature en ligne", "Insertion professionnelle via le numérique", passnum.LevelAll, 180, 3,
		"Un atelier long pour repartir avec un CV, une lettre de motivation et une première candidature envoyée."},
	{"Bureautique pour l'emploi : traitement de texte et tableur", "Insertion professionnelle via le numérique", passnum.LevelIntermediate, 180, 2,
		"Les usages attendus en entreprise : mettre en forme un document, tenir un tableau simple, partager un fichier."},
	{"Démarches en ligne : impots.gouv et ameli", "Aide aux démarches administratives", passnum.LevelAll, 90, 1,
		"Créer ses comptes, déclarer ses revenus, télécharger une attestation de droits et suivre ses remboursements."},
	{"FranceConnect et comptes administratifs", "Aide aux démarches administratives", passnum.LevelBeginner, 60, 1,
		"Se connecter aux services publics avec FranceConnect : CAF, ANTS, France Travail."},
	{"Sécuriser ses comptes", "Utilisation sécurisée du numérique", passnum.LevelIntermediate, 90, 1,
		"Mots de passe, double authentification, sauvegardes : protéger ses comptes et ses données personnelles."},
	{"Arnaques en ligne : les reconnaître et s'en protéger", "Utilisation sécurisée du numérique", passnum.LevelAll, 60, 1,
		"Hameçonnage, faux sites, arnaques aux petites annonces : les signes qui doivent alerter, et que faire."},
	{"Réseaux sociaux et identité numérique", "Compréhension du monde numérique", passnum.LevelAll, 90, 1,
		"Ce que l'on publie, qui le voit, ce qu'un recruteur en trouve : régler ses comptes et soigner son image."},
	{"Comprendre l'intelligence artificielle", "Compréhension du monde numérique", passnum.LevelIntermediate, 120, 2,
		"Ce que font les assistants conversationnels, leurs limites, et comment s'en servir sans s'y fier aveuglément."},
	{"Photo et vidéo sur smartphone", "Loisirs et créations numériques", passnum.LevelAll, 120, 1,
		"Cadrer, retoucher et monter une courte vidéo avec des applications gratuites."},
	{"Se connecter partout : Wi-Fi, données mobiles, partage de connexion", "Accès internet et matériel informatique", passnum.LevelBeginner, 60, 1,
		"Trouver un accès gratuit, gérer son forfait et partager sa connexion en toute sécurité."},
	{"Bien choisir un ordinateur reconditionné", "Acquisition de matériel informatique à prix solidaire", passnum.LevelBeginner, 60, 1,
		"Quels critères regarder, où acheter à prix solidaire, quelles aides existent pour s'équiper."},
}

const suspendReason = "Contrôle en cours : plusieurs bénéficiaires signalent des pass encaissés sans formation délivrée. Label suspendu jusqu'à la fin de l'enquête ; les encaissements déjà faits restent dus s'ils sont confirmés."

var cancelReasons = []string{
	"Pass scanné par erreur : le bénéficiaire avait présenté le carnet d'un proche.",
	"Mauvais service saisi : encaissement refait avec le bon service.",
	"Atelier annulé (formateur absent) : le pass n'a pas été utilisé.",
	"Double scan du même carnet au moment de l'accueil.",
}

// serviceWeights says how often each national service is delivered:
// everyday digital skills and job search dominate, as in the 2022-2023 reports.
var serviceWeights = map[string]float64{
	"Maîtrise des outils numériques du quotidien":           30,
	"Insertion professionnelle via le numérique":            24,
	"Aide aux démarches administratives":                    18,
	"Utilisation sécurisée du numérique":                    8,
	"Compréhension du monde numérique":                      6,
	"Loisirs et créations numériques":                       5,
	"Accès internet et matériel informatique":               5,
	"Acquisition de matériel informatique à prix solidaire": 2,
	"Parentalité et éducation avec le numérique":            2,
}

// ageWeights is the age on the hand-out day: few minors, most between 18 and 23.
var ageWeights = map[int]float64{16: 2, 17: 4, 18: 10, 19: 12, 20: 13, 21: 13, 22: 12, 23: 11, 24: 9, 25: 6}

// monthWeights shapes the hand-outs over the year: quiet in summer and
// at Christmas, busy at the rentrée.
var monthWeights = [13]float64{0, 1.0, 1.0, 1.1, 0.9, 0.8, 0.9, 0.6, 0.25, 1.2, 1.2, 1.1, 0.7}

// usesWeights is how many of the 5 passes of a booklet get used: more
// than half are never used, the weakness the scheme must fight.
var usesWeights = []float64{0.55, 0.13, 0.12, 0.08, 0.05, 0.07}

var femaleNames = []string{
	"Emma", "Léa", "Chloé", "Manon", "Camille", "Inès", "Jade", "Sarah", "Lina", "Louise",
	"Clara", "Zoé", "Lucie", "Mathilde", "Océane", "Anaïs", "Maëlys", "Ambre", "Yasmine", "Aya",
	"Noémie", "Juliette", "Pauline", "Margaux", "Lola", "Eva", "Julie", "Marie", "Laura", "Morgane",
	"Justine", "Élise", "Romane", "Maëva", "Salomé", "Léna", "Nour", "Amira", "Fatoumata", "Mélissa",
	"Kenza", "Charlotte", "Alicia", "Célia", "Elsa", "Héloïse", "Naïs", "Shaïna", "Assia", "Coralie",
}

var maleNames = []string{
	"Lucas", "Hugo", "Enzo", "Nathan", "Théo", "Thomas", "Maxime", "Mathis", "Louis", "Clément",
	"Kylian", "Noah", "Tom", "Quentin", "Antoine", "Alexandre", "Valentin", "Baptiste", "Axel", "Dylan",
	"Kévin", "Jordan", "Yanis", "Mohamed", "Rayan", "Adam", "Bilal", "Ilyes", "Mehdi", "Sofiane",
	"Romain", "Florian", "Corentin", "Evan", "Nolan", "Jules", "Léo", "Gabriel", "Malik", "Moussa",
	"Killian", "Bastien", "Jérémy", "Loïc", "Anthony", "Samuel", "Timothée", "Aurélien", "Issa", "Nicolas",
}

var lastNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
	"Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin",
	"Girardot", "Vuillemin", "Cuenot", "Pourcelot", "Grosjean", "Bourgeois", "Jeannin", "Vernerey", "Faivre", "Mougin",
	"Guyon", "Bouveret", "Perrot", "Bonnot", "Lamy", "Mathey", "Renaud", "Billot", "Tissot", "Jacquot",
	"Benali", "Haddad", "Diallo", "Traoré", "Nguyen", "Yilmaz", "Da Silva", "Ferreira", "Kaya", "Cissé",
	"Mendes", "Bensaïd", "Camara", "Kone", "Ouali", "Pereira", "Demir", "Belkacem", "Sow", "Lopes",
}

// nationalServices keeps the reference order, so that weighted draws do
// not depend on map iteration.
var nationalServices = passnum.NationalServices
