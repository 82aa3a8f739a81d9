package document

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"passnum"
)

// YearlyReport is a programme's calendar year as the State and the Région
// account for it: passes used and their amount, people reached, the share
// of the target public, per département and per month, and each funder's
// budget. In a funder's copy, statistical secrecy masks the cells of fewer
// than 5 people: they read "< 5".
type YearlyReport struct {
	ProgrammeName string
	Year          int
	// Audience is who the report is for ("Opérateur du programme", or a
	// funder's name); Secret says that statistical secrecy applies.
	Audience     string
	Secret       bool
	Total        YearRow
	Departements []YearRow
	Months       []YearRow // PassesUsed and AmountCents only
	Budget       []YearBudget
	GeneratedAt  time.Time
	// PublishedAt is when a funder's figures were computed: they are
	// published once a month (nil for the operator's, read live).
	PublishedAt *time.Time
}

// YearRow is the year, one département or one month: its name in French
// and its figures, all hidden when Masked.
type YearRow struct {
	Label  string
	Masked bool
	// StartedMasked, TargetMasked and UsedMasked: statistical secrecy
	// hides that figure alone in a row it shows, with what would give it
	// back (the use rate of Started, the amount of PassesUsed).
	StartedMasked, TargetMasked, UsedMasked bool
	// HandedOutMasked: the booklets handed out hidden alone (a funder's
	// year holding part of their hidden months), with the shares of them.
	HandedOutMasked bool
	// Small and StartedSmall: the row's young people (HandedOut), or its
	// Started, count 1 to 4 themselves where hidden ("< 5"), rather than
	// being hidden so that another cannot be given back ("secret").
	Small, StartedSmall bool
	// HandedOut are the booklets handed out in the year, one per young
	// person (a replacement of a lost booklet is not counted): the people
	// reached. Started are those of them with at least one pass used.
	HandedOut, Started int64
	// TargetShare is the share of HandedOut given to the target public,
	// UseRate the share started; nil when nothing was handed out.
	TargetShare, UseRate *float64
	// PassesUsed and AmountCents are the redemptions of the year.
	PassesUsed, AmountCents int64
}

// YearBudget is one funder's money at the date of the report.
type YearBudget struct {
	Name                                  string
	ShareBps                              int64
	BudgetCents                           *int64
	EngagedCents, SettledCents, PaidCents int64
	LeftCents                             *int64
}

func (y YearlyReport) check() error {
	if strings.TrimSpace(y.ProgrammeName) == "" {
		return fmt.Errorf("document : rapport annuel sans nom de programme")
	}
	if y.Year < 2000 || y.Year > 2999 {
		return fmt.Errorf("document : rapport annuel d'une année impossible (%d)", y.Year)
	}
	return nil
}

// count, amount and share are a row's figures as the report writes them,
// masked when the row is, or the figure alone: a count of 1 to 4 young
// people (small) reads "< 5"; any other, an amount or a share, "secret".
func (y YearRow) count(n int64, alone, small bool) string {
	if y.Masked || alone {
		return maskedMark(small)
	}
	return FormatCount(n)
}

func maskedMark(small bool) string {
	if small {
		return passnum.MaskedCount
	}
	return passnum.MaskedFigure
}

// startedSmall says whether the hidden Started counts 1 to 4 young people.
func (y YearRow) startedSmall() bool { return y.StartedSmall }

func (y YearRow) amount(c int64, alone bool) string {
	if y.Masked || alone {
		return passnum.MaskedFigure
	}
	return FormatAmount(c)
}

// share is "–" when it has no base (nothing handed out).
func (y YearRow) share(f *float64, alone bool) string {
	switch {
	case y.Masked || alone:
		return passnum.MaskedFigure
	case f == nil:
		return "–"
	}
	return passnum.FormatShare(*f)
}

// YearlyReportPDF writes the report as an A4 PDF.
func YearlyReportPDF(w io.Writer, y YearlyReport) error {
	if err := y.check(); err != nil {
		return err
	}
	title := fmt.Sprintf("Rapport annuel %d", y.Year)
	r := newReport(title+" · "+y.ProgrammeName, "Pass numérique : utilisation et budget de l'année "+strconv.Itoa(y.Year),
		title+" · "+y.ProgrammeName, title+" · "+y.Audience, y.GeneratedAt)
	r.title("Pass numérique · rapport à l'État et à la Région", title, y.ProgrammeName)
	r.facts(55, []fact{
		{"Établi pour", y.Audience},
		{"Période", fmt.Sprintf("du 1er janvier au 31 décembre %d", y.Year)},
		{"Établi le", FormatParisDay(y.GeneratedAt)},
	})
	if y.PublishedAt != nil {
		r.facts(55, []fact{{"Chiffres arrêtés le", passnum.FormatDateTime(*y.PublishedAt) + " (publiés une fois par mois)"}})
	}
	yearlyKeyFigures(r, y)
	yearlyDepartements(r, y)
	yearlyMonths(r, y)
	yearlyBudget(r, y)
	yearlyNotes(r, y)
	return r.output(w)
}

func yearlyKeyFigures(r *report, y YearlyReport) {
	t := y.Total
	r.heading("Chiffres clés", 40)
	r.facts(90, []fact{
		{"Jeunes ayant reçu un carnet (personnes atteintes)", t.count(t.HandedOut, t.HandedOutMasked, t.Small)},
		{"dont jeunes ayant utilisé au moins un pass", t.count(t.Started, t.StartedMasked, t.startedSmall())},
		{"Taux d'utilisation des carnets remis", t.share(t.UseRate, t.StartedMasked || t.HandedOutMasked)},
		{"Part du public cible", t.share(t.TargetShare, t.TargetMasked || t.HandedOutMasked)},
		{"Pass utilisés", t.count(t.PassesUsed, t.UsedMasked, false)},
		{"Montant des pass utilisés", t.amount(t.AmountCents, t.UsedMasked)},
	})
}

func yearlyDepartements(r *report, y YearlyReport) {
	r.heading("Par département", 20)
	if len(y.Departements) == 0 {
		r.para("Aucun carnet remis ni pass utilisé cette année.", 9.5)
		return
	}
	r.startTable(column{"Département", 50, false, true}, column{"Jeunes atteints", 24, true, false},
		column{"Ayant utilisé un pass", 26, true, false}, column{"Pass utilisés", 22, true, false},
		column{"Montant", 28, true, false}, column{"Part du public cible", 24, true, false})
	row := func(bold bool, d YearRow) {
		r.row(bold, d.Label, d.count(d.HandedOut, d.HandedOutMasked, d.Small), d.count(d.Started, d.StartedMasked, d.startedSmall()), d.count(d.PassesUsed, d.UsedMasked, false), d.amount(d.AmountCents, d.UsedMasked), d.share(d.TargetShare, d.TargetMasked || d.HandedOutMasked))
	}
	for _, d := range y.Departements {
		row(false, d)
	}
	total := y.Total
	total.Label = "Total"
	row(true, total)
	r.endTable()
}

func yearlyMonths(r *report, y YearlyReport) {
	r.heading("Par mois", 20)
	r.startTable(column{"Mois", 74, false, false}, column{"Pass utilisés", 50, true, false}, column{"Montant", 50, true, false})
	for _, m := range y.Months {
		r.row(false, m.Label, m.count(m.PassesUsed, m.UsedMasked, false), m.amount(m.AmountCents, m.UsedMasked))
	}
	t := y.Total
	r.row(true, "Total de l'année", t.count(t.PassesUsed, t.UsedMasked, false), t.amount(t.AmountCents, t.UsedMasked))
	r.endTable()
}

func yearlyBudget(r *report, y YearlyReport) {
	if len(y.Budget) == 0 {
		return
	}
	r.heading("Budget par financeur, à la date du rapport", 20)
	r.startTable(column{"Financeur", 44, false, true}, column{"Part", 16, true, false}, column{"Budget", 24, true, false},
		column{"Engagé", 24, true, false}, column{"Réglé", 22, true, false}, column{"Payé", 22, true, false}, column{"Reste", 22, true, false})
	for _, b := range y.Budget {
		budget, left := "non fixé", "–"
		if b.BudgetCents != nil {
			budget = FormatAmount(*b.BudgetCents)
		}
		if b.LeftCents != nil {
			left = FormatAmount(*b.LeftCents)
		}
		r.row(false, b.Name, passnum.FormatBasisPoints(b.ShareBps), budget, FormatAmount(b.EngagedCents), FormatAmount(b.SettledCents), FormatAmount(b.PaidCents), left)
	}
	r.endTable()
}

func yearlyNotes(r *report, y YearlyReport) {
	r.heading("Définitions", 20)
	r.para("Jeunes atteints : carnets remis dans l'année, un par jeune ; le remplacement d'un carnet perdu n'est pas compté une seconde fois. "+
		"Ayant utilisé un pass : parmi eux, ceux dont au moins un pass a été utilisé. Pass utilisés et montant : encaissements de l'année, "+
		"annulations déduites, à la valeur faciale. Budget : engagé = valeur faciale des pass remis depuis le début du programme ; "+
		"réglé = décomptes établis ; payé = décomptes dont le virement est fait.", 8.5)
	if y.Secret {
		r.para(passnum.SecrecyNote, 8.5)
	}
}
