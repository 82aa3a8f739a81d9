package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"passnum"
	"passnum/server"
	"passnum/store/storetest"
	"passnum/web"
)

// Pass codes are bearer secrets: the request log names the route, never
// the code, and every answer carries the security headers.
func TestRequestLogHidesPassCodes(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	var logs bytes.Buffer
	h, err := server.New(s, slog.New(slog.NewJSONHandler(&logs, nil)), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	code := passnum.NewPassCode()
	for _, path := range []string{"/api/v1/passes/" + code, "/api/v1/passes/" + passnum.FormatPassCode(code) + "/redeem"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code == 0 {
			t.Fatal("no answer")
		}
		for _, hdr := range []string{"X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"} {
			if rec.Header().Get(hdr) == "" {
				t.Errorf("%s: header %s missing", path, hdr)
			}
		}
	}
	out := logs.String()
	if !strings.Contains(out, "/api/v1/passes/{code}") {
		t.Fatalf("the log does not name the route: %s", out)
	}
	for _, secret := range []string{code, passnum.FormatPassCode(code), code[:8]} {
		if strings.Contains(out, secret) {
			t.Fatalf("the log contains the pass code: %s", out)
		}
	}
}
