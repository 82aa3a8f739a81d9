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

// placeSpec is a place that delivers training and encashes passes.
type placeSpec struct {
	name    string
	commune string
	weight  float64 // how many young people it trains
	cohort  int
	suspend bool
}

// placeSpecs starts with the Besançon place the "lieu" key belongs to.
var placeSpecs = []placeSpec{
	{"Espace public numérique de Planoise", "25056", 10, cohortLaunch, false},
	{"Centre social de Palente-Orchamps", "25056", 5, cohortLaunch, false},
	{"Centre social des Grésilles", "21231", 7, cohortLaunch, false},
	{"Espace numérique de la Fontaine d'Ouche", "21231", 6, cohortLaunch, false},
	{"Médiathèque de Chenôve", "21166", 3, cohortAutumn, false},
	{"Espace public numérique du Grand Chalon", "71076", 6, cohortLaunch, false},
	{"Atelier numérique de la Maison des associations du Creusot", "71153", 3, cohortLaunch, false},
	{"Médiathèque de Mâcon — espace multimédia", "71270", 4, cohortLaunch, false},
	{"Association Nevers Numérique Solidaire", "58194", 5, cohortLaunch, false},
	{"Centre social de Cosne-Cours-sur-Loire", "58086", 2, cohortAutumn, false},
	{"Espace multimédia des Rosoirs", "89024", 5, cohortLaunch, false},
	{"Association Clic & Vous", "89206", 3, cohortLaunch, true},
	{"Tiers-lieu numérique du Sénonais", "89387", 3, cohortAutumn, false},
	{"Espace numérique des Résidences", "90010", 6, cohortLaunch, false},
	{"Centre social de la Petite-Hollande", "25388", 5, cohortLaunch, false},
	{"Médiathèque d'Audincourt", "25031", 2, cohortAutumn, false},
	{"Espace public numérique de Lons-le-Saunier", "39300", 4, cohortLaunch, false},
	{"Médiathèque de Dole", "39198", 3, cohortAutumn, false},
	{"Espace numérique de Vesoul", "70550", 4, cohortLaunch, false},
	{"Centre social de Lure", "70310", 2, cohortLaunch, false},
	{"Association pontissalienne pour l'inclusion numérique", "25462", 3, cohortCurrent, false},
	{"Tiers-lieu rural du Montbardois", "21425", 2, cohortCurrent, false},
	{"Atelier numérique France services d'Autun", "71014", 2, cohortCurrent, false},
	{"Repair café numérique de Gray", "70279", 1, cohortPending, false},
	{"L'Atelier partagé, tiers-lieu de Saint-Claude", "39478", 1, cohortPending, false},
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
