package web_test

import (
	"net/http"
	"strings"
	"testing"

	"passnum"
	"passnum/store/storetest"
	"passnum/web"
)

// Pages carry a policy that allows no inline script or style, no framing,
// and the usual hardening headers; the API keeps its stricter one.
func TestPageSecurityHeaders(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	st := newSite(t, s, passnum.NewFixedClock(storetest.Epoch), web.Config{TileURL: "https://{s}.tile.exemple.fr/{z}/{x}/{y}.png"})
	for _, path := range []string{"/", "/connexion", "/lieux", "/static/app.css", "/nulle-part"} {
		res, err := http.Get(st.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "form-action 'self'", "https://*.tile.exemple.fr"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: hardening headers missing: %v", path, res.Header)
		}
	}
	res, err := http.Get(st.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("API CSP %q", csp)
	}
}
