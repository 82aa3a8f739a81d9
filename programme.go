package passnum

import (
	"errors"
	"time"
)

// Programme is one funded campaign: its passes, their value and validity.
type Programme struct {
	ID                        string          `json:"id"`
	Name                      string          `json:"name"`
	FaceValueCents            int64           `json:"face_value_cents"`
	BookletSize               int             `json:"booklet_size"`
	ValidFrom                 Date            `json:"valid_from"`
	ValidUntil                Date            `json:"valid_until"`
	GraceDays                 int             `json:"grace_days"`
	MinAge                    int             `json:"min_age"`
	MaxAge                    int             `json:"max_age"`
	MaxBookletsPerBeneficiary int             `json:"max_booklets_per_beneficiary"`
	CancelWindowHours         int             `json:"cancel_window_hours"`
	Territory                 []string        `json:"territory"`
	MaxPassesPerTraining      int             `json:"max_passes_per_training"`
	Funders                   []FunderShare   `json:"funders"`
	Stock                     *ProgrammeStock `json:"stock,omitempty"`
	CreatedAt                 time.Time       `json:"created_at"`
}

// FunderShare is a funder's commitment to a programme, in basis points.
type FunderShare struct {
	OrganisationID string `json:"organisation_id"`
	ShareBps       int64  `json:"share_bps"`
}

// ProgrammeStock counts the programme's booklets by where they are.
type ProgrammeStock struct {
	IssuedBooklets      int64 `json:"issued_booklets"`
	UnallocatedBooklets int64 `json:"unallocated_booklets"`
	HandedOutBooklets   int64 `json:"handed_out_booklets"`
	RedeemedPasses      int64 `json:"redeemed_passes"`
}

// Default programme settings, used when a request leaves them out.
const (
	DefaultGraceDays         = 31
	DefaultCancelWindowHours = 24
	DefaultMaxTrainingPasses = 5
	MaxBookletSize           = 20
	MaxIssuanceBooklets      = 1_000_000
)

// LastRedeemDay is the last Paris day a pass may be redeemed: the end of
// validity plus the grace period.
func (p *Programme) LastRedeemDay() Date { return p.ValidUntil.AddDays(p.GraceDays) }

// Validate checks a programme before it is created.
func (p *Programme) Validate() error {
	var fe FieldErrors
	if p.Name == "" || len(p.Name) > 200 {
		fe.Add("name", "nom obligatoire, 200 caractères au plus")
	} else if msg := TextProblem(p.Name, false); msg != "" {
		fe.Add("name", msg)
	}
	if p.FaceValueCents <= 0 || p.FaceValueCents > 100_000 {
		fe.Add("face_value_cents", "valeur faciale en centimes, entre 1 et 100000 (1000 pour un pass de 10 €)")
	}
	if p.BookletSize < 1 || p.BookletSize > MaxBookletSize {
		fe.Add("booklet_size", "nombre de pass par carnet entre 1 et 20")
	}
	if p.ValidFrom.IsZero() {
		fe.Add("valid_from", "premier jour de validité obligatoire (AAAA-MM-JJ)")
	}
	if p.ValidUntil.IsZero() {
		fe.Add("valid_until", "dernier jour de validité obligatoire (AAAA-MM-JJ)")
	}
	if !p.ValidFrom.IsZero() && !p.ValidUntil.IsZero() && p.ValidUntil.Before(p.ValidFrom) {
		fe.Add("valid_until", "la fin de validité doit suivre le début (valid_from)")
	}
	if p.GraceDays < 0 || p.GraceDays > 366 {
		fe.Add("grace_days", "délai de tolérance en jours, entre 0 et 366")
	}
	if p.MinAge < 0 || p.MinAge > 120 {
		fe.Add("min_age", "âge minimum entre 0 et 120")
	}
	if p.MaxAge < p.MinAge || p.MaxAge > 120 {
		fe.Add("max_age", "âge maximum supérieur ou égal à l'âge minimum, 120 au plus")
	}
	if p.MaxBookletsPerBeneficiary < 1 || p.MaxBookletsPerBeneficiary > 100 {
		fe.Add("max_booklets_per_beneficiary", "nombre de carnets par bénéficiaire entre 1 et 100")
	}
	if p.CancelWindowHours < 0 || p.CancelWindowHours > 24*31 {
		fe.Add("cancel_window_hours", "délai d'annulation en heures, entre 0 et 744")
	}
	if p.MaxPassesPerTraining == 0 {
		p.MaxPassesPerTraining = DefaultMaxTrainingPasses
	}
	if p.MaxPassesPerTraining < 1 || p.MaxPassesPerTraining > 20 {
		fe.Add("max_passes_per_training", "nombre maximal de pass pour une formation, entre 1 et 20")
	}
	if t, err := ParseTerritory(p.Territory); err != nil {
		var e *Error
		if errors.As(err, &e) {
			fe = append(fe, e.Fields...)
		}
	} else {
		p.Territory = t
	}
	if len(p.Funders) == 0 {
		fe.Add("funders", "au moins un financeur, avec sa part en points de base (10000 = 100 %)")
	}
	var sum int64
	seen := map[string]bool{}
	for _, f := range p.Funders {
		if f.ShareBps <= 0 || f.ShareBps > TotalBasisPoints {
			fe.Add("funders", "chaque part est comprise entre 1 et 10000 points de base")
		}
		if seen[f.OrganisationID] {
			fe.Add("funders", "un financeur ne figure qu'une fois")
		}
		seen[f.OrganisationID] = true
		sum += f.ShareBps
	}
	if len(p.Funders) > 0 && sum != TotalBasisPoints {
		fe.Add("funders", "les parts des financeurs doivent totaliser exactement 10000 points de base")
	}
	return fe.Err()
}

// Issuance is the result of issuing booklets.
type Issuance struct {
	Booklets int64 `json:"booklets"`
	Passes   int64 `json:"passes"`
}

// Allocation moves unallocated booklets to a distributor's stock.
type Allocation struct {
	ID            string    `json:"id"`
	ProgrammeID   string    `json:"programme_id"`
	DistributorID string    `json:"distributor_id"`
	Booklets      int64     `json:"booklets"`
	CreatedAt     time.Time `json:"created_at"`
}
