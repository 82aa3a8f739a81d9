package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"passnum"
	"passnum/demo"
	"passnum/server"
	"passnum/store/storetest"
	"passnum/web"
)

// /metrics counts what the product did once it is committed: passes
// redeemed, settlements made (not a run that found nothing new), and
// attempts refused by a limit, by the limit's kind.
func TestMetricsCountWhatHappened(t *testing.T) {
	clock := passnum.NewFixedClock(storetest.Epoch)
	s, _ := storetest.OpenSQLite(t, clock)
	sum, err := demo.Seed(context.Background(), s, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.Build(s, slog.New(slog.DiscardHandler), web.Config{})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, key string, body any) *httptest.ResponseRecorder {
		t.Helper()
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler.ServeHTTP(rec, req)
		return rec
	}
	metrics := func() string {
		rec := httptest.NewRecorder()
		srv.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec.Body.String()
	}
	before := metrics()
	if !strings.Contains(before, "passnum_redemptions_total 0") || !strings.Contains(before, "passnum_settlements_total 0") {
		t.Fatalf("counters do not start at zero:\n%s", before)
	}

	code := sum.Beneficiary.PassCode
	rec := call("POST", "/api/v1/passes/"+code+"/redeem", sum.Keys["place"].Secret, map[string]any{"service": "Maîtrise des outils numériques du quotidien"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("redeem: %d %s", rec.Code, rec.Body)
	}
	var red passnum.Redemption
	if err := json.Unmarshal(rec.Body.Bytes(), &red); err != nil {
		t.Fatal(err)
	}
	// A refused redemption (the same pass again) counts nothing.
	if rec := call("POST", "/api/v1/passes/"+code+"/redeem", sum.Keys["place"].Secret, map[string]any{"service": "Maîtrise des outils numériques du quotidien"}); rec.Code != http.StatusConflict {
		t.Fatalf("second redeem: %d %s", rec.Code, rec.Body)
	}
	cutoff := clock.Now().In(passnum.Paris).Format("2006-01-02")
	settle := map[string]any{"programme_id": red.ProgrammeID, "cutoff": cutoff}
	first := call("POST", "/api/v1/settlements", sum.Keys["operator"].Secret, settle)
	if first.Code != http.StatusCreated {
		t.Fatalf("settle: %d %s", first.Code, first.Body)
	}
	var made passnum.Settlement
	if err := json.Unmarshal(first.Body.Bytes(), &made); err != nil {
		t.Fatal(err)
	}
	paid, held := 0, 0
	for _, l := range made.Lines {
		if l.HeldBack {
			held++
		} else {
			paid++
		}
	}
	// The same cut-off again finds nothing new: no settlement made.
	if again := call("POST", "/api/v1/settlements", sum.Keys["operator"].Secret, settle); again.Code != http.StatusOK {
		t.Fatalf("settle again: %d %s", again.Code, again.Body)
	}
	// Six wrong birth dates for one pass: the pass holder's limit refuses
	// the sixth.
	for i := 0; i < passnum.PassHolderLimit.Max+1; i++ {
		form := url.Values{"code": {code}, "birth_date": {"01/01/1990"}}
		req := httptest.NewRequest(http.MethodPost, "/mon-pass", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		srv.Handler.ServeHTTP(httptest.NewRecorder(), req)
	}

	after := metrics()
	for _, want := range []string{
		"passnum_redemptions_total 1\n",
		"passnum_redeemed_cents_total 1000\n",
		"passnum_settlements_total 1\n",
		`passnum_settlement_lines_total{line="paid"} ` + itoa(paid) + "\n",
		`passnum_settlement_lines_total{line="held_back"} ` + itoa(held) + "\n",
		`passnum_attempts_refused_total{limit="signin.pass"} 1` + "\n",
		// Every request above was answered: nobody waits in the general lane.
		"passnum_http_general_lane_waiting 0\n",
		"passnum_http_general_lane_in_flight 0\n",
	} {
		if !strings.Contains(after, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !strings.Contains(after, "passnum_settled_cents_total ") || strings.Contains(after, "passnum_settled_cents_total 0\n") {
		t.Errorf("/metrics lacks the settled amount (settlement total %d)", made.TotalCents)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// An attempt refused by a limit is counted once, where the limit decides,
// whichever path asked: the API's anonymous label applications (refused
// through its error answer), the pages' sign-in with a pass, and a reset
// link the page refuses silently (it answers the same either way); on both
// engines, whose write paths differ.
func TestRefusedAttemptsCountedOnce(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s, _ := e.Open(t, passnum.NewFixedClock(storetest.Epoch))
			srv, err := server.Build(s, slog.New(slog.DiscardHandler), web.Config{})
			if err != nil {
				t.Fatal(err)
			}
			send := func(req *http.Request) int {
				t.Helper()
				rec := httptest.NewRecorder()
				srv.Handler.ServeHTTP(rec, req)
				return rec.Code
			}
			form := func(path string, v url.Values) int {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return send(req)
			}
			refused := func() string {
				rec := httptest.NewRecorder()
				srv.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
				var out []string
				for _, l := range strings.Split(rec.Body.String(), "\n") {
					if strings.HasPrefix(l, "passnum_attempts_refused_total{") {
						out = append(out, l)
					}
				}
				return strings.Join(out, "\n")
			}

			// The API: five applications from one address, the sixth refused.
			for i := range passnum.ApplicationAddressLimit.Max + 1 {
				b, _ := json.Marshal(map[string]any{
					"name": "Espace numérique " + itoa(i), "siret": testSIRET(i),
					"legal_representative": map[string]any{"name": "Claire Dupont", "role": "présidente"},
					"contact_email":        "contact@exemple.fr", "contact_phone": "03 81 41 00 00",
					"site": map[string]any{"address": "13 avenue de l'Île-de-France", "commune_insee": "25056", "postcode": "25000",
						"services": []string{"Maîtrise des outils numériques du quotidien"}},
					"charter_accepted": true, "charter_version": passnum.CharterVersion,
					"bank_account": map[string]any{"holder": "Association", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"},
				})
				req := httptest.NewRequest(http.MethodPost, "/api/v1/place-applications", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				want := http.StatusCreated
				if i == passnum.ApplicationAddressLimit.Max {
					want = http.StatusTooManyRequests
				}
				if got := send(req); got != want {
					t.Fatalf("application %d: %d, want %d", i+1, got, want)
				}
			}
			if got, want := refused(), `passnum_attempts_refused_total{limit="application.address"} 1`; got != want {
				t.Fatalf("after the API's refusal:\n%s\nwant\n%s", got, want)
			}

			// The pages: one unknown pass code six times, the sixth refused.
			code := passnum.NewPassCode()
			for i := range passnum.PassHolderLimit.Max + 1 {
				want := http.StatusUnauthorized
				if i == passnum.PassHolderLimit.Max {
					want = http.StatusTooManyRequests
				}
				if got := form("/mon-pass", url.Values{"code": {code}, "birth_date": {"01/01/1990"}}); got != want {
					t.Fatalf("sign-in %d: %d, want %d", i+1, got, want)
				}
			}
			// Four reset links asked for one address: the fourth is not
			// sent, and the page answers the same.
			for range passnum.ResetAccountLimit.Max + 1 {
				if got := form("/mot-de-passe-oublie", url.Values{"email": {"personne@exemple.fr"}}); got >= 400 {
					t.Fatalf("reset link: %d", got)
				}
			}
			want := `passnum_attempts_refused_total{limit="application.address"} 1` + "\n" +
				`passnum_attempts_refused_total{limit="reset.account"} 1` + "\n" +
				`passnum_attempts_refused_total{limit="signin.pass"} 1`
			if got := refused(); got != want {
				t.Fatalf("after the pages' refusals:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// testSIRET is a valid SIRET, one per n.
func testSIRET(n int) string {
	body := "4" + strings.Repeat("0", 8) + itoa(4000+n)
	for key := byte('0'); key <= '9'; key++ {
		if s := body + string(key); passnum.ValidSIRET(s) {
			return s
		}
	}
	panic("no key")
}
