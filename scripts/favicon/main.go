// Command favicon draws the site's icon: a white pass (a ticket with its
// notches and its perforation) on the programme's blue. The same shapes
// are written as web/static/favicon.svg and drawn, anti-aliased, into the
// PNG icons browsers and phones ask for (32 and 180 pixels).
//
//	go run ./scripts/favicon
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// The icon in a 64-unit square.
var (
	blue  = color.NRGBA{0x00, 0x00, 0x91, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<title>Pass numérique</title>
<rect width="64" height="64" rx="12" fill="#000091"/>
<rect x="8" y="17" width="48" height="30" rx="3" fill="#fff"/>
<circle cx="8" cy="32" r="5" fill="#000091"/>
<circle cx="56" cy="32" r="5" fill="#000091"/>
<rect x="15" y="25" width="19" height="4" rx="1" fill="#000091"/>
<rect x="15" y="34" width="12" height="4" rx="1" fill="#000091"/>
<path d="M42 20v24" stroke="#000091" stroke-width="2" stroke-dasharray="3 3"/>
</svg>
`

func inRoundRect(x, y, rx, ry, w, h, r float64) bool {
	if x < rx || x > rx+w || y < ry || y > ry+h {
		return false
	}
	cx := math.Max(rx+r, math.Min(x, rx+w-r))
	cy := math.Max(ry+r, math.Min(y, ry+h-r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

// at is the colour of the icon at a point of its 64-unit square.
func at(x, y float64) color.NRGBA {
	if !inRoundRect(x, y, 0, 0, 64, 64, 12) {
		return color.NRGBA{}
	}
	ticket := inRoundRect(x, y, 8, 17, 48, 30, 3) &&
		math.Hypot(x-8, y-32) > 5 && math.Hypot(x-56, y-32) > 5
	if !ticket {
		return blue
	}
	bar := inRoundRect(x, y, 15, 25, 19, 4, 1) || inRoundRect(x, y, 15, 34, 12, 4, 1)
	dash := x >= 41 && x <= 43 && y >= 20 && y <= 44 && math.Mod(y-20, 6) < 3
	if bar || dash {
		return blue
	}
	return white
}

// draw renders the icon at size pixels, 4×4 samples a pixel.
func draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					c := at((float64(px)+(float64(sx)+0.5)/n)*64/float64(size), (float64(py)+(float64(sy)+0.5)/n)*64/float64(size))
					al := float64(c.A) / 255
					r, g, b, a = r+float64(c.R)*al, g+float64(c.G)*al, b+float64(c.B)*al, a+al
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(a/(n*n)*255 + 0.5)})
		}
	}
	return img
}

func main() {
	dir := filepath.Join("web", "static")
	if err := os.WriteFile(filepath.Join(dir, "favicon.svg"), []byte(svg), 0o644); err != nil {
		log.Fatal(err)
	}
	for _, size := range []int{32, 180} {
		var b bytes.Buffer
		if err := png.Encode(&b, draw(size)); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("favicon-%d.png", size)), b.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
