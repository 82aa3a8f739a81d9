package chart

import (
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"passnum"
)

// parsed is what a test reads back of an SVG.
type parsed struct {
	root              string
	role, title, desc string
	rects, circles    int
	texts             []string
}

func parse(t *testing.T, h template.HTML) parsed {
	t.Helper()
	if strings.Contains(string(h), "style=") {
		t.Fatalf("inline style in %s", h)
	}
	d := xml.NewDecoder(strings.NewReader(string(h)))
	var p parsed
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, h)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			switch e.Name.Local {
			case "svg":
				if p.root == "" {
					p.root = "svg"
					for _, a := range e.Attr {
						if a.Name.Local == "role" {
							p.role = a.Value
						}
					}
				}
			case "rect":
				p.rects++
			case "circle":
				p.circles++
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			s := string(e)
			switch stack[len(stack)-1] {
			case "title":
				p.title += s
			case "desc":
				p.desc += s
			case "text", "tspan":
				p.texts = append(p.texts, s)
			}
		}
	}
	if p.root != "svg" || p.role != "img" {
		t.Fatalf("root %q role %q", p.root, p.role)
	}
	return p
}

func n(v int64) *int64 { return &v }

func has(texts []string, s string) bool {
	for _, t := range texts {
		if strings.TrimSpace(t) == s {
			return true
		}
	}
	return false
}

func TestBars(t *testing.T) {
	bars := []Bar{{Label: "03/2026", Value: n(12)}, {Label: "04/2026", Value: nil}, {Label: "05/2026", Value: n(1234)}, {Label: "06/2026", Value: n(0), Text: "zéro"}}
	for name, draw := range map[string]func(string, string, []Bar) template.HTML{"columns": Columns, "rows": Rows} {
		t.Run(name, func(t *testing.T) {
			p := parse(t, draw("Pass utilisés & <mois>", "Un pass par mois", bars))
			if p.title != "Pass utilisés & <mois>" || p.desc != "Un pass par mois" {
				t.Fatalf("title %q desc %q", p.title, p.desc)
			}
			// One bar per value that is not hidden.
			if p.rects != 3 {
				t.Fatalf("%d bars, want 3", p.rects)
			}
			for _, want := range []string{"12", passnum.MaskedFigure, "1\u202f234", "zéro", "03/2026", "04/2026"} {
				if !has(p.texts, want) {
					t.Errorf("no label %q in %q", want, p.texts)
				}
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, h := range []template.HTML{Columns("Vide", "rien", nil), Rows("Vide", "rien", nil), Map("Vide", "rien", nil), Map("Vide", "rien", []Point{{Code: "zz", Value: n(3)}})} {
		p := parse(t, h)
		if p.title != "Vide" || p.rects != 0 || p.circles != 0 || !has(p.texts, "Aucune donnée à afficher") {
			t.Fatalf("empty chart: %+v", p)
		}
	}
}

func TestMap(t *testing.T) {
	lat, lng, ok := Centre("25")
	// Doubs: around Besançon.
	if !ok || lat < 46.5 || lat > 47.6 || lng < 5.7 || lng > 7.1 {
		t.Fatalf("centre of 25: %v %v %v", lat, lng, ok)
	}
	p := parse(t, Map("Utilisation par département", "cercles", []Point{{Code: "25", Value: n(400)}, {Code: "39", Value: n(100)}, {Code: "70", Value: nil}, {Code: "90", Value: n(0)}}))
	if p.circles != 2 {
		t.Fatalf("%d circles, want 2 (hidden and zero draw none)", p.circles)
	}
	for _, want := range []string{"25", "39", "70", "90", "400", "100", passnum.MaskedFigure, "0"} {
		if !has(p.texts, want) {
			t.Errorf("no label %q in %q", want, p.texts)
		}
	}
	// A single département still draws.
	if p := parse(t, Map("Un", "seul", []Point{{Code: "2A", Value: n(7)}})); p.circles != 1 {
		t.Fatalf("single département: %+v", p)
	}
}

// TestMapCirclesApart: on a région's eight départements of equal use, no
// two circles overlap (the Territoire de Belfort is next to the Doubs and
// the Haute-Saône).
func TestMapCirclesApart(t *testing.T) {
	var points []Point
	for _, code := range []string{"21", "25", "39", "58", "70", "71", "89", "90"} {
		points = append(points, Point{Code: code, Value: n(1000)})
	}
	svg := string(Map("Région", "cercles", points))
	type circle struct{ x, y, r float64 }
	var cs []circle
	for _, m := range regexp.MustCompile(`<circle [^>]*cx="([0-9.]+)" cy="([0-9.]+)" r="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		r, _ := strconv.ParseFloat(m[3], 64)
		cs = append(cs, circle{x, y, r})
	}
	if len(cs) != len(points) {
		t.Fatalf("%d circles for %d départements", len(cs), len(points))
	}
	for i, a := range cs {
		if a.r < 10 {
			t.Errorf("circle %d of radius %.1f: too small to read", i, a.r)
		}
		for j, b := range cs[i+1:] {
			// Rounded to a tenth of a pixel in the SVG.
			if d := math.Hypot(a.x-b.x, a.y-b.y); d < a.r+b.r-0.2 {
				t.Errorf("circles %d and %d overlap: %.1f apart, radii %.1f and %.1f", i, i+1+j, d, a.r, b.r)
			}
		}
	}
}

// TestRowsValueFits: the text at a full bar's end fits in the chart ("31 à
// 60 jours" was cut at the right edge).
func TestRowsValueFits(t *testing.T) {
	svg := string(Rows("Délai", "barres", []Bar{{Label: "Mission locale", Value: n(60), Text: "31 à 60 jours"}, {Label: "Agence", Value: n(15), Text: "15 à 30 jours"}}))
	m := regexp.MustCompile(`<text class="chart-value" x="([0-9]+)"[^>]*>31 à 60 jours</text>`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no value text in %s", svg)
	}
	x, _ := strconv.Atoi(m[1])
	// 13 px text: 8 px a character is a generous width.
	_, _, w, _ := viewBox(t, svg)
	if end := x + 8*len([]rune("31 à 60 jours")); float64(end) > w {
		t.Errorf("the value ends at %d px of %v", end, w)
	}
}

// TestMapLabelsApart: on a région's départements of unequal use, no value
// (nor a code written outside its circle) is drawn over another circle or
// another text, and every text stays in the image. Written under each
// circle whatever its neighbours, the Haute-Saône's value sat on the
// Doubs' circle and code when the uses were close; a small circle hid
// under its code.
func TestMapLabelsApart(t *testing.T) {
	for _, values := range []map[string]int64{
		{"25": 1000, "21": 700, "39": 800, "70": 900, "90": 950, "71": 600, "58": 500, "89": 650},
		{"25": 400, "21": 30, "39": 8, "70": 6, "90": 5, "71": 50, "58": 2, "89": 12},
	} {
		mapLabelsApart(t, values)
	}
}

func mapLabelsApart(t *testing.T, values map[string]int64) {
	t.Helper()
	var points []Point
	for code, v := range values {
		points = append(points, Point{Code: code, Value: n(v)})
	}
	points = append(points, Point{Code: "52", Value: nil})
	mapTextsApart(t, string(Map("Région", "cercles", points)), len(points))
}

// mapTextsApart fails if a map's text (of count départements) is drawn over a
// circle not its own or another text, or goes out of the image.
func mapTextsApart(t *testing.T, svg string, count int) {
	t.Helper()
	_, _, w, h := viewBox(t, svg)
	var discs []disc
	for _, m := range regexp.MustCompile(`<circle [^>]*cx="([0-9.]+)" cy="([0-9.]+)" r="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		discs = append(discs, disc{num(m[1]), num(m[2]), num(m[3])})
	}
	type label struct {
		b    box
		own  int // the circle it belongs to, -1 for none
		text string
	}
	var labels []label
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, g := range regexp.MustCompile(`<g class="chart-item">(.*?)</g>`).FindAllStringSubmatch(svg, -1) {
		own := -1
		if c := regexp.MustCompile(`cx="([0-9.]+)" cy="([0-9.]+)"`).FindStringSubmatch(g[1]); c != nil {
			for i, d := range discs {
				if d.x == num(c[1]) && d.y == num(c[2]) {
					own = i
				}
			}
		}
		for _, m := range regexp.MustCompile(`<text class="chart-(?:code|value)" x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>`).FindAllStringSubmatch(g[1], -1) {
			text := html.UnescapeString(tag.ReplaceAllString(m[3], ""))
			labels = append(labels, label{centredBox(num(m[1]), num(m[2]), textWidth(text)), own, text})
		}
	}
	if len(labels) < count+1 {
		t.Fatalf("%d texts for %d départements", len(labels), count)
	}
	for i, a := range labels {
		if a.b.x0 < 0 || a.b.y0 < 0 || a.b.x1 > w || a.b.y1 > h {
			t.Errorf("%q outside the %vx%v image: %+v", a.text, w, h, a.b)
		}
		for j, d := range discs {
			if j != a.own && a.b.covers(d) {
				t.Errorf("%q over another circle (%+v)", a.text, d)
			}
		}
		for _, b := range labels[i+1:] {
			if a.b.overlaps(b.b) {
				t.Errorf("%q and %q overlap", a.text, b.text)
			}
		}
	}
}

func num(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func viewBox(t *testing.T, svg string) (x, y, w, h float64) {
	t.Helper()
	m := regexp.MustCompile(`viewBox="([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %s", svg)
	}
	return num(m[1]), num(m[2]), num(m[3]), num(m[4])
}

// TestSharesScaledToAll: a share's bar is its part of the whole width, not
// of the largest share's (6.9 % drawn full width read as everyone).
func TestSharesScaledToAll(t *testing.T) {
	svg := string(Shares("Part", "barres", []Bar{{Label: "Relancés", Value: n(7), Text: "6,9 %"}, {Label: "Jamais", Value: n(50), Text: "50 %"}}))
	var widths []float64
	for _, m := range regexp.MustCompile(`<rect class="chart-bar"[^>]* width="([0-9]+)"`).FindAllStringSubmatch(svg, -1) {
		widths = append(widths, num(m[1]))
	}
	if len(widths) != 2 || widths[1] < 2*widths[0]*3 || widths[1] > 320/2+8 {
		t.Errorf("bar widths %v: want 50 %% at about half the width and 7 %% at a seventh of that", widths)
	}
}

// TestChartsFitAPhone: a chart of months, however many, fits a 360 px
// phone's frame (about 328 px) at its drawn size, its months wrapping
// onto lines of six at most; an empty chart has its own class.
func TestChartsFitAPhone(t *testing.T) {
	n := int64(12)
	var bars []Bar
	for _, l := range []string{"juil.", "août", "sept.", "oct.", "nov.", "déc."} {
		bars = append(bars, Bar{Label: l, Value: &n})
	}
	width := regexp.MustCompile(`<svg [^>]*width="(\d+)"`)
	for k := 1; k <= 6; k++ {
		m := width.FindStringSubmatch(string(Columns("Mois", "", bars[:k])))
		if w, _ := strconv.Atoi(m[1]); w > 328 {
			t.Errorf("%d months drawn %d px wide", k, w)
		}
	}
	// A programme's two years: 25 months, on five lines of five.
	var long []Bar
	for m := range 25 {
		v := int64(m * 40)
		long = append(long, Bar{Label: fmt.Sprintf("%02d/%02d", m%12+1, 26+m/12), Value: &v})
	}
	svg := string(Columns("Mois", "", long))
	if w, _ := strconv.Atoi(width.FindStringSubmatch(svg)[1]); w > 328 {
		t.Errorf("25 months drawn %d px wide", w)
	}
	x := regexp.MustCompile(`<text class="chart-label" x="([0-9]+)" y="([0-9]+)"`)
	lines := map[string]int{}
	for _, m := range x.FindAllStringSubmatch(svg, -1) {
		if v, _ := strconv.Atoi(m[1]); v < 25 || v > 320-25 {
			t.Errorf("a month's label at x %d, outside the chart's 320", v)
		}
		lines[m[2]]++
	}
	if len(lines) != 5 {
		t.Errorf("25 months on %d lines, want 5 of 5: %v", len(lines), lines)
	}
	for y, k := range lines {
		if k != 5 {
			t.Errorf("%d months on the line at y %s, want 5", k, y)
		}
	}
	// Lying bars too: their text is read at its size on a phone.
	if w, _ := strconv.Atoi(width.FindStringSubmatch(string(Rows("Lieux", "", bars)))[1]); w > 328 {
		t.Errorf("lying bars drawn %d px wide, more than a phone's frame", w)
	}
	if svg := string(Columns("Mois", "", nil)); !strings.Contains(svg, `class="chart chart-empty"`) || strings.Contains(svg, "chart-columns") {
		t.Errorf("empty chart: %s", svg)
	}
}

// TestMapTextReadsOnAPhone: the map's 13 px text (and an empty chart's
// note, and a year of months' columns) reads at 13 px at least on a
// 360 px phone, whose frame is 328 px (main's 1rem padding each side),
// and at 16 px at most on a 1280 px screen, where the stylesheet caps the
// chart's width. Drawn 400 wide, the map's text read 10.7 px on the
// phone; a year's columns, drawn 544 wide, scrolled sideways.
func TestMapTextReadsOnAPhone(t *testing.T) {
	var points []Point
	for _, code := range []string{"21", "25", "39", "58", "70", "71", "89", "90"} {
		points = append(points, Point{Code: code, Value: n(1000)})
	}
	var months []Bar
	for m := 1; m <= 12; m++ {
		months = append(months, Bar{Label: fmt.Sprintf("%02d/26", m), Value: n(int64(100 * m))})
	}
	css, err := os.ReadFile("../web/static/operator.css")
	if err != nil {
		t.Fatal(err)
	}
	wrap := maxWidthRem(string(css), ".chart-wrap")
	for _, c := range []struct {
		class string
		svg   template.HTML
	}{{"chart-map", Map("Carte", "cercles", points)}, {"chart-empty", Map("Carte", "rien", nil)}, {"chart-columns", Columns("Mois", "barres", months)}} {
		svg := string(c.svg)
		if !strings.Contains(svg, `class="chart `+c.class+`"`) {
			t.Fatalf("no class %s in %s", c.class, svg)
		}
		_, _, w, _ := viewBox(t, svg)
		// The widest the stylesheet lets the chart be, in px (16 a rem).
		widest := 16 * math.Min(wrap, maxWidthRem(string(css), "svg."+c.class))
		for _, s := range []struct{ screen, frame, lo, hi float64 }{
			{360, 360 - 2*16, 13, 16},
			{1280, 72*16 - 2*24, 13, 16},
		} {
			px := 13 * math.Min(s.frame, widest) / w
			t.Logf("%s, %v px screen: text at %.1f px", c.class, s.screen, px)
			if px < s.lo-0.05 || px > s.hi {
				t.Errorf("%s on a %v px screen: its 13 px text reads %.1f px (drawn %v wide, at most %v px), want %v to %v", c.class, s.screen, px, w, widest, s.lo, s.hi)
			}
		}
	}
}

// maxWidthRem is the max-width, in rem, the stylesheet gives the selector
// (the last rule naming it), or a very large width when none.
func maxWidthRem(css, selector string) float64 {
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	width := math.Inf(1)
	for _, r := range regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1) {
		for _, sel := range strings.Split(r[1], ",") {
			if strings.TrimSpace(sel) != selector {
				continue
			}
			if m := regexp.MustCompile(`max-width:\s*([0-9.]+)rem`).FindStringSubmatch(r[2]); m != nil {
				width = num(m[1])
			}
		}
	}
	return width
}

// TestColumnsHiddenRun: months hidden side by side are marked once,
// centred over a bracket that spans their columns, and no two texts
// overlap. Written over each month, "secret secret" ran together on a
// phone.
func TestColumnsHiddenRun(t *testing.T) {
	bars := []Bar{{Label: "01/26", Value: n(120)}, {Label: "02/26"}, {Label: "03/26"}, {Label: "04/26", Value: n(0)}, {Label: "05/26"}, {Label: "06/26", Value: n(1234)}}
	svg := string(Columns("Pass utilisés par mois", "barres", bars))
	p := parse(t, template.HTML(svg))
	marks := 0
	for _, s := range p.texts {
		if s == passnum.MaskedFigure {
			marks++
		}
	}
	if marks != 2 {
		t.Errorf("%d marks %q for two runs of hidden months: %q", marks, passnum.MaskedFigure, p.texts)
	}
	if p.rects != 3 {
		t.Errorf("%d bars for three months shown", p.rects)
	}
	type text struct {
		s    string
		x, y float64
	}
	var texts []text
	label := map[string]float64{}
	for _, m := range regexp.MustCompile(`<text class="([^"]*)" x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>`).FindAllStringSubmatch(svg, -1) {
		s := html.UnescapeString(m[4])
		texts = append(texts, text{s, num(m[2]), num(m[3])})
		if m[1] == "chart-label" {
			label[s] = num(m[2])
		}
	}
	for _, b := range bars {
		if _, ok := label[b.Label]; !ok {
			t.Errorf("no label %q in %q", b.Label, p.texts)
		}
	}
	for i, a := range texts {
		for _, b := range texts[i+1:] {
			if centredBox(a.x, a.y, textWidth(a.s)).overlaps(centredBox(b.x, b.y, textWidth(b.s))) {
				t.Errorf("%q at %v,%v and %q at %v,%v overlap", a.s, a.x, a.y, b.s, b.x, b.y)
			}
		}
	}
	// The first run's mark is centred between February and March, over
	// a bracket from one's column to the other's.
	mid := (label["02/26"] + label["03/26"]) / 2
	found := false
	for _, a := range texts {
		if a.s == passnum.MaskedFigure && math.Abs(a.x-mid) < 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no mark centred at %v, between 02/26 and 03/26: %+v", mid, texts)
	}
	m := regexp.MustCompile(`<path class="chart-bracket" d="M([0-9.]+) [0-9.]+V[0-9.]+H([0-9.]+)V`).FindStringSubmatch(svg)
	if m == nil || num(m[1]) > label["02/26"]-10 || num(m[2]) < label["03/26"]+10 {
		t.Errorf("no bracket spanning 02/26 and 03/26 (at %v and %v): %q", label["02/26"], label["03/26"], m)
	}
}

// TestColumnsWide: drawn for a wide screen, a year's months are on one
// line across the 960 px drawing, no two texts overlapping; two years'
// are two lines of twelve; at its widest the stylesheet shows it at its
// drawn size, its 13 px text at 13 px, in a 1280 px screen's frame. The
// phone's drawing, six a line, used a third of a desktop's page.
func TestColumnsWide(t *testing.T) {
	label := regexp.MustCompile(`<text class="chart-label" x="([0-9]+)" y="([0-9]+)"`)
	for _, c := range []struct {
		months, lines int
	}{{1, 1}, {12, 1}, {WidePerLine, 1}, {WidePerLine + 1, 2}, {24, 2}, {37, 3}} {
		var bars []Bar
		for m := range c.months {
			v := int64(1000 + m*37)
			bars = append(bars, Bar{Label: fmt.Sprintf("%02d/%02d", m%12+1, 26+m/12), Value: &v})
		}
		svg := string(ColumnsWide("Mois", "", bars))
		if !strings.Contains(svg, `class="chart chart-columns-wide"`) {
			t.Fatalf("%d months: no class chart-columns-wide in %s", c.months, svg)
		}
		if _, _, w, _ := viewBox(t, svg); w != 960 {
			t.Errorf("%d months drawn %v wide, want 960", c.months, w)
		}
		lines := map[string]int{}
		for _, m := range label.FindAllStringSubmatch(svg, -1) {
			if v := num(m[1]); v < 25 || v > 960-25 {
				t.Errorf("%d months: a label at x %v, outside the chart's 960", c.months, v)
			}
			lines[m[2]]++
		}
		if len(lines) != c.lines {
			t.Errorf("%d months on %d lines, want %d: %v", c.months, len(lines), c.lines, lines)
		}
		for y, k := range lines {
			if perLine := (c.months + c.lines - 1) / c.lines; k > perLine {
				t.Errorf("%d months: %d on the line at y %s, want %d at most", c.months, k, y, perLine)
			}
		}
		var texts []box
		for _, m := range regexp.MustCompile(`<text class="[^"]*" x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>`).FindAllStringSubmatch(svg, -1) {
			texts = append(texts, centredBox(num(m[1]), num(m[2]), textWidth(html.UnescapeString(m[3]))))
		}
		for i, a := range texts {
			for _, b := range texts[i+1:] {
				if a.overlaps(b) {
					t.Errorf("%d months: texts at %+v and %+v overlap", c.months, a, b)
				}
			}
		}
	}
	css, err := os.ReadFile("../web/static/operator.css")
	if err != nil {
		t.Fatal(err)
	}
	widest := 16 * math.Min(maxWidthRem(string(css), ".chart-switch"), maxWidthRem(string(css), "svg.chart-columns-wide"))
	// A 1280 px screen's frame, and the narrowest showing it (64rem).
	for _, frame := range []float64{72*16 - 2*24, 64*16 - 2*24} {
		if px := 13 * math.Min(frame, widest) / 960; px < 12.95 || px > 16 {
			t.Errorf("in a frame of %v px its 13 px text reads %.1f px", frame, px)
		}
	}
}
