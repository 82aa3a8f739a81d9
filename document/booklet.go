// Package document renders the documents of the Pass numérique: the
// booklet ("carnet") a counsellor hands to a young person, made of a cover
// letter and one cheque per pass, each with its code and QR code; and the
// documents of the settlements that pay the places: a place's statement,
// the funders' statements and closing statement, and the accounting
// export. They take plain values and iterators, never the database, and
// write to an io.Writer; what is big is read row by row.
package document

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"passnum"
)

// Booklet is everything printed in a beneficiary's booklet.
type Booklet struct {
	ProgrammeName  string // e.g. "Pass numérique Bourgogne-Franche-Comté"
	AgencyName     string // the distributor handing the booklet out
	FirstName      string // the beneficiary's first name
	FaceValueCents int64  // value of one cheque, e.g. 1000 for 10 €
	ValidUntil     time.Time
	Passes         []Cheque
	Places         []NearPlace // nearest labelled places, nearest first
	IssuedOn       time.Time   // date of the letter; today when zero
	// SpaceURL is the address of the young person's space ("https://…/mon-pass"),
	// where they find their passes and places again.
	SpaceURL string
	// Counsellor is whom to ask: the agency and the person handing the
	// booklet out, with what is known of their address, phone and e-mail.
	Counsellor Contact
	// Logos are the funders' logos, on the letter and on every cheque.
	Logos []Logo
}

// Contact is how to reach the counsellor; empty parts are left out.
type Contact struct {
	Person, Agency, Address, Phone, Email string
}

// Logo is a funder's logo: a PNG, or only its name when there is no PNG
// (an SVG logo, which the PDF cannot draw, is printed as its name).
type Logo struct {
	Name string
	PNG  []byte
}

// Cheque is one pass of the booklet.
type Cheque struct {
	Code   string // formatted, e.g. "ABCD-EFGH-JKMN-PQRS"
	QRText string // what the QR code encodes; Code when empty
}

// NearPlace is a labelled place listed in the letter.
type NearPlace struct {
	Name, Address, Postcode, Commune, Phone string
	// Hours are its opening hours in French, a line each.
	Hours      []string
	DistanceKm float64
}

// ErrNoPasses is returned by BookletPDF for a booklet without any cheque.
var ErrNoPasses = errors.New("document : le carnet ne contient aucun chèque")

const (
	pageW, pageH   = 210.0, 297.0 // A4, mm
	chequesPerPage = 3
	slotH          = pageH / chequesPerPage
	qrSizeMM       = 42.0
	qrSizePx       = 400
	defaultName    = "Pass numérique"
)

// Validate reports the first problem that prevents printing the booklet.
func (b Booklet) Validate() error {
	if len(b.Passes) == 0 {
		return ErrNoPasses
	}
	if b.FaceValueCents <= 0 {
		return errors.New("document : la valeur d'un chèque doit être positive")
	}
	if b.ValidUntil.IsZero() {
		return errors.New("document : la date de fin de validité est manquante")
	}
	for i, p := range b.Passes {
		if strings.TrimSpace(p.Code) == "" {
			return fmt.Errorf("document : le chèque n° %d n'a pas de code", i+1)
		}
	}
	return nil
}

// BookletPDF renders the booklet as an A4 PDF written to w: a letter to the
// beneficiary, then the cheques, three per page, separated by cut lines.
func BookletPDF(w io.Writer, b Booklet) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(b.ProgrammeName) == "" {
		b.ProgrammeName = defaultName
	}
	if b.IssuedOn.IsZero() {
		b.IssuedOn = time.Now()
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	r := &renderer{pdf: pdf, b: b}
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	r.tr = func(s string) string { return tr(sanitize(s)) }

	pdf.SetCompression(true)
	pdf.SetTitle(b.ProgrammeName+" – carnet "+passnum.De(b.FirstName), true)
	pdf.SetSubject("Carnet de chèques "+defaultName, true)
	pdf.SetAuthor(b.AgencyName, true)
	pdf.SetCreator("passnum", true)
	pdf.SetLang("fr-FR")
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 14)

	if err := r.registerLogos(); err != nil {
		return err
	}
	r.letter()
	if err := r.cheques(); err != nil {
		return err
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("document : génération du PDF : %w", err)
	}
	return nil
}

type renderer struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
	b   Booklet
	// logos are the funders' logos as drawn: an image registered under a
	// name, or the funder's name when there is no image.
	logos []drawnLogo
}

type drawnLogo struct {
	image, name string
	ratio       float64 // width / height
}

// registerLogos reads the funders' PNG logos once, for the letter and
// every cheque.
func (r *renderer) registerLogos() error {
	for i, l := range r.b.Logos {
		d := drawnLogo{name: strings.TrimSpace(l.Name)}
		if len(l.PNG) > 0 {
			d.image = "logo-" + strconv.Itoa(i)
			info := r.pdf.RegisterImageOptionsReader(d.image, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(l.PNG))
			if err := r.pdf.Error(); err != nil || info == nil || info.Height() == 0 {
				return fmt.Errorf("document : logo « %s » illisible : %v", l.Name, err)
			}
			d.ratio = info.Width() / info.Height()
		}
		if d.image == "" && d.name == "" {
			continue
		}
		r.logos = append(r.logos, d)
	}
	return nil
}

// drawLogos draws the logos side by side from (x, y), h high, within w
// (aligned right when right); they shrink together to fit.
func (r *renderer) drawLogos(x, y, w, h float64, right bool) {
	if len(r.logos) == 0 {
		return
	}
	const gap = 3.0
	r.font("B", 7)
	widths := make([]float64, len(r.logos))
	total := gap * float64(len(r.logos)-1)
	for i, l := range r.logos {
		if l.image != "" {
			widths[i] = h * l.ratio
		} else {
			widths[i] = r.pdf.GetStringWidth(r.tr(l.name)) + 2
		}
		total += widths[i]
	}
	scale := 1.0
	if total > w {
		scale = w / total
	}
	at := x
	if right {
		at = x + w - total*scale
	}
	for i, l := range r.logos {
		lw := widths[i] * scale
		if l.image != "" {
			r.pdf.ImageOptions(l.image, at, y+(h-h*scale)/2, lw, h*scale, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		} else {
			r.pdf.SetXY(at, y)
			r.grey()
			r.pdf.CellFormat(lw, h, r.tr(l.name), "", 0, "C", false, 0, "")
			r.black()
		}
		at += lw + gap*scale
	}
	r.font("", 11)
}

// contact writes how to reach the counsellor, with what is known of it:
// the letter's sender block.
func (r *renderer) contact() {
	c := r.b.Counsellor
	if c.Agency == "" {
		c.Agency = r.b.AgencyName
	}
	var lines []string
	if c.Agency != "" {
		lines = append(lines, c.Agency)
	}
	if c.Person != "" {
		lines = append(lines, "Suivi par "+c.Person)
	}
	if c.Address != "" {
		lines = append(lines, c.Address)
	}
	if c.Phone != "" {
		lines = append(lines, "Tél. : "+passnum.FormatPhone(c.Phone))
	}
	if c.Email != "" {
		lines = append(lines, "Courriel : "+c.Email)
	}
	for i, l := range lines {
		style, size := "", 10.0
		if i == 0 {
			style, size = "B", 11
		}
		r.font(style, size)
		r.pdf.MultiCell(120, 5, r.tr(l), "", "L", false)
	}
	r.font("", 11)
}

// sanitize replaces a few characters missing from cp1252 by close ones.
var sanitize = strings.NewReplacer(
	"\u202f", "\u00a0", // narrow no-break space: a no-break space all the same
	"\u2009", " ", // thin space
	"\u2011", "-", // non-breaking hyphen
	"\u2010", "-",
	"\u2212", "-", // minus sign
).Replace

func (r *renderer) font(style string, size float64) { r.pdf.SetFont("Helvetica", style, size) }

func (r *renderer) grey()  { r.pdf.SetTextColor(90, 90, 90) }
func (r *renderer) black() { r.pdf.SetTextColor(0, 0, 0) }

func (r *renderer) para(text string) {
	r.pdf.MultiCell(0, 5.5, r.tr(text), "", "L", false)
	r.pdf.Ln(2.5)
}

func (r *renderer) heading(text string) {
	r.pdf.Ln(2)
	r.font("B", 13)
	r.pdf.SetTextColor(0, 70, 140)
	r.pdf.CellFormat(0, 7, r.tr(text), "", 1, "L", false, 0, "")
	r.black()
	r.font("", 11)
	r.pdf.Ln(1)
}

func (r *renderer) letter() {
	pdf, b := r.pdf, r.b
	pdf.AddPage()

	// The funders' logos, above everything.
	if len(r.logos) > 0 {
		r.drawLogos(20, 10, pageW-40, 14, true)
		pdf.SetXY(20, 28)
	}

	// Sender block, the counsellor's contact, and the date.
	top := pdf.GetY()
	r.font("", 11)
	pdf.CellFormat(0, 6, r.tr("Le "+FormatDate(b.IssuedOn)), "", 0, "R", false, 0, "")
	pdf.SetXY(20, top)
	r.contact()
	pdf.Ln(6)

	// Title.
	r.font("B", 20)
	pdf.SetTextColor(0, 70, 140)
	pdf.MultiCell(0, 9, r.tr(b.ProgrammeName), "", "L", false)
	r.font("", 12)
	r.grey()
	n := len(b.Passes)
	total := b.FaceValueCents * int64(n)
	pdf.CellFormat(0, 7, r.tr(fmt.Sprintf("Votre carnet : %s de %s, soit %s",
		passnum.CountOf(n, "chèque", "chèques"), passnum.FormatEuros(b.FaceValueCents), passnum.FormatEuros(total))), "", 1, "L", false, 0, "")
	r.black()
	pdf.Ln(4)

	r.font("", 11)
	greeting := "Bonjour,"
	if name := strings.TrimSpace(b.FirstName); name != "" {
		greeting = "Bonjour " + name + ","
	}
	r.para(greeting)
	r.para(fmt.Sprintf("Vous recevez aujourd'hui votre Pass numérique : %s de %s chacun, pour vous former gratuitement "+
		"au numérique (ordinateur, smartphone, démarches en ligne, recherche d'emploi…) dans des lieux labellisés près de chez vous.",
		passnum.CountOf(n, "chèque", "chèques"), passnum.FormatEuros(b.FaceValueCents)))

	r.heading("Comment utiliser vos chèques ?")
	steps := []string{
		"Choisissez un lieu labellisé (voir la liste ci-dessous) et réservez une formation.",
		"Le jour de la formation, apportez votre carnet avec vos chèques.",
		"Le lieu labellisé encaisse le chèque en scannant son code : vous n'avez rien à payer.",
	}
	for i, s := range steps {
		r.font("B", 11)
		pdf.CellFormat(7, 5.5, strconv.Itoa(i+1)+".", "", 0, "L", false, 0, "")
		r.font("", 11)
		pdf.MultiCell(0, 5.5, r.tr(s), "", "L", false)
		pdf.Ln(1)
	}
	pdf.Ln(1.5)
	r.font("B", 11)
	pdf.CellFormat(0, 5.5, r.tr("Vos chèques sont valables jusqu'au "+FormatDate(b.ValidUntil)+"."), "", 1, "L", false, 0, "")
	r.font("", 11)
	r.para("Chaque code ne sert qu'une fois : ne le communiquez à personne. Les chèques ne sont ni échangés ni remboursés.")

	if b.SpaceURL != "" {
		r.heading("Vos pass en ligne")
		r.para("Vos pass, ce qu'il vous en reste et les lieux où les utiliser, sur votre téléphone ou un ordinateur, " +
			"avec le code de l'un de vos chèques et votre date de naissance :")
		r.font("B", 12)
		pdf.SetTextColor(0, 70, 140)
		pdf.CellFormat(0, 6, r.tr(b.SpaceURL), "", 1, "L", false, 0, b.SpaceURL)
		r.black()
		r.font("", 11)
	}

	r.heading("Les lieux labellisés près de chez vous")
	if len(b.Places) == 0 {
		r.para("Votre conseiller peut vous indiquer les lieux labellisés les plus proches de chez vous.")
	}
	for _, p := range b.Places {
		r.place(p)
	}
	r.para("Votre conseiller (coordonnées en haut de cette lettre) reste à votre disposition. Bonnes formations !")
}

func (r *renderer) place(p NearPlace) {
	pdf := r.pdf
	pdf.SetX(24)
	r.font("B", 11)
	pdf.CellFormat(130, 5.5, r.tr(p.Name), "", 0, "L", false, 0, "")
	r.font("", 10)
	pdf.SetTextColor(0, 70, 140)
	pdf.CellFormat(0, 5.5, r.tr("à "+FormatDistance(p.DistanceKm)), "", 1, "R", false, 0, "")
	r.black()
	addr := strings.TrimSpace(p.Address)
	if town := strings.TrimSpace(p.Postcode + " " + p.Commune); town != "" {
		if addr != "" {
			addr += ", "
		}
		addr += town
	}
	// The address and the phone on one line, the hours on the next: the
	// letter holds on one page with five places.
	line := addr
	if p.Phone != "" {
		if line != "" {
			line += " · "
		}
		line += "Tél. " + passnum.FormatPhone(p.Phone)
	}
	if line != "" {
		pdf.SetX(24)
		r.font("", 10)
		pdf.MultiCell(0, 4.8, r.tr(line), "", "L", false)
	}
	if len(p.Hours) > 0 {
		pdf.SetX(24)
		r.font("", 9)
		pdf.MultiCell(0, 4.3, r.tr("Horaires : "+strings.Join(p.Hours, " ; ")), "", "L", false)
	}
	pdf.Ln(1.5)
}

func (r *renderer) cheques() error {
	pdf, b := r.pdf, r.b
	pdf.SetAutoPageBreak(false, 0)
	for i, c := range b.Passes {
		text := c.QRText
		if text == "" {
			text = c.Code
		}
		img, err := QRPNG(text, qrSizePx)
		if err != nil {
			return fmt.Errorf("document : chèque n° %d : %w", i+1, err)
		}
		name := "qr-" + strconv.Itoa(i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("document : chèque n° %d : image du QR code : %w", i+1, err)
		}

		slot := i % chequesPerPage
		if slot == 0 {
			pdf.AddPage()
		}
		y0 := float64(slot) * slotH
		r.cheque(i, c, name, y0)
		last := i == len(b.Passes)-1
		if slot < chequesPerPage-1 && !last {
			r.cutLine(y0 + slotH)
		}
	}
	return nil
}

func (r *renderer) cutLine(y float64) {
	pdf := r.pdf
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	pdf.Line(5, y, pageW-5, y)
	pdf.SetDashPattern(nil, 0)
	r.font("", 6)
	r.grey()
	label := r.tr("découper suivant les pointillés")
	lw := pdf.GetStringWidth(label) + 2
	pdf.SetFillColor(255, 255, 255)
	pdf.SetXY((pageW-lw)/2, y-1.5)
	pdf.CellFormat(lw, 3, label, "", 0, "C", true, 0, "")
	r.black()
}

// fit sets the largest font size <= size (down to min) at which s fits in w.
func (r *renderer) fit(family, style string, size, min, w float64, s string) {
	for ; size > min; size -= 0.5 {
		r.pdf.SetFont(family, style, size)
		if r.pdf.GetStringWidth(s) <= w {
			return
		}
	}
	r.pdf.SetFont(family, style, min)
}

func (r *renderer) cheque(i int, c Cheque, img string, y0 float64) {
	pdf, b := r.pdf, r.b
	const left, boxW, boxH = 12.0, pageW - 24, 83.0
	top := y0 + (slotH-boxH)/2
	x := left + 6

	// Frame and header band.
	pdf.SetDrawColor(0, 70, 140)
	pdf.SetLineWidth(0.5)
	pdf.SetFillColor(230, 238, 248)
	pdf.RoundedRect(left, top, boxW, boxH, 3, "1234", "FD")
	pdf.SetFillColor(0, 70, 140)
	pdf.RoundedRect(left, top, boxW, 16, 3, "12", "F")

	// Programme name and value, in white on the band.
	pdf.SetTextColor(255, 255, 255)
	value := r.tr(passnum.FormatEuros(b.FaceValueCents))
	pdf.SetFont("Helvetica", "B", 24)
	vw := pdf.GetStringWidth(value)
	name := r.tr(b.ProgrammeName)
	r.fit("Helvetica", "B", 14, 8, boxW-vw-20, name)
	pdf.SetXY(x, top+3)
	pdf.CellFormat(boxW-vw-20, 10, name, "", 0, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 24)
	pdf.SetXY(left+boxW-6-vw, top+3)
	pdf.CellFormat(vw, 10, value, "", 0, "R", false, 0, "")
	r.black()

	// QR code on the right.
	qrX, qrY := left+boxW-6-qrSizeMM, top+21
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(qrX, qrY, qrSizeMM, qrSizeMM, "F")
	pdf.ImageOptions(img, qrX, qrY, qrSizeMM, qrSizeMM, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	textW := qrX - x - 4

	// Code in large monospace characters.
	r.font("", 8)
	r.grey()
	pdf.SetXY(x, top+20)
	pdf.CellFormat(textW, 5, r.tr(fmt.Sprintf("Chèque n° %d / %d – code", i+1, len(b.Passes))), "", 1, "L", false, 0, "")
	r.black()
	code := r.tr(strings.TrimSpace(c.Code))
	r.fit("Courier", "B", 22, 10, textW, code)
	pdf.SetXY(x, top+25)
	pdf.CellFormat(textW, 11, code, "", 1, "L", false, 0, "")

	// Beneficiary and validity.
	pdf.SetXY(x, top+41)
	r.font("", 11)
	label := "Bénéficiaire : "
	pdf.CellFormat(pdf.GetStringWidth(r.tr(label)), 6, r.tr(label), "", 0, "L", false, 0, "")
	r.font("B", 11)
	pdf.CellFormat(0, 6, r.tr(strings.TrimSpace(b.FirstName)), "", 1, "L", false, 0, "")
	pdf.SetX(x)
	r.font("", 11)
	label = "Valable jusqu'au "
	pdf.CellFormat(pdf.GetStringWidth(r.tr(label)), 6, r.tr(label), "", 0, "L", false, 0, "")
	r.font("B", 11)
	pdf.CellFormat(0, 6, FormatDate(b.ValidUntil), "", 1, "L", false, 0, "")

	r.font("", 8.5)
	pdf.SetXY(x, top+56)
	pdf.MultiCell(textW, 4, r.tr("À remettre à un lieu labellisé Pass numérique en échange d'une "+
		"formation ; le lieu encaisse le chèque en scannant son code."), "", "L", false)
	r.font("I", 8.5)
	pdf.SetXY(x, top+boxH-9)
	pdf.CellFormat(textW, 5, r.tr("Ne peut être ni échangé ni remboursé."), "", 0, "L", false, 0, "")
	r.font("", 7)
	r.grey()
	pdf.SetXY(qrX, qrY+qrSizeMM+1)
	pdf.CellFormat(qrSizeMM, 4, r.tr("Scanné par le lieu labellisé"), "", 0, "C", false, 0, "")
	r.black()
	// The funders' logos, under the QR code.
	r.drawLogos(qrX, qrY+qrSizeMM+6, qrSizeMM, 9, false)
}
