package document

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"

	"passnum"
)

func TestPlaceStatementPDF(t *testing.T) {
	uncompressed(t)
	s := placeStatement(12)
	var buf bytes.Buffer
	if err := PlaceStatementPDF(&buf, s, passesOf(12, true)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out, []byte("%%EOF")) {
		t.Fatal("not a PDF")
	}
	n := len(pages(t, out))
	if n < 1 || n > 2 {
		t.Errorf("12 passes take %d pages", n)
	}
	mustContain(t, out, fmt.Sprintf("page 1 / %d", n), fmt.Sprintf("page %d / %d", n, n))
	mustContain(t, out,
		"Relevé de remboursement",
		"Pass numérique Bourgogne-Franche-Comté",
		"Espace public numérique de Planoise (SIRET 12345678200010)",
		"PN-20261130-0007",
		"du 01/11/2026 au 30/11/2026",
		"payé le 05/12/2026",
		"VIR-88412",
		"Encaissements : 12 pass encaissés", "120,00\u00a0€",
		"Régularisations : 2 encaissements repris", "−20,00\u00a0€",
		"Report du remboursement précédent", "−5,00\u00a0€",
		"Total versé", "95,00\u00a0€",
		"les 5,00\u00a0€ restants",
		"Association Planoise Numérique", "FR76 **** **** **** **** ***0 189", "CEPAFRPP",
		"****-****-****-0000", "****-****-****-0011", "****-****-****-9001",
		"31/10/2026", "12/11/2026",
		"Pass encaissé deux fois par erreur",
		"Certains pass ont été encaissés avant le début de la période",
	)
	mustNotContain(t, out, testIBAN, testCode(0), passnum.FormatPassCode(testCode(0)), testCode(9001), "🎉")
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/statement.pdf", out, 0o644)
	}
}

// A place with 10,000 passes: every page has its number out of the total,
// and the table's header again.
func TestPlaceStatementPDFLong(t *testing.T) {
	uncompressed(t)
	const n = 10_000
	s := placeStatement(n)
	var buf bytes.Buffer
	if err := PlaceStatementPDF(&buf, s, passesOf(n, false)); err != nil {
		t.Fatal(err)
	}
	ps := pages(t, buf.Bytes())
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/statement-long.pdf", buf.Bytes(), 0o644)
	}
	if len(ps) < n/60 || len(ps) > n/25 {
		t.Errorf("%d passes take %d pages", n, len(ps))
	}
	header := shown(t, "Encaissé le")
	var rows int
	for i, p := range ps {
		if want := fmt.Sprintf("(page %d / %d)", i+1, len(ps)); !bytes.Contains(p, []byte(want)) {
			t.Fatalf("page %d does not say %s", i+1, want)
		}
		if i > 0 && !bytes.Contains(p, pdfEncoded(t, "Relevé de remboursement PN-20261130-0007 · Espace public numérique de Planoise")) {
			t.Errorf("page %d has no running head", i+1)
		}
		if i > 0 && i < len(ps)-1 && !bytes.Contains(p, header) {
			t.Errorf("page %d repeats no table header", i+1)
		}
		rows += bytes.Count(p, pdfEncoded(t, "****-****-****-"))
	}
	if want := n + len(s.Adjustments); rows != want {
		t.Errorf("%d masked codes printed, want %d", rows, want)
	}
	mustContain(t, buf.Bytes(), "100\u202f000,00\u00a0€", "99\u202f975,00\u00a0€", "Pass encaissés (10\u202f000)", "Encaissements : 10\u202f000 pass encaissés")
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/statement-long.pdf", buf.Bytes(), 0o644)
	}
}

// Long texts wrap inside their column, on three lines at most, the last
// cut with an ellipsis; no line is wider than its column.
func TestCellsNeverOverflow(t *testing.T) {
	r := newReport("t", "t", "t", "t", generated)
	r.font("", tableSize)
	long := strings.Repeat("Médiathèque intercommunale du Grand Besançon ", 6)
	word := strings.Repeat("Anticonstitutionnellement", 5)
	for _, c := range []struct {
		text  string
		col   column
		lines int
	}{
		{long, column{width: 50, wrap: true}, 3},
		{word, column{width: 50, wrap: true}, 3},
		{"Court", column{width: 50, wrap: true}, 1},
		{long, column{width: 34}, 1},
		{"", column{width: 20}, 1},
	} {
		lines := r.cellLines(c.text, c.col)
		if len(lines) != c.lines {
			t.Errorf("%q in %v mm: %d lines, want %d", c.text[:min(20, len(c.text))], c.col.width, len(lines), c.lines)
		}
		for _, l := range lines {
			if w := r.pdf.GetStringWidth(l); w > c.col.width-2*cellPad+0.01 {
				t.Errorf("line %q is %.1f mm wide in a column of %.1f mm", l, w, c.col.width)
			}
		}
		if c.lines > 1 && !strings.HasSuffix(lines[len(lines)-1], "\x85") { // "…" in Windows-1252
			t.Errorf("the cut text does not end with an ellipsis: %q", lines[len(lines)-1])
		}
	}
}

func TestPlaceStatementRefusesWhatDoesNotAddUp(t *testing.T) {
	failing := func(yield func(StatementPass, error) bool) {
		yield(StatementPass{}, errors.New("connection lost"))
	}
	for _, c := range []struct {
		name   string
		change func(*PlaceStatement)
		passes iter.Seq2[StatementPass, error]
		code   string
	}{
		{"a pass missing", func(*PlaceStatement) {}, passesOf(11, false), passnum.EINTERNAL},
		{"a pass too many", func(*PlaceStatement) {}, passesOf(13, false), passnum.EINTERNAL},
		{"adjustments apart from the line", func(s *PlaceStatement) { s.Adjustments = s.Adjustments[:1] }, passesOf(12, false), passnum.EINVALID},
		{"line not balanced", func(s *PlaceStatement) { s.Line.AmountCents++ }, passesOf(12, false), passnum.EINVALID},
		{"negative payment", func(s *PlaceStatement) { s.Line.AmountCents, s.Line.CarriedOutCents = -5, 0 }, passesOf(12, false), passnum.EINVALID},
		{"no reference", func(s *PlaceStatement) { s.Settlement.Reference = "" }, passesOf(12, false), passnum.EINVALID},
		{"rows failing", func(*PlaceStatement) {}, failing, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := placeStatement(12)
			c.change(&s)
			var buf bytes.Buffer
			err := PlaceStatementPDF(&buf, s, c.passes)
			if err == nil || c.code != "" && passnum.ErrorCode(err) != c.code {
				t.Fatalf("PDF: got %v, want a %s error", err, c.code)
			}
			if buf.Len() != 0 {
				t.Error("a refused PDF statement was written")
			}
			buf.Reset()
			err = PlaceStatementCSV(&buf, s, c.passes)
			if err == nil || c.code != "" && passnum.ErrorCode(err) != c.code {
				t.Fatalf("CSV: got %v, want a %s error", err, c.code)
			}
			if bytes.Contains(buf.Bytes(), []byte("total vers")) {
				t.Error("a refused CSV statement has its total row")
			}
		})
	}
}

// statementTable returns the rows under the CSV's table header.
func statementTable(t *testing.T, rows [][]string) (pre map[string]string, table [][]string) {
	t.Helper()
	pre = map[string]string{}
	for i, r := range rows {
		if slices.Equal(r, StatementColumns) {
			return pre, rows[i+1:]
		}
		if len(r) >= 2 {
			pre[r[0]] = r[1]
		}
	}
	t.Fatalf("no row %v in the CSV", StatementColumns)
	return nil, nil
}

func TestPlaceStatementCSV(t *testing.T) {
	s := placeStatement(12)
	var buf bytes.Buffer
	if err := PlaceStatementCSV(&buf, s, passesOf(12, false)); err != nil {
		t.Fatal(err)
	}
	pre, table := statementTable(t, readFrenchCSV(t, buf.Bytes()))
	for k, want := range map[string]string{
		"Relevé de remboursement":    "Espace public numérique de Planoise",
		"Référence du remboursement": "PN-20261130-0007",
		"Début de la période":        "01/11/2026",
		"Fin de la période (arrêté)": "30/11/2026",
		"IBAN":                       "FR76 **** **** **** **** ***0 189",
		"Total versé":                "95,00",
		"Nombre de pass":             "12",
		"SIRET":                      "12345678200010",
	} {
		if pre[k] != want {
			t.Errorf("%s: %q, want %q", k, pre[k], want)
		}
	}
	if !strings.HasPrefix(pre["Paiement"], "payé le 05/12/2026") {
		t.Errorf("payment %q", pre["Paiement"])
	}
	if bytes.Contains(buf.Bytes(), []byte(testIBAN)) || bytes.Contains(buf.Bytes(), []byte(testCode(0))) || bytes.Contains(buf.Bytes(), []byte(passnum.FormatPassCode(testCode(0)))) {
		t.Fatal("the CSV shows a full IBAN or pass code")
	}
	last := table[len(table)-1]
	if last[0] != "total versé" || frenchCents(t, last[6]) != 9500 {
		t.Fatalf("last row %v", last)
	}
	var sum int64
	natures := map[string]int{}
	for _, r := range table[:len(table)-1] {
		if len(r) != len(StatementColumns) {
			t.Fatalf("row %v has %d columns", r, len(r))
		}
		natures[r[0]]++
		sum += frenchCents(t, r[6])
		if !frenchDay.MatchString(r[1]) {
			t.Errorf("date %q", r[1])
		}
		if r[0] == "encaissement" || r[0] == "régularisation" {
			if !maskedCode.MatchString(r[2]) {
				t.Errorf("pass %q is not masked", r[2])
			}
		}
	}
	if sum != 9500 {
		t.Errorf("the rows sum to %d cents, the total is 9500", sum)
	}
	if natures["encaissement"] != 12 || natures["régularisation"] != 2 || natures["report du remboursement précédent"] != 1 {
		t.Errorf("rows by nature: %v", natures)
	}

	// An IBAN passed masked (as the API shows it) is printed the same.
	masked := s
	masked.Line.IBAN = passnum.MaskIBAN(testIBAN)
	var again bytes.Buffer
	if err := PlaceStatementCSV(&again, masked, passesOf(12, false)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("a masked IBAN is not printed as the full one masked")
	}
}

// A line whose corrections exceed it pays nothing and carries the rest;
// a held-back line pays nothing and says why.
func TestPlaceStatementCarryAndHeldBack(t *testing.T) {
	uncompressed(t)
	s := placeStatement(1)
	s.Line.CarriedInCents = 0
	s.Line.AmountCents, s.Line.CarriedOutCents = passnum.SettleLine(s.Line.RedemptionsCents, s.Line.AdjustmentsCents, 0)
	if s.Line.AmountCents != 0 || s.Line.CarriedOutCents != -1000 {
		t.Fatalf("fixture: %+v", s.Line)
	}
	var buf bytes.Buffer
	if err := PlaceStatementPDF(&buf, s, passesOf(1, false)); err != nil {
		t.Fatal(err)
	}
	mustContain(t, buf.Bytes(), "Reporté sur le prochain remboursement", "rien ne lui est prélevé", "0,00\u00a0€")
	buf.Reset()
	if err := PlaceStatementCSV(&buf, s, passesOf(1, false)); err != nil {
		t.Fatal(err)
	}
	_, table := statementTable(t, readFrenchCSV(t, buf.Bytes()))
	var sum int64
	for _, r := range table[:len(table)-1] {
		sum += frenchCents(t, r[6])
	}
	if sum != 0 || table[len(table)-2][0] != "reporté sur le prochain remboursement" {
		t.Errorf("rows sum to %d, last but one %v", sum, table[len(table)-2])
	}

	held := placeStatement(12)
	held.Line.HeldBack = true
	reason := passnum.HeldNoBankAccount
	held.Line.HeldBackReason = &reason
	buf.Reset()
	if err := PlaceStatementCSV(&buf, held, passesOf(12, false)); err != nil {
		t.Fatal(err)
	}
	pre, table := statementTable(t, readFrenchCSV(t, buf.Bytes()))
	if !strings.HasPrefix(pre["Paiement"], "retenu, non payé : pas de coordonnées bancaires approuvées") || pre["Total versé"] != "0,00" {
		t.Errorf("held back: %q, total %q", pre["Paiement"], pre["Total versé"])
	}
	sum = 0
	for _, r := range table[:len(table)-1] {
		sum += frenchCents(t, r[6])
	}
	if sum != 0 {
		t.Errorf("held-back rows sum to %d", sum)
	}
	buf.Reset()
	if err := PlaceStatementPDF(&buf, held, passesOf(12, false)); err != nil {
		t.Fatal(err)
	}
	mustContain(t, buf.Bytes(), "Montant retenu", "retenu, non payé")
}

func TestPaymentStatus(t *testing.T) {
	s := paidSettlement()
	l := passnum.SettlementLine{}
	sent := at("2026-12-02 23:30")
	for _, c := range []struct {
		change func(*passnum.Settlement)
		want   string
	}{
		{func(s *passnum.Settlement) { s.Status = passnum.SettlementCreated }, "à envoyer à la banque (remboursement établi le 01/12/2026)"},
		{func(s *passnum.Settlement) { s.Status, s.SentAt = passnum.SettlementSent, &sent }, "virement envoyé le 02/12/2026"},
		{func(s *passnum.Settlement) { s.Status = passnum.SettlementPaymentRecorded }, "paiement à confirmer (payé le 05/12/2026 selon l'opérateur, en attente de la confirmation d'un second opérateur)"},
		{func(s *passnum.Settlement) {}, "payé le 05/12/2026 (référence bancaire VIR-88412)"},
	} {
		x := s
		c.change(&x)
		if got := PaymentStatus(x, l); got != c.want {
			t.Errorf("%s: %q, want %q", x.Status, got, c.want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for c, want := range map[int64]string{0: "0,00\u00a0€", 5: "0,05\u00a0€", 1000: "10,00\u00a0€", 123450: "1\u202f234,50\u00a0€", -1250: "−12,50\u00a0€", 57000000: "570\u202f000,00\u00a0€"} {
		if got := FormatAmount(c); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", c, got, want)
		}
	}
}
