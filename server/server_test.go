package server_test

import (
	"bytes"
	"encoding/json"
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

// Every answer names its request; an error answer and the log lines of the
// request carry the same identifier.
func TestRequestID(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	var logs bytes.Buffer
	h, err := server.New(s, slog.New(slog.NewJSONHandler(&logs, nil)), web.Config{TrustedProxy: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/programmes", nil))
	id := rec.Header().Get("X-Request-Id")
	if len(id) != 16 {
		t.Fatalf("X-Request-Id = %q", id)
	}
	var problem struct {
		Code      string `json:"code"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &problem); err != nil || problem.Code != passnum.EUNAUTHENTICATED || problem.RequestID != id {
		t.Fatalf("problem %s (%v): want request_id %s", rec.Body.String(), err, id)
	}
	if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) {
		t.Errorf("the request's log line lacks its id: %s", logs.String())
	}
	// A client's own id is not believed; a trusted proxy's is, when
	// well-formed.
	for _, tc := range []struct {
		remote, sent string
		kept         bool
	}{
		{"203.0.113.9:5000", "abc-123", false},
		{"192.0.2.1:5000", "abc-123", true},
		{"192.0.2.1:5000", "abc\n123", false},
		{"192.0.2.1:5000", strings.Repeat("a", 65), false},
	} {
		req := httptest.NewRequest(http.MethodGet, "/livez", nil)
		req.RemoteAddr = tc.remote
		req.Header.Set("X-Request-Id", tc.sent)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Request-Id"); (got == tc.sent) != tc.kept || got == "" {
			t.Errorf("from %s sending %q: answered %q", tc.remote, tc.sent, got)
		}
	}
}

// Alive is the process; ready is the database and no shutdown begun.
func TestHealthChecks(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	srv, err := server.Build(s, slog.New(slog.DiscardHandler), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	for _, path := range []string{"/livez", "/readyz", "/healthz"} {
		if code, body := get(path); code != 200 || !strings.Contains(body, `"engine":"sqlite"`) {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	srv.Drain()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "draining") {
		t.Errorf("readyz while draining: %d %s", code, body)
	}
	if code, _ := get("/livez"); code != 200 {
		t.Errorf("livez while draining: %d", code)
	}
	s.Close()
	if code, _ := get("/livez"); code != 200 {
		t.Errorf("livez with the database closed: %d", code)
	}
}

// /metrics counts requests by route pattern and status, never by path.
func TestMetrics(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	srv, err := server.Build(s, slog.New(slog.DiscardHandler), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	code := passnum.NewPassCode()
	for i := 0; i < 3; i++ {
		srv.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/passes/"+code, nil))
	}
	srv.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/livez", nil))
	rec := httptest.NewRecorder()
	srv.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`passnum_http_requests_total{route="GET /api/v1/passes/{code}",status="401"} 3`,
		`passnum_http_requests_total{route="GET /livez",status="200"} 1`,
		`passnum_http_request_duration_seconds_count{route="GET /api/v1/passes/{code}"} 3`,
		"passnum_db_connections_open",
		"passnum_sqlite_writer_commits_total",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, code) {
		t.Error("/metrics holds a pass code")
	}
}
