package document

import (
	"fmt"
	"io"
	"strings"
	"time"

	"passnum"
	"passnum/sheet"
)

// A funder's statements say what the funders owe for the passes the places
// were paid for: for one settlement, line by line, and for the programme to
// date, settlement by settlement, each with every funder's part (what the
// Région owes, what the State owes). The parts are the settlement lines'
// own apportionment (passnum.Apportion at settlement time), never computed
// again here, so the figures add up to the cent with what the operator and
// the places see; a statement whose parts do not add up is refused. At the
// end of a programme, a closing statement sets what was used, taken back
// and released (never used, so costing nothing).

// Funder is one funder of a programme as its statements name it.
type Funder struct {
	OrganisationID string
	Name           string
	ShareBps       int64
}

// FunderSettlementStatement is one settlement as the funders read it.
type FunderSettlementStatement struct {
	ProgrammeName string
	// ProgrammeStart and PreviousCutoff set the period, as for a place's
	// statement.
	ProgrammeStart passnum.Date
	PreviousCutoff passnum.Date
	// FunderID is the funder the statement is for, one of Funders.
	FunderID string
	// Funders are the programme's funders, in the order of the columns.
	Funders []Funder
	// Settlement is the settlement with its Lines, each with its Shares.
	// Held-back lines are listed apart and count for nothing.
	Settlement  passnum.Settlement
	GeneratedAt time.Time
}

// FunderProgrammeStatement is a programme to date as the funders read it:
// one row per settlement.
type FunderProgrammeStatement struct {
	ProgrammeName string
	FunderID      string
	Funders       []Funder
	// AsOf is the day the statement is made up to.
	AsOf passnum.Date
	// Settlements are the programme's settlements up to AsOf, oldest first.
	Settlements []FunderSettlementTotal
	GeneratedAt time.Time
}

// FunderSettlementTotal is one settlement in a programme's statement.
type FunderSettlementTotal struct {
	// Settlement gives the reference, cut-off, status, payment day and
	// TotalCents; its Lines are not read.
	Settlement passnum.Settlement
	// Places is the number of places paid (lines not held back).
	Places int64
	// Shares are, per funder, the sums of its shares of the lines paid
	// (SettlementShares computes them from the lines).
	Shares []passnum.FunderAmount
}

// SettlementShares sums the funders' shares of the lines a settlement pays
// (held-back lines apart), in the order funders first appear.
func SettlementShares(lines []passnum.SettlementLine) []passnum.FunderAmount {
	var out []passnum.FunderAmount
	index := map[string]int{}
	for _, l := range lines {
		if l.HeldBack {
			continue
		}
		for _, s := range l.Shares {
			i, ok := index[s.OrganisationID]
			if !ok {
				i = len(out)
				index[s.OrganisationID] = i
				out = append(out, passnum.FunderAmount{OrganisationID: s.OrganisationID, ShareBps: s.ShareBps})
			}
			out[i].AmountCents += s.AmountCents
		}
	}
	return out
}

// funderColumns maps the funders to their columns and finds the one the
// statement is for.
type funderColumns struct {
	funders []Funder
	index   map[string]int
	self    int
}

func newFunderColumns(funders []Funder, self string) (funderColumns, error) {
	fc := funderColumns{funders: funders, index: map[string]int{}, self: -1}
	if len(funders) == 0 {
		return fc, invalid("le programme n'a aucun financeur")
	}
	for i, f := range funders {
		if strings.TrimSpace(f.Name) == "" {
			return fc, invalid("le financeur %s n'a pas de nom", f.OrganisationID)
		}
		fc.index[f.OrganisationID] = i
		if f.OrganisationID == self {
			fc.self = i
		}
	}
	if fc.self < 0 {
		return fc, invalid("le financeur %s ne finance pas ce programme", self)
	}
	return fc, nil
}

// parts spreads shares over the columns; it refuses shares of a funder
// not in the columns, or that do not sum to total.
func (fc funderColumns) parts(shares []passnum.FunderAmount, total int64, what string) ([]int64, error) {
	out := make([]int64, len(fc.funders))
	var sum int64
	for _, s := range shares {
		i, ok := fc.index[s.OrganisationID]
		if !ok {
			return nil, notAddingUp("Relevé financeur", "%s a une part pour %s, qui n'est pas un financeur du programme", what, s.OrganisationID)
		}
		out[i] += s.AmountCents
		sum += s.AmountCents
	}
	if sum != total {
		return nil, notAddingUp("Relevé financeur", "les parts des financeurs de %s font %s, pour un montant de %s", what, FormatAmount(sum), FormatAmount(total))
	}
	return out, nil
}

func (fc funderColumns) label(i int) string {
	return fc.funders[i].Name + " (" + passnum.FormatBasisPoints(fc.funders[i].ShareBps) + ")"
}

// funderRow is one row of a funder's statement.
type funderRow struct {
	line      passnum.SettlementLine // per settlement
	total     FunderSettlementTotal  // programme to date
	amount    int64
	parts     []int64
	held      bool
	heldLabel string
}

// settlementRows checks a settlement's lines and returns them with their
// parts, held-back lines last, and the totals per funder.
func (s FunderSettlementStatement) rows(fc funderColumns) (rows []funderRow, totals []int64, err error) {
	st := s.Settlement
	if strings.TrimSpace(s.ProgrammeName) == "" || st.Reference == "" || st.Cutoff.IsZero() {
		return nil, nil, invalid("le nom du programme, la référence ou l'arrêté du remboursement manque")
	}
	totals = make([]int64, len(fc.funders))
	var paid int64
	var held []funderRow
	for _, l := range st.Lines {
		if l.HeldBack {
			held = append(held, funderRow{line: l, held: true, heldLabel: PaymentStatus(st, l)})
			continue
		}
		parts, err := fc.parts(l.Shares, l.AmountCents, "la ligne du lieu "+l.PlaceName)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range parts {
			totals[i] += p
		}
		paid += l.AmountCents
		rows = append(rows, funderRow{line: l, amount: l.AmountCents, parts: parts})
	}
	if paid != st.TotalCents {
		return nil, nil, notAddingUp("Relevé financeur", "les lignes payées font %s, le remboursement %s", FormatAmount(paid), FormatAmount(st.TotalCents))
	}
	return append(rows, held...), totals, nil
}

func (s FunderProgrammeStatement) rows(fc funderColumns) (rows []funderRow, totals []int64, err error) {
	if strings.TrimSpace(s.ProgrammeName) == "" || s.AsOf.IsZero() {
		return nil, nil, invalid("le nom du programme ou le jour d'arrêté manque")
	}
	totals = make([]int64, len(fc.funders))
	for _, t := range s.Settlements {
		parts, err := fc.parts(t.Shares, t.Settlement.TotalCents, "le remboursement "+t.Settlement.Reference)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range parts {
			totals[i] += p
		}
		rows = append(rows, funderRow{total: t, amount: t.Settlement.TotalCents, parts: parts})
	}
	return rows, totals, nil
}

// funderTableColumns are the PDF columns of a funder's table: first, the
// columns given, then the amount and one column per funder.
func funderTableColumns(fc funderColumns, first ...column) []column {
	partW := min(32.0, (contentW-100)/float64(len(fc.funders)))
	used := 24 + partW*float64(len(fc.funders))
	for _, c := range first[1:] {
		used += c.width
	}
	first[0].width = contentW - used
	cols := append(first, column{title: "Montant versé", width: 24, right: true, wrap: true})
	for _, f := range fc.funders {
		cols = append(cols, column{title: "Part " + f.Name, width: partW, right: true, wrap: true})
	}
	return cols
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// owedTable writes what each funder owes and the total.
func (r *report) owedTable(fc funderColumns, totals []int64, totalLabel string) {
	r.startTable(column{title: "Financeur", width: contentW - 40, wrap: true}, column{title: "Doit", width: 40, right: true})
	for i := range fc.funders {
		r.row(i == fc.self, fc.label(i), FormatAmount(totals[i]))
	}
	r.row(true, totalLabel, FormatAmount(sum(totals)))
	r.endTable()
}

// FunderSettlementPDF writes a funder's statement of one settlement as an
// A4 PDF: what each funder owes for it, then each place's line with every
// funder's part. Nothing is written when the parts do not add up.
func FunderSettlementPDF(w io.Writer, s FunderSettlementStatement) error {
	fc, err := newFunderColumns(s.Funders, s.FunderID)
	if err != nil {
		return err
	}
	rows, totals, err := s.rows(fc)
	if err != nil {
		return err
	}
	st, self := s.Settlement, fc.funders[fc.self]
	from, to := periodOf(s.ProgrammeStart, s.PreviousCutoff, st.Cutoff)
	r := newReport(
		"Part des financeurs "+st.Reference+" – "+self.Name,
		"Part des financeurs "+s.ProgrammeName,
		"Part des financeurs · remboursement "+st.Reference+" · "+self.Name,
		"Part des financeurs "+st.Reference+" · édité le "+FormatParisDay(s.GeneratedAt),
		s.GeneratedAt)
	r.title("Pass numérique · "+s.ProgrammeName, "Part des financeurs d'un remboursement", self.Name+" · remboursement "+st.Reference)
	paid := int64(0)
	for _, row := range rows {
		if !row.held {
			paid++
		}
	}
	places := counted(paid, "lieu payé", "lieux payés")
	if n := int64(len(rows)) - paid; n > 0 {
		places += ", " + counted(n, "lieu retenu", "lieux retenus") + " (payés au premier remboursement après levée de la cause, sans rien coûter avant)"
	}
	r.facts(52, []fact{
		{"Financeur", fc.label(fc.self)},
		{"Programme", s.ProgrammeName},
		{"Référence du remboursement", st.Reference},
		{"Période", formatPeriod(from, to) + " (encaissements arrêtés au " + FormatDay(to) + " inclus)"},
		{"Paiement aux lieux", PaymentStatus(st, passnum.SettlementLine{})},
		{"Lieux", places},
	})
	r.heading("Ce que doit chaque financeur", 30)
	r.owedTable(fc, totals, "Total remboursé aux lieux")
	r.para(fmt.Sprintf("%s doit %s au titre de ce remboursement : sa part de %s de chaque ligne, arrondie au centime de sorte que les parts des financeurs fassent exactement le montant versé à chaque lieu.",
		self.Name, FormatAmount(totals[fc.self]), passnum.FormatBasisPoints(self.ShareBps)), 9.5)

	r.heading("Détail par lieu", 20)
	r.startTable(funderTableColumns(fc, column{title: "Lieu", wrap: true}, column{title: "Pass", width: 14, right: true})...)
	for _, row := range rows {
		if row.held {
			continue
		}
		cells := []string{row.line.PlaceName, FormatCount(row.line.Count), FormatAmount(row.amount)}
		for _, p := range row.parts {
			cells = append(cells, FormatAmount(p))
		}
		r.row(false, cells...)
	}
	cells := []string{"Total", "", FormatAmount(st.TotalCents)}
	for _, t := range totals {
		cells = append(cells, FormatAmount(t))
	}
	r.row(true, cells...)
	r.endTable()

	if int64(len(rows)) > paid {
		r.heading("Lieux retenus, non payés par ce remboursement", 20)
		r.startTable(column{title: "Lieu", width: 70, wrap: true}, column{title: "Motif", width: contentW - 70, wrap: true})
		for _, row := range rows {
			if row.held {
				r.row(false, row.line.PlaceName, row.heldLabel)
			}
		}
		r.endTable()
	}
	r.color(grey)
	r.para("Un pass jamais utilisé ne coûte rien aux financeurs : seuls les pass encaissés par les lieux et remboursés figurent ici.", 8.5)
	r.color([3]int{})
	return r.output(w)
}

// FunderSettlementCSV writes a funder's statement of one settlement in the
// French spreadsheet dialect: a block of "label;value" lines (programme,
// funder, settlement, what each funder owes), an empty line, then one row
// per place paid under the header
//
//	Lieu;Nombre de pass;Montant versé (€);Part <financeur> (€)…
//
// and a last row "Total". Held-back places are counted in the block, not
// listed.
func FunderSettlementCSV(w io.Writer, s FunderSettlementStatement) error {
	fc, err := newFunderColumns(s.Funders, s.FunderID)
	if err != nil {
		return err
	}
	rows, totals, err := s.rows(fc)
	if err != nil {
		return err
	}
	st := s.Settlement
	from, to := periodOf(s.ProgrammeStart, s.PreviousCutoff, st.Cutoff)
	var held int64
	for _, row := range rows {
		if row.held {
			held++
		}
	}
	c, err := sheet.NewCSV(w, sheet.French)
	if err != nil {
		return err
	}
	pre := [][]sheet.Cell{
		{sheet.Text("Part des financeurs d'un remboursement"), sheet.Text(st.Reference)},
		{sheet.Text("Programme"), sheet.Text(s.ProgrammeName)},
		{sheet.Text("Financeur"), sheet.Text(fc.label(fc.self))},
		{sheet.Text("Début de la période"), sheet.Day(from)},
		{sheet.Text("Fin de la période (arrêté)"), sheet.Day(to)},
		{sheet.Text("Paiement aux lieux"), sheet.Text(PaymentStatus(st, passnum.SettlementLine{}))},
		{sheet.Text("Lieux retenus (payés plus tard)"), sheet.Int(held)},
	}
	for i := range fc.funders {
		pre = append(pre, []sheet.Cell{sheet.Text("Doit : " + fc.label(i)), sheet.Cents(totals[i])})
	}
	pre = append(pre, []sheet.Cell{sheet.Text("Total remboursé aux lieux"), sheet.Cents(st.TotalCents)}, nil)
	header := []string{"Lieu", "Nombre de pass", "Montant versé (€)"}
	for _, f := range fc.funders {
		header = append(header, "Part "+f.Name+" (€)")
	}
	pre = append(pre, sheet.Texts(header...))
	for _, row := range pre {
		if err := c.Write(row...); err != nil {
			return err
		}
	}
	for _, row := range rows {
		if row.held {
			continue
		}
		cells := []sheet.Cell{sheet.Text(row.line.PlaceName), sheet.Int(row.line.Count), sheet.Cents(row.amount)}
		for _, p := range row.parts {
			cells = append(cells, sheet.Cents(p))
		}
		if err := c.Write(cells...); err != nil {
			return err
		}
	}
	cells := []sheet.Cell{sheet.Text("Total"), sheet.Text(""), sheet.Cents(st.TotalCents)}
	for _, t := range totals {
		cells = append(cells, sheet.Cents(t))
	}
	if err := c.Write(cells...); err != nil {
		return err
	}
	return c.Close()
}

// programmeSplit sums, per funder, the parts of the settlements already
// paid to the places and of the others.
func programmeSplit(rows []funderRow, n int) (paid, pending []int64) {
	paid, pending = make([]int64, n), make([]int64, n)
	for _, row := range rows {
		into := pending
		if row.total.Settlement.Status == passnum.SettlementPaid {
			into = paid
		}
		for i, p := range row.parts {
			into[i] += p
		}
	}
	return paid, pending
}

// FunderProgrammePDF writes a funder's statement of a programme to date as
// an A4 PDF: what each funder owes, then each settlement with every
// funder's part. Nothing is written when the parts do not add up.
func FunderProgrammePDF(w io.Writer, s FunderProgrammeStatement) error {
	fc, err := newFunderColumns(s.Funders, s.FunderID)
	if err != nil {
		return err
	}
	rows, totals, err := s.rows(fc)
	if err != nil {
		return err
	}
	self := fc.funders[fc.self]
	paid, pending := programmeSplit(rows, len(fc.funders))
	r := newReport(
		"Part des financeurs au "+FormatDay(s.AsOf)+" – "+self.Name,
		"Part des financeurs "+s.ProgrammeName,
		"Part des financeurs · "+s.ProgrammeName+" au "+FormatDay(s.AsOf)+" · "+self.Name,
		"Part des financeurs au "+FormatDay(s.AsOf)+" · édité le "+FormatParisDay(s.GeneratedAt),
		s.GeneratedAt)
	r.title("Pass numérique · "+s.ProgrammeName, "Part des financeurs du programme", self.Name+" · au "+FormatDay(s.AsOf))
	r.facts(52, []fact{
		{"Financeur", fc.label(fc.self)},
		{"Programme", s.ProgrammeName},
		{"Arrêté au", FormatDay(s.AsOf)},
		{"Remboursements", counted(int64(len(rows)), "remboursement", "remboursements")},
	})
	r.heading("Ce que doit chaque financeur", 30)
	r.owedTable(fc, totals, "Total remboursé aux lieux")
	r.para(fmt.Sprintf("Au %s, %s doit %s au titre du programme : %s pour les remboursements déjà payés aux lieux, %s pour ceux en cours.",
		FormatDay(s.AsOf), self.Name, FormatAmount(totals[fc.self]), FormatAmount(paid[fc.self]), FormatAmount(pending[fc.self])), 9.5)

	r.heading("Détail par remboursement", 20)
	r.startTable(funderTableColumns(fc,
		column{title: "Référence", wrap: true},
		column{title: "Arrêté au", width: 18},
		column{title: "Paiement", width: 32, wrap: true},
		column{title: "Lieux", width: 11, right: true})...)
	for _, row := range rows {
		st := row.total.Settlement
		status := st.Status.Label()
		if st.Status == passnum.SettlementPaid && st.PaidOn != nil {
			status += " le " + FormatDay(*st.PaidOn)
		}
		cells := []string{st.Reference, FormatDay(st.Cutoff), status, FormatCount(row.total.Places), FormatAmount(row.amount)}
		for _, p := range row.parts {
			cells = append(cells, FormatAmount(p))
		}
		r.row(false, cells...)
	}
	cells := []string{"Total", "", "", "", FormatAmount(sum(totals))}
	for _, t := range totals {
		cells = append(cells, FormatAmount(t))
	}
	r.row(true, cells...)
	r.endTable()
	r.color(grey)
	r.para("Chaque part est celle de la ligne de chaque lieu, arrondie au centime au moment du remboursement : les parts font exactement les montants versés, mois par mois et au total. "+
		"Un pass jamais utilisé ne coûte rien aux financeurs.", 8.5)
	r.color([3]int{})
	return r.output(w)
}

// FunderProgrammeCSV writes a funder's statement of a programme to date in
// the French spreadsheet dialect: a block of "label;value" lines, an empty
// line, then one row per settlement under the header
//
//	Référence;Arrêté au;Paiement;Payé le;Lieux payés;Montant versé (€);Part <financeur> (€)…
//
// and a last row "Total".
func FunderProgrammeCSV(w io.Writer, s FunderProgrammeStatement) error {
	fc, err := newFunderColumns(s.Funders, s.FunderID)
	if err != nil {
		return err
	}
	rows, totals, err := s.rows(fc)
	if err != nil {
		return err
	}
	paid, pending := programmeSplit(rows, len(fc.funders))
	c, err := sheet.NewCSV(w, sheet.French)
	if err != nil {
		return err
	}
	pre := [][]sheet.Cell{
		{sheet.Text("Part des financeurs du programme"), sheet.Text(s.ProgrammeName)},
		{sheet.Text("Financeur"), sheet.Text(fc.label(fc.self))},
		{sheet.Text("Arrêté au"), sheet.Day(s.AsOf)},
		{sheet.Text("Remboursements"), sheet.Int(int64(len(rows)))},
	}
	for i := range fc.funders {
		pre = append(pre,
			[]sheet.Cell{sheet.Text("Doit : " + fc.label(i)), sheet.Cents(totals[i])},
			[]sheet.Cell{sheet.Text("dont payé aux lieux"), sheet.Cents(paid[i])},
			[]sheet.Cell{sheet.Text("dont en cours"), sheet.Cents(pending[i])})
	}
	pre = append(pre, []sheet.Cell{sheet.Text("Total remboursé aux lieux"), sheet.Cents(sum(totals))}, nil)
	header := []string{"Référence", "Arrêté au", "Paiement", "Payé le", "Lieux payés", "Montant versé (€)"}
	for _, f := range fc.funders {
		header = append(header, "Part "+f.Name+" (€)")
	}
	pre = append(pre, sheet.Texts(header...))
	for _, row := range pre {
		if err := c.Write(row...); err != nil {
			return err
		}
	}
	for _, row := range rows {
		st := row.total.Settlement
		var paidOn passnum.Date
		if st.PaidOn != nil && st.Status == passnum.SettlementPaid {
			paidOn = *st.PaidOn
		}
		cells := []sheet.Cell{sheet.Text(st.Reference), sheet.Day(st.Cutoff), sheet.Text(st.Status.Label()), sheet.Day(paidOn), sheet.Int(row.total.Places), sheet.Cents(row.amount)}
		for _, p := range row.parts {
			cells = append(cells, sheet.Cents(p))
		}
		if err := c.Write(cells...); err != nil {
			return err
		}
	}
	cells := []sheet.Cell{sheet.Text("Total"), sheet.Text(""), sheet.Text(""), sheet.Text(""), sheet.Text(""), sheet.Cents(sum(totals))}
	for _, t := range totals {
		cells = append(cells, sheet.Cents(t))
	}
	if err := c.Write(cells...); err != nil {
		return err
	}
	return c.Close()
}
