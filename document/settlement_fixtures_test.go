package document

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"passnum"
)

// Fixtures shared by the tests of the settlement documents.

const (
	testIBAN = "FR7630006000011234567890189"
	regionID = "01region000000000000000000"
	stateID  = "01state0000000000000000000"
)

var generated = time.Date(2026, 12, 6, 10, 0, 0, 0, passnum.Paris)

// uncompressed turns PDF compression off for one test, so that it can
// read the content streams.
func uncompressed(t *testing.T) {
	old := compressPDF
	compressPDF = false
	t.Cleanup(func() { compressPDF = old })
}

// pdfEncoded is s as the PDF's content streams hold it: Windows-1252, with
// parentheses and backslashes escaped.
func pdfEncoded(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(sanitize(cp1252Only(s))))
	if err != nil {
		t.Fatalf("%q is not in Windows-1252: %v", s, err)
	}
	return []byte(strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(string(b)))
}

// shown is s drawn alone in a cell, as the content stream holds it.
func shown(t *testing.T, s string) []byte {
	return append(append([]byte("("), pdfEncoded(t, s)...), ")Tj"...)
}

var streamRE = regexp.MustCompile(`(?s)stream\n(.*?)endstream`)

// pages returns the content stream of each page of an uncompressed PDF
// (fpdf writes no other stream for these documents).
func pages(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		out = append(out, m[1])
	}
	if n := len(pageObj.FindAll(pdf, -1)); n != len(out) {
		t.Fatalf("%d pages but %d content streams", n, len(out))
	}
	return out
}

func mustContain(t *testing.T, doc []byte, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !bytes.Contains(doc, pdfEncoded(t, s)) {
			t.Errorf("the document lacks %q", s)
		}
	}
}

func mustNotContain(t *testing.T, doc []byte, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if bytes.Contains(doc, []byte(s)) {
			t.Errorf("the document shows %q", s)
		}
		if b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s)); err == nil && bytes.Contains(doc, b) {
			t.Errorf("the document shows %q", s)
		}
	}
}

func date(s string) *passnum.Date { d := passnum.MustDate(s); return &d }

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, passnum.Paris)
	if err != nil {
		panic(err)
	}
	return t
}

func paidSettlement() passnum.Settlement {
	sent := at("2026-12-02 11:00")
	return passnum.Settlement{
		ID: "01settlement00000000000000", ProgrammeID: "01programme000000000000000",
		Reference: "PN-20261130-0007", Cutoff: passnum.MustDate("2026-11-30"),
		Status: passnum.SettlementPaid, CreatedAt: at("2026-12-01 09:00"), SentAt: &sent,
		PaidOn: date("2026-12-05"), BankReference: "VIR-88412",
	}
}

// testCode is the n-th pass code of the fixtures (16 symbols).
func testCode(n int) string { return fmt.Sprintf("K7QF3M9TXR2P%04d", n) }

var services = passnum.NationalServices

// passesOf yields n passes of 10 € redeemed in November 2026, the first
// three on 31 October when early is set.
func passesOf(n int, early bool) iter.Seq2[StatementPass, error] {
	return func(yield func(StatementPass, error) bool) {
		for i := range n {
			day := time.Date(2026, 11, 1+i%30, 14, 30, 0, 0, passnum.Paris)
			if early && i < 3 {
				day = time.Date(2026, 10, 31, 23, 30, 0, 0, passnum.Paris)
			}
			site := "Espace public numérique de Planoise"
			if i%3 == 1 {
				site = "Médiathèque intercommunale « Les Mots Passants » du Grand Besançon Métropole, antenne de Saint-Vit et des communes associées 🎉"
			}
			if !yield(StatementPass{Code: passnum.FormatPassCode(testCode(i)), RedeemedAt: day, Site: site, Service: services[i%len(services)], AmountCents: 1000}, nil) {
				return
			}
		}
	}
}

// placeStatement is a paid line of n passes, two corrections (one carried
// in from the previous settlement) and its header.
func placeStatement(n int) PlaceStatement {
	l := passnum.SettlementLine{
		PlaceID: "01place0000000000000000000", PlaceName: "Espace public numérique de Planoise",
		Count: int64(n), RedemptionsCents: int64(n) * 1000, AdjustmentsCents: -2000, CarriedInCents: -500,
		Holder: "Association Planoise Numérique", IBAN: testIBAN, BIC: "CEPAFRPP",
		Status: passnum.SettlementPaid,
	}
	l.AmountCents, l.CarriedOutCents = passnum.SettleLine(l.RedemptionsCents, l.AdjustmentsCents, l.CarriedInCents)
	return PlaceStatement{
		ProgrammeName:  "Pass numérique Bourgogne-Franche-Comté",
		ProgrammeStart: passnum.MustDate("2026-01-01"),
		PreviousCutoff: passnum.MustDate("2026-10-31"),
		Settlement:     paidSettlement(),
		Line:           l,
		PlaceSIRET:     "12345678200010",
		Adjustments: []StatementAdjustment{
			{CorrectedAt: at("2026-11-10 10:00"), Code: testCode(9001), RedeemedAt: at("2026-10-20 15:00"), Reason: "Pass encaissé deux fois par erreur (doublon)", AmountCents: -1000},
			{CorrectedAt: at("2026-11-12 10:00"), Code: testCode(9002), RedeemedAt: at("2026-10-21 15:00"), Reason: "Fraude : le bénéficiaire n'a suivi aucune formation", AmountCents: -1000},
		},
		GeneratedAt: generated,
	}
}

// readFrenchCSV reads a file of the French dialect: BOM, ";", CRLF.
func readFrenchCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatal("the CSV does not start with a BOM")
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatal("the CSV rows do not end with CR LF")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// frenchCents reads "-1234,50" as cents.
func frenchCents(t *testing.T, s string) int64 {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	euros, dec, ok := strings.Cut(strings.TrimPrefix(s, "-"), ",")
	if !ok || len(dec) != 2 {
		t.Fatalf("amount %q is not written with a decimal comma and two decimals", s)
	}
	e, err1 := strconv.ParseInt(euros, 10, 64)
	c, err2 := strconv.ParseInt(dec, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("amount %q", s)
	}
	if neg {
		return -(e*100 + c)
	}
	return e*100 + c
}

var (
	frenchDay  = regexp.MustCompile(`^\d\d/\d\d/\d{4}$`)
	maskedCode = regexp.MustCompile(`^\*\*\*\*-\*\*\*\*-\*\*\*\*-[0-9A-Z]{4}$`)
)
