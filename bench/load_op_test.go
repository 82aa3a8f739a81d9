package bench

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A redemption drawn before any pass was handed out performs a hand-out
// and is counted as one: its time must never pass for a redemption's.
// Once a booklet is handed out, a redemption redeems one of its passes.
func TestLoadCountsWhatItPerformed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/beneficiaries", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"jeune-1"}`))
	})
	mux.HandleFunc("POST /api/v1/beneficiaries/jeune-1/booklets", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"carnet-1","passes":[{"code":"PASS-1"}]}`))
	})
	redeemed := 0
	mux.HandleFunc("POST /api/v1/passes/PASS-1/redeem", func(w http.ResponseWriter, r *http.Request) {
		redeemed++
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"redemption_id":"enc-1"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	l := &load{base: srv.URL, client: srv.Client(), keys: map[string]string{}, booklets: map[string]string{}, redemptions: map[string]string{}}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	if did, out := l.op(ctx, "redemption", rng); did != "hand-out" || out != ok {
		t.Fatalf("redemption with nothing to redeem: performed %q (%v), want a hand-out", did, out)
	}
	if did, out := l.op(ctx, "redemption", rng); did != "redemption" || out != ok || redeemed != 1 {
		t.Fatalf("redemption after a hand-out: performed %q (%v), %d redeemed", did, out, redeemed)
	}
	if did, _ := l.op(ctx, "redemption", rng); did != "hand-out" {
		t.Fatalf("redemption once every pass is used: performed %q, want a hand-out", did)
	}
}
