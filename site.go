package passnum

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"unicode/utf8"

	"passnum/territory"
)

// SiteRecord is one site as one row of the national open-data standard for
// digital mediation places ("lieux de médiation numérique", schema 1.0.2):
// a directory entry imported from open data, or a site of a place
// organisation as the directory publishes it. Multi-valued columns are
// lists here and joined by "|" in files.
type SiteRecord struct {
	SiteID         string // sites.id; empty before it is stored
	OrganisationID string // empty for a directory entry
	Labelled       bool   // the organisation is labelled: the site accepts the pass

	OpenDataID         string // id
	Pivot              string // pivot: SIRET, SIREN or RNA
	Name               string // nom
	CommuneName        string // commune
	Postcode           string // code_postal
	CommuneINSEE       string // code_insee
	Address            string // adresse
	AddressComplement  string // complement_adresse
	Latitude           *float64
	Longitude          *float64
	Typology           []string // typologie
	Phone              string   // telephone
	Emails             []string // courriels
	Websites           []string // site_web
	OpeningHours       string   // horaires
	Summary            string   // presentation_resume
	Description        string   // presentation_detail
	Source             string   // source
	Itinerance         []string // itinerance
	ParentStructure    string   // structure_parente
	UpdatedOn          Date     // date_maj
	Services           []string // services
	Publics            []string // publics_specifiquement_adresses
	SpecificSupport    []string // prise_en_charge_specifique
	Fees               []string // frais_a_charge
	NationalProgrammes []string // dispositif_programmes_nationaux
	Labels             []string // formations_labels
	OtherLabels        string   // autres_formations_labels
	AccessModes        []string // modalites_acces
	SupportModes       []string // modalites_accompagnement
	AccessibilityURL   string   // fiche_acces_libre
	BookingURL         string   // prise_rdv
}

// Open-data enumerations, spelled exactly as the schema's patterns.
var (
	OpenDataItinerance         = []string{"Itinérant", "Fixe"}
	OpenDataFees               = []string{"Gratuit", FeesPassAccepted, "Payant"}
	OpenDataNationalProgrammes = []string{"Aidants Connect", "Bibliothèques numérique de référence", "Certification PIX",
		"Conseillers numériques", "Emmaüs Connect", "France Services", "Grande école du numérique", "La Croix Rouge",
		"Point d'accès numérique CAF", "Promeneurs du net", "Relais numérique (Emmaüs Connect)"}
	OpenDataLabels = []string{"Formé à « Mon Espace Santé »", "Formé à « DUPLEX » (illettrisme)",
		"Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Collectif ressources et acteurs réemploi (Normandie)",
		"Étapes numériques(La Poste)", "Fabriques de Territoire", "Les Éclaireurs du numérique (Drôme)",
		"Mes Papiers (Métropole de Lyon)", "ORDI 3.0", "SUD LABS (PACA)"}
	OpenDataAccessModes = []string{"Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne",
		"Ce lieu n'accueille pas de public", "Envoyer un mail avec une fiche de prescription"}
	OpenDataSupportModes = []string{"En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance"}
)

// siteColumn is one column of the standard: how to read and write it.
type siteColumn struct {
	name     string
	required bool
	get      func(*SiteRecord) string
	// set stores a raw value and returns what is wrong with it, or "".
	set func(*SiteRecord, string) string
	// allowed lists the values of an enumerated multi-valued column.
	allowed []string
}

func textColumn(name string, required bool, f func(*SiteRecord) *string) siteColumn {
	return siteColumn{name: name, required: required,
		get: func(r *SiteRecord) string { return *f(r) },
		set: func(r *SiteRecord, v string) string { *f(r) = v; return "" }}
}

func listColumn(name string, allowed []string, f func(*SiteRecord) *[]string) siteColumn {
	return siteColumn{name: name, allowed: allowed,
		get: func(r *SiteRecord) string { return strings.Join(*f(r), "|") },
		set: func(r *SiteRecord, v string) string { *f(r) = splitOpenDataList(v); return "" }}
}

func coordinateColumn(name string, f func(*SiteRecord) **float64) siteColumn {
	return siteColumn{name: name,
		get: func(r *SiteRecord) string {
			if *f(r) == nil {
				return ""
			}
			return strconv.FormatFloat(**f(r), 'f', -1, 64)
		},
		set: func(r *SiteRecord, v string) string {
			v = strings.TrimSpace(v)
			if v == "" {
				*f(r) = nil
				return ""
			}
			if !strings.Contains(v, ".") {
				v = strings.Replace(v, ",", ".", 1) // a decimal comma, as typed in French spreadsheets
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				*f(r) = nil
				return "nombre décimal attendu, en degrés WGS84 (par exemple 47.2378)"
			}
			*f(r) = &x
			return ""
		}}
}

var siteColumns = []siteColumn{
	textColumn("id", true, func(r *SiteRecord) *string { return &r.OpenDataID }),
	textColumn("pivot", true, func(r *SiteRecord) *string { return &r.Pivot }),
	textColumn("nom", true, func(r *SiteRecord) *string { return &r.Name }),
	textColumn("commune", true, func(r *SiteRecord) *string { return &r.CommuneName }),
	textColumn("code_postal", true, func(r *SiteRecord) *string { return &r.Postcode }),
	textColumn("code_insee", false, func(r *SiteRecord) *string { return &r.CommuneINSEE }),
	textColumn("adresse", true, func(r *SiteRecord) *string { return &r.Address }),
	textColumn("complement_adresse", false, func(r *SiteRecord) *string { return &r.AddressComplement }),
	coordinateColumn("latitude", func(r *SiteRecord) **float64 { return &r.Latitude }),
	coordinateColumn("longitude", func(r *SiteRecord) **float64 { return &r.Longitude }),
	listColumn("typologie", nil, func(r *SiteRecord) *[]string { return &r.Typology }),
	textColumn("telephone", false, func(r *SiteRecord) *string { return &r.Phone }),
	listColumn("courriels", nil, func(r *SiteRecord) *[]string { return &r.Emails }),
	listColumn("site_web", nil, func(r *SiteRecord) *[]string { return &r.Websites }),
	textColumn("horaires", false, func(r *SiteRecord) *string { return &r.OpeningHours }),
	textColumn("presentation_resume", false, func(r *SiteRecord) *string { return &r.Summary }),
	textColumn("presentation_detail", false, func(r *SiteRecord) *string { return &r.Description }),
	textColumn("source", false, func(r *SiteRecord) *string { return &r.Source }),
	listColumn("itinerance", OpenDataItinerance, func(r *SiteRecord) *[]string { return &r.Itinerance }),
	textColumn("structure_parente", false, func(r *SiteRecord) *string { return &r.ParentStructure }),
	{name: "date_maj", required: true,
		get: func(r *SiteRecord) string {
			if r.UpdatedOn.IsZero() {
				return ""
			}
			return r.UpdatedOn.String()
		},
		set: func(r *SiteRecord, v string) string {
			r.UpdatedOn = Date{}
			if v = strings.TrimSpace(v); v == "" {
				return ""
			}
			d, err := ParseDate(v)
			if err != nil {
				return "date de mise à jour attendue au format AAAA-MM-JJ (par exemple 2024-04-02), reçu « " + v + " »"
			}
			r.UpdatedOn = d
			return ""
		}},
	listColumn("services", NationalServices, func(r *SiteRecord) *[]string { return &r.Services }),
	listColumn("publics_specifiquement_adresses", PlacePublics, func(r *SiteRecord) *[]string { return &r.Publics }),
	listColumn("prise_en_charge_specifique", PlaceSpecificSupports, func(r *SiteRecord) *[]string { return &r.SpecificSupport }),
	listColumn("frais_a_charge", OpenDataFees, func(r *SiteRecord) *[]string { return &r.Fees }),
	listColumn("dispositif_programmes_nationaux", OpenDataNationalProgrammes, func(r *SiteRecord) *[]string { return &r.NationalProgrammes }),
	listColumn("formations_labels", OpenDataLabels, func(r *SiteRecord) *[]string { return &r.Labels }),
	textColumn("autres_formations_labels", false, func(r *SiteRecord) *string { return &r.OtherLabels }),
	listColumn("modalites_acces", OpenDataAccessModes, func(r *SiteRecord) *[]string { return &r.AccessModes }),
	listColumn("modalites_accompagnement", OpenDataSupportModes, func(r *SiteRecord) *[]string { return &r.SupportModes }),
	textColumn("fiche_acces_libre", false, func(r *SiteRecord) *string { return &r.AccessibilityURL }),
	textColumn("prise_rdv", false, func(r *SiteRecord) *string { return &r.BookingURL }),
}

// OpenDataFields are the standard's columns, in the schema's order.
var OpenDataFields = func() []string {
	out := make([]string, len(siteColumns))
	for i, c := range siteColumns {
		out[i] = c.name
	}
	return out
}()

// OpenDataRequired are the columns a file must have and a row must fill.
var OpenDataRequired = func() []string {
	var out []string
	for _, c := range siteColumns {
		if c.required {
			out = append(out, c.name)
		}
	}
	return out
}()

var siteColumnIndex = func() map[string]int {
	m := make(map[string]int, len(siteColumns))
	for i, c := range siteColumns {
		m[c.name] = i
	}
	return m
}()

// IsOpenDataField reports whether name is a column of the standard.
func IsOpenDataField(name string) bool {
	_, ok := siteColumnIndex[name]
	return ok
}

// Value returns a column's value as the file writes it ("" for an unknown
// column).
func (r *SiteRecord) Value(field string) string {
	i, ok := siteColumnIndex[field]
	if !ok {
		return ""
	}
	return siteColumns[i].get(r)
}

// Set stores a column's raw value from a file and returns what is wrong
// with it, or "". Unknown columns are ignored.
func (r *SiteRecord) Set(field, value string) string {
	i, ok := siteColumnIndex[field]
	if !ok {
		return ""
	}
	return siteColumns[i].set(r, value)
}

// Published returns the record as the directory publishes it: a labelled
// place accepts the pass, so its fees include "Gratuit sous condition".
func (r SiteRecord) Published() SiteRecord {
	if r.Labelled && !slices.Contains(r.Fees, FeesPassAccepted) {
		r.Fees = append(slices.Clone(r.Fees), FeesPassAccepted)
	}
	return r
}

// SameOpenData reports whether two records publish the same row, the
// update day aside.
func (r *SiteRecord) SameOpenData(o *SiteRecord) bool {
	for _, c := range siteColumns {
		if c.name != "date_maj" && c.get(r) != c.get(o) {
			return false
		}
	}
	return true
}

// KeepAbsent copies from old the columns a file did not have, so that an
// import never erases what it does not mention. columns nil means the file
// had every column.
func (r *SiteRecord) KeepAbsent(old *SiteRecord, columns map[string]bool) {
	if columns == nil {
		return
	}
	for _, c := range siteColumns {
		if !columns[c.name] {
			c.set(r, c.get(old))
		}
	}
}

// ChangedFields names the columns that differ from old, date_maj aside:
// for the audit trail (names only, never values).
func (r *SiteRecord) ChangedFields(old *SiteRecord) []string {
	var out []string
	for _, c := range siteColumns {
		if c.name != "date_maj" && c.get(r) != c.get(old) {
			out = append(out, c.name)
		}
	}
	return out
}

// siteMaxDistanceWarnKm: coordinates farther than this from their
// commune's centre are probably wrong (or the commune is).
const siteMaxDistanceWarnKm = 50

// Check normalises the record and returns the problems that make it
// unusable (the row is rejected) and the warnings that do not. Field names
// are the standard's column names.
func (r *SiteRecord) Check() (problems, warnings FieldErrors) {
	r.checkEnumerations(&problems)
	for _, s := range []*string{&r.OpenDataID, &r.Name, &r.CommuneName, &r.Postcode, &r.CommuneINSEE, &r.Address, &r.AddressComplement,
		&r.Phone, &r.OpeningHours, &r.Summary, &r.Description, &r.Source, &r.ParentStructure, &r.OtherLabels, &r.AccessibilityURL, &r.BookingURL} {
		*s = strings.TrimSpace(*s)
	}
	r.Pivot = strings.ToUpper(pivotSpaces.Replace(r.Pivot))
	r.CommuneINSEE = strings.ToUpper(r.CommuneINSEE)
	r.checkTexts(&problems)
	if r.Pivot != "" {
		if msg := checkPivot(r.Pivot); msg != "" {
			problems.Add("pivot", msg)
		}
	}
	r.checkCommune(&problems, &warnings)
	r.checkPosition(&problems, &warnings)
	r.checkContacts(&problems, &warnings)
	slices.SortStableFunc(warnings, func(a, b FieldError) int { return siteColumnIndex[a.Field] - siteColumnIndex[b.Field] })
	return problems, warnings
}

// checkEnumerations puts each list of the standard's values (services,
// publics…) in its canonical spelling, and refuses a value it does not
// know.
func (r *SiteRecord) checkEnumerations(problems *FieldErrors) {
	for _, c := range siteColumns {
		if c.allowed == nil {
			continue
		}
		v := c.get(r)
		if v == "" {
			continue
		}
		canon, bad := canonicalValues(splitOpenDataList(v), c.allowed)
		if len(bad) > 0 {
			problems.Add(c.name, "valeur inconnue : « "+strings.Join(bad, " », « ")+" » ; valeurs possibles, séparées par | : "+strings.Join(c.allowed, " ; "))
			continue
		}
		c.set(r, strings.Join(canon, "|"))
	}

}

// checkTexts: the required fields are there, and each text holds on one
// line (the description excepted) within its length.
func (r *SiteRecord) checkTexts(problems *FieldErrors) {
	oneLine := func(field, v string, max int) {
		switch {
		case strings.ContainsAny(v, "\r\n"):
			problems.Add(field, "une seule ligne de texte attendue")
		case TextProblem(v, false) != "":
			problems.Add(field, TextProblem(v, false))
		case utf8.RuneCountInString(v) > max:
			problems.Add(field, strconv.Itoa(max)+" caractères au plus")
		}
	}
	for _, c := range siteColumns {
		v := c.get(r)
		if c.required && v == "" {
			problems.Add(c.name, "champ obligatoire du standard : il est vide")
			continue
		}
		switch c.name {
		case "presentation_detail":
			if utf8.RuneCountInString(v) > 10000 {
				problems.Add(c.name, "10000 caractères au plus")
			} else if msg := TextProblem(v, true); msg != "" {
				problems.Add(c.name, msg)
			}
		case "presentation_resume":
			if n := utf8.RuneCountInString(v); n > 280 {
				problems.Add(c.name, "280 caractères au plus (le standard le limite), reçu "+strconv.Itoa(n)+" : raccourcissez-le et mettez le reste dans presentation_detail")
			} else {
				oneLine(c.name, v, 280)
			}
		case "id":
			oneLine(c.name, v, 200)
		case "latitude", "longitude", "date_maj":
		default:
			oneLine(c.name, v, 1000)
		}
	}

}

// checkContacts: the phone number becomes international, the opening
// hours must read; an address or a link that does not look right only
// warns.
func (r *SiteRecord) checkContacts(problems, warnings *FieldErrors) {
	if r.Phone != "" {
		if p, ok := NormalizePhone(r.Phone); ok {
			r.Phone = p
		} else {
			problems.Add("telephone", "numéro au format international attendu, sans espaces (par exemple +33381878000), reçu « "+r.Phone+" »")
		}
	}
	if r.OpeningHours != "" {
		if _, err := ParseOpeningHours(r.OpeningHours); err != nil {
			problems.Add("horaires", err.Error())
		}
	}
	for _, e := range r.Emails {
		if !ValidEmail(e) {
			warnings.Add("courriels", "« "+e+" » ne ressemble pas à une adresse électronique")
		}
	}
	for _, u := range r.Websites {
		if !looksLikeWebURL(u) {
			warnings.Add("site_web", "« "+u+" » n'est pas une adresse web complète (https://…)")
		}
	}
	for field, u := range map[string]string{"fiche_acces_libre": r.AccessibilityURL, "prise_rdv": r.BookingURL} {
		if u != "" && !looksLikeWebURL(u) {
			warnings.Add(field, "« "+u+" » n'est pas une adresse web complète (https://…)")
		}
	}
}

var pivotSpaces = strings.NewReplacer(" ", "", "\u00a0", "", ".", "")

// checkPivot accepts a SIRET or a SIREN whose key is right, or an RNA
// number (associations without SIRET), as the schema allows.
func checkPivot(p string) string {
	digits := strings.Trim(p, "0123456789") == ""
	switch {
	case len(p) == 14 && digits:
		if !ValidSIRET(p) {
			return "SIRET invalide : la clé de contrôle ne correspond pas à " + p + " ; recopiez-le depuis annuaire-entreprises.data.gouv.fr"
		}
	case len(p) == 9 && digits:
		if !luhn(p) {
			return "SIREN invalide : la clé de contrôle ne correspond pas à " + p + " ; recopiez-le depuis annuaire-entreprises.data.gouv.fr"
		}
	case len(p) == 10 && p[0] == 'W' && strings.Trim(p[1:], "0123456789") == "":
	default:
		return "SIRET (14 chiffres), SIREN (9 chiffres) ou numéro RNA (W suivi de 9 chiffres) attendu, reçu « " + p + " »"
	}
	return ""
}

// checkCommune checks the commune against the reference territory: its
// INSEE code, or, when the code is missing, the commune of that name among
// those the postcode serves.
func (r *SiteRecord) checkCommune(problems, warnings *FieldErrors) {
	postcodeOK := len(r.Postcode) == 5 && strings.Trim(r.Postcode, "0123456789") == ""
	if r.Postcode != "" && !postcodeOK {
		problems.Add("code_postal", "code postal attendu : 5 chiffres (par exemple 25000), reçu « "+r.Postcode+" »")
	}
	if r.CommuneINSEE != "" {
		if msg := CheckCommune(r.CommuneINSEE); msg != "" {
			problems.Add("code_insee", msg)
			return
		}
		c, _ := territory.LookupCommune(r.CommuneINSEE)
		if postcodeOK && !slices.Contains(c.Postcodes, r.Postcode) {
			problems.Add("code_postal", "le code postal "+r.Postcode+" ne dessert pas "+c.Name+" ("+c.Code+") : codes postaux de cette commune : "+strings.Join(c.Postcodes, ", "))
		}
		if r.CommuneName != "" && !sameCommuneName(r.CommuneName, c.Name) {
			warnings.Add("commune", "« "+r.CommuneName+" » n'est pas le nom de la commune de code INSEE "+c.Code+" ("+c.Name+") : vérifiez le nom ou le code")
		}
		return
	}
	if !postcodeOK || r.CommuneName == "" {
		return // already reported: nothing to resolve the commune from
	}
	cs := territory.CommunesByPostcode(r.Postcode)
	if len(cs) == 0 {
		problems.Add("code_postal", "aucune commune n'a le code postal "+r.Postcode+" : vérifiez-le, ou indiquez le code INSEE de la commune")
		return
	}
	var match []territory.Commune
	for _, c := range cs {
		if sameCommuneName(r.CommuneName, c.Name) {
			match = append(match, c)
		}
	}
	switch {
	case len(match) == 1:
		r.CommuneINSEE = match[0].Code
	case len(cs) == 1:
		r.CommuneINSEE = cs[0].Code
		warnings.Add("commune", "« "+r.CommuneName+" » n'est pas le nom de la commune du code postal "+r.Postcode+" ; la commune retenue est "+cs[0].Name+" ("+cs[0].Code+") : vérifiez-le, ou indiquez le code INSEE")
	default:
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.Name + " (" + c.Code + ")"
		}
		problems.Add("commune", "« "+r.CommuneName+" » ne correspond à aucune commune du code postal "+r.Postcode+" ("+strings.Join(names, ", ")+") : corrigez le nom, ou indiquez le code INSEE dans code_insee")
	}
}

// checkPosition refuses coordinates outside France and warns when they lie
// far from the commune's centre.
func (r *SiteRecord) checkPosition(problems, warnings *FieldErrors) {
	lat, lng := r.Latitude, r.Longitude
	if lat == nil && lng == nil {
		return
	}
	if lat == nil || lng == nil {
		problems.Add("latitude", "donnez la latitude et la longitude ensemble, ou aucune des deux")
		return
	}
	if *lat < -90 || *lat > 90 || *lng < -180 || *lng > 180 {
		problems.Add("latitude", "coordonnées impossibles : latitude entre -90 et 90, longitude entre -180 et 180 (degrés décimaux WGS84)")
		return
	}
	if !territory.InFrance(*lat, *lng) {
		msg := "les coordonnées " + r.Value("latitude") + ", " + r.Value("longitude") + " ne sont pas en France : latitude puis longitude en degrés décimaux WGS84 (par exemple 47.2378, 6.0241 pour Besançon)"
		if territory.InFrance(*lng, *lat) {
			msg = "les coordonnées ne sont pas en France, mais le seraient inversées : la latitude (par exemple 47.2378) va dans latitude, la longitude (6.0241) dans longitude"
		}
		problems.Add("latitude", msg)
		return
	}
	c, ok := territory.LookupCommune(r.CommuneINSEE)
	if !ok || !c.HasCoordinates || c.Departement == "973" { // Guyane's communes are too vast for this check
		return
	}
	if d := territory.DistanceKm(*lat, *lng, c.Lat, c.Lng); d > siteMaxDistanceWarnKm {
		warnings.Add("latitude", "les coordonnées sont à "+strconv.Itoa(int(d))+" km du centre de "+c.Name+" ("+c.Code+") : l'une des deux est sans doute fausse ; vérifiez l'adresse sur adresse.data.gouv.fr")
	}
}

func looksLikeWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t")
}

// splitOpenDataList splits a multi-valued column on "|", trimming values
// and dropping empty ones.
func splitOpenDataList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// canonicalValues maps each value to its spelling in allowed, ignoring
// case, accents, spaces and punctuation; duplicates are dropped.
func canonicalValues(vs, allowed []string) (canon, bad []string) {
	for _, v := range vs {
		found := ""
		if slices.Contains(allowed, v) {
			found = v
		} else {
			found = foldedLabels(allowed)[foldLabel(v)]
		}
		switch {
		case found == "":
			bad = append(bad, v)
		case !slices.Contains(canon, found):
			canon = append(canon, found)
		}
	}
	return canon, bad
}

var foldedLabelCache sync.Map // first allowed value → folded → canonical

func foldedLabels(allowed []string) map[string]string {
	if m, ok := foldedLabelCache.Load(allowed[0]); ok {
		return m.(map[string]string)
	}
	m := make(map[string]string, len(allowed))
	for _, a := range allowed {
		m[foldLabel(a)] = a
	}
	foldedLabelCache.Store(allowed[0], m)
	return m
}

// sameCommuneName compares commune names as people write them: any case,
// with or without accents, hyphens, the leading article, "St" for "Saint".
func sameCommuneName(a, b string) bool {
	norm := func(s string) string {
		words := strings.Fields(territory.Fold(s))
		if len(words) > 1 {
			switch words[0] {
			case "l", "le", "la", "les":
				words = words[1:]
			}
		}
		return strings.Join(words, " ")
	}
	return norm(a) == norm(b)
}

// foldLabel compares open-data labels the same forgiving way as commune
// names: any case, with or without accents and punctuation.
func foldLabel(s string) string { return territory.Fold(s) }

// SiteImportRow is one accepted row of an imported open-data file.
type SiteImportRow struct {
	Line   int // where the row starts in the file (the header is line 1)
	Record SiteRecord
	// Columns are the columns the file has; the others keep the values
	// already stored. nil means every column.
	Columns map[string]bool
}

// ImportIssue is one problem of one row of an imported file.
type ImportIssue struct {
	Line   int    `json:"line" doc:"ligne du fichier où commence l'enregistrement (l'en-tête est la ligne 1)"`
	ID     string `json:"id,omitempty" doc:"identifiant open data (colonne id) de la ligne, s'il est lisible"`
	Field  string `json:"field" doc:"colonne en cause, nommée comme dans le standard"`
	Reason string `json:"reason" doc:"ce qui ne va pas et comment le corriger"`
}

// ImportReport says what an import did. Rejected rows were not imported;
// warnings concern rows imported all the same.
type ImportReport struct {
	Created   int           `json:"created" doc:"lieux ajoutés à l'annuaire"`
	Updated   int           `json:"updated" doc:"lieux mis à jour"`
	Unchanged int           `json:"unchanged" doc:"lignes identiques à ce que l'annuaire contient déjà"`
	Rejected  []ImportIssue `json:"rejected" doc:"problèmes des lignes rejetées, une entrée par champ en cause"`
	Warnings  []ImportIssue `json:"warnings" doc:"avertissements sur des lignes importées"`
}

// RejectedRows counts the distinct rows rejected.
func (r *ImportReport) RejectedRows() int {
	seen := map[int]bool{}
	for _, i := range r.Rejected {
		seen[i.Line] = true
	}
	return len(seen)
}

// SortIssues orders rejections and warnings by line, then by column.
func (r *ImportReport) SortIssues() {
	col := func(f string) int {
		if i, ok := siteColumnIndex[f]; ok {
			return i
		}
		return -1
	}
	by := func(a, b ImportIssue) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return col(a.Field) - col(b.Field)
	}
	slices.SortStableFunc(r.Rejected, by)
	slices.SortStableFunc(r.Warnings, by)
	if r.Rejected == nil {
		r.Rejected = []ImportIssue{}
	}
	if r.Warnings == nil {
		r.Warnings = []ImportIssue{}
	}
}
