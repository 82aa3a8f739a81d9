package document

import (
	"io"
	"time"

	"passnum"
	"passnum/sheet"
)

// YearlyReportXLSX writes the report as a workbook: the key figures, then
// one sheet per table (départements, months, budget), each with its header
// frozen. Counts and amounts are numbers, shares percentages, and a
// masked cell the text "< 5" (a count) or "secret" (an amount, a share).
func YearlyReportXLSX(w io.Writer, y YearlyReport) error {
	if err := y.check(); err != nil {
		return err
	}
	x, err := sheet.NewXLSX(w, "Synthèse", "Indicateur", "Valeur")
	if err != nil {
		return err
	}
	if err := yearlyWorkbook(x, y); err != nil {
		x.Abort()
		return err
	}
	return x.Close()
}

func yearlyWorkbook(x *sheet.XLSX, y YearlyReport) error {
	t := y.Total
	rows := [][]sheet.Cell{
		{sheet.Text("Programme"), sheet.Text(y.ProgrammeName)},
		{sheet.Text("Année"), sheet.Int(int64(y.Year))},
		{sheet.Text("Établi pour"), sheet.Text(y.Audience)},
		{sheet.Text("Établi le"), sheet.Text(FormatParisDay(y.GeneratedAt))},
		{sheet.Text("Chiffres arrêtés le"), sheet.Text(publishedText(y.PublishedAt))},
		{sheet.Text("Jeunes ayant reçu un carnet (personnes atteintes)"), t.countCell(t.HandedOut, t.HandedOutMasked, t.Small)},
		{sheet.Text("dont jeunes ayant utilisé au moins un pass"), t.countCell(t.Started, t.StartedMasked, t.startedSmall())},
		{sheet.Text("Taux d'utilisation des carnets remis"), t.shareCell(t.UseRate, t.StartedMasked || t.HandedOutMasked)},
		{sheet.Text("Part du public cible"), t.shareCell(t.TargetShare, t.TargetMasked || t.HandedOutMasked)},
		{sheet.Text("Pass utilisés"), t.countCell(t.PassesUsed, t.UsedMasked, false)},
		{sheet.Text("Montant des pass utilisés"), t.amountCell(t.AmountCents, t.UsedMasked)},
	}
	if y.Secret {
		rows = append(rows, []sheet.Cell{sheet.Text("Secret statistique"), sheet.Text(passnum.SecrecyNote)})
	}
	for _, r := range rows {
		if err := x.Write(r...); err != nil {
			return err
		}
	}
	if err := x.NewSheet("Départements", "Département", "Jeunes atteints", "Ayant utilisé un pass", "Pass utilisés", "Montant", "Part du public cible"); err != nil {
		return err
	}
	total := y.Total
	total.Label = "Total"
	for _, d := range append(append([]YearRow(nil), y.Departements...), total) {
		if err := x.Write(sheet.Text(d.Label), d.countCell(d.HandedOut, d.HandedOutMasked, d.Small), d.countCell(d.Started, d.StartedMasked, d.startedSmall()), d.countCell(d.PassesUsed, d.UsedMasked, false), d.amountCell(d.AmountCents, d.UsedMasked), d.shareCell(d.TargetShare, d.TargetMasked || d.HandedOutMasked)); err != nil {
			return err
		}
	}
	if err := x.NewSheet("Mois", "Mois", "Pass utilisés", "Montant"); err != nil {
		return err
	}
	total.Label = "Total de l'année"
	for _, m := range append(append([]YearRow(nil), y.Months...), total) {
		if err := x.Write(sheet.Text(m.Label), m.countCell(m.PassesUsed, m.UsedMasked, false), m.amountCell(m.AmountCents, m.UsedMasked)); err != nil {
			return err
		}
	}
	return yearlyBudgetSheet(x, y.Budget)
}

func yearlyBudgetSheet(x *sheet.XLSX, budget []YearBudget) error {
	if len(budget) == 0 {
		return nil
	}
	if err := x.NewSheet("Budget", "Financeur", "Part", "Budget", "Engagé", "Réglé", "Payé", "Reste"); err != nil {
		return err
	}
	optional := func(c *int64) sheet.Cell {
		if c == nil {
			return sheet.Text("non fixé")
		}
		return sheet.Cents(*c)
	}
	for _, b := range budget {
		if err := x.Write(sheet.Text(b.Name), sheet.Share(float64(b.ShareBps)/10000), optional(b.BudgetCents),
			sheet.Cents(b.EngagedCents), sheet.Cents(b.SettledCents), sheet.Cents(b.PaidCents), optional(b.LeftCents)); err != nil {
			return err
		}
	}
	return nil
}

func (y YearRow) countCell(n int64, alone, small bool) sheet.Cell {
	if y.Masked || alone {
		return sheet.Text(maskedMark(small))
	}
	return sheet.Int(n)
}

func (y YearRow) amountCell(c int64, alone bool) sheet.Cell {
	if y.Masked || alone {
		return sheet.Text(passnum.MaskedFigure)
	}
	return sheet.Cents(c)
}

func (y YearRow) shareCell(f *float64, alone bool) sheet.Cell {
	switch {
	case y.Masked || alone:
		return sheet.Text(passnum.MaskedFigure)
	case f == nil:
		return sheet.Text("–")
	}
	return sheet.Share(*f)
}

// publishedText says when a funder's figures were published, or that the
// operator's are read live.
func publishedText(at *time.Time) string {
	if at == nil {
		return "à jour (lus à l'édition)"
	}
	return passnum.FormatDateTime(*at) + " (publiés une fois par mois)"
}
