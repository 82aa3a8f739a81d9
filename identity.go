package passnum

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The site's identity, set by the operator for the whole installation:
// the programme's name in the header of every page, and the funders'
// logos shown there, on the booklet's letter and on its cheques. They are
// kept in the database, so that every instance of the site shows the same.

// DefaultSiteName is the name shown until the operator gives one.
const DefaultSiteName = "Pass numérique"

// Limits of the identity.
const (
	MaxSiteNameLength = 80
	MaxLogos          = 6
	// MaxLogoBytes bounds an uploaded file; MaxLogoPixels each side of a
	// PNG (a logo is printed 2 cm high: 600 pixels are plenty).
	MaxLogoBytes  = 512 << 10
	MaxLogoPixels = 3000
	maxLogoName   = 120
)

// Logo content types: the only two the site stores and serves.
const (
	LogoPNG = "image/png"
	LogoSVG = "image/svg+xml"
)

// SiteIdentity is how the installation presents itself.
type SiteIdentity struct {
	// Name is the programme's name as the header shows it ("Pass
	// numérique Bourgogne-Franche-Comté"); DefaultSiteName when unset.
	Name      string
	Logos     []Logo
	UpdatedAt time.Time
}

// Logo is one funder's logo, without its bytes.
type Logo struct {
	ID string
	// Name is the funder's name: the image's text alternative.
	Name          string
	ContentType   string
	Width, Height int
	Size          int
	CreatedAt     time.Time
}

// LogoFile is a checked logo, ready to be stored.
type LogoFile struct {
	ContentType   string
	Data          []byte
	Width, Height int
}

// CheckSiteName validates the name shown in the header.
func CheckSiteName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > MaxSiteNameLength {
		return "", Invalid(FieldError{Field: "name", Detail: "nom obligatoire, " + strconv.Itoa(MaxSiteNameLength) + " caractères au plus, par exemple « Pass numérique Bourgogne-Franche-Comté »"})
	}
	return name, nil
}

// CheckLogoName validates a logo's text alternative: the funder's name.
func CheckLogoName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > maxLogoName {
		return "", Invalid(FieldError{Field: "logo_name", Detail: "nom du financeur obligatoire (il est lu à la place du logo par les lecteurs d'écran), " + strconv.Itoa(maxLogoName) + " caractères au plus"})
	}
	return name, nil
}

func logoRefused(detail string) error {
	return Invalid(FieldError{Field: "logo", Detail: detail})
}

// CheckLogo reads an uploaded logo, whatever its file name says: a PNG
// is decoded and written again (8 bits per channel, without its metadata,
// as every reader and the PDF library take it); an SVG is kept only if it
// holds nothing but drawing: no script, no event handler, no reference to
// another file or site.
func CheckLogo(data []byte) (LogoFile, error) {
	switch {
	case len(data) == 0:
		return LogoFile{}, logoRefused("choisissez le fichier du logo, au format PNG ou SVG")
	case len(data) > MaxLogoBytes:
		return LogoFile{}, logoRefused("fichier trop lourd (" + FormatCount(len(data)/1024) + " Ko) : " + FormatCount(MaxLogoBytes/1024) + " Ko au plus ; réduisez l'image")
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return checkPNG(data)
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(text, []byte("<")) {
		return checkSVG(data)
	}
	return LogoFile{}, logoRefused("ce fichier n'est ni un PNG ni un SVG : enregistrez le logo dans l'un de ces formats")
}

func checkPNG(data []byte) (LogoFile, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return LogoFile{}, logoRefused("fichier PNG illisible : enregistrez-le à nouveau depuis votre logiciel d'images")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
		return LogoFile{}, logoRefused("image de " + strconv.Itoa(cfg.Width) + " × " + strconv.Itoa(cfg.Height) + " pixels : " + strconv.Itoa(MaxLogoPixels) + " pixels de côté au plus")
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return LogoFile{}, logoRefused("fichier PNG incomplet ou abîmé : enregistrez-le à nouveau depuis votre logiciel d'images")
	}
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, rgba); err != nil {
		return LogoFile{}, err
	}
	if out.Len() > 2*MaxLogoBytes {
		return LogoFile{}, logoRefused("image trop détaillée pour un logo : réduisez sa taille (600 pixels de haut suffisent)")
	}
	return LogoFile{ContentType: LogoPNG, Data: out.Bytes(), Width: cfg.Width, Height: cfg.Height}, nil
}

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// svgElements are the SVG elements a logo may hold: shapes, text, paint
// servers and their plumbing. Scripts, links, animations (which can change
// a link), foreign objects and anything else are refused.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true, "ellipse": true, "line": true, "polyline": true,
	"polygon": true, "text": true, "tspan": true, "textPath": true, "defs": true, "linearGradient": true, "radialGradient": true,
	"stop": true, "clipPath": true, "mask": true, "pattern": true, "title": true, "desc": true, "use": true, "symbol": true,
	"style": true, "metadata": true, "image": true, "filter": true, "feGaussianBlur": true, "feOffset": true,
	"feBlend": true, "feColorMatrix": true, "feFlood": true, "feComposite": true, "feMerge": true, "feMergeNode": true,
	"marker": true, "switch": true,
}

// checkSVG refuses an SVG that could run or fetch anything. It reads the
// whole document and keeps it as it is when nothing is wrong: what is
// served is exactly what was checked.
func checkSVG(data []byte) (LogoFile, error) {
	if !utf8.Valid(data) {
		return LogoFile{}, logoRefused("fichier SVG illisible : il doit être enregistré en UTF-8")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth := 0
	var w, h int
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return LogoFile{}, logoRefused("fichier SVG illisible (" + clip(err.Error(), 80) + ") : enregistrez-le à nouveau, en « SVG simple » si votre logiciel le propose")
		}
		switch t := tok.(type) {
		case xml.Directive:
			return LogoFile{}, logoRefused("le fichier SVG contient une déclaration <!…> (DOCTYPE ou entité) : enregistrez-le en « SVG simple », sans elle")
		case xml.ProcInst:
			if t.Target != "xml" {
				return LogoFile{}, logoRefused("le fichier SVG contient une instruction <?" + clip(t.Target, 30) + "?> : enregistrez-le en « SVG simple », sans elle")
			}
		case xml.StartElement:
			depth++
			if depth == 1 && (t.Name.Space != svgNS || t.Name.Local != "svg") {
				return LogoFile{}, logoRefused("ce fichier n'est pas un SVG : son premier élément doit être <svg xmlns=\"" + svgNS + "\">")
			}
			// Elements of other vocabularies (Inkscape's, RDF metadata) are
			// neither drawn nor run by browsers; SVG and HTML ones are.
			if (t.Name.Space == svgNS && !svgElements[t.Name.Local]) || t.Name.Space == "http://www.w3.org/1999/xhtml" {
				return LogoFile{}, logoRefused("le fichier SVG contient un élément <" + clip(t.Name.Local, 30) + "> qu'un logo n'a pas à contenir (script, lien, objet ou animation) : enregistrez-le en « SVG simple », sans lui")
			}
			for _, a := range t.Attr {
				if err := checkSVGAttr(t.Name.Local, a); err != nil {
					return LogoFile{}, err
				}
			}
			if depth == 1 {
				w, h = svgSize(t.Attr)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if unsafeCSS(string(t)) {
				return LogoFile{}, logoRefused("le style du fichier SVG appelle une ressource extérieure (url, @import) : un logo doit tout contenir")
			}
		}
	}
	if w <= 0 || h <= 0 {
		return LogoFile{}, logoRefused("le fichier SVG n'indique pas sa taille : il lui faut un attribut viewBox (ou width et height)")
	}
	return LogoFile{ContentType: LogoSVG, Data: data, Width: w, Height: h}, nil
}

func checkSVGAttr(element string, a xml.Attr) error {
	name, value := strings.ToLower(a.Name.Local), strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
	switch {
	case strings.HasPrefix(name, "on"):
		return logoRefused("le fichier SVG contient un gestionnaire d'évènement (" + clip(a.Name.Local, 30) + ") : un logo ne doit contenir aucun script")
	case name == "href" && (a.Name.Space == "" || a.Name.Space == xlinkNS):
		if strings.HasPrefix(value, "#") || (element == "image" && (strings.HasPrefix(value, "data:image/png;") || strings.HasPrefix(value, "data:image/jpeg;"))) {
			return nil
		}
		return logoRefused("le fichier SVG renvoie à un autre fichier ou site (" + clip(a.Value, 40) + ") : un logo doit tout contenir")
	case strings.Contains(value, "javascript:") || unsafeCSS(value):
		return logoRefused("le fichier SVG appelle un script ou une ressource extérieure (attribut " + clip(a.Name.Local, 30) + ") : un logo doit tout contenir")
	}
	return nil
}

// unsafeCSS says whether style text reaches outside the file: any url()
// other than a reference to an element of the file (url(#…)), an
// @import, or an old Internet Explorer expression().
func unsafeCSS(s string) bool {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if strings.Contains(s, "@import") || strings.Contains(s, "expression(") || strings.Contains(s, "javascript:") {
		return true
	}
	for rest := s; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return false
		}
		rest = strings.TrimLeft(rest[i+4:], `"'`)
		if !strings.HasPrefix(rest, "#") {
			return true
		}
	}
}

// svgSize reads the size of the drawing from its viewBox, else from its
// width and height (in pixels, or unitless).
func svgSize(attrs []xml.Attr) (w, h int) {
	var width, height, box string
	for _, a := range attrs {
		switch a.Name.Local {
		case "viewBox":
			box = a.Value
		case "width":
			width = a.Value
		case "height":
			height = a.Value
		}
	}
	if f := strings.FieldsFunc(box, func(r rune) bool { return r == ' ' || r == ',' }); len(f) == 4 {
		bw, e1 := strconv.ParseFloat(f[2], 64)
		bh, e2 := strconv.ParseFloat(f[3], 64)
		if e1 == nil && e2 == nil && bw > 0 && bh > 0 {
			return max(1, int(bw+0.5)), max(1, int(bh+0.5))
		}
	}
	num := func(s string) int {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
		if err != nil || v <= 0 {
			return 0
		}
		return max(1, int(v+0.5))
	}
	return num(width), num(height)
}
