package passnum

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

func samplePNG(t *testing.T, w, h int, img func(r image.Rectangle) image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 120 40" inkscape:version="1.3">
  <title>Région</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#000091"/></linearGradient></defs>
  <style>.a { fill: url(#g); }</style>
  <inkscape:namedview pagecolor="#ffffff"/>
  <rect class="a" width="120" height="40" style="fill:url('#g')"/>
  <use xlink:href="#g"/>
  <text x="4" y="28">Région &amp; État</text>
</svg>`

func TestCheckLogoSVG(t *testing.T) {
	f, err := CheckLogo([]byte(goodSVG))
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != LogoSVG || f.Width != 120 || f.Height != 40 || !bytes.Equal(f.Data, []byte(goodSVG)) {
		t.Fatalf("got %s %dx%d, want the file kept as it is, 120x40", f.ContentType, f.Width, f.Height)
	}
	sized, err := CheckLogo([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="200px" height="80"><path d="M0 0h10v10z"/></svg>`))
	if err != nil || sized.Width != 200 || sized.Height != 80 {
		t.Fatalf("width and height: %v %+v", err, sized)
	}
	svg := func(body string) string {
		return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">` + body + `</svg>`
	}
	for name, c := range map[string]struct{ doc, says string }{
		"script":                 {svg(`<script>alert(1)</script>`), "<script>"},
		"script in a foreign el": {svg(`<x:meta xmlns:x="urn:x"><script>alert(1)</script></x:meta>`), "<script>"},
		"xhtml":                  {svg(`<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example"/>`), "<iframe>"},
		"foreignObject":          {svg(`<foreignObject/>`), "<foreignObject>"},
		"link":                   {svg(`<a href="https://evil.example"><rect/></a>`), "<a>"},
		"animation":              {svg(`<set attributeName="href" to="javascript:alert(1)"/>`), "<set>"},
		"event handler":          {svg(`<rect onclick="alert(1)"/>`), "évènement"},
		"event handler, caps":    {svg(`<rect ONLOAD="alert(1)"/>`), "évènement"},
		"external use":           {svg(`<use href="https://evil.example/x.svg#a"/>`), "autre fichier"},
		"external xlink":         {svg(`<use xlink:href="other.svg#a"/>`), "autre fichier"},
		"external image":         {svg(`<image href="https://evil.example/track.png"/>`), "autre fichier"},
		"svg in an image":        {svg(`<image href="data:image/svg+xml;base64,PHN2Zz4="/>`), "autre fichier"},
		"javascript attr":        {svg(`<rect fill="java script:x" filter="javascript:alert(1)"/>`), "script"},
		"css url":                {svg(`<rect style="fill: url(https://evil.example/a)"/>`), "ressource extérieure"},
		"css import":             {svg(`<style>@import "https://evil.example/a.css";</style>`), "ressource extérieure"},
		"css url in style":       {svg(`<style>rect { background: url( "//evil.example/a") }</style>`), "ressource extérieure"},
		"doctype":                {`<!DOCTYPE svg [<!ENTITY x "y">]>` + svg(``), "DOCTYPE"},
		"stylesheet pi":          {`<?xml-stylesheet href="https://evil.example/a.css"?>` + svg(``), "instruction"},
		"no size":                {`<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>`, "taille"},
		"not svg":                {`<html xmlns="http://www.w3.org/1999/xhtml"/>`, "premier élément"},
		"no namespace":           {`<svg viewBox="0 0 1 1"/>`, "premier élément"},
		"broken":                 {svg(`<rect>`), "illisible"},
		"text":                   {"bonjour", "ni un PNG ni un SVG"},
		"empty":                  {"", "choisissez le fichier"},
	} {
		_, err := CheckLogo([]byte(c.doc))
		if err == nil || !strings.Contains(ErrorMessage(err)+fieldDetails(err), c.says) {
			t.Errorf("%s: got %v, want a refusal that says %q", name, err, c.says)
		}
	}
	if _, err := CheckLogo(append([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><desc>`), append(bytes.Repeat([]byte("a"), MaxLogoBytes), "</desc></svg>"...)...)); err == nil {
		t.Error("a file over the size limit was accepted")
	}
}

func fieldDetails(err error) string {
	var s []string
	if pe, ok := err.(*Error); ok {
		for _, f := range pe.Fields {
			s = append(s, f.Field+": "+f.Detail)
		}
	}
	return strings.Join(s, "; ")
}

func TestCheckLogoPNG(t *testing.T) {
	// A 16-bit PNG, which the PDF library cannot read, comes out as 8 bits.
	deep := samplePNG(t, 40, 20, func(r image.Rectangle) image.Image {
		img := image.NewRGBA64(r)
		for x := 0; x < 40; x++ {
			img.Set(x, 5, color.RGBA64{0, 0, 0x9100, 0xffff})
		}
		return img
	})
	f, err := CheckLogo(deep)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != LogoPNG || f.Width != 40 || f.Height != 20 {
		t.Fatalf("got %+v", f)
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.NRGBA); !ok {
		t.Errorf("stored as %T, want 8-bit NRGBA", img)
	}
	if r, g, b, _ := img.At(3, 5).RGBA(); r != 0 || g != 0 || b>>8 != 0x91 {
		t.Errorf("the colours changed: %v %v %v", r, g, b)
	}
	huge := samplePNG(t, MaxLogoPixels+1, 1, func(r image.Rectangle) image.Image { return image.NewGray(r) })
	if _, err := CheckLogo(huge); err == nil || !strings.Contains(fieldDetails(err), "pixels") {
		t.Errorf("an image too big was accepted: %v", err)
	}
	if _, err := CheckLogo(deep[:len(deep)/2]); err == nil {
		t.Error("a truncated PNG was accepted")
	}
}

func TestCheckSiteName(t *testing.T) {
	if n, err := CheckSiteName("  Pass numérique\n Bourgogne-Franche-Comté "); err != nil || n != "Pass numérique Bourgogne-Franche-Comté" {
		t.Fatalf("got %q, %v", n, err)
	}
	for _, bad := range []string{"", "  ", strings.Repeat("é", MaxSiteNameLength+1)} {
		if _, err := CheckSiteName(bad); err == nil {
			t.Errorf("CheckSiteName(%q) accepted", bad)
		}
	}
	if _, err := CheckLogoName(""); err == nil {
		t.Error("a logo without a name was accepted")
	}
}
