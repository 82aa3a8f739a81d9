package document

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"passnum"
)

func f64(f float64) *float64 { return &f }

func sampleYearlyReport(secret bool) YearlyReport {
	cents := int64(1_000_000_00)
	left := int64(987_650_00)
	return YearlyReport{
		ProgrammeName: "Pass numérique Bourgogne-Franche-Comté",
		Year:          2026,
		Audience:      "Région Bourgogne-Franche-Comté",
		Secret:        secret,
		Total:         YearRow{HandedOut: 1234, Started: 617, TargetShare: f64(0.875), UseRate: f64(0.5), PassesUsed: 2468, AmountCents: 24_680_00},
		Departements: []YearRow{
			{Label: "Doubs (25)", HandedOut: 1231, Started: 615, TargetShare: f64(0.88), PassesUsed: 2460, AmountCents: 24_600_00},
			{Label: "Jura (39)", Masked: secret, Small: secret, StartedSmall: secret, HandedOut: 3, Started: 2, PassesUsed: 7, AmountCents: 77_00},
		},
		Months: []YearRow{
			{Label: "janvier 2026", PassesUsed: 1000, AmountCents: 10_000_00},
			{Label: "mars 2026", PassesUsed: 1468, AmountCents: 14_680_00},
		},
		Budget: []YearBudget{
			{Name: "État", ShareBps: 5000, BudgetCents: &cents, EngagedCents: 12_350_00, SettledCents: 12_340_00, PaidCents: 10_000_00, LeftCents: &left},
			{Name: "Région Bourgogne-Franche-Comté", ShareBps: 5000, EngagedCents: 12_350_00, SettledCents: 12_340_00},
		},
		GeneratedAt: generated,
	}
}

// The PDF states the year's figures, per département and per month, and
// each funder's budget; a masked département reads "< 5" and the note
// explains it.
func TestYearlyReportPDF(t *testing.T) {
	uncompressed(t)
	for _, secret := range []bool{false, true} {
		var b bytes.Buffer
		if err := YearlyReportPDF(&b, sampleYearlyReport(secret)); err != nil {
			t.Fatal(err)
		}
		doc := b.Bytes()
		mustContain(t, doc, "Rapport annuel 2026", "Pass numérique Bourgogne-Franche-Comté", "Région Bourgogne-Franche-Comté",
			"du 1er janvier au 31 décembre 2026", FormatCount(1234), "617", "87,5\u00a0%", "50\u00a0%", FormatCount(2468), FormatAmount(2468000),
			"Doubs (25)", FormatCount(1231), FormatCount(2460), FormatAmount(2460000), "Jura (39)", "janvier 2026", FormatCount(1000), FormatAmount(1000000), "mars 2026", FormatAmount(1468000),
			"État", FormatAmount(100000000), FormatAmount(98765000), FormatAmount(1000000), "non fixé")
		if secret {
			mustContain(t, doc, "< 5", "Secret statistique", "«\u00a0secret\u00a0»")
			mustNotContain(t, doc, FormatAmount(7700))
		} else {
			mustContain(t, doc, FormatAmount(7700))
			mustNotContain(t, doc, "< 5", "Secret statistique", "secret")
		}
	}
}

// The workbook holds the same figures as numbers, one sheet per table, and
// "< 5" where the PDF masks.
func TestYearlyReportXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := YearlyReportXLSX(&b, sampleYearlyReport(true)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Synthèse|Départements|Mois|Budget" {
		t.Fatalf("sheets %s", got)
	}
	read := func(sheet string) [][]string {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	key := map[string]string{}
	for _, r := range read("Synthèse")[1:] {
		key[r[0]] = r[1]
	}
	for k, want := range map[string]string{"Année": "2026", "Jeunes ayant reçu un carnet (personnes atteintes)": "1234",
		"Part du public cible": "0.875", "Pass utilisés": "2468", "Montant des pass utilisés": "24680"} {
		if key[k] != want {
			t.Errorf("Synthèse %q = %q, want %q", k, key[k], want)
		}
	}
	// The operator's figures are read live; a funder's say when they were
	// published.
	if got := key["Chiffres arrêtés le"]; got != "à jour (lus à l'édition)" {
		t.Errorf("Synthèse, figures read live: %q", got)
	}
	y := sampleYearlyReport(true)
	at := time.Date(2026, 12, 1, 8, 5, 0, 0, passnum.Paris)
	y.PublishedAt = &at
	b.Reset()
	if err := YearlyReportXLSX(&b, y); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if v, _ := g.GetCellValue("Synthèse", "B6"); v != "01/12/2026 à 08h05 (publiés une fois par mois)" {
		t.Errorf("Synthèse, a funder's figures: published %q", v)
	}
	deps := read("Départements")
	if len(deps) != 4 || strings.Join(deps[1], "|") != "Doubs (25)|1231|615|2460|24600|0.88" ||
		strings.Join(deps[2], "|") != "Jura (39)|< 5|< 5|secret|secret|secret" || deps[3][0] != "Total" || deps[3][3] != "2468" {
		t.Errorf("Départements %q", deps)
	}
	months := read("Mois")
	if len(months) != 4 || strings.Join(months[2], "|") != "mars 2026|1468|14680" || months[3][1] != "2468" {
		t.Errorf("Mois %q", months)
	}
	budget := read("Budget")
	if len(budget) != 3 || strings.Join(budget[1], "|") != "État|0.5|1000000|12350|12340|10000|987650" || budget[2][2] != "non fixé" {
		t.Errorf("Budget %q", budget)
	}
}

// The year's young people reached, hidden alone (the year holds part of
// their hidden months), read "secret" with their shares, in both files;
// the passes used stay.
func TestYearlyReportHandedOutHidden(t *testing.T) {
	y := sampleYearlyReport(true)
	y.Total.HandedOutMasked, y.Total.HandedOut, y.Total.UseRate, y.Total.TargetShare = true, 0, nil, nil
	var b bytes.Buffer
	if err := YearlyReportXLSX(&b, y); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Synthèse", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]string{}
	for _, r := range rows[1:] {
		key[r[0]] = r[1]
	}
	for k, want := range map[string]string{"Jeunes ayant reçu un carnet (personnes atteintes)": "secret", "Part du public cible": "secret",
		"Taux d'utilisation des carnets remis": "secret", "Pass utilisés": "2468"} {
		if key[k] != want {
			t.Errorf("Synthèse %q = %q, want %q", k, key[k], want)
		}
	}
	uncompressed(t)
	b.Reset()
	if err := YearlyReportPDF(&b, y); err != nil {
		t.Fatal(err)
	}
	mustContain(t, b.Bytes(), FormatCount(2468))
	mustNotContain(t, b.Bytes(), "87,5\u00a0%")
}

func TestYearlyReportRefusesWhatCannotBeAReport(t *testing.T) {
	for _, y := range []YearlyReport{{Year: 2026}, {ProgrammeName: "P", Year: 26}} {
		if err := YearlyReportPDF(&bytes.Buffer{}, y); err == nil {
			t.Errorf("%+v: no error", y)
		}
		if err := YearlyReportXLSX(&bytes.Buffer{}, y); err == nil {
			t.Errorf("%+v: no error", y)
		}
	}
}
