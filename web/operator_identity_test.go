package web_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"passnum"
)

// postFile sends a form with one file, as a browser does.
func (b *browser) postFile(path string, fields url.Values, field, filename string, data []byte) answer {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.st.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

func identityPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 120, 40))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var logoSrcRE = regexp.MustCompile(`<img src="/logos/([0-9A-Za-z]+)" alt="([^"]*)"`)

// TestOperatorSiteIdentity: the operator names the site and uploads the
// funders' logos; every page's header shows them; a logo that could run
// a script is refused; logos are served with their own content type and
// a policy that lets them run nothing.
func TestOperatorSiteIdentity(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		pub := st.browser()
		if a := pub.get("/"); !a.has("<title>") || !a.has("· Pass numérique</title>") || !a.has(`href="/static/favicon.svg"`) || a.has(`class="funders"`) {
			t.Fatalf("default header:\n%s", a.Body)
		}
		b := st.as(passnum.RoleOperator)
		if a := b.get("/operateur/identite"); a.Status != http.StatusOK || !a.has(`value="Pass numérique"`) || !a.has(`enctype="multipart/form-data"`) {
			t.Fatalf("identity page: %d\n%s", a.Status, a.Body)
		}
		if a := b.post("/operateur/identite/nom", url.Values{"name": {"  "}}); a.Status != http.StatusUnprocessableEntity || !a.has(`<a href="#f-name">Nom du programme : nom obligatoire`) {
			t.Fatalf("empty name: %d\n%s", a.Status, a.Body)
		}
		if a := b.post("/operateur/identite/nom", url.Values{"name": {"Pass numérique Bourgogne-Franche-Comté"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("rename: %d\n%s", a.Status, a.Body)
		}
		// A script in an SVG: refused, said next to the file field.
		evil := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(document.cookie)"><rect width="10" height="10"/></svg>`)
		a := b.postFile("/operateur/identite/logos", url.Values{"logo_name": {"Intrus"}}, "logo", "logo.svg", evil)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-logo-error"`) || !a.has("gestionnaire d&#39;évènement") || !a.has(`value="Intrus"`) {
			t.Fatalf("evil SVG: %d\n%s", a.Status, a.Body)
		}
		// No file at all.
		if a = b.postFile("/operateur/identite/logos", url.Values{"logo_name": {"État"}}, "autre", "x", nil); a.Status != http.StatusUnprocessableEntity || !a.has("choisissez le fichier du logo") {
			t.Fatalf("no file: %d\n%s", a.Status, a.Body)
		}
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" fill="#000091"/></svg>`)
		for _, up := range []struct {
			name, file string
			data       []byte
		}{{"Région Bourgogne-Franche-Comté", "region.svg", svg}, {"État", "etat.png", identityPNG(t)}} {
			if a = b.postFile("/operateur/identite/logos", url.Values{"logo_name": {up.name}}, "logo", up.file, up.data); a.Status != http.StatusSeeOther {
				t.Fatalf("upload %s: %d\n%s", up.file, a.Status, a.Body)
			}
		}
		// Every page's header, for everyone: the name and the logos, in order.
		a = pub.get("/lieux")
		logos := logoSrcRE.FindAllStringSubmatch(a.Body, -1)
		if !a.has("<span>Pass numérique Bourgogne-Franche-Comté</span>") || !a.has("· Pass numérique Bourgogne-Franche-Comté</title>") ||
			len(logos) != 2 || logos[0][2] != "Région Bourgogne-Franche-Comté" || logos[1][2] != "État" {
			t.Fatalf("header after the identity was set (%q):\n%s", logos, a.Body)
		}
		for i, want := range []string{"image/svg+xml", "image/png"} {
			res, err := http.Get(st.srv.URL + "/logos/" + logos[i][1])
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			h := res.Header
			if res.StatusCode != http.StatusOK || h.Get("Content-Type") != want || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") ||
				!strings.Contains(h.Get("Cache-Control"), "immutable") {
				t.Errorf("logo %d: %d %v", i, res.StatusCode, h)
			}
			if i == 0 && !bytes.Equal(body, svg) {
				t.Errorf("the SVG served is not the one checked: %q", body)
			}
			if i == 1 {
				if _, err := png.Decode(bytes.NewReader(body)); err != nil {
					t.Errorf("the PNG served does not decode: %v", err)
				}
			}
		}
		// Removing one: gone from the header and from its address.
		if a = b.post("/operateur/identite/logos/"+logos[0][1]+"/retirer", nil); a.Status != http.StatusSeeOther {
			t.Fatalf("remove: %d\n%s", a.Status, a.Body)
		}
		if a = pub.get("/"); len(logoSrcRE.FindAllString(a.Body, -1)) != 1 || a.has("Région Bourgogne-Franche-Comté\"") {
			t.Errorf("header after removing a logo:\n%s", a.Body)
		}
		if a = pub.get("/logos/" + logos[0][1]); a.Status != http.StatusNotFound {
			t.Errorf("removed logo: %d", a.Status)
		}
		// The icon browsers ask for.
		res, err := http.Get(st.srv.URL + "/favicon.ico")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("/favicon.ico: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// The journal names who did it.
		if a = b.get("/operateur/journal"); a.Status != http.StatusOK || !a.has("Logo d&#39;un financeur ajouté") || !a.has("Logo d&#39;un financeur retiré") || !a.has("Nom du site modifié") {
			t.Errorf("journal: %d\n%s", a.Status, a.Body)
		}
	})
}
