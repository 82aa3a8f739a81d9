package chart

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"sync"

	"passnum/territory"
)

// Point is one département's value on the map: its code ("25", "2A"),
// its value (nil when hidden) and, optionally, the text written with it.
type Point struct {
	Code  string
	Value *int64
	Text  string
}

type latLng struct{ lat, lng float64 }

var (
	centresOnce sync.Once
	centres     map[string]latLng
)

// Centre is a département's centre: the mean of its communes' centres
// weighted by their population, computed once from the reference
// territory. ok is false for a code the territory does not know.
func Centre(code string) (lat, lng float64, ok bool) {
	centresOnce.Do(func() {
		type acc struct{ lat, lng, w float64 }
		sums := map[string]*acc{}
		for _, d := range territory.Departements() {
			a := &acc{}
			for _, c := range territory.CommunesIn("dep:" + d.Code) {
				if !c.HasCoordinates {
					continue
				}
				w := float64(max(c.Population, 1))
				a.lat += c.Lat * w
				a.lng += c.Lng * w
				a.w += w
			}
			if a.w > 0 {
				sums[d.Code] = a
			}
		}
		centres = make(map[string]latLng, len(sums))
		for k, a := range sums {
			centres[k] = latLng{a.lat / a.w, a.lng / a.w}
		}
	})
	c, ok := centres[strings.ToUpper(strings.TrimSpace(code))]
	return c.lat, c.lng, ok
}

// Map draws a circle at the centre of each département, its area in
// proportion to the value, labelled with the département's code and the
// value. The projection is equirectangular, fitted to the départements
// drawn; no background map is needed. Unknown codes are left out (the
// table beside the chart still has them).
func Map(title, desc string, points []Point) template.HTML {
	type placed struct {
		Point
		x, y float64
	}
	var ps []placed
	for _, p := range points {
		lat, lng, ok := Centre(p.Code)
		if !ok {
			continue
		}
		ps = append(ps, placed{Point: p, x: lng, y: lat})
	}
	if len(ps) == 0 {
		return empty(title, desc)
	}
	// 320 wide, as the lying bars: a 360 px phone's frame (about 328 px)
	// shows its 13 px text at 13 px, not shrunk to 10.7 as drawn 400
	// wide; on a wider page the stylesheet caps it at 24rem.
	const (
		w, pad, rMax, rMin = 320, 48, 36.0, 10.0
	)
	minX, maxX, minY, maxY := ps[0].x, ps[0].x, ps[0].y, ps[0].y
	var sumLat float64
	for _, p := range ps {
		minX, maxX = math.Min(minX, p.x), math.Max(maxX, p.x)
		minY, maxY = math.Min(minY, p.y), math.Max(maxY, p.y)
		sumLat += p.y
	}
	// Equirectangular: a degree of longitude is cos(latitude) of one of
	// latitude.
	k := math.Cos(sumLat / float64(len(ps)) * math.Pi / 180)
	spanX, spanY := (maxX-minX)*k, maxY-minY
	scale := 1.0
	if span := math.Max(spanX, spanY); span > 0 {
		scale = float64(w-2*pad) / span
	}
	// The height follows the départements' spread: no empty band.
	h := max(120, int(math.Ceil(spanY*scale))+2*pad)
	offX := (float64(w) - spanX*scale) / 2
	offY := (float64(h) - spanY*scale) / 2
	var m int64
	for _, p := range ps {
		if p.Value != nil && *p.Value > m {
			m = *p.Value
		}
	}
	for i := range ps {
		ps[i].x, ps[i].y = offX+(ps[i].x-minX)*k*scale, offY+(maxY-ps[i].y)*scale
	}
	// On a small territory the départements' centres are close: the
	// biggest circle is no wider than half the distance between the two
	// nearest centres drawn, so that no two circles overlap, down to a
	// size still readable (the Paris area, on a national map, cannot).
	biggest := rMax
	for i, p := range ps {
		for _, q := range ps[i+1:] {
			if val(p.Value) > 0 && val(q.Value) > 0 {
				biggest = math.Min(biggest, math.Hypot(p.x-q.x, p.y-q.y)/2)
			}
		}
	}
	biggest = math.Max(biggest, rMin)
	// The biggest circles first, so the small ones stay on top.
	sort.SliceStable(ps, func(i, j int) bool { return val(ps[i].Value) > val(ps[j].Value) })
	radii := make([]float64, len(ps))
	for i, p := range ps {
		if p.Value != nil && m > 0 && *p.Value > 0 {
			radii[i] = math.Max(3, biggest*math.Sqrt(float64(*p.Value)/float64(m)))
		}
	}
	// Labels: a code inside its circle when the circle holds it, else
	// written with the value; each value (and outside code) goes where it
	// covers no other circle, code or label: below the circle, above,
	// right, left, then further away, the first place free.
	var circles []disc
	for i, p := range ps {
		circles = append(circles, disc{p.x, p.y, radii[i]})
	}
	var taken []box
	inside := make([]bool, len(ps))
	for i, p := range ps {
		if w := textWidth(p.Code); radii[i] >= w/2+2 {
			inside[i] = true
			taken = append(taken, centredBox(p.x, p.y+4, w))
		}
	}
	var b strings.Builder
	openImg(&b, "chart-map", w, h, title, desc)
	for i, p := range ps {
		x, y, r := p.x, p.y, radii[i]
		b.WriteString(`<g class="chart-item">`)
		if r > 0 {
			fmt.Fprintf(&b, `<circle class="chart-circle" fill="#1d4ed8" fill-opacity="0.35" stroke="#1d4ed8" cx="%.1f" cy="%.1f" r="%.1f"/>`, x, y, r)
		}
		text := Bar{Value: p.Value, Text: p.Text}.text()
		label := esc(text)
		width := textWidth(text)
		if inside[i] {
			fmt.Fprintf(&b, `<text class="chart-code" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y+4, esc(p.Code))
		} else {
			label = `<tspan class="chart-code">` + esc(p.Code) + `</tspan> ` + label
			width += textWidth(p.Code + " ")
		}
		lb := placeLabel(x, y, r, width, float64(w), float64(h), i, circles, taken)
		taken = append(taken, lb)
		fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, (lb.x0+lb.x1)/2, lb.y1-3, label)
		b.WriteString(`</g>`)
	}
	return finish(&b)
}

// disc is a circle drawn; box a text's extent.
type (
	disc struct{ x, y, r float64 }
	box  struct{ x0, y0, x1, y1 float64 }
)

// labelHeight is a label's line, and textWidth a generous width of a
// text, at the charts' 13 px type.
const labelHeight = 15

func textWidth(s string) float64 { return 7.5 * float64(len([]rune(s))) }

// centredBox is the extent of a text of width w centred on x, its
// baseline at y.
func centredBox(x, y, w float64) box { return box{x - w/2, y - labelHeight + 3, x + w/2, y + 3} }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// covers tells whether the box touches the disc.
func (a box) covers(d disc) bool {
	if d.r <= 0 {
		return false
	}
	nx, ny := math.Max(a.x0, math.Min(d.x, a.x1)), math.Max(a.y0, math.Min(d.y, a.y1))
	return math.Hypot(d.x-nx, d.y-ny) < d.r
}

// placeLabel chooses where the label (width wd) of circle self, at x, y
// of radius r, goes in a w × h image: the first place around it, nearest
// first, that stays in the image and covers no other circle and no text
// already placed; failing that, the place covering the fewest.
func placeLabel(x, y, r, wd, w, h float64, self int, circles []disc, taken []box) box {
	var best box
	bestCost := math.MaxInt
	for _, far := range []float64{0, labelHeight, 2 * labelHeight} {
		for _, c := range []box{
			{x - wd/2, y + r + 2 + far, x + wd/2, y + r + 2 + far + labelHeight},          // below
			{x - wd/2, y - r - 2 - far - labelHeight, x + wd/2, y - r - 2 - far},          // above
			{x + r + 4 + far, y - labelHeight/2, x + r + 4 + far + wd, y + labelHeight/2}, // right
			{x - r - 4 - far - wd, y - labelHeight/2, x - r - 4 - far, y + labelHeight/2}, // left
		} {
			if c.x0 < 0 || c.y0 < 0 || c.x1 > w || c.y1 > h {
				continue
			}
			cost := 0
			for i, d := range circles {
				if i != self && c.covers(d) {
					cost++
				}
			}
			for _, t := range taken {
				if c.overlaps(t) {
					cost++
				}
			}
			if cost == 0 {
				return c
			}
			if cost < bestCost {
				best, bestCost = c, cost
			}
		}
	}
	if bestCost == math.MaxInt {
		// No place inside the image at all: below, as before.
		return box{x - wd/2, y + r + 2, x + wd/2, y + r + 2 + labelHeight}
	}
	return best
}

func val(v *int64) int64 {
	if v == nil {
		return -1
	}
	return *v
}
