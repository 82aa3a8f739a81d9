package passnum

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A young person's personal data beyond their identity: how they agreed to
// be contacted, the flag of a minor, why staff read their record, and how
// long their identity is kept (GDPR). docs/register-of-processing.md says
// the same in words.

// MajorityAge is the age from which a young person consents alone to be
// contacted; under it (16 and 17 year olds), a legal guardian consents too.
const MajorityAge = 18

// DefaultRetentionMonths is how many months after the end of their
// programme a young person's identity is kept before it is pseudonymised
// (the public audit of the programme's spending), unless the installation
// sets another number (passnum serve --retention-months).
const DefaultRetentionMonths = 36

// MaxRetentionMonths bounds that setting: ten years.
const MaxRetentionMonths = 120

// CheckRetentionMonths validates the setting.
func CheckRetentionMonths(n int) error {
	if n < 1 || n > MaxRetentionMonths {
		return Invalid(FieldError{Field: "retention_months", Detail: "durée de conservation en mois, de 1 à " + strconv.Itoa(MaxRetentionMonths)})
	}
	return nil
}

// RetentionDue says whether a person whose programme ended on end has
// been kept months full months on day today: their identity is then
// pseudonymised.
func RetentionDue(end, today Date, months int) bool {
	t := time.Date(end.Year, time.Month(end.Month)+time.Month(months), end.Day, 0, 0, 0, 0, time.UTC)
	return !today.Before(DateOf(t))
}

// ErasedFirstName and ErasedLastName replace a pseudonymised person's
// names; their birth date keeps its year only (for statistics by age),
// their contact details and their guardian's name are emptied.
const (
	ErasedFirstName = "Personne"
	ErasedLastName  = "effacée"
)

// ErasedBirthDate keeps the year of a birth date only.
func ErasedBirthDate(d Date) Date { return Date{Year: d.Year, Month: 1, Day: 1} }

// Erased is the refusal of any change to a pseudonymised record.
func Erased() *Error {
	return Errorf(EERASED, "Les données d'identité de cette personne ont été effacées : sa fiche ne peut plus être modifiée ni recevoir de carnet. Si elle revient, inscrivez-la à nouveau.")
}

// ReadPurpose is why a staff member reads a young person's record: every
// read is logged with one.
type ReadPurpose string

// The purposes of a read.
const (
	ReadSupport    ReadPurpose = "support"
	ReadCorrection ReadPurpose = "correction"
	ReadRequest    ReadPurpose = "request"
	ReadControl    ReadPurpose = "control"
)

// ReadPurposes lists them in the order forms offer them.
var ReadPurposes = []ReadPurpose{ReadSupport, ReadCorrection, ReadRequest, ReadControl}

// Label is the purpose in French.
func (p ReadPurpose) Label() string {
	switch p {
	case ReadSupport:
		return "accompagnement"
	case ReadCorrection:
		return "correction"
	case ReadRequest:
		return "demande de la personne"
	case ReadControl:
		return "contrôle"
	}
	return string(p)
}

// Valid reports whether p is one of the purposes.
func (p ReadPurpose) Valid() bool {
	for _, v := range ReadPurposes {
		if v == p {
			return true
		}
	}
	return false
}

// ParseReadPurpose reads a purpose, def when s is empty.
func ParseReadPurpose(s string, def ReadPurpose) (ReadPurpose, error) {
	if s == "" {
		return def, nil
	}
	p := ReadPurpose(s)
	if !p.Valid() {
		words := make([]string, 0, len(ReadPurposes))
		for _, v := range ReadPurposes {
			words = append(words, string(v)+" ("+v.Label()+")")
		}
		return "", Invalid(FieldError{Field: "purpose", Detail: "motif de consultation inconnu : " + strings.Join(words, ", ")})
	}
	return p, nil
}

// ReadVia says how a record was read.
type ReadVia string

// How a record is read.
const (
	ReadViaPage   ReadVia = "page"
	ReadViaAPI    ReadVia = "api"
	ReadViaExport ReadVia = "export"
)

// Label is the way in French.
func (v ReadVia) Label() string {
	switch v {
	case ReadViaPage:
		return "page"
	case ReadViaAPI:
		return "API"
	case ReadViaExport:
		return "téléchargement"
	}
	return string(v)
}

// RecordRead is one read of a young person's record by staff.
type RecordRead struct {
	ID             string      `json:"id"`
	BeneficiaryID  string      `json:"beneficiary_id"`
	At             time.Time   `json:"at"`
	OrganisationID string      `json:"organisation_id"`
	ActorKind      string      `json:"actor_kind"`
	ActorID        string      `json:"actor_id"`
	Purpose        ReadPurpose `json:"purpose" doc:"support (accompagnement), correction, request (demande de la personne) ou control (contrôle)"`
	Via            ReadVia     `json:"via" doc:"page, api ou export (téléchargement)"`
	// Names, resolved for the operator's page and the API answer.
	OrganisationName string `json:"organisation_name"`
	ActorName        string `json:"actor_name"`
}

// validateContact checks the contact details and the consents, and
// normalises them: registeredOn is the day of registration, which says
// whether the person was a minor.
func (b *Beneficiary) validateContact(fe *FieldErrors, registeredOn Date) {
	b.Email = strings.TrimSpace(b.Email)
	b.GuardianName = strings.Join(strings.Fields(b.GuardianName), " ")
	b.Minor = !b.BirthDate.IsZero() && b.BirthDate.AgeOn(registeredOn) < MajorityAge
	if b.Email != "" {
		a, err := mail.ParseAddress(b.Email)
		if err != nil || a.Address != b.Email || a.Name != "" || len(b.Email) > 254 || !strings.Contains(b.Email[strings.LastIndexByte(b.Email, '@'):], ".") {
			fe.Add("email", "adresse e-mail invalide, par exemple prenom.nom@exemple.fr")
		}
	}
	if b.Phone != "" {
		if p, ok := NormaliseMobile(b.Phone); ok {
			b.Phone = p
		} else {
			fe.Add("phone", "numéro de mobile invalide : 10 chiffres commençant par 06 ou 07, par exemple 06 12 34 56 78")
		}
	}
	hasContact := b.Email != "" || b.Phone != ""
	switch {
	case hasContact && !b.ContactConsent:
		fe.Add("contact_consent", "l'accord du jeune pour être contacté est obligatoire pour enregistrer son e-mail ou son mobile ; sans accord, laissez-les vides")
	case !hasContact && b.ContactConsent:
		fe.Add("contact_consent", "indiquez l'e-mail ou le mobile auquel le jeune accepte d'être contacté, ou décochez son accord")
	}
	if !b.ContactConsent {
		b.GuardianConsent, b.GuardianName = false, ""
		return
	}
	if !b.Minor {
		// An adult consents alone: nothing of a guardian is kept.
		b.GuardianConsent, b.GuardianName = false, ""
		return
	}
	age := strconv.Itoa(b.BirthDate.AgeOn(registeredOn))
	if !b.GuardianConsent {
		fe.Add("guardian_consent", "le jeune avait "+age+" ans à son inscription : l'accord d'un représentant légal est obligatoire pour enregistrer ses coordonnées et le contacter")
	}
	if b.GuardianName == "" || utf8.RuneCountInString(b.GuardianName) > 200 {
		fe.Add("guardian_name", "mineur à l'inscription : nom du représentant légal qui a donné son accord obligatoire (200 caractères au plus)")
	} else if msg := TextProblem(b.GuardianName, false); msg != "" {
		fe.Add("guardian_name", msg)
	}
}

// NormaliseMobile reads a mobile number as typed (06 12 34 56 78,
// +33 7…, 0033…, an overseas mobile) and writes it the international way
// (NormalizePhone); ok is false for a landline or anything else.
func NormaliseMobile(s string) (string, bool) {
	n, ok := NormalizePhone(s)
	if !ok {
		return "", false
	}
	for _, cc := range []string{"+33", "+590", "+594", "+262", "+596"} {
		if rest, found := strings.CutPrefix(n, cc); found && len(rest) == 9 && (rest[0] == '6' || rest[0] == '7') {
			return n, true
		}
	}
	return "", false
}

// MinorConsentMessage tells a young person who was a minor at
// registration why they cannot agree to be contacted on their own.
const MinorConsentMessage = "Vous aviez moins de 18 ans à votre inscription : l'accord d'un représentant légal est nécessaire pour recevoir des rappels. Demandez à votre conseiller ou conseillère de l'enregistrer."
