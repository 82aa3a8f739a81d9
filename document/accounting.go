package document

import (
	"io"
	"iter"
	"time"

	"passnum"
	"passnum/sheet"
)

// The accounting export lists, for an accountant, every operation behind
// the settlements' transfers: one row per settled redemption and per
// correction, plus a row for each amount a line carried in from the
// place's previous settlement or out to its next one. So the rows of one
// settlement and one place (same Pièce, same Lieu) sum to the transfer the
// place received. Its columns, in this order:
//
//	Date                  day of the operation (redemption or correction, Paris day; a carry: the cut-off), JJ/MM/AAAA
//	Pièce                 the settlement's reference, which the transfer's remittance information carries
//	Date d'arrêté         the settlement's cut-off
//	Programme
//	Lieu                  the place's name
//	SIRET                 the place's SIRET, as text (leading zeros kept)
//	Compte (IBAN masqué)  the account paid, masked but for country, key and last four characters
//	Nature                encaissement, régularisation, report entrant, report sortant
//	Pass                  the pass code, masked but for its last four symbols
//	Service               the service delivered (redemptions)
//	Motif                 why a correction or a carry
//	N° d'opération        the redemption's or correction's id, to find it in the product
//	Montant (€)           signed: a redemption is positive, a correction negative
//	Part <financeur> (€)  one column per funder: the row's part of that funder
//
// The funders' parts of a line are the line's own shares (passnum.Apportion
// of its amount at settlement time); the export spreads them over the
// line's rows by apportioning the running total of the line, so that each
// row's parts sum to its amount and the rows of a line sum to the line's
// shares, to the cent. Rows are written as they come: a million rows never
// sit in memory.

// AccountingExport is what an accounting export needs beyond its rows.
type AccountingExport struct {
	ProgrammeName string
	// Funders are the programme's funders, one column each, in this order.
	Funders []Funder
}

// AccountingKind is the nature of an operation of the export.
type AccountingKind uint8

// The operations a settlement line is made of.
const (
	AccountingRedemption AccountingKind = iota + 1 // a settled redemption
	AccountingCorrection                           // a correction the line takes
)

// AccountingRow is one redemption or correction of a settlement line.
// Rows must come grouped by line (same Reference and Line.PlaceID
// together), e.g. ordered by settlement, place, then date.
type AccountingRow struct {
	// Reference and Cutoff are the settlement's.
	Reference string
	Cutoff    passnum.Date
	// Line is the place's line of the settlement (name, IBAN, amount,
	// carries and shares), the same for every row of the line.
	Line       passnum.SettlementLine
	PlaceSIRET string
	Kind       AccountingKind
	// ID is the redemption's or correction's id; At when it happened.
	ID string
	At time.Time
	// Code is the pass redeemed or corrected, written masked.
	Code    string
	Service string
	// Reason is a correction's reason.
	Reason      string
	AmountCents int64
}

// accountingColumns are the columns before the funders' parts.
var accountingColumns = []string{
	"Date", "Pièce", "Date d'arrêté", "Programme", "Lieu", "SIRET", "Compte (IBAN masqué)",
	"Nature", "Pass", "Service", "Motif", "N° d'opération", "Montant (€)",
}

// Columns returns the header of the export.
func (e AccountingExport) Columns() []string {
	cols := append([]string(nil), accountingColumns...)
	for _, f := range e.Funders {
		cols = append(cols, "Part "+f.Name+" (€)")
	}
	return cols
}

// AccountingSheetName is the name of the workbook's sheet.
const AccountingSheetName = "Export comptable"

// maxXLSXRows is a spreadsheet's last row: the header and 1,048,575 rows.
const maxXLSXRows = 1_048_576

// AccountingCSV writes the export in the French spreadsheet dialect (UTF-8
// with a BOM, ";", comma decimals, JJ/MM/AAAA). When a row is refused the
// error says why and the rows before it are already written.
func AccountingCSV(w io.Writer, e AccountingExport, rows iter.Seq2[AccountingRow, error]) error {
	c, err := sheet.NewCSV(w, sheet.French, e.Columns()...)
	if err != nil {
		return err
	}
	if err := writeAccounting(c, e, rows, 0); err != nil {
		c.Flush()
		return err
	}
	return c.Close()
}

// AccountingXLSX writes the export as a one-sheet workbook, the header row
// frozen, amounts as numbers in euros, days as dates. Nothing is written
// when a row is refused, or beyond a spreadsheet's 1,048,575 rows.
func AccountingXLSX(w io.Writer, e AccountingExport, rows iter.Seq2[AccountingRow, error]) error {
	x, err := sheet.NewXLSX(w, AccountingSheetName, e.Columns()...)
	if err != nil {
		return err
	}
	if err := writeAccounting(x, e, rows, maxXLSXRows-1); err != nil {
		x.Abort()
		return err
	}
	return x.Close()
}

// accountingLine is the line whose rows are being written.
type accountingLine struct {
	row     AccountingRow // the line's first row: its settlement and place
	bps     []int64       // the shares in the line's order, for Apportion
	column  []int         // the funder column of each share
	cum     int64         // the line's running total
	parts   []int64       // Apportion(cum): the parts given so far
	iban    string        // the account, masked once for all its rows
	started bool
}

type accountingWriter struct {
	out     sheet.Writer
	e       AccountingExport
	funders map[string]int
	line    accountingLine
	seen    map[[2]string]struct{}
	cells   []sheet.Cell
	rowPart []int64
	written int
	limit   int // 0: none
}

func writeAccounting(out sheet.Writer, e AccountingExport, rows iter.Seq2[AccountingRow, error], limit int) error {
	aw := &accountingWriter{
		out: out, e: e, funders: map[string]int{}, seen: map[[2]string]struct{}{},
		rowPart: make([]int64, len(e.Funders)), limit: limit,
	}
	for i, f := range e.Funders {
		aw.funders[f.OrganisationID] = i
	}
	for r, err := range rows {
		if err != nil {
			return err
		}
		if err := aw.add(r); err != nil {
			return err
		}
	}
	return aw.endLine()
}

func (aw *accountingWriter) add(r AccountingRow) error {
	l := &aw.line
	if !l.started || r.Reference != l.row.Reference || r.Line.PlaceID != l.row.Line.PlaceID {
		if err := aw.endLine(); err != nil {
			return err
		}
		if err := aw.startLine(r); err != nil {
			return err
		}
	}
	var nature string
	switch r.Kind {
	case AccountingRedemption:
		nature = "encaissement"
	case AccountingCorrection:
		nature = "régularisation"
	default:
		return aw.refuse("une opération n'est ni un encaissement ni une régularisation")
	}
	return aw.write(passnum.ParisDate(r.At), nature, maskCode(r.Code), r.Service, r.Reason, r.ID, r.AmountCents)
}

// startLine checks a new line and writes what it carries in.
func (aw *accountingWriter) startLine(r AccountingRow) error {
	key := [2]string{r.Reference, r.Line.PlaceID}
	if _, dup := aw.seen[key]; dup {
		return aw.refuse("les opérations du lieu %s dans le remboursement %s ne se suivent pas : triez-les par remboursement puis par lieu", r.Line.PlaceName, r.Reference)
	}
	aw.seen[key] = struct{}{}
	if r.Line.HeldBack {
		return aw.refuse("le lieu %s est retenu dans le remboursement %s : ses encaissements ne sont pas remboursés", r.Line.PlaceName, r.Reference)
	}
	l := accountingLine{row: r, started: true, iban: maskIBAN(r.Line.IBAN)}
	if len(r.Line.Shares) > 0 {
		for _, s := range r.Line.Shares {
			i, ok := aw.funders[s.OrganisationID]
			if !ok {
				return aw.refuse("la ligne du lieu %s a une part pour %s, qui n'est pas un financeur du programme", r.Line.PlaceName, s.OrganisationID)
			}
			l.bps = append(l.bps, s.ShareBps)
			l.column = append(l.column, i)
		}
	} else {
		for i, f := range aw.e.Funders {
			l.bps = append(l.bps, f.ShareBps)
			l.column = append(l.column, i)
		}
	}
	l.parts = make([]int64, len(l.bps))
	aw.line = l
	if c := r.Line.CarriedInCents; c != 0 {
		return aw.write(r.Cutoff, "report entrant", "", "", "régularisations reportées du remboursement précédent du lieu", "", c)
	}
	return nil
}

// endLine writes what the line carries out and checks that its rows sum
// to its amount and its parts to its shares.
func (aw *accountingWriter) endLine() error {
	l := &aw.line
	if !l.started {
		return nil
	}
	line := l.row.Line
	if c := line.CarriedOutCents; c != 0 {
		if err := aw.write(l.row.Cutoff, "report sortant", "", "", "régularisations plus grandes que le remboursement, reportées sur le suivant", "", -c); err != nil {
			return err
		}
	}
	if l.cum != line.AmountCents {
		return aw.refuse("les opérations du lieu %s dans le remboursement %s font %s, la ligne %s", line.PlaceName, l.row.Reference, FormatAmount(l.cum), FormatAmount(line.AmountCents))
	}
	for k, s := range line.Shares {
		if l.parts[k] != s.AmountCents {
			return aw.refuse("la part de %s dans la ligne du lieu %s (remboursement %s) est de %s, ses opérations en donnent %s", aw.e.Funders[l.column[k]].Name, line.PlaceName, l.row.Reference, FormatAmount(s.AmountCents), FormatAmount(l.parts[k]))
		}
	}
	l.started = false
	return nil
}

// write adds one row, with its parts: the change of the apportioned
// running total of the line.
func (aw *accountingWriter) write(day passnum.Date, nature, code, service, reason, id string, cents int64) error {
	if aw.limit > 0 && aw.written >= aw.limit {
		return passnum.Errorf(passnum.ETOOLARGE, "L'export comptable dépasse les %s lignes d'une feuille de calcul : téléchargez-le en CSV.", FormatCount(int64(aw.limit)))
	}
	l := &aw.line
	r := l.row
	l.cum += cents
	for i := range aw.rowPart {
		aw.rowPart[i] = 0
	}
	if len(l.bps) > 0 {
		now := passnum.Apportion(l.cum, l.bps)
		for k, p := range now {
			aw.rowPart[l.column[k]] += p - l.parts[k]
		}
		l.parts = now
	}
	aw.cells = append(aw.cells[:0],
		sheet.Day(day), sheet.Text(r.Reference), sheet.Day(r.Cutoff), sheet.Text(aw.e.ProgrammeName),
		sheet.Text(r.Line.PlaceName), sheet.Text(r.PlaceSIRET), sheet.Text(l.iban),
		sheet.Text(nature), sheet.Text(code), sheet.Text(service), sheet.Text(reason), sheet.Text(id),
		sheet.Cents(cents))
	for _, p := range aw.rowPart {
		aw.cells = append(aw.cells, sheet.Cents(p))
	}
	aw.written++
	return aw.out.Write(aw.cells...)
}

func (aw *accountingWriter) refuse(format string, args ...any) error {
	return notAddingUp("Export comptable", format, args...)
}
