package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"passnum"
	"passnum/server"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// env is one running API over a fresh database, with a key per role.
type env struct {
	t     *testing.T
	s     *store.Store
	clock *passnum.FixedClock
	srv   *httptest.Server

	operator    string // keys
	funder      string
	distributor string
	place       string

	funderID, distributorID, placeID string
}

// each runs fn on SQLite and PostgreSQL.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		fn(t, newEnv(t, s, clock))
	})
}

func newEnv(t *testing.T, s *store.Store, clock *passnum.FixedClock) *env {
	t.Helper()
	return newEnvWith(t, s, clock, web.Config{})
}

// newEnvWith is newEnv with the site's settings (a mail outbox…).
func newEnvWith(t *testing.T, s *store.Store, clock *passnum.FixedClock, cfg web.Config) *env {
	t.Helper()
	h, err := server.New(s, slog.New(slog.DiscardHandler), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, s: s, clock: clock, srv: srv}
	if e.operator, err = s.CreateOperatorKey(context.Background(), "tests"); err != nil {
		t.Fatal(err)
	}
	e.funderID = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "Région Bourgogne-Franche-Comté"})["id"].(string)
	e.distributorID = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "Mission locale du Grand Besançon", "commune_insee": "25056"})["id"].(string)
	e.placeID = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "Médiathèque Pierre-Bayle", "siret": "73282932000074", "commune_insee": "25056"})["id"].(string)
	e.funder = e.newKey(e.funderID)
	e.distributor = e.newKey(e.distributorID)
	e.place = e.newKey(e.placeID)
	return e
}

func (e *env) newKey(orgID string) string {
	e.t.Helper()
	return e.mustCreate("/organisations/"+orgID+"/keys", e.operator, map[string]any{"name": "tests"})["key"].(string)
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (r response) code() string {
	c, _ := r.Body["code"].(string)
	return c
}

// do sends a request; body may be nil, a []byte/string sent as is, or a
// value encoded as JSON.
func (e *env) do(method, path, key string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+apiPath(path), rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

func apiPath(path string) string {
	if len(path) > 0 && path[0] == '/' && !bytes.HasPrefix([]byte(path), []byte("/healthz")) && !bytes.HasPrefix([]byte(path), []byte("/api/")) {
		return "/api/v1" + path
	}
	return path
}

// expect checks status and, for errors, the problem code.
func (e *env) expect(r response, status int, code string) {
	e.t.Helper()
	if r.Status != status || (code != "" && r.code() != code) {
		e.t.Fatalf("got %d %q, want %d %q\n%s", r.Status, r.code(), status, code, r.Raw)
	}
	if status >= 400 {
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
			e.t.Fatalf("error Content-Type %q", ct)
		}
		if d, _ := r.Body["detail"].(string); d == "" {
			e.t.Fatalf("error without detail: %s", r.Raw)
		}
	}
}

func (e *env) mustCreate(path, key string, body any) map[string]any {
	e.t.Helper()
	r := e.do("POST", path, key, body)
	if r.Status != http.StatusCreated {
		e.t.Fatalf("POST %s: %d\n%s", path, r.Status, r.Raw)
	}
	return r.Body
}

// programme creates a programme valid around storetest.Epoch, issues and
// allocates booklets to the env's distributor, and labels the place.
func (e *env) programme(booklets, allocated int) string {
	e.t.Helper()
	id := e.mustCreate("/programmes", e.operator, map[string]any{
		"name": "Pass numérique BFC", "face_value_cents": 1000, "booklet_size": 5,
		"valid_from": "2026-01-01", "valid_until": "2026-12-31", "grace_days": 31,
		"min_age": 16, "max_age": 25, "max_booklets_per_beneficiary": 1,
		"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 10000}},
	})["id"].(string)
	e.mustCreate("/programmes/"+id+"/issuances", e.operator, map[string]any{"booklets": booklets})
	if allocated > 0 {
		e.mustCreate("/programmes/"+id+"/allocations", e.operator, map[string]any{"distributor_id": e.distributorID, "booklets": allocated})
	}
	r := e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil)
	e.expect(r, 200, "")
	return id
}

var eligible = map[string]any{"first_name": "Léa", "last_name": "Martin", "birth_date": "2005-05-17", "commune_insee": "25056", "job_seeker": true, "in_studies": false}

var personSeq atomic.Int64

// person is an eligible young person, another one at each call: an agency
// registers a person once.
func (e *env) person() map[string]any {
	p := map[string]any{}
	for k, v := range eligible {
		p[k] = v
	}
	p["last_name"] = fmt.Sprintf("Martin %d", personSeq.Add(1))
	return p
}

// handOut registers an eligible beneficiary and hands them a booklet;
// it returns the booklet's pass codes.
func (e *env) handOut(programmeID string) (beneficiaryID string, codes []string) {
	e.t.Helper()
	beneficiaryID = e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
	bk := e.mustCreate("/beneficiaries/"+beneficiaryID+"/booklets", e.distributor, map[string]any{"programme_id": programmeID})
	for _, p := range bk["passes"].([]any) {
		codes = append(codes, p.(map[string]any)["code"].(string))
	}
	return beneficiaryID, codes
}

const service = "Maîtrise des outils numériques du quotidien"
