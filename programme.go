package passnum

import (
	"errors"
	"time"
)

// Programme is one funded campaign: its passes, their value and validity.
type Programme struct {
	ID                        string   `json:"id"`
	Name                      string   `json:"name"`
	FaceValueCents            int64    `json:"face_value_cents"`
	BookletSize               int      `json:"booklet_size"`
	ValidFrom                 Date     `json:"valid_from"`
	ValidUntil                Date     `json:"valid_until"`
	GraceDays                 int      `json:"grace_days"`
	MinAge                    int      `json:"min_age"`
	MaxAge                    int      `json:"max_age"`
	MaxBookletsPerBeneficiary int      `json:"max_booklets_per_beneficiary"`
	CancelWindowHours         int      `json:"cancel_window_hours"`
	Territory                 []string `json:"territory"`
	MaxPassesPerTraining      int      `json:"max_passes_per_training"`
	// DormantDays: a booklet handed out more than this many days ago with
	// no pass used is dormant (the counsellor calls the young person back,
	// a reminder goes to those who agreed).
	DormantDays int `json:"dormant_days" doc:"un carnet remis depuis plus de ce nombre de jours sans aucun pass utilisé est dormant (7 à 365, 60 par défaut)"`
	// HandoutUntil is the last Paris day a booklet may be handed out: by
	// default the last day of validity, earlier when the distributors are
	// to stop before the end (passes already handed out stay usable until
	// the last redeem day).
	HandoutUntil Date `json:"handout_until" doc:"dernier jour de remise des carnets (par défaut valid_until) ; les pass déjà remis restent utilisables jusqu'à valid_until + grace_days"`
	// BudgetCents caps the face value the programme may issue; nil while
	// the operator has not set it (issuing is then not capped).
	BudgetCents *int64 `json:"budget_cents" doc:"budget du programme en centimes, plafond de la valeur faciale émise ; null tant que l'opérateur ne l'a pas fixé"`
	// FourEyes requires a second operator to confirm a payment and to
	// approve a place's new bank details (see BankFourEyesRule).
	FourEyes bool `json:"four_eyes" doc:"un second opérateur confirme chaque paiement et chaque changement de coordonnées bancaires d'un lieu"`
	// Payer is the account the places are paid from (the debtor of the
	// SEPA transfers); its IBAN is masked for anyone but the operator.
	Payer     PayingAccount   `json:"payer"`
	Funders   []FunderShare   `json:"funders"`
	Stock     *ProgrammeStock `json:"stock,omitempty"`
	Money     *ProgrammeMoney `json:"money,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	// ExpiredAt is when the operator ran the programme's expiry step
	// (ExpireProgramme): its unused passes are then expired for good.
	ExpiredAt *time.Time `json:"expired_at"`
}

// PayingAccount is the programme's own bank account, from which the
// places are paid.
type PayingAccount struct {
	Name string `json:"name" doc:"titulaire du compte payeur (nom du débiteur des virements)"`
	IBAN string `json:"iban" doc:"masqué sauf pour l'opérateur"`
	BIC  string `json:"bic"`
}

// Set reports whether the operator gave the paying account.
func (a PayingAccount) Set() bool { return a.IBAN != "" }

// ProgrammeMoney is where the programme's money stands, in cents of face
// value: every figure an operator or a funder follows, computed from the
// same rows as the settlements and the ledger.
type ProgrammeMoney struct {
	BudgetCents    *int64 `json:"budget_cents" doc:"null tant que le budget n'est pas fixé"`
	IssuedCents    int64  `json:"issued_cents" doc:"valeur faciale des pass émis"`
	HandedOutCents int64  `json:"handed_out_cents" doc:"valeur faciale des pass remis aux bénéficiaires"`
	UsedCents      int64  `json:"used_cents" doc:"valeur faciale des pass utilisés (encaissements actifs)"`
	CorrectedCents int64  `json:"corrected_cents" doc:"corrections d'encaissements remboursés (négatif ou zéro)"`
	SettledCents   int64  `json:"settled_cents" doc:"total des remboursements calculés (lignes payables)"`
	PaidCents      int64  `json:"paid_cents" doc:"total des remboursements payés"`
	// OwedCents is what the places are still owed: used − corrections −
	// paid, the sum of the places' ledger balances.
	OwedCents int64 `json:"owed_cents" doc:"reste dû aux lieux : utilisé, moins les corrections, moins ce qui est payé"`
	// RemainingCents and RemainingPasses are what may still be issued
	// within the budget (null without a budget).
	RemainingCents  *int64 `json:"remaining_cents" doc:"budget moins la valeur faciale émise ; null sans budget"`
	RemainingPasses *int64 `json:"remaining_passes" doc:"pass qui peuvent encore être émis dans le budget ; null sans budget"`
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

// DormantDaysRule says what a valid number of dormant days is.
const DormantDaysRule = "nombre de jours après la remise au-delà duquel un carnet jamais utilisé est dormant : un nombre entier de jours entre 7 et 365 (60 par défaut)"

// Default programme settings, used when a request leaves them out.
const (
	DefaultGraceDays         = 31
	DefaultCancelWindowHours = 24
	DefaultMaxTrainingPasses = 5
	// DefaultDormantDays and its bounds: a booklet asleep for less than a
	// week is not yet a worry, one asleep for over a year is past help.
	DefaultDormantDays = 60
	MinDormantDays     = 7
	MaxDormantDays     = 365
	MaxBookletSize     = 20
	// MaxIssuanceBooklets bounds one issuance, allocation or transfer:
	// a million passes in booklets of five. One issuance is one
	// transaction, and on SQLite all of it goes through the WAL before a
	// checkpoint can copy it back; its random pass codes touch pages all
	// over their index. A million booklets at once grew the WAL to 1.5 GB
	// on a national database, past its bound (under 1 GB, store/wal.go);
	// a bigger programme is issued in several tranches.
	MaxIssuanceBooklets = 200_000
	// MaxBudgetCents bounds a budget: 10 billion euros, far above any
	// programme and far below what would overflow the sums.
	MaxBudgetCents = 1_000_000_000_000
)

// LastRedeemDay is the last Paris day a pass may be redeemed: the end of
// validity plus the grace period.
func (p *Programme) LastRedeemDay() Date { return p.ValidUntil.AddDays(p.GraceDays) }

// ActivityMonths are the first and the last month ("2026-03") in which the
// programme may count anything: from its first day of hand-out to its
// last day of use.
func (p *Programme) ActivityMonths() (first, last string) {
	return p.ValidFrom.YearMonth(), p.LastRedeemDay().YearMonth()
}

// LastHandOutDay is the last Paris day a booklet may be handed out.
func (p *Programme) LastHandOutDay() Date {
	if p.HandoutUntil.IsZero() || p.HandoutUntil.After(p.ValidUntil) {
		return p.ValidUntil
	}
	return p.HandoutUntil
}

// HandOutOpen is the one rule of when booklets are handed out (and lost
// ones replaced): from the first day of validity to the hand-out closing
// day, both included, Paris days. It returns nil, or why not.
func (p *Programme) HandOutOpen(today Date) error {
	last := p.LastHandOutDay()
	if today.Before(p.ValidFrom) || today.After(last) {
		e := Errorf(EPROGRAMMECLOSED, "Le programme « %s » ne distribue des carnets que du %s au %s.", p.Name, frenchDay(p.ValidFrom), frenchDay(last))
		if today.After(last) && last.Before(p.ValidUntil) {
			e = Errorf(EPROGRAMMECLOSED, "La remise des carnets du programme « %s » est close depuis le %s : les pass déjà remis restent utilisables jusqu'au %s, mais aucun carnet n'est plus remis.",
				p.Name, frenchDay(last), frenchDay(p.LastRedeemDay()))
		}
		e.Extra = map[string]any{"handout_until": last, "valid_from": p.ValidFrom}
		return e
	}
	return nil
}

// FaceValueOfBooklets is the face value of n booklets of the programme.
func (p *Programme) FaceValueOfBooklets(n int64) int64 {
	return n * int64(p.BookletSize) * p.FaceValueCents
}

// PassesWithinBudget is how many more passes the budget allows, given the
// booklets already issued; -1 when no budget is set. It counts whole
// booklets, since passes are issued by the booklet.
func (p *Programme) PassesWithinBudget(issuedBooklets int64) int64 {
	if p.BudgetCents == nil {
		return -1
	}
	left := *p.BudgetCents - p.FaceValueOfBooklets(issuedBooklets)
	per := p.FaceValueOfBooklets(1)
	if left < 0 || per <= 0 {
		return 0
	}
	return left / per * int64(p.BookletSize)
}

// BudgetExceeded is the refusal of an issuance beyond the budget: how
// many passes remain possible, and what to do.
func (p *Programme) BudgetExceeded(issuedBooklets, askedBooklets int64) *Error {
	left := p.PassesWithinBudget(issuedBooklets)
	e := Errorf(EBUDGETEXCEEDED, "Le budget du programme (%s) ne permet plus que %d pass (%d carnet(s) de %d), et %d pass sont demandés : émettez-en moins, ou relevez le budget dans les réglages du programme.",
		FormatEuros(*p.BudgetCents), left, left/int64(max(p.BookletSize, 1)), p.BookletSize, askedBooklets*int64(p.BookletSize))
	e.Extra = map[string]any{"remaining_passes": left, "remaining_booklets": left / int64(max(p.BookletSize, 1)), "budget_cents": *p.BudgetCents}
	return e
}

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
	p.validateDays(&fe)
	p.validateRules(&fe)
	if t, err := ParseTerritory(p.Territory); err != nil {
		var e *Error
		if errors.As(err, &e) {
			fe = append(fe, e.Fields...)
		}
	} else {
		p.Territory = t
	}
	p.validateMoney(&fe)
	return fe.Err()
}

// validateDays checks the days of validity, the grace period and the last
// day of hand-out (by default the end of validity).
func (p *Programme) validateDays(fe *FieldErrors) {
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
	if p.HandoutUntil.IsZero() {
		p.HandoutUntil = p.ValidUntil
	}
	if !p.ValidUntil.IsZero() && (p.HandoutUntil.After(p.ValidUntil) || (!p.ValidFrom.IsZero() && p.HandoutUntil.Before(p.ValidFrom))) {
		fe.Add("handout_until", "le dernier jour de remise des carnets est compris entre valid_from et valid_until")
	}
}

// validateRules checks the eligibility and redemption rules, filling in
// the defaults of those left at 0.
func (p *Programme) validateRules(fe *FieldErrors) {
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
	if p.DormantDays == 0 {
		p.DormantDays = DefaultDormantDays
	}
	if p.DormantDays < MinDormantDays || p.DormantDays > MaxDormantDays {
		fe.Add("dormant_days", DormantDaysRule)
	}
}

// validateMoney checks the budget, the paying account and the funders'
// shares (one each, summing to 100 %).
func (p *Programme) validateMoney(fe *FieldErrors) {
	if p.BudgetCents != nil && (*p.BudgetCents <= 0 || *p.BudgetCents > MaxBudgetCents) {
		fe.Add("budget_cents", "budget en centimes, positif (57000000 pour 570 000 €), 10 milliards d'euros au plus")
	}
	if p.Payer.Name != "" || p.Payer.IBAN != "" || p.Payer.BIC != "" {
		acc := NewBankAccount{Holder: p.Payer.Name, IBAN: p.Payer.IBAN, BIC: p.Payer.BIC}
		for _, f := range acc.Validate("payer.") {
			if f.Field == "payer.holder" {
				f.Field = "payer.name"
			}
			*fe = append(*fe, f)
		}
		p.Payer = PayingAccount{Name: acc.Holder, IBAN: acc.IBAN, BIC: acc.BIC}
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

// CheckBookletCount refuses a number of booklets to issue, allocate or
// move that is not between 1 and MaxIssuanceBooklets.
func CheckBookletCount(n int64) error {
	if n < 1 || n > MaxIssuanceBooklets {
		return Invalid(FieldError{Field: "booklets", Detail: "nombre de carnets entre 1 et " + FormatCount(MaxIssuanceBooklets) + " ; au-delà, faites-le en plusieurs fois"})
	}
	return nil
}
