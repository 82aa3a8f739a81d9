package document

import (
	"bytes"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"passnum"
	"passnum/sheet"
)

var accountingExport = AccountingExport{ProgrammeName: "Pass numérique Bourgogne-Franche-Comté", Funders: testFunders}

// accountingLine describes one fixture line: its redemptions and
// corrections, and what it carries in.
type fixtureLine struct {
	reference   string
	cutoff      passnum.Date
	place       int
	redemptions int
	corrections int
	carriedIn   int64
}

func (f fixtureLine) line() passnum.SettlementLine {
	l := passnum.SettlementLine{
		PlaceID:          fmt.Sprintf("place-%05d", f.place),
		PlaceName:        fmt.Sprintf("Lieu n° %d", f.place),
		Count:            int64(f.redemptions),
		RedemptionsCents: int64(f.redemptions) * 1000,
		AdjustmentsCents: -int64(f.corrections) * 1000,
		CarriedInCents:   f.carriedIn,
		IBAN:             testIBAN, BIC: "CEPAFRPP", Holder: "Titulaire",
	}
	l.AmountCents, l.CarriedOutCents = passnum.SettleLine(l.RedemptionsCents, l.AdjustmentsCents, l.CarriedInCents)
	l.Shares = sharesOf(l.AmountCents)
	return l
}

// rowsOf yields the rows of the fixture lines, grouped by line.
func rowsOf(lines []fixtureLine) iter.Seq2[AccountingRow, error] {
	return func(yield func(AccountingRow, error) bool) {
		n := 0
		for _, f := range lines {
			r := AccountingRow{Reference: f.reference, Cutoff: f.cutoff, Line: f.line(), PlaceSIRET: fmt.Sprintf("0%013d", f.place)}
			for i := range f.redemptions + f.corrections {
				n++
				r.ID = fmt.Sprintf("op-%08d", n)
				r.Code = testCode(n % 10000)
				if i < f.redemptions {
					r.Kind, r.At, r.Service, r.Reason, r.AmountCents = AccountingRedemption, time.Date(2026, 11, 1+i%30, 9, 0, 0, 0, passnum.Paris), services[i%len(services)], "", 1000
				} else {
					r.Kind, r.At, r.Service, r.Reason, r.AmountCents = AccountingCorrection, time.Date(2026, 11, 20, 9, 0, 0, 0, passnum.Paris), "", "=Doublon; encaissé deux fois", -1000
				}
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// fixtureLines are two settlements: ordinary lines, a line whose
// corrections exceed it (carrying out), and its next line carrying in.
func fixtureLines() []fixtureLine {
	oct, nov := passnum.MustDate("2026-10-31"), passnum.MustDate("2026-11-30")
	return []fixtureLine{
		{"PN-20261031-0006", oct, 1, 7, 0, 0},
		{"PN-20261031-0006", oct, 2, 1, 3, 0}, // carries 20 € out
		{"PN-20261031-0006", oct, 3, 13, 1, 0},
		{"PN-20261130-0007", nov, 1, 4, 0, 0},
		{"PN-20261130-0007", nov, 2, 5, 0, -2000}, // takes the 20 € in
		{"PN-20261130-0007", nov, 3, 1, 0, 0},
	}
}

func TestAccountingCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := AccountingCSV(&buf, accountingExport, rowsOf(fixtureLines())); err != nil {
		t.Fatal(err)
	}
	rows := readFrenchCSV(t, buf.Bytes())
	want := []string{"Date", "Pièce", "Date d'arrêté", "Programme", "Lieu", "SIRET", "Compte (IBAN masqué)", "Nature", "Pass", "Service", "Motif", "N° d'opération", "Montant (€)",
		"Part Région Bourgogne-Franche-Comté (€)", "Part État (€)"}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	checkAccountingRows(t, rows[1:], "'", func(s string) int64 { return frenchCents(t, s) })
	for _, r := range rows[1:] {
		if !frenchDay.MatchString(r[0]) || !frenchDay.MatchString(r[2]) {
			t.Fatalf("dates %q %q", r[0], r[2])
		}
	}
}

// checkAccountingRows checks rows read back from an export of fixtureLines.
// A reason a spreadsheet would run as a formula starts with neutraliser.
func checkAccountingRows(t *testing.T, rows [][]string, neutraliser string, cents func(string) int64) {
	t.Helper()
	type key struct{ ref, place string }
	amounts := map[key]int64{}
	parts := map[key][2]int64{}
	natures := map[string]int{}
	for _, r := range rows {
		if len(r) != 15 {
			t.Fatalf("row %q has %d columns", r, len(r))
		}
		k := key{r[1], r[4]}
		a, re, st := cents(r[12]), cents(r[13]), cents(r[14])
		if re+st != a {
			t.Fatalf("row %q: parts %d + %d ≠ %d", r, re, st, a)
		}
		amounts[k] += a
		p := parts[k]
		parts[k] = [2]int64{p[0] + re, p[1] + st}
		natures[r[7]]++
		switch r[7] {
		case "encaissement", "régularisation":
			if !maskedCode.MatchString(r[8]) || r[11] == "" {
				t.Errorf("row %q: pass not masked or no id", r)
			}
		}
		if r[6] != "FR76 **** **** **** **** ***0 189" {
			t.Errorf("account %q", r[6])
		}
		if len(r[5]) != 14 || r[5][0] != '0' {
			t.Errorf("SIRET %q lost its leading zero", r[5])
		}
		if r[7] == "régularisation" && r[10] != neutraliser+"=Doublon; encaissé deux fois" {
			t.Errorf("reason %q is not neutralised", r[10])
		}
	}
	for _, f := range fixtureLines() {
		l := f.line()
		k := key{f.reference, l.PlaceName}
		if amounts[k] != l.AmountCents {
			t.Errorf("%v: rows sum to %d, the transfer is %d", k, amounts[k], l.AmountCents)
		}
		if p := parts[k]; p[0] != l.Shares[0].AmountCents || p[1] != l.Shares[1].AmountCents {
			t.Errorf("%v: parts %v, the line's shares %v", k, p, l.Shares)
		}
	}
	if natures["encaissement"] != 31 || natures["régularisation"] != 4 || natures["report sortant"] != 1 || natures["report entrant"] != 1 {
		t.Errorf("natures %v", natures)
	}
}

func TestAccountingXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := AccountingXLSX(&buf, accountingExport, rowsOf(fixtureLines())); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{AccountingSheetName}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(AccountingSheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], accountingExport.Columns()) {
		t.Fatalf("header %q", rows[0])
	}
	for i := range rows[1:] {
		for len(rows[i+1]) < 15 {
			rows[i+1] = append(rows[i+1], "")
		}
	}
	// Text cells are typed as text: a spreadsheet runs none as a formula.
	checkAccountingRows(t, rows[1:], "", func(s string) int64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("amount %q is not a number", s)
		}
		if v < 0 {
			return -int64(-v*100 + 0.5)
		}
		return int64(v*100 + 0.5)
	})
	// Texts are typed as text (the SIRET keeps its zero), amounts are
	// numbers, days are dates: serial numbers with a date format.
	for _, cell := range []string{"F2", "K2", "I2"} {
		if typ, err := f.GetCellType(AccountingSheetName, cell); err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("cell %s has type %v (%v), want text", cell, typ, err)
		}
	}
	serial := strconv.Itoa(int(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24))
	if rows[1][0] != serial {
		t.Errorf("day cell holds %q, want the serial %s of 01/11/2026", rows[1][0], serial)
	}
	if style, _ := f.GetCellStyle(AccountingSheetName, "A2"); style == 0 {
		t.Error("the day cell has no date format")
	} else if st, err := f.GetStyle(style); err != nil || st.NumFmt != 14 {
		t.Errorf("the day cell's format is %d (%v), want 14 (a date)", st.NumFmt, err)
	}
	if v, _ := f.GetCellValue(AccountingSheetName, "M2"); v != "10.00 €" && v != "10,00 €" {
		t.Errorf("amount cell shows %q", v)
	}
}

func TestAccountingRefusesWhatDoesNotAddUp(t *testing.T) {
	lines := fixtureLines()
	for _, c := range []struct {
		name string
		rows iter.Seq2[AccountingRow, error]
	}{
		{"lines not grouped", rowsOf(append(lines[:3:3], lines[0]))},
		{"a row missing", func(yield func(AccountingRow, error) bool) {
			first := true
			for r := range rowsOf(lines) {
				if first {
					first = false
					continue
				}
				if !yield(r, nil) {
					return
				}
			}
		}},
		{"held-back line", func(yield func(AccountingRow, error) bool) {
			for r := range rowsOf(lines) {
				r.Line.HeldBack = true
				if !yield(r, nil) {
					return
				}
			}
		}},
		{"shares apportioned otherwise", func(yield func(AccountingRow, error) bool) {
			for r := range rowsOf(lines) {
				r.Line.Shares = []passnum.FunderAmount{{OrganisationID: regionID, ShareBps: 6667, AmountCents: r.Line.AmountCents / 2}, {OrganisationID: stateID, ShareBps: 3333, AmountCents: r.Line.AmountCents - r.Line.AmountCents/2}}
				if !yield(r, nil) {
					return
				}
			}
		}},
		{"unknown funder", func(yield func(AccountingRow, error) bool) {
			for r := range rowsOf(lines) {
				r.Line.Shares = []passnum.FunderAmount{{OrganisationID: "other", ShareBps: 10000, AmountCents: r.Line.AmountCents}}
				if !yield(r, nil) {
					return
				}
			}
		}},
		{"no nature", func(yield func(AccountingRow, error) bool) {
			for r := range rowsOf(lines) {
				r.Kind = 0
				if !yield(r, nil) {
					return
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := AccountingCSV(&buf, accountingExport, c.rows); passnum.ErrorCode(err) != passnum.EINTERNAL {
				t.Errorf("CSV: %v", err)
			}
			buf.Reset()
			if err := AccountingXLSX(&buf, accountingExport, c.rows); passnum.ErrorCode(err) != passnum.EINTERNAL || buf.Len() != 0 {
				t.Errorf("XLSX: %v, %d bytes written", err, buf.Len())
			}
		})
	}
}

func TestAccountingRowLimit(t *testing.T) {
	var buf bytes.Buffer
	c, err := sheet.NewCSV(&buf, sheet.French)
	if err != nil {
		t.Fatal(err)
	}
	err = writeAccounting(c, accountingExport, rowsOf(fixtureLines()), 10)
	if passnum.ErrorCode(err) != passnum.ETOOLARGE {
		t.Fatalf("got %v", err)
	}
	c.Flush()
	if rows := readFrenchCSV(t, append([]byte("\uFEFF"), buf.Bytes()...)); len(rows) != 10 {
		t.Errorf("%d rows written before the limit", len(rows))
	}
}

// Without funders' shares on the lines, the programme's shares apply.
func TestAccountingWithoutLineShares(t *testing.T) {
	var buf bytes.Buffer
	rows := func(yield func(AccountingRow, error) bool) {
		for r := range rowsOf(fixtureLines()[:1]) {
			r.Line.Shares = nil
			if !yield(r, nil) {
				return
			}
		}
	}
	if err := AccountingCSV(&buf, accountingExport, rows); err != nil {
		t.Fatal(err)
	}
	var region, state int64
	for _, r := range readFrenchCSV(t, buf.Bytes())[1:] {
		region += frenchCents(t, r[13])
		state += frenchCents(t, r[14])
	}
	if want := passnum.Apportion(7000, []int64{6667, 3333}); region != want[0] || state != want[1] {
		t.Errorf("parts %d %d, want %v", region, state, want)
	}
}
