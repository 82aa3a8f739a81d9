package document

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/sheet"
)

// A place's statement ("relevé de remboursement") says what one settlement
// pays the place and why: each pass it redeemed, each correction taken back
// with its reason, what was carried in from the previous settlement or out
// to the next, the total, the account credited and where the payment
// stands. It is written in PDF, for paper, and in CSV, for the place's
// bookkeeping. Pass codes are masked but for their last four symbols, the
// IBAN but for its country, key and last four characters.
//
// Passes come from an iterator, so a place with 10,000 passes is written
// without a copy of them; the statement refuses rows that do not add up to
// the line (count, redemptions, adjustments), so a statement never
// contradicts the transfer.

// PlaceStatement is everything in a place's statement but its passes.
type PlaceStatement struct {
	// ProgrammeName is the programme's name.
	ProgrammeName string
	// ProgrammeStart is the programme's first day of validity and
	// PreviousCutoff the cut-off of the programme's settlement before this
	// one (zero for the first): the period runs from the day after
	// PreviousCutoff, or from ProgrammeStart, to the settlement's cut-off.
	ProgrammeStart passnum.Date
	PreviousCutoff passnum.Date
	// Settlement gives the reference, cut-off, status and payment dates;
	// its Lines are not read.
	Settlement passnum.Settlement
	// Line is the place's line of the settlement. Its IBAN is printed
	// masked, whether or not it is passed masked.
	Line passnum.SettlementLine
	// PlaceSIRET is printed under the place's name when given.
	PlaceSIRET string
	// Adjustments are the corrections the line takes, in date order; they
	// must sum to Line.AdjustmentsCents.
	Adjustments []StatementAdjustment
	// GeneratedAt is when the statement is made (the caller's clock).
	GeneratedAt time.Time
}

// StatementPass is one pass the line pays.
type StatementPass struct {
	Code        string // in full or formatted: printed masked
	RedeemedAt  time.Time
	Site        string // the site's name, empty when none was recorded
	Service     string
	AmountCents int64
}

// StatementAdjustment is one correction the line takes.
type StatementAdjustment struct {
	CorrectedAt time.Time
	Code        string    // the pass of the corrected redemption, printed masked
	RedeemedAt  time.Time // when that pass was redeemed
	Reason      string
	AmountCents int64 // negative
}

// Period returns the first and last day the statement covers.
func (s PlaceStatement) Period() (from, to passnum.Date) {
	return periodOf(s.ProgrammeStart, s.PreviousCutoff, s.Settlement.Cutoff)
}

func periodOf(start, previous, cutoff passnum.Date) (from, to passnum.Date) {
	if !previous.IsZero() {
		return previous.AddDays(1), cutoff
	}
	return start, cutoff
}

// formatPeriod writes "du 01/11/2026 au 30/11/2026".
func formatPeriod(from, to passnum.Date) string {
	if from.IsZero() {
		return "jusqu'au " + FormatDay(to)
	}
	return "du " + FormatDay(from) + " au " + FormatDay(to)
}

func (s PlaceStatement) check() error {
	l := s.Line
	switch {
	case strings.TrimSpace(s.ProgrammeName) == "":
		return invalid("le nom du programme manque")
	case s.Settlement.Reference == "" || s.Settlement.Cutoff.IsZero():
		return invalid("la référence ou l'arrêté du remboursement manque")
	case strings.TrimSpace(l.PlaceName) == "":
		return invalid("le nom du lieu manque")
	case l.AmountCents < 0 || l.CarriedOutCents > 0:
		return invalid("un remboursement ne paie jamais un montant négatif : ce qui dépasse est reporté")
	case l.AmountCents+l.CarriedOutCents != l.RedemptionsCents+l.AdjustmentsCents+l.CarriedInCents:
		return invalid("la ligne du lieu ne s'additionne pas (versé %s + reporté %s ≠ encaissements %s + régularisations %s + report précédent %s)",
			FormatAmount(l.AmountCents), FormatAmount(l.CarriedOutCents), FormatAmount(l.RedemptionsCents), FormatAmount(l.AdjustmentsCents), FormatAmount(l.CarriedInCents))
	}
	var adj int64
	for _, a := range s.Adjustments {
		adj += a.AmountCents
	}
	if adj != l.AdjustmentsCents {
		return invalid("les régularisations listées font %s, la ligne du lieu %s", FormatAmount(adj), FormatAmount(l.AdjustmentsCents))
	}
	return nil
}

// invalid is a document refused before anything is written; the message
// says what does not add up.
func invalid(format string, args ...any) error {
	return passnum.Errorf(passnum.EINVALID, "Document non produit : "+format+".", args...)
}

// notAddingUp is a document whose rows contradict its totals, found once
// the rows are read: the stored settlement is inconsistent.
func notAddingUp(doc, format string, args ...any) error {
	return passnum.Errorf(passnum.EINTERNAL, "%s non produit : %s. Lancez « passnum check » et prévenez l'équipe technique.", doc, fmt.Sprintf(format, args...))
}

// rowCounter adds up the passes of a line as they are written.
type rowCounter struct {
	count, cents int64
	beforeFrom   bool // a pass redeemed before the period (paid late)
}

func (c *rowCounter) add(p StatementPass, from passnum.Date) {
	c.count++
	c.cents += p.AmountCents
	if !from.IsZero() && passnum.ParisDate(p.RedeemedAt).Before(from) {
		c.beforeFrom = true
	}
}

func (c *rowCounter) check(l passnum.SettlementLine) error {
	if c.count != l.Count || c.cents != l.RedemptionsCents {
		return notAddingUp("Relevé de remboursement", "%d pass pour %s listés, la ligne du lieu en compte %d pour %s",
			c.count, FormatAmount(c.cents), l.Count, FormatAmount(l.RedemptionsCents))
	}
	return nil
}

var codeSeparators = strings.NewReplacer("-", "", " ", "")

// maskCode masks a pass code, formatted or not, with the domain's mask.
func maskCode(code string) string {
	c := strings.ToUpper(codeSeparators.Replace(strings.TrimSpace(code)))
	if c == "" {
		return ""
	}
	return passnum.MaskPassCode(c)
}

// maskIBAN masks an IBAN, already masked or not.
func maskIBAN(iban string) string {
	n := passnum.NormalizeIBAN(iban)
	if n == "" {
		return ""
	}
	return passnum.MaskIBAN(n)
}

// PaymentStatus says where the payment of a line stands, with its date:
// "payé le 05/12/2026 (référence bancaire VIR-1234)", "virement envoyé le
// 02/12/2026", or why a held-back line is not paid.
func PaymentStatus(s passnum.Settlement, l passnum.SettlementLine) string {
	if l.HeldBack {
		if l.HeldBackReason != nil {
			return "retenu, non payé : " + l.HeldBackReason.Label()
		}
		return "retenu, non payé"
	}
	label := s.Status.Label()
	switch s.Status {
	case passnum.SettlementCreated:
		if !s.CreatedAt.IsZero() {
			return label + " (remboursement établi le " + FormatParisDay(s.CreatedAt) + ")"
		}
	case passnum.SettlementSent:
		if s.SentAt != nil {
			return label + " le " + FormatParisDay(*s.SentAt)
		}
	case passnum.SettlementPaymentRecorded:
		if s.PaidOn != nil {
			return label + " (payé le " + FormatDay(*s.PaidOn) + " selon l'opérateur, en attente de la confirmation d'un second opérateur)"
		}
	case passnum.SettlementPaid:
		out := label
		if s.PaidOn != nil {
			out += " le " + FormatDay(*s.PaidOn)
		}
		if s.BankReference != "" {
			out += " (référence bancaire " + s.BankReference + ")"
		}
		return out
	}
	return label
}

// amountLine is a line of a summary: a label that explains, an amount.
type amountLine struct {
	label string
	cents int64
}

// statementAmounts are the lines of the statement's summary; their sum is
// the line's amount.
func statementAmounts(l passnum.SettlementLine, adjustments int) []amountLine {
	out := []amountLine{{"Encaissements : " + counted(l.Count, "pass encaissé", "pass encaissés"), l.RedemptionsCents}}
	if adjustments > 0 || l.AdjustmentsCents != 0 {
		out = append(out, amountLine{"Régularisations : " + counted(int64(adjustments), "encaissement repris", "encaissements repris") + " (détail plus bas)", l.AdjustmentsCents})
	}
	if l.CarriedInCents != 0 {
		out = append(out, amountLine{"Report du remboursement précédent : régularisations qui dépassaient le remboursement précédent, déduites de celui-ci", l.CarriedInCents})
	}
	if l.CarriedOutCents != 0 {
		out = append(out, amountLine{"Reporté sur le prochain remboursement : régularisations qui dépassent ce remboursement, déduites du suivant (aucun virement n'est négatif)", -l.CarriedOutCents})
	}
	return out
}

// carryWords explains the carries of a line in sentences.
func carryWords(l passnum.SettlementLine) []string {
	var out []string
	if l.CarriedInCents < 0 {
		out = append(out, fmt.Sprintf("Le remboursement précédent n'a pas pu déduire toutes les régularisations de ce lieu : les %s restants sont déduits de celui-ci.", FormatAmount(-l.CarriedInCents)))
	} else if l.CarriedInCents > 0 {
		out = append(out, fmt.Sprintf("Ce remboursement reprend %s reportés du remboursement précédent.", FormatAmount(l.CarriedInCents)))
	}
	if l.CarriedOutCents < 0 {
		out = append(out, fmt.Sprintf("Les régularisations dépassent ce que ce remboursement doit au lieu : rien ne lui est prélevé, et les %s restant à déduire le seront du prochain remboursement.", FormatAmount(-l.CarriedOutCents)))
	}
	return out
}

// PlaceStatementPDF writes a place's statement as an A4 PDF. Nothing is
// written when the header or the passes do not add up to the line.
func PlaceStatementPDF(w io.Writer, s PlaceStatement, passes iter.Seq2[StatementPass, error]) error {
	if err := s.check(); err != nil {
		return err
	}
	l, st := s.Line, s.Settlement
	from, to := s.Period()
	r := newReport(
		"Relevé de remboursement "+st.Reference+" – "+l.PlaceName,
		"Relevé de remboursement "+s.ProgrammeName,
		"Relevé de remboursement "+st.Reference+" · "+l.PlaceName,
		"Relevé "+st.Reference+" · édité le "+FormatParisDay(s.GeneratedAt),
		s.GeneratedAt)
	r.title("Pass numérique · "+s.ProgrammeName, "Relevé de remboursement", l.PlaceName)

	place := l.PlaceName
	if s.PlaceSIRET != "" {
		place += " (SIRET " + s.PlaceSIRET + ")"
	}
	r.facts(52, []fact{
		{"Lieu labellisé", place},
		{"Programme", s.ProgrammeName},
		{"Référence du remboursement", st.Reference},
		{"Période", formatPeriod(from, to) + " (encaissements arrêtés au " + FormatDay(to) + " inclus)"},
		{"Paiement", PaymentStatus(st, l)},
	})

	statementAmount(r, l, len(s.Adjustments))
	r.heading("Compte crédité", 20)
	r.facts(52, []fact{
		{"Titulaire", l.Holder},
		{"IBAN", maskIBAN(l.IBAN)},
		{"BIC", l.BIC},
	})

	if err := statementPasses(r, l, from, passes); err != nil {
		return err
	}
	statementAdjustments(r, l, s.Adjustments)
	r.space(20)
	r.pdf.Ln(2)
	r.color(grey)
	r.para("Le total versé est payé par virement SEPA sur le compte ci-dessus ; le libellé du virement porte la référence "+st.Reference+". "+
		"Seuls les 4 derniers caractères de chaque code de pass figurent sur ce relevé. "+
		"Un encaissement repris par l'opérateur (erreur, doublon, fraude) est déduit du remboursement suivant, sans jamais modifier celui-ci.", 8.5)
	r.color([3]int{})
	return r.output(w)
}

// statementAmount is what the place is paid, line by line, and why a
// held-back amount is not paid now.
func statementAmount(r *report, l passnum.SettlementLine, adjustments int) {
	r.heading("Montant du remboursement", 30)
	r.startTable(column{title: "Détail", width: contentW - 36, wrap: true}, column{title: "Montant", width: 36, right: true})
	for _, a := range statementAmounts(l, adjustments) {
		r.row(false, a.label, FormatAmount(a.cents))
	}
	if l.HeldBack {
		r.row(false, "Montant retenu, payé au premier remboursement après levée de la cause", FormatAmount(l.AmountCents))
		r.row(true, "Total versé", FormatAmount(0))
	} else {
		r.row(true, "Total versé", FormatAmount(l.AmountCents))
	}
	r.endTable()
	for _, p := range carryWords(l) {
		r.para(p, 9.5)
	}

}

// statementPasses lists the passes the statement pays, checking that they
// add up to its line.
func statementPasses(r *report, l passnum.SettlementLine, from passnum.Date, passes iter.Seq2[StatementPass, error]) error {
	r.heading("Pass encaissés ("+FormatCount(l.Count)+")", 20)
	r.startTable(
		column{title: "N°", width: 12, right: true},
		column{title: "Pass", width: 30},
		column{title: "Encaissé le", width: 19},
		column{title: "Site", width: 55, wrap: true},
		column{title: "Service", width: 46, wrap: true},
		column{title: "Montant", width: 18, right: true},
	)
	var n rowCounter
	for p, err := range passes {
		if err != nil {
			return err
		}
		n.add(p, from)
		r.row(false, strconv.FormatInt(n.count, 10), maskCode(p.Code), FormatParisDay(p.RedeemedAt), p.Site, p.Service, FormatAmount(p.AmountCents))
	}
	if err := n.check(l); err != nil {
		return err
	}
	r.row(true, "", "Total", "", "", "", FormatAmount(n.cents))
	r.endTable()
	if n.beforeFrom {
		r.para("Certains pass ont été encaissés avant le début de la période : ils n'avaient pas encore été remboursés (lieu retenu faute de coordonnées bancaires approuvées, ou label suspendu) et le sont ici.", 9)
	}

	return nil
}

// statementAdjustments lists the redemptions taken back since the last
// statement.
func statementAdjustments(r *report, l passnum.SettlementLine, adjustments []StatementAdjustment) {
	if len(adjustments) > 0 {
		r.heading("Régularisations ("+FormatCount(int64(len(adjustments)))+")", 20)
		r.startTable(
			column{title: "Repris le", width: 19},
			column{title: "Pass", width: 30},
			column{title: "Encaissé le", width: 19},
			column{title: "Motif", width: 94, wrap: true},
			column{title: "Montant", width: 18, right: true},
		)
		for _, a := range adjustments {
			r.row(false, FormatParisDay(a.CorrectedAt), maskCode(a.Code), FormatParisDay(a.RedeemedAt), a.Reason, FormatAmount(a.AmountCents))
		}
		r.row(true, "", "Total", "", "", FormatAmount(l.AdjustmentsCents))
		r.endTable()
	}

}

// PlaceStatementCSV writes a place's statement in the French spreadsheet
// dialect: first a block of "label;value" lines (the place, the settlement,
// the account, the summary), an empty line, then one row per pass and per
// adjustment and carry, under the header
//
//	Nature;Date;Pass;Site;Service;Motif;Montant (€)
//
// and a last row "total versé". The amounts of the rows before it sum to
// it. When the passes do not add up to the line, the total row is not
// written and the error says why.
func PlaceStatementCSV(w io.Writer, s PlaceStatement, passes iter.Seq2[StatementPass, error]) error {
	if err := s.check(); err != nil {
		return err
	}
	l := s.Line
	from, to := s.Period()
	c, err := sheet.NewCSV(w, sheet.French)
	if err != nil {
		return err
	}
	paid := l.AmountCents
	if l.HeldBack {
		paid = 0
	}
	pre := placeStatementHead(s, from, to, paid)
	for _, row := range pre {
		if err := c.Write(row...); err != nil {
			return err
		}
	}
	if l.CarriedInCents != 0 {
		if err := c.Write(sheet.Text("report du remboursement précédent"), sheet.Day(from), sheet.Text(""), sheet.Text(""), sheet.Text(""),
			sheet.Text("régularisations qui dépassaient le remboursement précédent"), sheet.Cents(l.CarriedInCents)); err != nil {
			return err
		}
	}
	var n rowCounter
	for p, err := range passes {
		if err != nil {
			return err
		}
		n.add(p, from)
		if err := c.Write(sheet.Text("encaissement"), sheet.Day(passnum.ParisDate(p.RedeemedAt)), sheet.Text(maskCode(p.Code)),
			sheet.Text(p.Site), sheet.Text(p.Service), sheet.Text(""), sheet.Cents(p.AmountCents)); err != nil {
			return err
		}
	}
	if err := n.check(l); err != nil {
		c.Flush()
		return err
	}
	for _, a := range s.Adjustments {
		if err := c.Write(sheet.Text("régularisation"), sheet.Day(passnum.ParisDate(a.CorrectedAt)), sheet.Text(maskCode(a.Code)),
			sheet.Text(""), sheet.Text(""), sheet.Text(a.Reason), sheet.Cents(a.AmountCents)); err != nil {
			return err
		}
	}
	for _, row := range placeStatementTail(s, to, paid) {
		if err := c.Write(row...); err != nil {
			return err
		}
	}
	return c.Close()
}

// placeStatementHead is what the CSV statement says before its rows: the
// place, the programme, the period, the payment and its bank account
// (masked), the amounts, then the rows' header.
func placeStatementHead(s PlaceStatement, from, to passnum.Date, paid int64) [][]sheet.Cell {
	l, st := s.Line, s.Settlement
	pre := [][]sheet.Cell{
		{sheet.Text("Relevé de remboursement"), sheet.Text(l.PlaceName)},
		{sheet.Text("SIRET"), sheet.Text(s.PlaceSIRET)},
		{sheet.Text("Programme"), sheet.Text(s.ProgrammeName)},
		{sheet.Text("Référence du remboursement"), sheet.Text(st.Reference)},
		{sheet.Text("Début de la période"), sheet.Day(from)},
		{sheet.Text("Fin de la période (arrêté)"), sheet.Day(to)},
		{sheet.Text("Paiement"), sheet.Text(PaymentStatus(st, l))},
		{sheet.Text("Titulaire du compte"), sheet.Text(l.Holder)},
		{sheet.Text("IBAN"), sheet.Text(maskIBAN(l.IBAN))},
		{sheet.Text("BIC"), sheet.Text(l.BIC)},
		{sheet.Text("Nombre de pass"), sheet.Int(l.Count)},
	}
	for _, a := range statementAmounts(l, len(s.Adjustments)) {
		pre = append(pre, []sheet.Cell{sheet.Text(a.label), sheet.Cents(a.cents)})
	}
	pre = append(pre, []sheet.Cell{sheet.Text("Total versé"), sheet.Cents(paid)}, nil)
	return append(pre, sheet.Texts(StatementColumns...))
}

// placeStatementTail are the CSV statement's last rows: what is carried
// to the next settlement, what is held back, and the total paid.
func placeStatementTail(s PlaceStatement, to passnum.Date, paid int64) [][]sheet.Cell {
	l := s.Line
	var rows [][]sheet.Cell
	if l.CarriedOutCents != 0 {
		rows = append(rows, []sheet.Cell{sheet.Text("reporté sur le prochain remboursement"), sheet.Day(to), sheet.Text(""), sheet.Text(""), sheet.Text(""),
			sheet.Text("régularisations qui dépassent ce remboursement"), sheet.Cents(-l.CarriedOutCents)})
	}
	if l.HeldBack {
		rows = append(rows, []sheet.Cell{sheet.Text("retenu"), sheet.Day(to), sheet.Text(""), sheet.Text(""), sheet.Text(""),
			sheet.Text(PaymentStatus(s.Settlement, l)), sheet.Cents(-l.AmountCents)})
	}
	return append(rows, []sheet.Cell{sheet.Text("total versé"), sheet.Day(to), sheet.Text(""), sheet.Text(""), sheet.Text(""), sheet.Text(""), sheet.Cents(paid)})
}

// StatementColumns are the columns of the rows of a place's CSV statement.
var StatementColumns = []string{"Nature", "Date", "Pass", "Site", "Service", "Motif", "Montant (€)"}
