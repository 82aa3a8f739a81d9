package passnum

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ProgrammeUpdate changes a programme's settings after its creation. A nil
// field keeps its value, and a field set to the value it already has
// changes nothing: a form may send every setting back.
//
// What may change, and on what terms. A programme is public money already
// engaged: a change may open more, never take back what people were
// promised, and every change is audited with its old and new values.
//
//   - Name: 1 to 200 characters (spaces around are trimmed).
//   - ValidUntil, the last day of validity (hand-outs and redemptions),
//     and with it the last redeem day, ValidUntil + GraceDays. Extending is
//     always allowed, even for a programme that is over. Shortening is
//     allowed to a day not before today (Paris) and not before ValidFrom:
//     nothing already done (a hand-out, a redemption) falls outside the new
//     window, and no pass in someone's hands expires retroactively.
//   - GraceDays: 0 to 366. The last redeem day may move earlier only to a
//     day not before today, for the same reason.
//   - ValidFrom: only while no booklet has been issued. Once booklets
//     exist, their validity is what distributors and young people were
//     told, and it is refused with that reason.
//   - MinAge, MaxAge: 0 to 120, MinAge ≤ MaxAge. They judge future
//     hand-outs only: a booklet handed out stays valid.
//   - MaxBookletsPerBeneficiary: 1 to 100, and never below the number of
//     booklets some beneficiary already holds in the programme (the
//     per-beneficiary counter behind the limit, replacements excluded).
//   - CancelWindowHours: 0 to 744. The window is read when a place asks to
//     cancel, so the new value applies at once to every redemption not yet
//     reimbursed (a reimbursed one can never be cancelled by the place).
//   - MaxPassesPerTraining: 1 to 20. It judges future redemptions only;
//     redemptions already made stay.
//   - DormantDays: 7 to 365 (MinDormantDays, MaxDormantDays). Only
//     which booklets are listed as dormant and reminded changes: nothing
//     is written to the booklets.
//   - Territory: région and département codes, read and checked as at
//     creation (ParseTerritory), at least one. It judges future hand-outs
//     and redemptions only.
//   - HandoutUntil, the last day booklets are handed out: between
//     ValidFrom and ValidUntil; moved earlier only to a day not before
//     today (hand-outs already made stay). When it was the last day of
//     validity and ValidUntil moves, it moves with it; when ValidUntil is
//     shortened below it, it comes down to the new ValidUntil.
//   - BudgetCents: positive, and never below the face value of the passes
//     already issued (issuing is refused beyond it; see BudgetExceeded).
//   - FourEyes: on or off, for the payments and bank details still to
//     come.
//   - Payer, the programme's paying account: name, IBAN and BIC together,
//     checked as a place's bank details are.
//
// Once the programme has expired (its expiry step was run), its validity,
// grace period and hand-out closing day never change again: the unused
// passes were expired for good and reported to the funders.
//
// What never changes once the programme exists: the face value of a pass,
// the booklet size, and the funders with their shares (FrozenProgrammeFields
// says why). A different deal is a new programme.
type ProgrammeUpdate struct {
	Name                      *string
	ValidFrom                 *Date
	ValidUntil                *Date
	GraceDays                 *int
	MinAge                    *int
	MaxAge                    *int
	MaxBookletsPerBeneficiary *int
	CancelWindowHours         *int
	MaxPassesPerTraining      *int
	DormantDays               *int
	// Territory: nil keeps the territory; an empty list is refused.
	Territory    []string
	HandoutUntil *Date
	BudgetCents  *int64
	FourEyes     *bool
	Payer        *PayingAccount
}

// FrozenProgrammeFields names the settings that never change after a
// programme's creation, with the reason, in French, to give whoever tries.
var FrozenProgrammeFields = map[string]string{
	"face_value_cents": "la valeur d'un pass ne change plus après la création du programme : les financeurs se sont engagés sur elle et les carnets émis la portent ; pour une autre valeur, créez un nouveau programme",
	"booklet_size":     "le nombre de pass par carnet ne change plus après la création du programme : les carnets émis sont faits de ce nombre de pass ; pour une autre taille, créez un nouveau programme",
	"funders":          "les financeurs et leurs parts ne changent plus après la création du programme : chacun s'est engagé à payer sa part des pass utilisés ; pour un autre partage, créez un nouveau programme",
}

// FrozenValidFrom is the reason ValidFrom is refused once booklets exist.
const FrozenValidFrom = "le premier jour de validité ne change plus une fois des carnets émis : c'est la validité annoncée aux distributeurs et aux jeunes"

// Apply returns p with the update's changes, or why they are refused. p is
// the programme as stored, with its stock (ValidFrom is frozen once
// p.Stock counts issued booklets); today is the Paris day; mostHeld is the
// most booklets of the programme one beneficiary holds (the store reads it
// when the limit is lowered, zero otherwise). p itself is left as it was.
func (u *ProgrammeUpdate) Apply(p Programme, today Date, mostHeld int) (Programme, error) {
	q := p
	q.Territory = slices.Clone(p.Territory)
	q.Funders = slices.Clone(p.Funders)
	var fe FieldErrors
	u.refuseAfterExpiry(p, &fe)
	if u.Name != nil {
		q.Name = strings.TrimSpace(*u.Name)
	}
	u.applyDates(p, &q, today, &fe)
	u.applyMoney(p, &q, &fe)
	u.applyRules(&q, mostHeld, &fe)
	checkLastRedeemDay(p, &q, today, &fe)
	if err := validateUpdated(&q, &fe); err != nil {
		return p, err
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	return q, nil
}

// refuseAfterExpiry: once a programme has expired, its validity no longer
// changes.
func (u *ProgrammeUpdate) refuseAfterExpiry(p Programme, fe *FieldErrors) {
	if p.ExpiredAt != nil {
		closed := "le programme a expiré le " + frenchDay(ParisDate(*p.ExpiredAt)) + " : ses pass non utilisés sont périmés pour de bon et sa validité ne change plus"
		if u.ValidUntil != nil && *u.ValidUntil != p.ValidUntil {
			fe.Add("valid_until", closed)
		}
		if u.GraceDays != nil && *u.GraceDays != p.GraceDays {
			fe.Add("grace_days", closed)
		}
		if u.HandoutUntil != nil && *u.HandoutUntil != p.LastHandOutDay() {
			fe.Add("handout_until", closed)
		}
	}
}

// applyDates moves the programme's days: its start only before any
// booklet is issued, its end and last hand-out day no earlier than today,
// and the last hand-out day following the end of validity unless set.
func (u *ProgrammeUpdate) applyDates(p Programme, q *Programme, today Date, fe *FieldErrors) {
	if u.ValidFrom != nil && *u.ValidFrom != p.ValidFrom {
		if p.Stock == nil || p.Stock.IssuedBooklets > 0 {
			fe.Add("valid_from", FrozenValidFrom+" (du "+frenchDay(p.ValidFrom)+")")
		} else {
			q.ValidFrom = *u.ValidFrom
		}
	}
	if u.ValidUntil != nil {
		q.ValidUntil = *u.ValidUntil
		if !q.ValidUntil.IsZero() && q.ValidUntil.Before(p.ValidUntil) && q.ValidUntil.Before(today) {
			fe.Add("valid_until", "la fin de validité peut être avancée au plus tôt à aujourd'hui, "+frenchDay(today)+
				" : des carnets ont pu être remis et des pass encaissés jusque-là ; la prolonger est toujours possible")
		}
	}
	if u.GraceDays != nil {
		q.GraceDays = *u.GraceDays
	}
	q.HandoutUntil = p.LastHandOutDay()
	if u.HandoutUntil != nil {
		q.HandoutUntil = *u.HandoutUntil
		if !q.HandoutUntil.IsZero() && q.HandoutUntil.Before(p.LastHandOutDay()) && q.HandoutUntil.Before(today) {
			fe.Add("handout_until", "le dernier jour de remise des carnets peut être avancé au plus tôt à aujourd'hui, "+frenchDay(today)+" : des carnets ont pu être remis jusque-là")
		}
	} else if q.HandoutUntil == p.ValidUntil || q.HandoutUntil.After(q.ValidUntil) {
		// Following the end of validity, or brought down with it.
		q.HandoutUntil = q.ValidUntil
	}
}

// applyMoney changes the budget (never below the passes issued), the
// four-eyes rule and the paying account (replaced, never erased).
func (u *ProgrammeUpdate) applyMoney(p Programme, q *Programme, fe *FieldErrors) {
	if u.BudgetCents != nil {
		q.BudgetCents = new(int64)
		*q.BudgetCents = *u.BudgetCents
		if p.Stock != nil {
			if issued := p.FaceValueOfBooklets(p.Stock.IssuedBooklets); *u.BudgetCents < issued {
				fe.Add("budget_cents", "au moins "+strconv.FormatInt(issued, 10)+" ("+FormatEuros(issued)+") : la valeur faciale des pass déjà émis ; le budget ne descend jamais en dessous")
			}
		}
	}
	if u.FourEyes != nil {
		q.FourEyes = *u.FourEyes
	}
	if u.Payer != nil {
		q.Payer = *u.Payer
		if !q.Payer.Set() && q.Payer.Name == "" && q.Payer.BIC == "" && p.Payer.Set() {
			fe.Add("payer", "le compte payeur ne s'efface pas : donnez le nouveau nom, IBAN et BIC")
		}
	}
}

// applyRules changes the eligibility and redemption rules; a limit never
// goes below what a beneficiary already holds.
func (u *ProgrammeUpdate) applyRules(q *Programme, mostHeld int, fe *FieldErrors) {
	if u.MinAge != nil {
		q.MinAge = *u.MinAge
	}
	if u.MaxAge != nil {
		q.MaxAge = *u.MaxAge
	}
	if u.MaxBookletsPerBeneficiary != nil {
		q.MaxBookletsPerBeneficiary = *u.MaxBookletsPerBeneficiary
		if q.MaxBookletsPerBeneficiary < mostHeld {
			held := strconv.Itoa(mostHeld) + " carnets"
			if mostHeld == 1 {
				held = "1 carnet"
			}
			fe.Add("max_booklets_per_beneficiary", "au moins "+strconv.Itoa(mostHeld)+" : un bénéficiaire détient déjà "+
				held+" de ce programme, et la limite ne peut pas descendre en dessous")
		}
	}
	if u.CancelWindowHours != nil {
		q.CancelWindowHours = *u.CancelWindowHours
	}
	if u.MaxPassesPerTraining != nil {
		q.MaxPassesPerTraining = *u.MaxPassesPerTraining
		if q.MaxPassesPerTraining == 0 {
			// Validate would read 0 as "the default", which suits creation only.
			fe.Add("max_passes_per_training", "nombre maximal de pass pour une formation, entre 1 et 20")
		}
	}
	if u.DormantDays != nil {
		q.DormantDays = *u.DormantDays
		if q.DormantDays == 0 {
			// Validate would read 0 as "the default", which suits creation only.
			fe.Add("dormant_days", DormantDaysRule)
		}
	}
	if u.Territory != nil {
		if len(u.Territory) == 0 {
			fe.Add("territory", "au moins une région ou un département, par exemple reg:27 ou dep:25")
		} else {
			q.Territory = slices.Clone(u.Territory)
		}
	}
}

// checkLastRedeemDay: the last redeem day moves earlier only to a day not
// before today.
func checkLastRedeemDay(p Programme, q *Programme, today Date, fe *FieldErrors) {
	// The last redeem day moves earlier only to a day not before today. A
	// valid_until shortened to today or later keeps it there: only a
	// shorter grace period can bring it before.
	if last := q.LastRedeemDay(); !q.ValidUntil.IsZero() && q.GraceDays >= 0 && !hasField(*fe, "valid_until") &&
		last.Before(p.LastRedeemDay()) && last.Before(today) {
		fe.Add("grace_days", "avec ce délai, le dernier jour d'encaissement serait le "+frenchDay(last)+
			", avant aujourd'hui ("+frenchDay(today)+") : des pass remis deviendraient périmés après coup ; choisissez un délai qui le laisse au "+frenchDay(today)+" au moins")
	}
}

// validateUpdated runs the programme's own checks on the result, keeping
// the update's own error for a field and leaving the frozen fields out.
func validateUpdated(q *Programme, fe *FieldErrors) error {
	if err := q.Validate(); err != nil {
		if e, ok := err.(*Error); ok {
			for _, f := range e.Fields {
				if _, frozen := FrozenProgrammeFields[f.Field]; frozen || hasField(*fe, f.Field) {
					continue
				}
				*fe = append(*fe, f)
			}
		} else {
			return err
		}
	}
	return nil
}

func hasField(fe FieldErrors, name string) bool {
	for _, f := range fe {
		if f.Field == name {
			return true
		}
	}
	return false
}

// frenchDay writes a day as people read it: 31/12/2026.
func frenchDay(d Date) string { return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year) }

// ProgrammeChange is one setting an update changed: its name as in the
// API, and its old and new values (a Date, an int, a string or, for the
// territory, a []string).
type ProgrammeChange struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// ProgrammeChanges lists the settings that differ from before to after, in
// a fixed order; the last redeem day is listed when it moves.
func ProgrammeChanges(before, after *Programme) []ProgrammeChange {
	var out []ProgrammeChange
	add := func(field string, old, new any, changed bool) {
		if changed {
			out = append(out, ProgrammeChange{Field: field, Old: old, New: new})
		}
	}
	add("name", before.Name, after.Name, before.Name != after.Name)
	add("valid_from", before.ValidFrom, after.ValidFrom, before.ValidFrom != after.ValidFrom)
	add("valid_until", before.ValidUntil, after.ValidUntil, before.ValidUntil != after.ValidUntil)
	add("grace_days", before.GraceDays, after.GraceDays, before.GraceDays != after.GraceDays)
	add("last_redeem_day", before.LastRedeemDay(), after.LastRedeemDay(), before.LastRedeemDay() != after.LastRedeemDay())
	add("min_age", before.MinAge, after.MinAge, before.MinAge != after.MinAge)
	add("max_age", before.MaxAge, after.MaxAge, before.MaxAge != after.MaxAge)
	add("max_booklets_per_beneficiary", before.MaxBookletsPerBeneficiary, after.MaxBookletsPerBeneficiary,
		before.MaxBookletsPerBeneficiary != after.MaxBookletsPerBeneficiary)
	add("cancel_window_hours", before.CancelWindowHours, after.CancelWindowHours, before.CancelWindowHours != after.CancelWindowHours)
	add("max_passes_per_training", before.MaxPassesPerTraining, after.MaxPassesPerTraining, before.MaxPassesPerTraining != after.MaxPassesPerTraining)
	add("dormant_days", before.DormantDays, after.DormantDays, before.DormantDays != after.DormantDays)
	add("territory", slices.Clone(before.Territory), slices.Clone(after.Territory), !slices.Equal(before.Territory, after.Territory))
	add("handout_until", before.LastHandOutDay(), after.LastHandOutDay(), before.LastHandOutDay() != after.LastHandOutDay())
	budget := func(p *Programme) any {
		if p.BudgetCents == nil {
			return nil
		}
		return *p.BudgetCents
	}
	add("budget_cents", budget(before), budget(after), budget(before) != budget(after))
	add("four_eyes", before.FourEyes, after.FourEyes, before.FourEyes != after.FourEyes)
	// The paying account is shown masked in the audit trail, as everywhere
	// but on the operator's own screens.
	masked := func(a PayingAccount) PayingAccount {
		if a.IBAN != "" {
			a.IBAN = MaskIBAN(a.IBAN)
		}
		return a
	}
	add("payer", masked(before.Payer), masked(after.Payer), before.Payer != after.Payer)
	return out
}
