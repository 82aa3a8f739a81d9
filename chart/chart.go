// Package chart draws the dashboards' charts as SVG on the server: bars
// standing per month, bars lying for rankings and the funnel, and a map of
// circles on the départements' centres. Every chart is an image with a
// title and a description (role="img"), writes each value as text beside
// its mark so that no colour is needed to read it, and uses presentation
// attributes and the site's classes only (no style attribute: the pages'
// CSP forbids inline styles). A value statistical secrecy hid (nil) draws
// no mark, only its text (passnum.MaskedFigure, "secret", by default);
// hidden months side by side share one, over a bracket spanning them.
// Each chart goes with its table on the page; the chart is the picture,
// the table the data.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"

	"passnum"
)

// Bar is one value: its label, its value (nil when statistical secrecy
// hides it) and, optionally, the text written beside it (the formatted
// value by default, passnum.MaskedFigure when hidden).
type Bar struct {
	Label string
	Value *int64
	Text  string
}

// text is what is written beside the bar.
func (b Bar) text() string {
	switch {
	case b.Text != "":
		return b.Text
	case b.Value == nil:
		return passnum.MaskedFigure
	default:
		return passnum.FormatCount(*b.Value)
	}
}

// esc escapes text for SVG (XML).
func esc(s string) string { return template.HTMLEscapeString(s) }

// finish closes the image and returns it.
func finish(b *strings.Builder) template.HTML {
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// empty is a chart with nothing to draw: it says so.
func empty(title, desc string) template.HTML {
	var b strings.Builder
	// Its own class, not its chart's, and 320 wide, as every chart, so
	// that a 360 px phone shows its note at 13 px, not shrunk to 10.7.
	openImg(&b, "chart-empty", 320, 60, title, desc)
	b.WriteString(`<text x="160" y="35" text-anchor="middle" class="chart-note">Aucune donnée à afficher</text>`)
	return finish(&b)
}

// openImg starts an SVG image of the given size with its title (also its
// accessible name) and its description.
func openImg(b *strings.Builder, class string, w, h int, title, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		class, w, h, w, h, esc(title))
	fmt.Fprintf(b, `<title>%s</title><desc>%s</desc>`, esc(title), esc(desc))
}

func maxValue(bars []Bar) int64 {
	var m int64
	for _, b := range bars {
		if b.Value != nil && *b.Value > m {
			m = *b.Value
		}
	}
	return m
}

// truncate shortens a label to n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Columns draws standing bars (one per month, say), each with its value
// above it and its label below. Consecutive hidden values of the same
// text have no bar and their text written once, centred over a bracket
// that spans their columns.
//
// The chart is drawn 320 wide, as the lying bars and the map, so that it
// fits a 360 px phone's frame with its 13 px text read at 13 px: at most
// six bars a line, 50 apart (a value or a label of 6 characters between
// two others), and more bars wrap onto more lines, balanced (ten months
// are two lines of five), all on the same scale. Drawn one bar after
// another, a year's twelve months were 544 px wide and scrolled sideways
// on a phone, the last months off screen.
func Columns(title, desc string, bars []Bar) template.HTML {
	return columns(phoneColumns, title, desc, bars)
}

// ColumnsWide draws Columns' bars for a wide screen: 960 wide (60rem, the
// frame of a 1024 px screen and more), up to 18 bars on one line (a year
// and a half of months), as far apart as the width allows but 120 at
// most; more wrap onto balanced lines (two years are two lines of
// twelve). Its class is chart-columns-wide, so that a page showing both
// drawings shows one or the other by the screen's width: on a desktop
// the phone's six months a line used a third of the page.
func ColumnsWide(title, desc string, bars []Bar) template.HTML {
	return columns(wideColumns, title, desc, bars)
}

// columnsLayout is how Columns and ColumnsWide lay their bars out: the
// drawing's width and class, and the most bars a line and the widest
// step between two.
type columnsLayout struct {
	class                  string
	w, perLineMax, maxStep int
}

var (
	phoneColumns = columnsLayout{class: "chart-columns", w: 320, perLineMax: 6, maxStep: 50}
	wideColumns  = columnsLayout{class: "chart-columns-wide", w: 960, perLineMax: WidePerLine, maxStep: 120}
)

// WidePerLine is the most bars ColumnsWide draws on one line, for a
// chart's description.
const WidePerLine = 18

func columns(lay columnsLayout, title, desc string, bars []Bar) template.HTML {
	if len(bars) == 0 {
		return empty(title, desc)
	}
	const (
		left        = 10
		top, bottom = 24, 40
	)
	lines := (len(bars) + lay.perLineMax - 1) / lay.perLineMax
	perLine := (len(bars) + lines - 1) / lines
	step := min(lay.maxStep, (lay.w-2*left)/perLine)
	// One line is as tall as before; several are lower, so that a
	// programme's two years stay a screen or two high.
	plot := 180
	if lines > 1 {
		plot = 120
	}
	lineH := top + plot + bottom
	var b strings.Builder
	openImg(&b, lay.class, lay.w, lines*lineH, title, desc)
	m := maxValue(bars)
	for l := range lines {
		line := bars[l*perLine : min((l+1)*perLine, len(bars))]
		columnsLine(&b, line, m, l*lineH+top+plot, plot, left, step, lay.w)
	}
	return finish(&b)
}

// columnsLine draws one line of Columns' bars on the axis at y base, the
// tallest (value m) plot high, the first at x left, step apart.
func columnsLine(b *strings.Builder, bars []Bar, m int64, base, plot, left, step, w int) {
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="chart-axis" stroke="currentColor"/>`, left-2, base, w-left+2, base)
	for i := 0; i < len(bars); {
		bar := bars[i]
		cx := left + i*step + step/2
		if bar.Value == nil {
			// Hidden months side by side (statistical secrecy) are
			// marked once, centred over a bracket that spans their
			// columns: the mark written over each ran into the next
			// ("secret secret") on a phone, where the months' columns
			// are narrower than the word.
			j := i + 1
			for j < len(bars) && bars[j].Value == nil && bars[j].text() == bar.text() {
				j++
			}
			x0, x1 := left+i*step+6, left+j*step-6
			b.WriteString(`<g class="chart-item chart-hidden">`)
			fmt.Fprintf(b, `<path class="chart-bracket" d="M%d %dV%dH%dV%d" fill="none" stroke="currentColor"/>`, x0, base-2, base-7, x1, base-2)
			fmt.Fprintf(b, `<text class="chart-value" x="%d" y="%d" text-anchor="middle">%s</text>`, (x0+x1)/2, base-11, esc(bar.text()))
			for k := i; k < j; k++ {
				fmt.Fprintf(b, `<text class="chart-label" x="%d" y="%d" text-anchor="middle">%s</text>`, left+k*step+step/2, base+18, esc(truncate(bars[k].Label, 8)))
			}
			b.WriteString(`</g>`)
			i = j
			continue
		}
		hgt := 0
		if m > 0 {
			hgt = int(math.Round(float64(*bar.Value) / float64(m) * float64(plot)))
		}
		b.WriteString(`<g class="chart-item">`)
		// 38 wide 50 apart; wider apart, 60 at most.
		bw := min(step-12, 60)
		fmt.Fprintf(b, `<rect class="chart-bar" fill="#1d4ed8" x="%d" y="%d" width="%d" height="%d"/>`, cx-bw/2, base-hgt, bw, hgt)
		fmt.Fprintf(b, `<text class="chart-value" x="%d" y="%d" text-anchor="middle">%s</text>`, cx, base-hgt-6, esc(bar.text()))
		fmt.Fprintf(b, `<text class="chart-label" x="%d" y="%d" text-anchor="middle">%s</text>`, cx, base+18, esc(truncate(bar.Label, 8)))
		b.WriteString(`</g>`)
		i++
	}
}

// Rows draws lying bars (a funnel, a ranking): each row has its label
// above its bar and its value at the bar's end. The longest value fills
// the width.
func Rows(title, desc string, bars []Bar) template.HTML {
	return rows(title, desc, bars, maxValue(bars))
}

// Shares draws lying bars of percentages (Value 0 to 100): a full bar is
// 100 %, not the largest share, which would read as everyone.
func Shares(title, desc string, bars []Bar) template.HTML {
	return rows(title, desc, bars, 100)
}

func rows(title, desc string, bars []Bar, m int64) template.HTML {
	if len(bars) == 0 {
		return empty(title, desc)
	}
	// 320 wide, so that a 360 px phone's frame (about 328 px) shows its
	// 13 px text at 13 px rather than shrunk to 10 px.
	const (
		w, left, rowH = 320, 8, 46
	)
	// Room at the right for the longest value written at a bar's end
	// ("15 à 30 jours"), at about 8 px a character of the value's font.
	right := 64
	for _, bar := range bars {
		right = max(right, 12+8*utf8.RuneCountInString(bar.text()))
	}
	h := len(bars)*rowH + 8
	var b strings.Builder
	openImg(&b, "chart-rows", w, h, title, desc)
	plot := w - left - right
	for i, bar := range bars {
		y := 4 + i*rowH
		wid := 0
		if bar.Value != nil && m > 0 {
			wid = int(math.Round(float64(*bar.Value) / float64(m) * float64(plot)))
		}
		b.WriteString(`<g class="chart-item">`)
		fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%d">%s</text>`, left, y+14, esc(truncate(bar.Label, 44)))
		if bar.Value != nil {
			fmt.Fprintf(&b, `<rect class="chart-bar" fill="#1d4ed8" x="%d" y="%d" width="%d" height="18"/>`, left, y+20, wid)
		}
		fmt.Fprintf(&b, `<text class="chart-value" x="%d" y="%d">%s</text>`, left+wid+6, y+34, esc(bar.text()))
		b.WriteString(`</g>`)
	}
	return finish(&b)
}
