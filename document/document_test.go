package document

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
)

func sampleBooklet(passes int) Booklet {
	b := Booklet{
		ProgrammeName:  "Pass numérique Bourgogne-Franche-Comté",
		AgencyName:     "Mission locale du Grand Besançon",
		FirstName:      "Léa",
		FaceValueCents: 1000,
		ValidUntil:     time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC),
		IssuedOn:       time.Date(2023, 3, 14, 0, 0, 0, 0, time.UTC),
		Places: []NearPlace{
			{Name: "Médiathèque Pierre-Bayle", Address: "27 rue de la République", Postcode: "25000", Commune: "Besançon", Phone: "03 81 87 80 40", DistanceKm: 0.8},
			{Name: "Espace numérique de Planoise", Address: "13 avenue de l'Île-de-France", Postcode: "25000", Commune: "Besançon", Phone: "03 81 41 22 22", DistanceKm: 2.34},
			{Name: "Fab'lab des Écorces", Address: "2 rue de l'Église", Postcode: "25220", Commune: "Chalezeule", DistanceKm: 5},
		},
	}
	codes := []string{"ABCD-EFGH-JKMN-PQRS", "TUVW-XYZ2-3456-789A", "BCDE-FGHJ-KMNP-QRST", "UVWX-YZ23-4567-89AB", "CDEF-GHJK-MNPQ-RSTU"}
	for i := 0; i < passes; i++ {
		c := codes[i%len(codes)]
		b.Passes = append(b.Passes, Cheque{Code: c, QRText: c})
	}
	return b
}

var pageObj = regexp.MustCompile(`/Type\s*/Page\b`)

func TestBookletPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := BookletPDF(&buf, sampleBooklet(5)); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", out[:min(len(out), 16)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(out, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("output does not end with %%%%EOF: %q", out[max(0, len(out)-16):])
	}
	if !bytes.Contains(out, []byte("startxref")) || !bytes.Contains(out, []byte("/Type /Catalog")) {
		t.Fatal("output lacks an xref or a catalog")
	}
	// 1 letter page + ceil(5/3) = 2 cheque pages.
	if got, want := len(pageObj.FindAll(out, -1)), 1+2; got != want {
		t.Fatalf("got %d pages, want %d", got, want)
	}
	if !bytes.Contains(out, []byte("/Count 3")) {
		t.Error("page tree does not count 3 pages")
	}
	// Compression is on: content streams are deflated.
	if !bytes.Contains(out, []byte("/Filter /FlateDecode")) {
		t.Error("content streams are not compressed")
	}
	// Metadata: the creator, as UTF-16BE with a BOM ("passnum").
	creator := []byte("\xfe\xff\x00p\x00a\x00s\x00s\x00n\x00u\x00m")
	if !bytes.Contains(out, creator) {
		t.Error("creator metadata not found")
	}
	// Five QR images were embedded.
	if got := bytes.Count(out, []byte("/Subtype /Image")); got != 5 {
		t.Errorf("got %d images, want 5", got)
	}
	if dir := os.Getenv("BOOKLET_OUT"); dir != "" {
		if err := os.WriteFile(dir+"/booklet.pdf", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBookletPDFPageCounts(t *testing.T) {
	for passes, want := range map[int]int{1: 2, 3: 2, 4: 3, 6: 3, 10: 5} {
		t.Run(fmt.Sprint(passes), func(t *testing.T) {
			var buf bytes.Buffer
			if err := BookletPDF(&buf, sampleBooklet(passes)); err != nil {
				t.Fatal(err)
			}
			if got := len(pageObj.FindAll(buf.Bytes(), -1)); got != want {
				t.Fatalf("%d passes: got %d pages, want %d", passes, got, want)
			}
		})
	}
}

func TestBookletPDFNoPasses(t *testing.T) {
	b := sampleBooklet(0)
	var buf bytes.Buffer
	err := BookletPDF(&buf, b)
	if !errors.Is(err, ErrNoPasses) {
		t.Fatalf("got %v, want ErrNoPasses", err)
	}
	if err.Error() != "document : le carnet ne contient aucun chèque" {
		t.Errorf("unexpected message %q", err)
	}
	if buf.Len() != 0 {
		t.Error("something was written despite the error")
	}
}

func TestBookletPDFInvalid(t *testing.T) {
	for name, mut := range map[string]func(*Booklet){
		"no value":    func(b *Booklet) { b.FaceValueCents = 0 },
		"no validity": func(b *Booklet) { b.ValidUntil = time.Time{} },
		"empty code":  func(b *Booklet) { b.Passes[1].Code = " " },
	} {
		t.Run(name, func(t *testing.T) {
			b := sampleBooklet(3)
			mut(&b)
			if err := BookletPDF(&bytes.Buffer{}, b); err == nil {
				t.Fatal("expected an error")
			}
		})
	}
}

func TestQRPNG(t *testing.T) {
	const size = 300
	data, err := QRPNG("ABCD-EFGH-JKMN-PQRS", size)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bnd := img.Bounds()
	if bnd.Dx() != size || bnd.Dy() != size {
		t.Fatalf("got %dx%d, want %dx%d", bnd.Dx(), bnd.Dy(), size, size)
	}
	var black, white int
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			switch r {
			case 0:
				black++
			case 0xffff:
				white++
			default:
				t.Fatalf("pixel (%d,%d) is neither black nor white", x, y)
			}
		}
	}
	if black == 0 || white == 0 {
		t.Fatalf("black=%d white=%d: want both", black, white)
	}
	// Quiet zone: the border rows and columns are white.
	for i := 0; i < size; i++ {
		for _, p := range [][2]int{{i, 0}, {i, size - 1}, {0, i}, {size - 1, i}, {i, 5}, {5, i}} {
			if r, _, _, _ := img.At(p[0], p[1]).RGBA(); r != 0xffff {
				t.Fatalf("quiet zone pixel (%d,%d) is not white", p[0], p[1])
			}
		}
	}
}

func TestQRPNGErrors(t *testing.T) {
	if _, err := QRPNG("", 200); err == nil {
		t.Error("empty text accepted")
	}
	if _, err := QRPNG("ABCD-EFGH-JKMN-PQRS", 10); err == nil {
		t.Error("too small a size accepted")
	}
}

func TestFormatDateDistance(t *testing.T) {
	if got := FormatDate(time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)); got != "31/12/2023" {
		t.Errorf("FormatDate = %q", got)
	}
	for km, want := range map[float64]string{2.34: "2,3 km", 12: "12,0 km", 0: "0,0 km"} {
		if got := FormatDistance(km); got != want {
			t.Errorf("FormatDistance(%v) = %q, want %q", km, got, want)
		}
	}
}

func TestBookletFileName(t *testing.T) {
	on := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct{ first, last, want string }{
		{"Théo", "Lambert", "carnet-T-LAMBERT-2026-12-04.pdf"},
		{"Émilie", "Le Goff-Hervé", "carnet-E-LE-GOFF-HERVE-2026-12-04.pdf"},
		{"Inès", "N'Diaye Œuvray", "carnet-I-N-DIAYE-OEUVRAY-2026-12-04.pdf"},
		{"", "", "carnet-2026-12-04.pdf"},
		{"Ана", "Иванова", "carnet-2026-12-04.pdf"}, // no Latin letter to keep
	} {
		if got := BookletFileName(c.first, c.last, on); got != c.want {
			t.Errorf("BookletFileName(%q, %q) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
	if got := BookletFileName("Théo", strings.Repeat("Lambert", 10), on); len(got) > len("carnet-T--2026-12-04.pdf")+30 {
		t.Errorf("a long name is not shortened: %q", got)
	}
}

// pdfText inflates the PDF's content streams: the text the booklet shows,
// in the PDF's own encoding (cp1252 for these fonts).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out bytes.Buffer
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			break
		}
		if z, err := zlib.NewReader(bytes.NewReader(rest[:j])); err == nil {
			b, _ := io.ReadAll(z)
			out.Write(b)
		}
		rest = rest[j+len("endstream"):]
	}
	return out.String()
}

// cp1252 encodes French text as the PDF's fonts hold it.
func cp1252(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '€':
			b.WriteByte(0x80)
		case r == '’':
			b.WriteByte(0x92)
		case r == '–':
			b.WriteByte(0x96)
		case r == '…':
			b.WriteByte(0x85)
		case r == 'œ':
			b.WriteByte(0x9c)
		case r < 0x100:
			b.WriteByte(byte(r))
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// TestBookletLetter: the letter gives the young person's space, the
// counsellor's contact, each place's phone and hours in French, and the
// funders' logos: drawn when they are PNG, named when they are not; the
// logos are on every cheque too.
func TestBookletLetter(t *testing.T) {
	b := sampleBooklet(4)
	b.SpaceURL = "https://pass.exemple.fr/mon-pass"
	b.Counsellor = Contact{Person: "Marie Dupont", Agency: "Mission locale du Grand Besançon", Address: "Besançon (25000)", Email: "marie.dupont@ml-besancon.fr"}
	// Five places, each with its phone and hours, as the pages print it.
	b.Places = append(b.Places, b.Places[:2]...)
	for i := range b.Places {
		b.Places[i].Phone = "+33381878040"
		b.Places[i].Hours = passnum.FrenchHours("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off")
	}
	var logo bytes.Buffer
	opaque := image.NewGray(image.Rect(0, 0, 90, 30))
	if err := png.Encode(&logo, opaque); err != nil {
		t.Fatal(err)
	}
	b.Logos = []Logo{{Name: "Région Bourgogne-Franche-Comté", PNG: logo.Bytes()}, {Name: "État"}}
	var buf bytes.Buffer
	if err := BookletPDF(&buf, b); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{
		"https://pass.exemple.fr/mon-pass", "Suivi par Marie Dupont", "(Mission locale du Grand Besançon)", "Besançon \\(25000\\)", "Courriel : marie.dupont@ml-besancon.fr",
		"Tél. 03\u00a081\u00a087\u00a080\u00a040", "Horaires : du lundi au vendredi : 9\u00a0h – 12\u00a0h, 14\u00a0h – 17\u00a0h ; samedi", "Votre carnet : 4\u00a0chèques de 10\u00a0€, soit 40\u00a0€",
		"(État)", // the logo without a PNG, named
	} {
		if !strings.Contains(text, cp1252(want)) {
			t.Errorf("the booklet does not say %q", want)
		}
	}
	// The letter, with all of it, holds on one page.
	if got := len(pageObj.FindAll(buf.Bytes(), -1)); got != 1+2 {
		t.Errorf("%d pages, want a one-page letter and 2 pages of cheques", got)
	}
	// One logo image, drawn on the letter and on each of the 4 cheques:
	// 4 QR codes and 1 logo are embedded, the logo used 5 times.
	if got := bytes.Count(buf.Bytes(), []byte("/Subtype /Image")); got != 5 {
		t.Errorf("%d images embedded, want 4 QR codes and 1 logo", got)
	}
	drawn := map[string]int{}
	for _, m := range regexp.MustCompile(`/I[0-9a-f]+ Do`).FindAllString(text, -1) {
		drawn[m]++
	}
	if len(drawn) != 5 || !slices.Contains(slices.Collect(maps.Values(drawn)), 5) {
		t.Errorf("images drawn: %v; want each QR code once and the logo 5 times (the letter and each cheque)", drawn)
	}
	if got := strings.Count(text, cp1252("(État)")); got != 5 {
		t.Errorf("the funder without a PNG is named %d times, want 5", got)
	}
	// A logo that is not a PNG is refused rather than printed wrong.
	b.Logos = []Logo{{Name: "Cassé", PNG: []byte("pas une image")}}
	if err := BookletPDF(&bytes.Buffer{}, b); err == nil {
		t.Error("an unreadable logo was accepted")
	}
}
