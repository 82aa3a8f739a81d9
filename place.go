package passnum

import (
	"database/sql/driver"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"passnum/territory"
)

// CharterVersion is the version of the programme's charter a place accepts
// when it applies. An application naming another version is refused, so that
// nobody accepts a text they were not shown.
const CharterVersion = "2026-01"

// FeesPassAccepted is the open-data `frais_a_charge` value of a place that
// accepts the pass.
const FeesPassAccepted = "Gratuit sous condition"

// PlacePublics are the open-data values of `publics_specifiquement_adresses`.
var PlacePublics = []string{"Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"}

// PlaceSpecificSupports are the open-data values of
// `prise_en_charge_specifique`: the accessibility a place offers.
var PlaceSpecificSupports = []string{"Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme",
	"Langues étrangères (anglais)", "Langues étrangères (autres)", "Déficience visuelle"}

// siteMaxDistanceKm bounds how far a site's coordinates may lie from its
// commune's centre: farther, one of the two is wrong. Guyane's communes are
// too large for this check.
const siteMaxDistanceKm = 50

// LegalRepresentative is who signs for the place organisation.
type LegalRepresentative struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// NewSite is what a place declares for one of its sites ("point de
// présence"): one row of the open-data export.
type NewSite struct {
	Name              string
	Address           string
	AddressComplement string
	CommuneINSEE      string
	Postcode          string
	Latitude          *float64
	Longitude         *float64
	OpeningHours      string
	Phone             string
	Email             string
	Website           string
	AccessibilityURL  string
	Services          []string
	Publics           []string
	SpecificSupport   []string
}

// Validate normalises the site and returns its failures, each field named
// with prefix ("site." in an application). A site without a name takes its
// organisation's.
func (n *NewSite) Validate(prefix string) FieldErrors {
	var fe FieldErrors
	n.Name = strings.TrimSpace(n.Name)
	n.Address = strings.TrimSpace(n.Address)
	n.AddressComplement = strings.TrimSpace(n.AddressComplement)
	n.CommuneINSEE = strings.ToUpper(strings.TrimSpace(n.CommuneINSEE))
	n.Postcode = strings.TrimSpace(n.Postcode)
	n.OpeningHours = strings.TrimSpace(n.OpeningHours)
	n.Email = strings.TrimSpace(n.Email)
	n.Website = strings.TrimSpace(n.Website)
	n.AccessibilityURL = strings.TrimSpace(n.AccessibilityURL)
	checkText(&fe, prefix+"name", n.Name, 200, false, "nom du site")
	checkText(&fe, prefix+"address", n.Address, 300, true, "adresse (numéro et voie, par exemple « 12 rue de la République »)")
	checkText(&fe, prefix+"address_complement", n.AddressComplement, 300, false, "complément d'adresse")
	commune, communeOK := territory.Commune{}, false
	if msg := CheckCommune(n.CommuneINSEE); msg != "" {
		fe.Add(prefix+"commune_insee", msg)
	} else {
		commune, communeOK = territory.LookupCommune(n.CommuneINSEE)
	}
	switch {
	case len(n.Postcode) != 5 || strings.Trim(n.Postcode, "0123456789") != "":
		fe.Add(prefix+"postcode", "code postal attendu : 5 chiffres, par exemple 25000")
	case communeOK && !slices.Contains(commune.Postcodes, n.Postcode):
		fe.Add(prefix+"postcode", "le code postal "+n.Postcode+" ne dessert pas "+commune.Name+" ("+commune.Code+") : codes postaux de cette commune : "+strings.Join(commune.Postcodes, ", "))
	}
	checkCoordinates(&fe, prefix, n.Latitude, n.Longitude, commune, communeOK)
	checkText(&fe, prefix+"opening_hours", n.OpeningHours, 500, false, "horaires")
	if n.OpeningHours != "" {
		if msg := checkOpeningHours(n.OpeningHours); msg != "" {
			fe.Add(prefix+"opening_hours", msg)
		}
	}
	if n.Phone != "" {
		if p, ok := NormalizePhone(n.Phone); ok {
			n.Phone = p
		} else {
			fe.Add(prefix+"phone", phoneHelp)
		}
	}
	if n.Email != "" && !ValidEmail(n.Email) {
		fe.Add(prefix+"email", emailHelp)
	}
	if n.Website != "" && !validWebURL(n.Website) {
		fe.Add(prefix+"website", "adresse web attendue, commençant par https:// (par exemple https://www.mediatheque-besancon.fr)")
	}
	if n.AccessibilityURL != "" && !validWebURL(n.AccessibilityURL) {
		fe.Add(prefix+"accessibility_url", "adresse web de la fiche d'accessibilité attendue, commençant par https:// (par exemple une fiche Acceslibre)")
	}
	var bad []string
	n.Services, bad = pickValues(n.Services, NationalServices)
	switch {
	case len(bad) > 0:
		fe.Add(prefix+"services", "service inconnu : « "+strings.Join(bad, " », « ")+" » ; choisissez dans le référentiel national : "+strings.Join(NationalServices, " ; "))
	case len(n.Services) == 0:
		fe.Add(prefix+"services", "indiquez au moins un service proposé, choisi dans le référentiel national : "+strings.Join(NationalServices, " ; "))
	}
	if n.Publics, bad = pickValues(n.Publics, PlacePublics); len(bad) > 0 {
		fe.Add(prefix+"publics", "public inconnu : « "+strings.Join(bad, " », « ")+" » ; valeurs possibles : "+strings.Join(PlacePublics, " ; "))
	}
	if n.SpecificSupport, bad = pickValues(n.SpecificSupport, PlaceSpecificSupports); len(bad) > 0 {
		fe.Add(prefix+"specific_support", "accompagnement inconnu : « "+strings.Join(bad, " », « ")+" » ; valeurs possibles : "+strings.Join(PlaceSpecificSupports, " ; "))
	}
	return fe
}

func checkCoordinates(fe *FieldErrors, prefix string, lat, lng *float64, c territory.Commune, communeOK bool) {
	if lat == nil && lng == nil {
		return
	}
	if lat == nil || lng == nil {
		fe.Add(prefix+"latitude", "donnez la latitude et la longitude ensemble, ou aucune des deux")
		return
	}
	if math.IsNaN(*lat) || math.IsNaN(*lng) || *lat < -90 || *lat > 90 || *lng < -180 || *lng > 180 {
		fe.Add(prefix+"latitude", "coordonnées impossibles : latitude entre -90 et 90, longitude entre -180 et 180 (degrés décimaux WGS84)")
		return
	}
	if !territory.InFrance(*lat, *lng) {
		msg := "ces coordonnées ne sont pas en France : donnez la latitude puis la longitude en degrés décimaux (par exemple 47.2378, 6.0241 pour Besançon)"
		if territory.InFrance(*lng, *lat) {
			msg = "ces coordonnées ne sont pas en France, mais le seraient inversées : la latitude vient d'abord (par exemple 47.2378), la longitude ensuite (6.0241)"
		}
		fe.Add(prefix+"latitude", msg)
		return
	}
	if communeOK && c.HasCoordinates && c.Departement != "973" {
		if d := territory.DistanceKm(*lat, *lng, c.Lat, c.Lng); d > siteMaxDistanceKm {
			fe.Add(prefix+"latitude", "ces coordonnées sont à "+strconv.Itoa(int(d))+" km du centre de "+c.Name+" : vérifiez-les, ou la commune")
		}
	}
}

// checkOpeningHours checks the OpenStreetMap opening_hours text: one line
// that the parser understands.
func checkOpeningHours(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) {
			return "horaires sur une seule ligne, au format OpenStreetMap (par exemple « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00 »)"
		}
	}
	if _, err := ParseOpeningHours(s); err != nil {
		return "horaires illisibles : " + err.Error()
	}
	return ""
}

// SiteUpdate changes some fields of a site; nil fields stay as they are.
type SiteUpdate struct {
	Name              *string
	Address           *string
	AddressComplement *string
	CommuneINSEE      *string
	Postcode          *string
	Latitude          *float64
	Longitude         *float64
	OpeningHours      *string
	Phone             *string
	Email             *string
	Website           *string
	AccessibilityURL  *string
	Services          *[]string
	Publics           *[]string
	SpecificSupport   *[]string
}

// Apply returns the site as it will be after the update, and the names of
// the fields the update sets (for the audit trail).
func (u SiteUpdate) Apply(s Site) (NewSite, []string) {
	n := s.Declared()
	var changed []string
	setS := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	setL := func(name string, dst *[]string, v *[]string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	setS("name", &n.Name, u.Name)
	setS("address", &n.Address, u.Address)
	setS("address_complement", &n.AddressComplement, u.AddressComplement)
	setS("commune_insee", &n.CommuneINSEE, u.CommuneINSEE)
	setS("postcode", &n.Postcode, u.Postcode)
	if u.Latitude != nil || u.Longitude != nil {
		n.Latitude, n.Longitude = u.Latitude, u.Longitude
		changed = append(changed, "coordinates")
	}
	setS("opening_hours", &n.OpeningHours, u.OpeningHours)
	setS("phone", &n.Phone, u.Phone)
	setS("email", &n.Email, u.Email)
	setS("website", &n.Website, u.Website)
	setS("accessibility_url", &n.AccessibilityURL, u.AccessibilityURL)
	setL("services", &n.Services, u.Services)
	setL("publics", &n.Publics, u.Publics)
	setL("specific_support", &n.SpecificSupport, u.SpecificSupport)
	return n, changed
}

// Site is one site of a place organisation, or a directory entry imported
// from open data (no organisation).
type Site struct {
	ID                string    `json:"id"`
	OrganisationID    string    `json:"organisation_id,omitempty"`
	OpenDataID        string    `json:"opendata_id" doc:"identifiant dans l'export open data (colonne id)"`
	Pivot             string    `json:"pivot" doc:"SIRET de l'organisation (colonne pivot)"`
	Name              string    `json:"name"`
	Address           string    `json:"address"`
	AddressComplement string    `json:"address_complement,omitempty"`
	CommuneINSEE      string    `json:"commune_insee"`
	CommuneName       string    `json:"commune_name"`
	Postcode          string    `json:"postcode"`
	Latitude          *float64  `json:"latitude"`
	Longitude         *float64  `json:"longitude"`
	OpeningHours      string    `json:"opening_hours,omitempty" doc:"horaires au format OpenStreetMap opening_hours"`
	Phone             string    `json:"phone,omitempty"`
	Email             string    `json:"email,omitempty"`
	Website           string    `json:"website,omitempty"`
	AccessibilityURL  string    `json:"accessibility_url,omitempty"`
	Services          []string  `json:"services"`
	Publics           []string  `json:"publics"`
	SpecificSupport   []string  `json:"specific_support"`
	Fees              []string  `json:"fees"`
	UpdatedOn         Date      `json:"updated_on" doc:"date de mise à jour (colonne date_maj)"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Declared returns what the place declared for the site, to change some
// of it.
func (s Site) Declared() NewSite {
	return NewSite{Name: s.Name, Address: s.Address, AddressComplement: s.AddressComplement, CommuneINSEE: s.CommuneINSEE,
		Postcode: s.Postcode, Latitude: s.Latitude, Longitude: s.Longitude, OpeningHours: s.OpeningHours, Phone: s.Phone,
		Email: s.Email, Website: s.Website, AccessibilityURL: s.AccessibilityURL,
		Services: slices.Clone(s.Services), Publics: slices.Clone(s.Publics), SpecificSupport: slices.Clone(s.SpecificSupport)}
}

// NewPlaceApplication is a training place's application for the label.
type NewPlaceApplication struct {
	Name            string
	SIRET           string
	LegalRep        LegalRepresentative
	ContactEmail    string
	ContactPhone    string
	Site            NewSite
	CharterAccepted bool
	CharterVersion  string
	Bank            NewBankAccount
}

// Validate normalises the application and reports every failure at once,
// so that the applicant fixes the form in one go.
func (a *NewPlaceApplication) Validate() error {
	var fe FieldErrors
	a.Name = strings.TrimSpace(a.Name)
	a.SIRET = strings.NewReplacer(" ", "", "\u00a0", "", ".", "").Replace(a.SIRET)
	a.LegalRep.Name = strings.TrimSpace(a.LegalRep.Name)
	a.LegalRep.Role = strings.TrimSpace(a.LegalRep.Role)
	a.ContactEmail = strings.TrimSpace(a.ContactEmail)
	checkText(&fe, "name", a.Name, 200, true, "nom de l'organisation (raison sociale)")
	if !ValidSIRET(a.SIRET) {
		fe.Add("siret", "SIRET invalide : 14 chiffres dont le dernier est une clé de contrôle ; recopiez-le depuis l'avis de situation SIRENE")
	}
	checkText(&fe, "legal_representative.name", a.LegalRep.Name, 200, true, "nom du représentant légal")
	checkText(&fe, "legal_representative.role", a.LegalRep.Role, 100, true, "qualité du représentant légal (par exemple « présidente », « directeur »)")
	if !ValidEmail(a.ContactEmail) {
		fe.Add("contact_email", emailHelp)
	}
	if p, ok := NormalizePhone(a.ContactPhone); ok {
		a.ContactPhone = p
	} else {
		fe.Add("contact_phone", phoneHelp)
	}
	if a.Site.Name == "" {
		a.Site.Name = a.Name
	}
	fe = append(fe, a.Site.Validate("site.")...)
	if !a.CharterAccepted {
		fe.Add("charter_accepted", "l'acceptation de la charte du programme est obligatoire : lisez-la et cochez « j'accepte » (true)")
	}
	switch strings.TrimSpace(a.CharterVersion) {
	case CharterVersion:
	case "":
		fe.Add("charter_version", "indiquez la version de la charte acceptée : "+CharterVersion)
	default:
		fe.Add("charter_version", "la charte en vigueur est la version "+CharterVersion+" (reçu « "+a.CharterVersion+" ») : relisez-la et acceptez cette version")
	}
	fe = append(fe, a.Bank.Validate("bank_account.")...)
	return fe.Err()
}

// BankStatus is where a place's bank details stand.
type BankStatus string

// Bank account statuses: pending until the operator decides; approved is
// the account places are paid on; replaced when a newer one was approved.
const (
	BankPending  BankStatus = "pending"
	BankApproved BankStatus = "approved"
	BankRejected BankStatus = "rejected"
	BankReplaced BankStatus = "replaced"
)

// BankStatuses lists the statuses in their order.
var BankStatuses = []BankStatus{BankPending, BankApproved, BankRejected, BankReplaced}

// Valid reports whether s is a known status.
func (s BankStatus) Valid() bool { return oneOf(s, BankStatuses) }

// CanBecome reports whether bank details in status s may move to next:
// pending details are approved or rejected (with four eyes, the first
// approval leaves them pending), and approved ones are replaced when newer
// details are approved.
func (s BankStatus) CanBecome(next BankStatus) bool {
	switch s {
	case BankPending:
		return next == BankApproved || next == BankRejected
	case BankApproved:
		return next == BankReplaced
	}
	return false
}

// Value stores the status as its text.
func (s BankStatus) Value() (driver.Value, error) { return string(s), nil }

// Scan reads a stored status and refuses an unknown one.
func (s *BankStatus) Scan(src any) error {
	v, err := scanStatus(src, BankStatus.Valid, "de coordonnées bancaires")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// NewBankAccount is a place's proposed bank details.
type NewBankAccount struct {
	Holder string
	IBAN   string
	BIC    string
}

// Validate normalises the details and returns their failures.
func (n *NewBankAccount) Validate(prefix string) FieldErrors {
	var fe FieldErrors
	n.Holder = strings.TrimSpace(n.Holder)
	n.IBAN = NormalizeIBAN(n.IBAN)
	n.BIC = NormalizeBIC(n.BIC)
	checkText(&fe, prefix+"holder", n.Holder, 140, true, "titulaire du compte, tel qu'il figure sur le RIB")
	ibanMsg := CheckIBAN(n.IBAN)
	if n.IBAN == "" {
		ibanMsg = "IBAN obligatoire : recopiez-le depuis le relevé d'identité bancaire (RIB)"
	}
	if ibanMsg != "" {
		fe.Add(prefix+"iban", ibanMsg)
	}
	ibanForBIC := n.IBAN
	if ibanMsg != "" {
		ibanForBIC = ""
	}
	if n.BIC == "" {
		fe.Add(prefix+"bic", "BIC obligatoire : 8 ou 11 caractères, sur le RIB à côté de l'IBAN")
	} else if msg := CheckBIC(n.BIC, ibanForBIC); msg != "" {
		fe.Add(prefix+"bic", msg)
	}
	return fe
}

// BankAccount is one set of bank details of a place, with its life: never
// edited, only decided on and later replaced.
type BankAccount struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Holder         string     `json:"holder"`
	IBAN           string     `json:"iban" doc:"masqué ; l'opérateur qui instruit les coordonnées le voit en entier par une consultation journalisée"`
	BIC            string     `json:"bic"`
	Status         BankStatus `json:"status" enum:"pending,approved,rejected,replaced"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	DecidedAt      *time.Time `json:"decided_at"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	ValidFrom      *time.Time `json:"valid_from" doc:"date d'approbation : les paiements vont sur ce compte à partir de là"`
	ValidUntil     *time.Time `json:"valid_until" doc:"date de remplacement par un compte plus récent"`
	// FirstApprovedAt is set while approved once, with four eyes, awaiting
	// a second operator's approval.
	FirstApprovedAt *time.Time `json:"first_approved_at" doc:"première approbation (quatre yeux) : un second opérateur doit encore approuver"`
}

// Masked returns the account as shown to anyone but the operator.
func (b BankAccount) Masked() BankAccount {
	b.IBAN = MaskIBAN(b.IBAN)
	return b
}

// PlaceApplication is a place's file as the operator reviews it: what it
// declared, where it stands, and its sites and bank details.
type PlaceApplication struct {
	ID                  string              `json:"id"`
	Name                string              `json:"name"`
	SIRET               string              `json:"siret"`
	SIRETReleasedAt     *time.Time          `json:"siret_released_at,omitempty" doc:"quand le SIRET a été libéré pour une nouvelle candidature : il n'est plus celui de ce lieu"`
	Status              OrgStatus           `json:"status" enum:"pending,labelled,suspended,refused,withdrawn"`
	CommuneINSEE        string              `json:"commune_insee,omitempty"`
	LegalRepresentative LegalRepresentative `json:"legal_representative"`
	ContactEmail        string              `json:"contact_email"`
	ContactPhone        string              `json:"contact_phone"`
	CharterVersion      string              `json:"charter_version"`
	CharterAcceptedAt   *time.Time          `json:"charter_accepted_at"`
	SubmittedAt         *time.Time          `json:"submitted_at" doc:"absent pour un lieu inscrit par l'opérateur sans candidature"`
	DecidedAt           *time.Time          `json:"decided_at"`
	DecisionReason      string              `json:"decision_reason,omitempty" doc:"motif de la dernière décision (refus, suspension, retrait)"`
	CreatedAt           time.Time           `json:"created_at"`
	Sites               []Site              `json:"sites"`
	BankAccounts        []BankAccount       `json:"bank_accounts" doc:"du plus récent au plus ancien"`
	History             []PlaceDecision     `json:"history" doc:"candidature et décisions, de la plus ancienne à la plus récente"`
}

// PlaceApplicationSummary is one line of the operator's review list.
type PlaceApplicationSummary struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	SIRET          string     `json:"siret"`
	Status         OrgStatus  `json:"status"`
	CommuneINSEE   string     `json:"commune_insee,omitempty"`
	SubmittedAt    *time.Time `json:"submitted_at"`
	DecidedAt      *time.Time `json:"decided_at"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// PlaceDecision is one step of a place's file: its application, then each
// status the operator gave it.
type PlaceDecision struct {
	At     time.Time `json:"at"`
	Status OrgStatus `json:"status"`
	Reason string    `json:"reason,omitempty"`
}

// ValidPlaceStatus reports whether s is a status a place can have.
func ValidPlaceStatus(s OrgStatus) bool { return oneOf(s, PlaceStatuses) }

const (
	phoneHelp = "numéro de téléphone attendu, par exemple 03 81 87 80 00 ou +33381878000"
	emailHelp = "adresse électronique attendue, par exemple accueil@mediatheque.fr"
)

// NormalizePhone reads a French phone number as typed ("03 81 87 80 00",
// "+33 3 81…", "0033…") and returns it in the international form the open
// data standard wants (+33381878000; +590, +594, +596 and +262 for the
// overseas départements).
func NormalizePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '(', ')', '/', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if strings.HasPrefix(s, "+330") { // "+33 (0)3…"
		s = "+33" + s[4:]
	}
	if len(s) == 10 && s[0] == '0' && allDigits(s) {
		national := s[1:]
		code := "+33"
		for prefix, c := range overseasPrefixes {
			if strings.HasPrefix(s, prefix) {
				code = c
			}
		}
		s = code + national
	}
	for _, cc := range []string{"+33", "+590", "+594", "+262", "+596", "+269", "+687", "+689", "+508", "+681"} {
		if rest, ok := strings.CutPrefix(s, cc); ok && len(rest) >= 6 && len(rest) <= 9 && allDigits(rest) {
			return s, true
		}
	}
	return "", false
}

// overseasPrefixes maps the national prefixes of the overseas départements
// to their country calling codes.
var overseasPrefixes = map[string]string{
	"0590": "+590", "0690": "+590", "0691": "+590",
	"0594": "+594", "0694": "+594",
	"0596": "+596", "0696": "+596", "0697": "+596",
	"0262": "+262", "0263": "+262", "0692": "+262", "0693": "+262", "0269": "+262", "0639": "+262",
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// ValidEmail reports whether s is one plain e-mail address.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

func validWebURL(s string) bool {
	if len(s) > 500 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// checkText checks a one-line text field: required or not, at most max
// characters.
func checkText(fe *FieldErrors, field, v string, max int, required bool, what string) {
	switch {
	case v == "" && required:
		fe.Add(field, what+" : champ obligatoire")
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, what+" : "+strconv.Itoa(max)+" caractères au plus")
	default:
		if msg := TextProblem(v, false); msg != "" {
			fe.Add(field, what+" : "+msg)
		}
	}
}

// pickValues trims and deduplicates vs, keeping the order, and returns the
// values missing from allowed.
func pickValues(vs, allowed []string) (ok, bad []string) {
	for _, v := range vs {
		v = strings.TrimSpace(v)
		switch {
		case !slices.Contains(allowed, v):
			bad = append(bad, v)
		case !slices.Contains(ok, v):
			ok = append(ok, v)
		}
	}
	return ok, bad
}
