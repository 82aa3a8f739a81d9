package sheet

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"passnum"

	"github.com/xuri/excelize/v2"
)

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Espace numérique", "Espace numérique"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-12,50", "-12,50"},
		{"-12.50", "-12.50"},
		{"+33 3 81 00 00 00", "+33 3 81 00 00 00"},
		{"-", "'-"},
		{"+", "'+"},
		{"-1e10", "'-1e10"},
		{"a=b", "a=b"},
	} {
		if got := Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFrenchCSV(t *testing.T) {
	var b bytes.Buffer
	w, err := NewCSV(&b, French, "jour", "lieu", "montant", "pass")
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Write(Day(passnum.MustDate("2026-11-03")), Text("=HYPERLINK(\"x\")"), Cents(-1250), Int(-3)))
	must(t, w.Write(Day(passnum.Date{}), Text("Lieu; avec \"guillemets\""), Cents(5), Int(7)))
	must(t, w.Close())
	s := b.String()
	if !strings.HasPrefix(s, "\uFEFF") {
		t.Fatalf("no BOM: %q", s)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\uFEFF")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"jour", "lieu", "montant", "pass"},
		{"03/11/2026", "'=HYPERLINK(\"x\")", "-12,50", "-3"},
		{"", "Lieu; avec \"guillemets\"", "0,05", "7"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows = %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
	if !strings.Contains(s, "\r\n") {
		t.Error("rows do not end with CRLF")
	}
}

func TestOpenCSV(t *testing.T) {
	var b bytes.Buffer
	w, err := NewCSV(&b, Open, "day", "amount", "name")
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Write(Day(passnum.MustDate("2026-01-31")), Cents(123456), Text("@x")))
	must(t, w.Close())
	if got, want := b.String(), "day,amount,name\n2026-01-31,1234.56,'@x\n"; got != want {
		t.Errorf("open CSV = %q, want %q", got, want)
	}
}

func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	x, err := NewXLSX(&b, "Écritures comptables du programme 2026", "jour", "libellé", "montant", "pass")
	if err != nil {
		t.Fatal(err)
	}
	must(t, x.Write(Day(passnum.MustDate("2026-11-03")), Text("=1+1"), Cents(-1250), Int(4)))
	must(t, x.Close())
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := f.GetSheetName(0)
	if len([]rune(name)) != 31 {
		t.Errorf("sheet name %q not cut to 31 characters", name)
	}
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][1] != "libellé" || rows[1][1] != "=1+1" || rows[1][2] != "-12.5" || rows[1][3] != "4" {
		t.Fatalf("rows = %q", rows)
	}
	if formula, _ := f.GetCellFormula(name, "B2"); formula != "" {
		t.Errorf("text cell became the formula %q", formula)
	}
	// A day is a date serial (days since 1899-12-30), not a text.
	serial := int(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	if rows[1][0] != strconv.Itoa(serial) {
		t.Errorf("day cell = %q, want the serial %d", rows[1][0], serial)
	}
}

// The workbook goes to the writer in writes of its own, not in one copy of
// a buffer holding all of it; an aborted workbook writes nothing.
func TestXLSXStreamsAndAborts(t *testing.T) {
	var w countingWriter
	x, err := NewXLSX(&w, "feuille", "n", "texte")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20_000 {
		must(t, x.Write(Int(int64(i)), Text(strings.Repeat("ligne ", 20))))
	}
	must(t, x.Close())
	if w.writes < 10 || w.largest > 1<<20 {
		t.Errorf("the workbook came in %d writes, the largest %d bytes", w.writes, w.largest)
	}
	var b bytes.Buffer
	x, err = NewXLSX(&b, "feuille", "n")
	if err != nil {
		t.Fatal(err)
	}
	must(t, x.Write(Int(1)))
	must(t, x.Abort())
	if b.Len() != 0 {
		t.Errorf("an aborted workbook wrote %d bytes", b.Len())
	}
}

type countingWriter struct{ writes, largest int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	c.largest = max(c.largest, len(p))
	return len(p), nil
}

func TestFilename(t *testing.T) {
	if got := Filename(`relevé "x"/../y.csv`); got != "relev---x--..-y.csv" {
		t.Errorf("Filename = %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A workbook of several sheets: each keeps its own rows and header, and a
// share is a number shown as a percentage; in CSV it is written in each
// dialect's way.
func TestXLSXSheetsAndShares(t *testing.T) {
	var b bytes.Buffer
	x, err := NewXLSX(&b, "Synthèse", "indicateur", "valeur")
	if err != nil {
		t.Fatal(err)
	}
	must(t, x.Write(Text("Part du public cible"), Share(0.425)))
	must(t, x.NewSheet("Départements", "département", "pass utilisés"))
	must(t, x.Write(Text("Doubs"), Int(12)))
	must(t, x.Write(Text("Jura"), Int(3)))
	must(t, x.Close())
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != "Synthèse|Départements" {
		t.Fatalf("sheets %q", got)
	}
	first, err := f.GetRows("Synthèse", excelize.Options{RawCellValue: true})
	if err != nil || len(first) != 2 || first[1][1] != "0.425" {
		t.Fatalf("first sheet %q (%v)", first, err)
	}
	if shown, _ := f.GetCellValue("Synthèse", "B2"); shown != "42.50%" {
		t.Errorf("share shown as %q, want a percentage", shown)
	}
	second, err := f.GetRows("Départements", excelize.Options{RawCellValue: true})
	if err != nil || len(second) != 3 || second[0][0] != "département" || second[2][0] != "Jura" || second[2][1] != "3" {
		t.Fatalf("second sheet %q (%v)", second, err)
	}
	for _, c := range []struct {
		d    Dialect
		want string
	}{{French, "42,5"}, {Open, "0.425"}} {
		var out bytes.Buffer
		w, err := NewCSV(&out, c.d)
		must(t, err)
		must(t, w.Write(Share(0.425)))
		must(t, w.Close())
		if got := strings.TrimSpace(strings.TrimPrefix(out.String(), "\uFEFF")); got != c.want {
			t.Errorf("share in CSV %q, want %q", got, c.want)
		}
	}
}
