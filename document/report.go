package document

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// report is the A4 layout shared by the settlement documents (statements of
// places and funders): a title block on the first page, a running head and
// "page n / N" on every page, blocks of facts, and tables whose header row
// is repeated at the top of each page they run onto. Text is wrapped inside
// its column, never drawn over the next one.
type report struct {
	pdf     *fpdf.Fpdf
	tr      func(string) string
	running string // running head of the pages after the first
	footer  string // left of the footer, e.g. the document and its reference
	table   *table // the table being drawn, whose header repeats
}

// compressPDF is off only in tests, which read the content streams.
var compressPDF = true

const (
	marginL, marginR = 15.0, 15.0
	marginTop        = 18.0
	marginBottom     = 18.0
	contentW         = pageW - marginL - marginR
	cellPad          = 1.2 // fpdf's default cell margin, in mm
)

// Colours of the settlement documents.
var (
	blue  = [3]int{0, 70, 140}
	grey  = [3]int{90, 90, 90}
	light = [3]int{230, 238, 248}
	rule  = [3]int{180, 190, 200}
)

// newReport starts a document. title and subject go to the PDF's
// metadata; running and footer are printed on every page.
func newReport(title, subject, running, footer string, generated time.Time) *report {
	pdf := fpdf.New("P", "mm", "A4", "")
	r := &report{pdf: pdf, running: running, footer: footer}
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	r.tr = func(s string) string { return tr(sanitize(cp1252Only(s))) }
	pdf.SetCompression(compressPDF)
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetCreator("passnum", true)
	pdf.SetLang("fr-FR")
	if !generated.IsZero() {
		pdf.SetCreationDate(generated)
		pdf.SetModificationDate(generated)
	}
	pdf.SetMargins(marginL, marginTop, marginR)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFuncMode(r.header, false)
	pdf.SetFooterFunc(r.pageFooter)
	pdf.AddPage()
	return r
}

// output writes the finished document to w.
func (r *report) output(w io.Writer) error {
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("document : génération du PDF : %w", err)
	}
	return nil
}

func (r *report) color(c [3]int) { r.pdf.SetTextColor(c[0], c[1], c[2]) }
func (r *report) font(style string, size float64) {
	r.pdf.SetFont("Helvetica", style, size)
}

func (r *report) header() {
	pdf := r.pdf
	if pdf.PageNo() > 1 {
		r.font("", 8)
		r.color(grey)
		pdf.SetXY(marginL, 8)
		pdf.CellFormat(contentW, 5, r.fit(r.running, contentW-2*cellPad), "", 0, "L", false, 0, "")
		pdf.SetDrawColor(rule[0], rule[1], rule[2])
		pdf.SetLineWidth(0.2)
		pdf.Line(marginL, 13.5, pageW-marginR, 13.5)
		pdf.SetXY(marginL, marginTop)
	}
	if r.table != nil {
		r.table.drawHeader(r)
	}
	r.color([3]int{})
}

func (r *report) pageFooter() {
	pdf := r.pdf
	pdf.SetY(-12)
	r.font("", 8)
	r.color(grey)
	page := fmt.Sprintf("page %d / {nb}", pdf.PageNo())
	pw := pdf.GetStringWidth(page) + 2*cellPad + 6
	pdf.CellFormat(contentW-pw, 5, r.fit(r.footer, contentW-pw-2*cellPad), "", 0, "L", false, 0, "")
	pdf.CellFormat(pw, 5, page, "", 0, "R", false, 0, "")
}

// fit returns s translated, cut with an ellipsis to fit in w mm at the
// current font.
func (r *report) fit(s string, w float64) string {
	t := r.tr(s)
	if r.pdf.GetStringWidth(t) <= w {
		return t
	}
	ell := r.tr("…")
	for len(t) > 0 && r.pdf.GetStringWidth(t+ell) > w {
		t = t[:len(t)-1] // cp1252: one byte a character
	}
	return strings.TrimRight(t, " ") + ell
}

// title writes the first page's title block.
func (r *report) title(kicker, title, subtitle string) {
	pdf := r.pdf
	r.font("B", 9)
	r.color(blue)
	pdf.MultiCell(0, 5, r.tr(kicker), "", "L", false)
	r.font("B", 18)
	pdf.MultiCell(0, 8, r.tr(title), "", "L", false)
	if subtitle != "" {
		r.font("", 12)
		r.color(grey)
		pdf.MultiCell(0, 6, r.tr(subtitle), "", "L", false)
	}
	r.color([3]int{})
	pdf.Ln(3)
}

// heading writes a section heading, on a new page when fewer than need mm
// are left under it.
func (r *report) heading(text string, need float64) {
	pdf := r.pdf
	r.space(10 + need)
	pdf.Ln(3)
	r.font("B", 12)
	r.color(blue)
	pdf.CellFormat(0, 7, r.tr(text), "", 1, "L", false, 0, "")
	r.color([3]int{})
	pdf.Ln(1)
}

// space starts a new page when fewer than h mm are left on this one.
func (r *report) space(h float64) {
	if r.pdf.GetY()+h > pageH-marginBottom {
		r.pdf.AddPage()
	}
}

// para writes a wrapped paragraph.
func (r *report) para(text string, size float64) {
	r.font("", size)
	r.pdf.MultiCell(0, size*0.47, r.tr(text), "", "L", false)
	r.pdf.Ln(1.5)
}

// fact is one line of a block of facts: a label and its value.
type fact struct{ label, value string }

// facts writes label / value lines, the values wrapped in their column.
func (r *report) facts(labelW float64, fs []fact) {
	pdf := r.pdf
	for _, f := range fs {
		r.font("", 9.5)
		lines := r.wrap(r.tr(f.value), contentW-labelW-2*cellPad)
		h := 5.0 * float64(max(1, len(lines)))
		r.space(h)
		y := pdf.GetY()
		r.color(grey)
		pdf.SetXY(marginL, y)
		pdf.CellFormat(labelW, 5, r.fit(f.label, labelW-2*cellPad), "", 0, "L", false, 0, "")
		r.color([3]int{})
		r.font("B", 9.5)
		for i, l := range lines {
			pdf.SetXY(marginL+labelW, y+5*float64(i))
			pdf.CellFormat(contentW-labelW, 5, l, "", 0, "L", false, 0, "")
		}
		pdf.SetXY(marginL, y+h)
	}
	pdf.Ln(1)
}

// column is one column of a table.
type column struct {
	title string
	width float64 // mm; the widths of a table sum to contentW
	right bool    // right-aligned (amounts, numbers)
	wrap  bool    // wraps over up to maxWrapLines lines; else cut with "…"
}

const (
	maxWrapLines = 3
	rowLineH     = 3.8
	tableSize    = 8
)

// table is a table being drawn.
type table struct {
	cols []column
	fill bool // zebra: fill the next row
}

// startTable draws the header row of a table; until endTable it is
// repeated at the top of every new page.
func (r *report) startTable(cols ...column) {
	r.space(2*rowLineH + 10)
	r.table = &table{cols: cols}
	r.table.drawHeader(r)
}

// endTable stops repeating the table's header.
func (r *report) endTable() {
	r.table = nil
	r.pdf.Ln(2)
}

func (t *table) drawHeader(r *report) {
	pdf := r.pdf
	r.font("B", tableSize)
	pdf.SetFillColor(blue[0], blue[1], blue[2])
	pdf.SetTextColor(255, 255, 255)
	heights := 1
	split := make([][]string, len(t.cols))
	for i, c := range t.cols {
		split[i] = r.wrap(r.tr(c.title), c.width-2*cellPad)
		heights = max(heights, len(split[i]))
	}
	h := float64(heights)*rowLineH + 1.6
	x, y := marginL, pdf.GetY()
	for i, c := range t.cols {
		pdf.Rect(x, y, c.width, h, "F")
		align := "L"
		if c.right {
			align = "R"
		}
		for j, l := range split[i] {
			pdf.SetXY(x, y+0.8+float64(j)*rowLineH)
			pdf.CellFormat(c.width, rowLineH, l, "", 0, align, false, 0, "")
		}
		x += c.width
	}
	pdf.SetXY(marginL, y+h)
	r.color([3]int{})
	t.fill = false
}

// row draws one row of the current table, on a new page (with the header
// again) when it does not fit on this one. bold writes it in bold (totals).
func (r *report) row(bold bool, cells ...string) {
	pdf, t := r.pdf, r.table
	style := ""
	if bold {
		style = "B"
	}
	r.font(style, tableSize)
	lines := make([][]string, len(t.cols))
	n := 1
	for i, c := range t.cols {
		text := ""
		if i < len(cells) {
			text = cells[i]
		}
		lines[i] = r.cellLines(text, c)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*rowLineH + 1.2
	if pdf.GetY()+h > pageH-marginBottom {
		pdf.AddPage() // the header function draws the table's header
		r.font(style, tableSize)
	}
	x, y := marginL, pdf.GetY()
	if t.fill {
		pdf.SetFillColor(light[0], light[1], light[2])
		pdf.Rect(marginL, y, contentW, h, "F")
	}
	t.fill = !t.fill
	for i, c := range t.cols {
		align := "L"
		if c.right {
			align = "R"
		}
		for j, l := range lines[i] {
			pdf.SetXY(x, y+0.6+float64(j)*rowLineH)
			pdf.CellFormat(c.width, rowLineH, l, "", 0, align, false, 0, "")
		}
		x += c.width
	}
	pdf.SetXY(marginL, y+h)
}

// cellLines translates text and splits it into the lines of its cell.
func (r *report) cellLines(text string, c column) []string {
	avail := c.width - 2*cellPad
	if !c.wrap {
		return []string{r.fit(text, avail)}
	}
	split := r.wrap(r.tr(text), avail)
	if len(split) > maxWrapLines {
		// What does not fit in the last line is cut, with an ellipsis.
		rest := strings.Join(split[maxWrapLines-1:], " ")
		split = append(split[:maxWrapLines-1], r.fitTranslated(rest, avail))
	}
	return split
}

// wrap splits a translated text into lines no wider than w mm at the
// current font: between words, after a hyphen ("Bourgogne-" /
// "Franche-Comté"), and inside a word only when it is wider than a line.
// It always returns at least one line.
func (r *report) wrap(t string, w float64) []string {
	width := r.pdf.GetStringWidth
	var lines []string
	if !strings.Contains(t, "\n") && width(t) <= w {
		return []string{t}
	}
	for _, para := range strings.Split(t, "\n") {
		line, lineW := "", 0.0 // widths add up: the standard fonts have no kerning
		for _, tok := range tokens(para) {
			if line == "" {
				tok = strings.TrimLeft(tok, " ")
			}
			tw := width(tok)
			if lineW+tw <= w {
				line, lineW = line+tok, lineW+tw
				continue
			}
			if strings.TrimSpace(line) != "" {
				lines = append(lines, strings.TrimRight(line, " "))
			}
			line = strings.TrimLeft(tok, " ")
			lineW = width(line)
			for lineW > w && len(line) > 1 {
				// A word wider than the line: as much as fits (one byte a
				// character in Windows-1252), the rest on the next line.
				n := 1
				for n < len(line) && width(line[:n+1]) <= w {
					n++
				}
				lines = append(lines, line[:n])
				line = line[n:]
				lineW = width(line)
			}
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

// tokens splits a text into words, each with the spaces before it and
// ending after any hyphen inside it.
func tokens(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ' ' && i > start && s[i-1] != ' ':
			out = append(out, s[start:i])
			start = i
		case s[i] == '-' && i+1 < len(s) && s[i+1] != ' ' && i > start && s[i-1] != ' ':
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// fitTranslated is fit for a text already translated.
func (r *report) fitTranslated(t string, w float64) string {
	if r.pdf.GetStringWidth(t) <= w {
		return t
	}
	ell := r.tr("…")
	for len(t) > 0 && r.pdf.GetStringWidth(t+ell) > w {
		t = t[:len(t)-1]
	}
	return strings.TrimRight(t, " ") + ell
}

// cp1252Only keeps what the PDF's standard fonts can draw (Windows-1252):
// a letter missing from it loses its accents (ő → o), and a character with
// no such base (an emoji) is dropped rather than printed as a dot. Control
// characters become spaces, except the line breaks of paragraphs.
func cp1252Only(s string) string {
	ok := true
	for _, c := range s {
		if !inCP1252(c) || c < ' ' && c != '\n' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n':
			b.WriteRune(c)
		case c < ' ' || c == 0x7f:
			b.WriteByte(' ')
		case inCP1252(c):
			b.WriteRune(c)
		case unicode.IsSpace(c):
			b.WriteByte(' ')
		default:
			for _, d := range norm.NFKD.String(string(c)) {
				if inCP1252(d) && d >= ' ' && !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		}
	}
	return b.String()
}

// cp1252Extra are the characters of Windows-1252 outside Latin-1.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

func inCP1252(c rune) bool {
	return c < 0x80 || c >= 0xa0 && c <= 0xff || strings.ContainsRune(cp1252Extra, c) ||
		// sanitize makes these plain before translation
		c == '\u202f' || c == '\u2009' || c == '\u2010' || c == '\u2011' || c == '\u2212'
}
