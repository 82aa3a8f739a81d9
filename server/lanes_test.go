package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"testing"

	"passnum"
	"passnum/store/storetest"
	"passnum/web"
)

// The lane follows the routing: the routes marked urgent where they are
// declared, and only those, skip the general lane, whatever the path's
// spelling.
func TestUrgentRoutesFollowTheRouting(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	srv, err := Build(s, slog.New(slog.DiscardHandler), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /api/v1/passes/{code}", "GET /healthz", "GET /livez", "GET /readyz",
		"POST /api/v1/passes/{code}/redeem", "POST /lieu/encaisser", "POST /lieu/verifier"}
	if got := srv.UrgentPatterns(); !slices.Equal(got, want) {
		t.Fatalf("urgent patterns %q, want %q", got, want)
	}
	for _, c := range []struct {
		method, path string
		urgent       bool
	}{
		{"POST", "/api/v1/passes/ABCD-EFGH-JKLM/redeem", true},
		{"POST", "/lieu/encaisser", true},
		{"POST", "/lieu/verifier", true},
		{"GET", "/api/v1/passes/ABCD-EFGH-JKLM", true},
		{"HEAD", "/api/v1/passes/ABCD-EFGH-JKLM", true},
		{"GET", "/livez", true},
		{"GET", "/readyz", true},
		{"GET", "/healthz", true},
		{"POST", "/api/v1/passes//redeem", false},
		{"POST", "/api/v1/passes/a/b/redeem", false},
		{"GET", "/api/v1/passes/", false},
		{"GET", "/api/v1/passes/a/redeem", false},
		{"POST", "/api/v1/passes/ABCD", false},
		{"DELETE", "/api/v1/passes/ABCD", false},
		{"GET", "/lieu/encaisser", false},
		{"GET", "/lieu", false},
		{"POST", "/api/v1/booklets/x/handout", false},
		{"GET", "/operateur/programmes/p/tableau-de-bord", false},
		{"POST", "/connexion", false},
		{"DELETE", "/livez", false},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		if got := srv.lanes.urgent(r); got != c.urgent {
			t.Errorf("%s %s: urgent %v, want %v", c.method, c.path, got, c.urgent)
		}
	}
}

// A saturated general lane makes general requests wait in turn while
// redemptions and health checks go straight through; a request whose
// client leaves while it waits never reaches its handler.
func TestLanesKeepRedemptionsMovingWhenTheGeneralLaneIsFull(t *testing.T) {
	l := newLanes(1, func(r *http.Request) bool {
		return r.URL.Path == "/api/v1/passes/ABCD-EFGH-JKLM/redeem" || r.URL.Path == "/readyz"
	})
	release := make(chan struct{})
	entered := make(chan string, 10)
	h := l.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.URL.Path
		if r.URL.Path == "/operateur" {
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	serve := func(r *http.Request) chan int {
		done := make(chan int, 1)
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			done <- rec.Code
		}()
		return done
	}

	first := serve(httptest.NewRequest("GET", "/operateur", nil))
	if got := <-entered; got != "/operateur" {
		t.Fatalf("first request entered %s", got)
	}
	second := serve(httptest.NewRequest("GET", "/financeur", nil))
	waitFor(t, func() bool { return l.waiting.Load() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	gone := serve(httptest.NewRequest("GET", "/distributeur", nil).WithContext(ctx))
	waitFor(t, func() bool { return l.waiting.Load() == 2 })

	// The general lane is full: a redemption and a health check pass.
	if code := <-serve(httptest.NewRequest("POST", "/api/v1/passes/ABCD-EFGH-JKLM/redeem", nil)); code != http.StatusNoContent {
		t.Fatalf("redemption answered %d while the general lane was full", code)
	}
	if code := <-serve(httptest.NewRequest("GET", "/readyz", nil)); code != http.StatusNoContent {
		t.Fatalf("readiness answered %d while the general lane was full", code)
	}
	for _, want := range []string{"/api/v1/passes/ABCD-EFGH-JKLM/redeem", "/readyz"} {
		if got := <-entered; got != want {
			t.Fatalf("entered %s, want %s", got, want)
		}
	}
	if l.inside.Load() != 1 {
		t.Fatalf("%d general requests inside, want 1", l.inside.Load())
	}

	// The client of the third leaves: answered 503, never served.
	cancel()
	if code := <-gone; code != http.StatusServiceUnavailable {
		t.Fatalf("abandoned request answered %d, want 503", code)
	}
	waitFor(t, func() bool { return l.waiting.Load() == 1 })

	close(release)
	if code := <-first; code != http.StatusNoContent {
		t.Fatalf("first answered %d", code)
	}
	if code := <-second; code != http.StatusNoContent {
		t.Fatalf("second answered %d", code)
	}
	if got := <-entered; got != "/financeur" {
		t.Fatalf("after the first, %s entered, want /financeur", got)
	}
	select {
	case p := <-entered:
		t.Fatalf("%s reached its handler after its client left", p)
	default:
	}
	if l.waiting.Load() != 0 || l.inside.Load() != 0 {
		t.Fatalf("waiting %d, inside %d after all answered", l.waiting.Load(), l.inside.Load())
	}
}

// The default width is one request per processor, at least two.
func TestLanesDefaultWidth(t *testing.T) {
	saved := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(saved) })
	for _, c := range []struct{ procs, want int }{{1, 2}, {2, 2}, {3, 3}, {8, 8}} {
		runtime.GOMAXPROCS(c.procs)
		if got := cap(newLanes(0, nil).general); got != c.want {
			t.Errorf("%d processors: default width %d, want %d", c.procs, got, c.want)
		}
	}
	if got := cap(newLanes(3, nil).general); got != 3 {
		t.Fatalf("width %d, want 3", got)
	}
}

// waitFor yields until cond holds; the test's own deadline bounds it.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		runtime.Gosched()
	}
}
