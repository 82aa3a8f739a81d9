// Package sheet writes tables: CSV in the open-data dialect (RFC 4180, what
// programs read) or in the conventions of French spreadsheets (what people
// open), and XLSX workbooks. Every table the product writes goes through
// it, so that a cell a spreadsheet would run as a formula never leaves the
// product as one, whatever a place or an applicant typed into a name.
package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"passnum"
)

// Cell is one typed value of a row. Text is written as it is, except that
// a text a spreadsheet would read as a formula is neutralised; numbers,
// amounts and days are written in the dialect's format and are never
// neutralised (a negative amount stays a number).
type Cell struct {
	kind  kind
	text  string
	n     int64
	day   passnum.Date
	share float64
}

type kind uint8

const (
	kindText kind = iota
	kindInt
	kindCents
	kindDay
	kindShare
)

// Text is a text cell.
func Text(s string) Cell { return Cell{kind: kindText, text: s} }

// Int is a whole number.
func Int(n int64) Cell { return Cell{kind: kindInt, n: n} }

// Cents is an amount of money in cents, written in euros with two
// decimals (12,50 in French, 12.50 in the open dialect).
func Cents(c int64) Cell { return Cell{kind: kindCents, n: c} }

// Day is a calendar day (JJ/MM/AAAA in French, AAAA-MM-JJ in the open
// dialect); the zero day is an empty cell.
func Day(d passnum.Date) Cell { return Cell{kind: kindDay, day: d} }

// Share is a share from 0 to 1: a percentage in a workbook ("42,5 %" as
// a French spreadsheet shows it), "42,5" in a French CSV file (its column
// says it is a percentage) and 0.425 in the open dialect.
func Share(f float64) Cell { return Cell{kind: kindShare, share: f} }

// Texts turns strings into text cells.
func Texts(ss ...string) []Cell {
	out := make([]Cell, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

// Dialect is how a CSV file is written.
type Dialect struct {
	// Comma separates the fields.
	Comma rune
	// BOM starts the file with a UTF-8 byte order mark, without which
	// spreadsheets read UTF-8 as another encoding.
	BOM bool
	// French writes decimals with a comma and days as JJ/MM/AAAA.
	French bool
	// CRLF ends rows with CR LF (RFC 4180, what spreadsheets expect)
	// rather than LF.
	CRLF bool
}

var (
	// Open is comma-separated with ISO days and point decimals, rows ending
	// in LF as in the national open-data standard's files: for programs.
	Open = Dialect{Comma: ','}
	// RFC4180 is Open with rows ending in CR LF, as RFC 4180 asks.
	RFC4180 = Dialect{Comma: ',', CRLF: true}
	// French is what French spreadsheet users open with a double click:
	// UTF-8 with a BOM, ";" between fields, "12,50" and "31/12/2026".
	French = Dialect{Comma: ';', BOM: true, French: true, CRLF: true}
)

// Writer writes rows of cells, to a CSV file or a workbook.
type Writer interface {
	// Write adds one row.
	Write(row ...Cell) error
	// Close finishes the file; nothing is complete before it returns.
	Close() error
}

// CSV writes a CSV file row by row, holding nothing but its buffer.
type CSV struct {
	w       *csv.Writer
	dialect Dialect
	record  []string
}

// NewCSV starts a CSV file with its header row.
func NewCSV(w io.Writer, d Dialect, header ...string) (*CSV, error) {
	if d.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = d.Comma
	cw.UseCRLF = d.CRLF
	c := &CSV{w: cw, dialect: d}
	if len(header) > 0 {
		if err := c.Write(Texts(header...)...); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Write adds one row.
func (c *CSV) Write(row ...Cell) error {
	c.record = c.record[:0]
	for _, cell := range row {
		c.record = append(c.record, c.format(cell))
	}
	return c.w.Write(c.record)
}

// Flush sends what is buffered to the underlying writer, for a long export
// streamed to a client.
func (c *CSV) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// Close flushes the file.
func (c *CSV) Close() error { return c.Flush() }

func (c *CSV) format(cell Cell) string {
	switch cell.kind {
	case kindInt:
		return strconv.FormatInt(cell.n, 10)
	case kindCents:
		return formatCents(cell.n, c.dialect.French)
	case kindDay:
		if cell.day.IsZero() {
			return ""
		}
		if c.dialect.French {
			return fmt.Sprintf("%02d/%02d/%04d", cell.day.Day, cell.day.Month, cell.day.Year)
		}
		return cell.day.String()
	case kindShare:
		if c.dialect.French {
			return strings.Replace(strconv.FormatFloat(cell.share*100, 'f', 1, 64), ".", ",", 1)
		}
		return strconv.FormatFloat(cell.share, 'f', -1, 64)
	}
	return Neutralise(cell.text)
}

// formatCents writes an amount in euros with two decimals and no grouping.
func formatCents(cents int64, french bool) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	sep := "."
	if french {
		sep = ","
	}
	return fmt.Sprintf("%s%d%s%02d", sign, cents/100, sep, cents%100)
}

// Neutralise returns s so that no spreadsheet runs it as a formula (OWASP
// "CSV injection"): a text starting with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, which spreadsheets show as text. A
// plain number, even signed, is left alone ("-12,50", "+33 3 81 00 00 00"):
// with no letter it can call no function and name no cell.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return s
	}
	if plainNumber(s) {
		return s
	}
	return "'" + s
}

// plainNumber reports whether s is a sign followed by digits, spaces,
// points and commas only, with at least one digit.
func plainNumber(s string) bool {
	if s[0] != '+' && s[0] != '-' {
		return false
	}
	digits := false
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == ' ' || r == '.' || r == ',':
		default:
			return false
		}
	}
	return digits
}

// ContentType is the media type of a CSV file.
const ContentType = "text/csv; charset=utf-8"

// Filename makes a download's file name safe for a Content-Disposition
// header: letters, digits, dashes, points and underscores only.
func Filename(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
