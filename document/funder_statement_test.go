package document

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"passnum"
)

var testFunders = []Funder{
	{OrganisationID: regionID, Name: "Région Bourgogne-Franche-Comté", ShareBps: 6667},
	{OrganisationID: stateID, Name: "État", ShareBps: 3333},
}

// sharesOf apportions amount between the test funders as a settlement does.
func sharesOf(amount int64) []passnum.FunderAmount {
	parts := passnum.Apportion(amount, []int64{6667, 3333})
	return []passnum.FunderAmount{
		{OrganisationID: regionID, ShareBps: 6667, AmountCents: parts[0]},
		{OrganisationID: stateID, ShareBps: 3333, AmountCents: parts[1]},
	}
}

// settlementWithLines is a paid settlement of n places (amounts chosen so
// that the shares round) and one held-back place.
func settlementWithLines(n int) passnum.Settlement {
	s := paidSettlement()
	for i := range n {
		amount := int64(1000*(i%9+1) + 1)
		s.Lines = append(s.Lines, passnum.SettlementLine{
			PlaceID: fmt.Sprintf("place-%04d", i), PlaceName: fmt.Sprintf("Lieu labellisé n° %d de Besançon", i+1),
			Count: int64(i%9 + 1), RedemptionsCents: amount, AmountCents: amount, Shares: sharesOf(amount),
		})
		s.TotalCents += amount
	}
	reason := passnum.HeldSuspended
	s.Lines = append(s.Lines, passnum.SettlementLine{PlaceID: "held", PlaceName: "Tiers-lieu suspendu", Count: 4, RedemptionsCents: 4000, AmountCents: 4000, HeldBack: true, HeldBackReason: &reason})
	return s
}

func funderSettlement(n int) FunderSettlementStatement {
	return FunderSettlementStatement{
		ProgrammeName:  "Pass numérique Bourgogne-Franche-Comté",
		ProgrammeStart: passnum.MustDate("2026-01-01"),
		PreviousCutoff: passnum.MustDate("2026-10-31"),
		FunderID:       stateID,
		Funders:        testFunders,
		Settlement:     settlementWithLines(n),
		GeneratedAt:    generated,
	}
}

func TestFunderSettlementPDF(t *testing.T) {
	uncompressed(t)
	s := funderSettlement(3)
	// 1001 + 2001 + 3001 = 6003 cents; Region 4002, State 2001.
	var buf bytes.Buffer
	if err := FunderSettlementPDF(&buf, s); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	mustContain(t, out,
		"Part des financeurs d'un remboursement", "État · remboursement PN-20261130-0007",
		"Région Bourgogne-Franche-Comté (66,67\u00a0%)", "État (33,33\u00a0%)",
		"du 01/11/2026 au 30/11/2026", "payé le 05/12/2026",
		"3 lieux payés, 1 lieu retenu",
		"40,02\u00a0€", "20,01\u00a0€", "60,03\u00a0€",
		"État doit 20,01\u00a0€ au titre de ce remboursement",
		"Lieu labellisé n° 3 de Besançon", "30,01\u00a0€",
		"Tiers-lieu suspendu", "label suspendu",
		"page 1 / 1",
	)
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/funder-settlement.pdf", out, 0o644)
	}
}

func TestFunderSettlementCSV(t *testing.T) {
	s := funderSettlement(200)
	var buf bytes.Buffer
	if err := FunderSettlementCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	rows := readFrenchCSV(t, buf.Bytes())
	header := []string{"Lieu", "Nombre de pass", "Montant versé (€)", "Part Région Bourgogne-Franche-Comté (€)", "Part État (€)"}
	at := slices.IndexFunc(rows, func(r []string) bool { return slices.Equal(r, header) })
	if at < 0 {
		t.Fatalf("no header %v", header)
	}
	pre := map[string]string{}
	for _, r := range rows[:at] {
		if len(r) >= 2 {
			pre[r[0]] = r[1]
		}
	}
	table := rows[at+1:]
	if len(table) != 201 || table[200][0] != "Total" {
		t.Fatalf("%d rows, last %v", len(table), table[len(table)-1])
	}
	var amount, region, state int64
	for _, r := range table[:200] {
		a, re, st := frenchCents(t, r[2]), frenchCents(t, r[3]), frenchCents(t, r[4])
		if re+st != a {
			t.Fatalf("row %v: parts do not sum to the amount", r)
		}
		amount, region, state = amount+a, region+re, state+st
	}
	if amount != s.Settlement.TotalCents || frenchCents(t, table[200][2]) != amount ||
		frenchCents(t, table[200][3]) != region || frenchCents(t, table[200][4]) != state {
		t.Errorf("total row %v, sums %d %d %d", table[200], amount, region, state)
	}
	if frenchCents(t, pre["Doit : Région Bourgogne-Franche-Comté (66,67\u00a0%)"]) != region || frenchCents(t, pre["Doit : État (33,33\u00a0%)"]) != state {
		t.Errorf("owed %v", pre)
	}
	if pre["Lieux retenus (payés plus tard)"] != "1" || pre["Financeur"] != "État (33,33\u00a0%)" {
		t.Errorf("block %v", pre)
	}
}

func TestFunderStatementsRefuseWhatDoesNotAddUp(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*FunderSettlementStatement)
		code   string
	}{
		{"shares apart from a line", func(s *FunderSettlementStatement) { s.Settlement.Lines[0].Shares[0].AmountCents++ }, passnum.EINTERNAL},
		{"total apart from the lines", func(s *FunderSettlementStatement) { s.Settlement.TotalCents++ }, passnum.EINTERNAL},
		{"share of an unknown funder", func(s *FunderSettlementStatement) { s.Settlement.Lines[1].Shares[1].OrganisationID = "other" }, passnum.EINTERNAL},
		{"funder not of the programme", func(s *FunderSettlementStatement) { s.FunderID = "other" }, passnum.EINVALID},
		{"no funders", func(s *FunderSettlementStatement) { s.Funders = nil }, passnum.EINVALID},
		{"no reference", func(s *FunderSettlementStatement) { s.Settlement.Reference = "" }, passnum.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := funderSettlement(3)
			c.change(&s)
			var buf bytes.Buffer
			if err := FunderSettlementPDF(&buf, s); passnum.ErrorCode(err) != c.code || buf.Len() != 0 {
				t.Errorf("PDF: %v, %d bytes", err, buf.Len())
			}
			if err := FunderSettlementCSV(&buf, s); passnum.ErrorCode(err) != c.code || buf.Len() != 0 {
				t.Errorf("CSV: %v, %d bytes", err, buf.Len())
			}
		})
	}
}

func funderProgramme() FunderProgrammeStatement {
	s := FunderProgrammeStatement{
		ProgrammeName: "Pass numérique Bourgogne-Franche-Comté",
		FunderID:      regionID,
		Funders:       testFunders,
		AsOf:          passnum.MustDate("2026-12-06"),
		GeneratedAt:   generated,
	}
	for i, n := range []int{5, 8, 3} {
		st := settlementWithLines(n)
		st.Reference = fmt.Sprintf("PN-2026%02d30-%04d", 9+i, i+5)
		st.Cutoff = passnum.MustDate(fmt.Sprintf("2026-%02d-30", 9+i))
		if i == 2 {
			st.Status, st.PaidOn = passnum.SettlementSent, nil
		}
		s.Settlements = append(s.Settlements, FunderSettlementTotal{Settlement: st, Places: int64(n), Shares: SettlementShares(st.Lines)})
	}
	return s
}

func TestFunderProgrammeStatement(t *testing.T) {
	uncompressed(t)
	s := funderProgramme()
	var wantRegion, wantState, wantPending int64
	for i, st := range s.Settlements {
		wantRegion += st.Shares[0].AmountCents
		wantState += st.Shares[1].AmountCents
		if i == 2 {
			wantPending += st.Shares[0].AmountCents
		}
	}
	var buf bytes.Buffer
	if err := FunderProgrammePDF(&buf, s); err != nil {
		t.Fatal(err)
	}
	mustContain(t, buf.Bytes(),
		"Part des financeurs du programme", "Région Bourgogne-Franche-Comté · au 06/12/2026",
		"PN-20260930-0005", "PN-20261130-0007", "virement envoyé", "payé le 05/12/2026",
		fmt.Sprintf("Région Bourgogne-Franche-Comté doit %s au titre du programme", FormatAmount(wantRegion)),
		fmt.Sprintf("%s pour ceux en cours", FormatAmount(wantPending)),
		FormatAmount(wantState),
	)
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/funder-programme.pdf", buf.Bytes(), 0o644)
	}

	buf.Reset()
	if err := FunderProgrammeCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	rows := readFrenchCSV(t, buf.Bytes())
	header := []string{"Référence", "Arrêté au", "Paiement", "Payé le", "Lieux payés", "Montant versé (€)", "Part Région Bourgogne-Franche-Comté (€)", "Part État (€)"}
	at := slices.IndexFunc(rows, func(r []string) bool { return slices.Equal(r, header) })
	if at < 0 {
		t.Fatalf("no header %v in %v", header, rows)
	}
	table := rows[at+1:]
	if len(table) != 4 {
		t.Fatalf("rows %v", table)
	}
	var region, state, amount int64
	for _, r := range table[:3] {
		amount += frenchCents(t, r[5])
		region += frenchCents(t, r[6])
		state += frenchCents(t, r[7])
		if !frenchDay.MatchString(r[1]) {
			t.Errorf("cut-off %q", r[1])
		}
	}
	if region != wantRegion || state != wantState || region+state != amount || frenchCents(t, table[3][5]) != amount {
		t.Errorf("sums %d %d %d, total row %v", region, state, amount, table[3])
	}
	if table[0][3] != "05/12/2026" || table[2][3] != "" || table[2][2] != "virement envoyé" {
		t.Errorf("payment columns %v %v", table[0], table[2])
	}

	s.Settlements[1].Shares[0].AmountCents--
	buf.Reset()
	if err := FunderProgrammeCSV(&buf, s); passnum.ErrorCode(err) != passnum.EINTERNAL || buf.Len() != 0 {
		t.Errorf("shares apart from a settlement: %v", err)
	}
}

// Whatever the amounts and shares, the monthly figures add up to the
// programme's: per funder, per settlement, and in all.
func TestFunderFiguresAddUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		a := rng.Int64N(9999) + 1
		bps := []int64{a, passnum.TotalBasisPoints - a}
		funders := []Funder{{regionID, "Région", bps[0]}, {stateID, "État", bps[1]}}
		s := FunderProgrammeStatement{ProgrammeName: "P", FunderID: stateID, Funders: funders, AsOf: passnum.MustDate("2026-12-31")}
		var total int64
		for range rng.IntN(5) + 1 {
			st := paidSettlement()
			for range rng.IntN(30) + 1 {
				amount := rng.Int64N(500_000)
				p := passnum.Apportion(amount, bps)
				st.Lines = append(st.Lines, passnum.SettlementLine{AmountCents: amount, Shares: []passnum.FunderAmount{{OrganisationID: regionID, AmountCents: p[0]}, {OrganisationID: stateID, AmountCents: p[1]}}})
				st.TotalCents += amount
			}
			total += st.TotalCents
			s.Settlements = append(s.Settlements, FunderSettlementTotal{Settlement: st, Shares: SettlementShares(st.Lines)})
		}
		fc, err := newFunderColumns(funders, stateID)
		if err != nil {
			t.Fatal(err)
		}
		rows, totals, err := s.rows(fc)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if sum(totals) != total || len(rows) != len(s.Settlements) {
			t.Fatalf("round %d: funders owe %d, the places were paid %d", round, sum(totals), total)
		}
	}
}

func closing() FunderClosingStatement {
	final := paidSettlement()
	return FunderClosingStatement{
		ProgrammeName: "Pass numérique Bourgogne-Franche-Comté",
		ValidFrom:     passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), LastRedeemDay: passnum.MustDate("2027-01-31"),
		FunderID: regionID, Funders: testFunders,
		Issued:       PassFigure{50_000, 50_000_000},
		Used:         PassFigure{20_000, 20_000_000},
		Adjusted:     PassFigure{12, -12_000},
		Unsettled:    PassFigure{10, 10_000},
		NotHandedOut: PassFigure{9_990, 9_990_000},
		Unused:       PassFigure{20_000, 20_000_000},
		// 19 988 000 paid in all, plus 1 000 carried and never deducted.
		Owed:            []passnum.FunderAmount{{OrganisationID: regionID, AmountCents: 13_326_667}, {OrganisationID: stateID, AmountCents: 6_662_333}},
		OwedPaid:        []passnum.FunderAmount{{OrganisationID: regionID, AmountCents: 13_000_000}, {OrganisationID: stateID, AmountCents: 6_500_000}},
		FinalSettlement: &final,
		Settlements:     13,
		GeneratedAt:     generated,
	}
}

func TestFunderClosingPDF(t *testing.T) {
	uncompressed(t)
	var buf bytes.Buffer
	if err := FunderClosingPDF(&buf, closing()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, buf.Bytes(),
		"Bilan de fin de programme", "Région Bourgogne-Franche-Comté (66,67\u00a0%)",
		"du 01/01/2026 au 31/12/2026", "pass acceptés jusqu'au 31/01/2027",
		"PN-20261130-0007, arrêté au 30/11/2026 : payé le 05/12/2026",
		"50\u202f000", "500\u202f000,00\u00a0€", "200\u202f000,00\u00a0€", "−120,00\u00a0€", "99\u202f900,00\u00a0€",
		"Libérés : jamais remis à un bénéficiaire", "Libérés : remis mais jamais utilisés",
		"299\u202f900,00\u00a0€", // released
		"133\u202f266,67\u00a0€", "66\u202f623,33\u00a0€", "199\u202f890,00\u00a0€", "3\u202f266,67\u00a0€",
		"Région Bourgogne-Franche-Comté doit 133\u202f266,67\u00a0€",
		"10,00\u00a0€ de plus", "10 pass encaissés par des lieux retenus",
		"13 remboursements",
	)
	if dir := os.Getenv("STATEMENT_OUT"); dir != "" {
		os.WriteFile(dir+"/funder-closing.pdf", buf.Bytes(), 0o644)
	}
	for name, change := range map[string]func(*FunderClosingStatement){
		"a pass lost":          func(s *FunderClosingStatement) { s.Unused.Passes-- },
		"owed below the usage": func(s *FunderClosingStatement) { s.Owed[0].AmountCents -= 2000 },
		"unknown funder":       func(s *FunderClosingStatement) { s.OwedPaid[0].OrganisationID = "x" },
		"no end of validity":   func(s *FunderClosingStatement) { s.ValidUntil = passnum.Date{} },
	} {
		s := closing()
		change(&s)
		buf.Reset()
		if err := FunderClosingPDF(&buf, s); err == nil || buf.Len() != 0 || !strings.Contains(passnum.ErrorMessage(err), "non produit") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
