package passnum

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Beneficiary is a young person registered by a distributor. It belongs to
// that distributor: no other organisation but the operator sees it.
type Beneficiary struct {
	ID            string    `json:"id"`
	DistributorID string    `json:"distributor_id"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	BirthDate     Date      `json:"birth_date"`
	CommuneINSEE  string    `json:"commune_insee"`
	JobSeeker     bool      `json:"job_seeker"`
	InStudies     bool      `json:"in_studies"`
	CreatedAt     time.Time `json:"created_at"`
	// Contact details, kept only with the person's consent to be contacted
	// (ContactConsentAt is when it was given); a minor at registration
	// (16 or 17) needs a legal guardian's consent too, who is named.
	Email            string     `json:"email"`
	Phone            string     `json:"phone" doc:"mobile, au format +336… ou +337…"`
	ContactConsent   bool       `json:"contact_consent" doc:"accord de la personne pour être contactée (rappels)"`
	ContactConsentAt *time.Time `json:"contact_consent_at"`
	Minor            bool       `json:"minor" doc:"mineur (16 ou 17 ans) à l'inscription"`
	GuardianConsent  bool       `json:"guardian_consent" doc:"accord d'un représentant légal, obligatoire pour contacter un mineur"`
	GuardianName     string     `json:"guardian_name"`
	// PseudonymisedAt is when the identity was erased (on request or at
	// the end of its retention): names, birth date and contact are gone.
	PseudonymisedAt *time.Time `json:"pseudonymised_at,omitempty"`
}

// Validate checks a beneficiary before registration, on day today.
func (b *Beneficiary) Validate(today Date) error {
	var fe FieldErrors
	b.FirstName = strings.TrimSpace(b.FirstName)
	b.LastName = strings.TrimSpace(b.LastName)
	if b.FirstName == "" || utf8.RuneCountInString(b.FirstName) > 100 {
		fe.Add("first_name", "prénom obligatoire, 100 caractères au plus")
	} else if msg := TextProblem(b.FirstName, false); msg != "" {
		fe.Add("first_name", msg)
	}
	if b.LastName == "" || utf8.RuneCountInString(b.LastName) > 100 {
		fe.Add("last_name", "nom obligatoire, 100 caractères au plus")
	} else if msg := TextProblem(b.LastName, false); msg != "" {
		fe.Add("last_name", msg)
	}
	if b.BirthDate.IsZero() {
		fe.Add("birth_date", "date de naissance obligatoire (AAAA-MM-JJ)")
	} else if b.BirthDate.After(today) || b.BirthDate.AgeOn(today) > 120 {
		fe.Add("birth_date", "date de naissance impossible : vérifiez l'année")
	}
	if msg := CheckCommune(b.CommuneINSEE); msg != "" {
		fe.Add("commune_insee", msg)
	}
	registeredOn := today
	if !b.CreatedAt.IsZero() {
		registeredOn = ParisDate(b.CreatedAt)
	}
	b.validateContact(&fe, registeredOn)
	return fe.Err()
}

// Eligibility reasons, stable machine codes.
const (
	ReasonAge          = "age"
	ReasonNotJobSeeker = "not_job_seeker"
	ReasonInStudies    = "in_studies"
	ReasonTerritory    = "territory"
)

// CheckEligibility returns the failed rules for b in programme p on day
// today; none means eligible.
func CheckEligibility(b *Beneficiary, p *Programme, today Date) []string {
	var reasons []string
	if age := b.BirthDate.AgeOn(today); age < p.MinAge || age > p.MaxAge {
		reasons = append(reasons, ReasonAge)
	}
	if !b.JobSeeker {
		reasons = append(reasons, ReasonNotJobSeeker)
	}
	if b.InStudies {
		reasons = append(reasons, ReasonInStudies)
	}
	if !InTerritory(p.Territory, b.CommuneINSEE) {
		reasons = append(reasons, ReasonTerritory)
	}
	return reasons
}

// NotEligible builds the refusal that says which rules failed, in French.
func NotEligible(b *Beneficiary, p *Programme, today Date, reasons []string) *Error {
	var parts []string
	for _, r := range reasons {
		switch r {
		case ReasonAge:
			parts = append(parts, "l'âge ("+strconv.Itoa(b.BirthDate.AgeOn(today))+" ans) est hors des bornes du programme ("+strconv.Itoa(p.MinAge)+" à "+strconv.Itoa(p.MaxAge)+" ans)")
		case ReasonNotJobSeeker:
			parts = append(parts, "la personne n'est pas en recherche d'emploi")
		case ReasonInStudies:
			parts = append(parts, "la personne suit des études")
		case ReasonTerritory:
			parts = append(parts, "la commune de résidence est hors du territoire du programme ("+TerritoryName(p.Territory)+")")
		}
	}
	e := Errorf(ENOTELIGIBLE, "Non éligible aujourd'hui : %s.", strings.Join(parts, " ; "))
	e.Reasons = reasons
	return e
}
