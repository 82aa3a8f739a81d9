package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"passnum"
	"passnum/api"
)

func TestAuthentication(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.expect(e.do("GET", "/programmes", "", nil), 401, passnum.EUNAUTHENTICATED)
		e.expect(e.do("GET", "/programmes", "pn_nope", nil), 401, passnum.EUNAUTHENTICATED)
		// Roles: a place may not create a beneficiary, a distributor may not redeem.
		e.expect(e.do("POST", "/beneficiaries", e.place, eligible), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", "/passes/"+passnum.NewPassCode()+"/redeem", e.distributor, map[string]any{"service": service}), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", "/programmes", e.funder, map[string]any{}), 403, passnum.EFORBIDDEN)
		// A revoked key stops at once.
		r := e.do("POST", "/organisations/"+e.placeID+"/keys", e.operator, map[string]any{"name": "à révoquer"})
		e.expect(r, 201, "")
		key, id := r.Body["key"].(string), r.Body["id"].(string)
		e.expect(e.do("GET", "/redemptions", key, nil), 200, "")
		e.expect(e.do("DELETE", "/keys/"+id, e.operator, nil), 204, "")
		e.expect(e.do("GET", "/redemptions", key, nil), 401, passnum.EUNAUTHENTICATED)
		e.expect(e.do("DELETE", "/keys/"+passnum.NewID(e.clock.Now()), e.operator, nil), 404, passnum.ENOTFOUND)
	})
}

func TestTenancy(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 2)
		ben, codes := e.handOut(prog)
		// Another distributor and another place.
		otherDist := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		otherDistKey := e.newKey(otherDist)
		otherPlace := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "EPN Dijon", "siret": "35600000000048"})["id"].(string)
		otherPlaceKey := e.newKey(otherPlace)
		e.expect(e.do("POST", "/places/"+otherPlace+"/label", e.operator, nil), 200, "")

		e.expect(e.do("GET", "/beneficiaries/"+ben, otherDistKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/beneficiaries/"+ben+"/booklets", otherDistKey, map[string]any{"programme_id": prog}), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/beneficiaries/"+ben+"/booklets", otherDistKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/beneficiaries/"+ben+"/record", otherDistKey, map[string]any{"last_name": "Autre"}), 404, passnum.ENOTFOUND)
		for _, key := range []string{otherDistKey, e.distributor, e.place, e.funder} {
			e.expect(e.do("GET", "/duplicate-confirmations", key, nil), 403, passnum.EFORBIDDEN)
		}
		if l := e.do("GET", "/beneficiaries", otherDistKey, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("another agency's beneficiaries are listed: %s", l.Raw)
		}
		e.expect(e.do("GET", "/beneficiaries/"+ben, e.operator, nil), 200, "")

		red := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service})
		e.expect(red, 201, "")
		rid := red.Body["redemption_id"].(string)
		e.expect(e.do("GET", "/redemptions/"+rid, otherPlaceKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/redemptions/"+rid+"/cancel", otherPlaceKey, map[string]any{"reason": "pas à moi"}), 404, passnum.ENOTFOUND)
		if l := e.do("GET", "/redemptions", otherPlaceKey, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("another place's redemptions are listed: %s", l.Raw)
		}
		e.expect(e.do("GET", "/organisations/"+e.placeID, otherPlaceKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/organisations/"+e.placeID, e.place, nil), 200, "")
		// A funder sees only the programmes it funds.
		otherFunder := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "État"})["id"].(string)
		e.expect(e.do("GET", "/programmes/"+prog, e.newKey(otherFunder), nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/programmes/"+prog, e.funder, nil), 200, "")
	})
}

func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"not JSON", "POST", "/beneficiaries", "{nope", 400, passnum.EMALFORMED, ""},
			{"array body", "POST", "/beneficiaries", "[1,2]", 400, passnum.EMALFORMED, ""},
			{"trailing data", "POST", "/beneficiaries", `{"first_name":"a"} {}`, 400, passnum.EMALFORMED, ""},
			{"missing field", "POST", "/beneficiaries", map[string]any{"first_name": "Léa"}, 422, passnum.EINVALID, "last_name"},
			{"wrong type", "POST", "/beneficiaries", `{"first_name":"Léa","last_name":"M","birth_date":"2005-01-01","commune_insee":"25056","job_seeker":"oui","in_studies":false}`, 422, passnum.EINVALID, "job_seeker"},
			{"unknown field", "POST", "/beneficiaries", `{"first_name":"Léa","nickname":"L"}`, 422, passnum.EINVALID, "nickname"},
			{"impossible date", "POST", "/beneficiaries", `{"first_name":"Léa","last_name":"M","birth_date":"2005-02-30","commune_insee":"25056","job_seeker":true,"in_studies":false}`, 422, passnum.EINVALID, "birth_date"},
			{"bad commune", "POST", "/beneficiaries", `{"first_name":"Léa","last_name":"M","birth_date":"2005-02-03","commune_insee":"ABCDE","job_seeker":true,"in_studies":false}`, 422, passnum.EINVALID, "commune_insee"},
			{"unknown commune", "POST", "/beneficiaries", `{"first_name":"Léa","last_name":"M","birth_date":"2005-02-03","commune_insee":"25000","job_seeker":true,"in_studies":false}`, 422, passnum.EINVALID, "commune_insee"},
			{"bad SIRET", "POST", "/organisations", map[string]any{"kind": "place", "name": "X", "siret": "73282932000075"}, 422, passnum.EINVALID, "siret"},
			{"shares not 10000", "POST", "/programmes", map[string]any{"name": "P", "face_value_cents": 1000, "booklet_size": 5, "valid_from": "2026-01-01", "valid_until": "2026-12-31",
				"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 5000}}}, 422, passnum.EINVALID, "funders"},
			{"until before from", "POST", "/programmes", map[string]any{"name": "P", "face_value_cents": 1000, "booklet_size": 5, "valid_from": "2026-01-01", "valid_until": "2025-12-31",
				"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 10000}}}, 422, passnum.EINVALID, "valid_until"},
			{"unknown funder", "POST", "/programmes", map[string]any{"name": "P", "face_value_cents": 1000, "booklet_size": 5, "valid_from": "2026-01-01", "valid_until": "2026-12-31",
				"funders": []any{map[string]any{"organisation_id": e.distributorID, "share_bps": 10000}}}, 422, passnum.EINVALID, "funders"},
			{"malformed id", "GET", "/beneficiaries/xyz", nil, 404, passnum.ENOTFOUND, ""},
			{"unknown id", "GET", "/programmes/" + passnum.NewID(e.clock.Now()), nil, 404, passnum.ENOTFOUND, ""},
			{"unknown path", "GET", "/nothing/here", nil, 404, passnum.ENOTFOUND, ""},
			{"wrong method", "PUT", "/programmes", nil, 405, passnum.EMETHODNOTALLOWED, ""},
			{"bad limit", "GET", "/programmes?limit=9999", nil, 422, passnum.EINVALID, "limit"},
			{"bad cursor", "GET", "/programmes?cursor=zzz", nil, 422, passnum.EINVALID, "cursor"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := e.operator
				if strings.HasPrefix(c.path, "/beneficiaries") {
					key = e.distributor
				}
				r := e.do(c.method, c.path, key, c.body)
				e.expect(r, c.status, c.code)
				if c.field != "" {
					errs, _ := r.Body["errors"].([]any)
					found := false
					for _, fe := range errs {
						m := fe.(map[string]any)
						if m["field"] == c.field && m["detail"] != "" {
							found = true
						}
					}
					if !found {
						t.Fatalf("no error on field %s: %s", c.field, r.Raw)
					}
				}
			})
		}
		// Over 1 MiB: 413, and nothing written.
		big := `{"first_name":"` + strings.Repeat("a", 1<<20) + `"}`
		e.expect(e.do("POST", "/beneficiaries", e.distributor, big), 413, passnum.ETOOLARGE)
		if l := e.do("GET", "/beneficiaries", e.distributor, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("a refused request wrote something: %s", l.Raw)
		}
	})
}

func TestIdempotency(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		first := e.do("POST", "/beneficiaries", e.distributor, eligible, "Idempotency-Key", "k-1")
		e.expect(first, 201, "")
		again := e.do("POST", "/beneficiaries", e.distributor, eligible, "Idempotency-Key", "k-1")
		e.expect(again, 201, "")
		if again.Body["id"] != first.Body["id"] {
			t.Fatalf("replay gave another id: %v vs %v", again.Body["id"], first.Body["id"])
		}
		other := map[string]any{}
		for k, v := range eligible {
			other[k] = v
		}
		other["first_name"] = "Inès"
		e.expect(e.do("POST", "/beneficiaries", e.distributor, other, "Idempotency-Key", "k-1"), 422, passnum.EIDEMPOTENCYMISMATCH)
		if l := e.do("GET", "/beneficiaries", e.distributor, nil); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("replays wrote more than once: %s", l.Raw)
		}
		// Concurrent retries of one redemption: one redemption, same answer.
		prog := e.programme(1, 1)
		_, codes := e.handOut(prog)
		var wg sync.WaitGroup
		ids := make([]string, 10)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service}, "Idempotency-Key", "redeem-1")
				if r.Status == 201 {
					ids[i] = r.Body["redemption_id"].(string)
				} else {
					ids[i] = r.code()
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || !passnum.ValidID(id) {
				t.Fatalf("answers differ: %v", ids)
			}
		}
		if l := e.do("GET", "/redemptions", e.place, nil); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("retries redeemed twice: %s", l.Raw)
		}
		// The key's secret is not replayed.
		k1 := e.do("POST", "/organisations/"+e.placeID+"/keys", e.operator, map[string]any{"name": "x"}, "Idempotency-Key", "key-1")
		k2 := e.do("POST", "/organisations/"+e.placeID+"/keys", e.operator, map[string]any{"name": "x"}, "Idempotency-Key", "key-1")
		if k1.Body["id"] != k2.Body["id"] || k1.Body["key"] == nil || k2.Body["key"] != nil {
			t.Fatalf("key replay: %s / %s", k1.Raw, k2.Raw)
		}
	})
}

func TestPagination(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for i := 0; i < 7; i++ {
			e.mustCreate("/beneficiaries", e.distributor, e.person())
		}
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			path := "/beneficiaries?limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := e.do("GET", path, e.distributor, nil)
			e.expect(r, 200, "")
			for _, it := range r.Body["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s listed twice", id)
				}
				seen[id] = true
			}
			if r.Body["next"] == nil {
				break
			}
			cursor = r.Body["next"].(string)
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 7 {
			t.Fatalf("listed %d of 7", len(seen))
		}
	})
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/openapi.json", "", nil)
		e.expect(r, 200, "")
		var doc struct {
			OpenAPI string                               `json:"openapi"`
			Paths   map[string]map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(r.Raw, &doc); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(doc.OpenAPI, "3.") {
			t.Fatalf("openapi version %q", doc.OpenAPI)
		}
		n := 0
		for _, rt := range api.Routes() {
			op, ok := doc.Paths[strings.TrimPrefix(rt.Path, api.Prefix)][strings.ToLower(rt.Method)]
			if !ok {
				t.Errorf("%s %s is not documented", rt.Method, rt.Path)
				continue
			}
			if _, ok := op["responses"].(map[string]any)[strconv.Itoa(rt.Status)]; !ok {
				t.Errorf("%s %s: success status %d not documented", rt.Method, rt.Path, rt.Status)
			}
			n++
		}
		total := 0
		for _, ops := range doc.Paths {
			total += len(ops)
		}
		if total != n {
			t.Errorf("the document has %d operations, the route table %d", total, n)
		}
		// Query parameters and non-JSON answers are documented.
		near := doc.Paths["/places/near"]["get"]
		names := map[string]bool{}
		for _, p := range near["parameters"].([]any) {
			names[p.(map[string]any)["name"].(string)] = true
		}
		for _, want := range []string{"commune", "postcode", "service", "within_weeks", "radius_km"} {
			if !names[want] {
				t.Errorf("/places/near does not document %s", want)
			}
		}
		csv := doc.Paths["/opendata/lieux-mediation-numerique.csv"]["get"]["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)
		if _, ok := csv["text/csv"]; !ok {
			t.Errorf("the open-data CSV is not documented as text/csv: %v", csv)
		}
		// An embedded answer is documented flat, as encoding/json writes it.
		var full struct {
			Components struct {
				Schemas map[string]struct {
					Properties map[string]any `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(r.Raw, &full); err != nil {
			t.Fatal(err)
		}
		redeemed := full.Components.Schemas["RedeemResponse"].Properties
		for _, want := range []string{"redemption_id", "amount_cents", "site_id", "redemptions"} {
			if _, ok := redeemed[want]; !ok {
				t.Errorf("RedeemResponse lacks %s: %v", want, redeemed)
			}
		}
		// A bounded field says its bound, the store's own.
		bounded := 0
		for name, sc := range full.Components.Schemas {
			if !strings.HasSuffix(name, "Request") {
				continue
			}
			b, ok := sc.Properties["booklets"].(map[string]any)
			if !ok {
				continue
			}
			bounded++
			if b["maximum"] != float64(passnum.MaxIssuanceBooklets) || b["minimum"] != float64(1) {
				t.Errorf("%s.booklets: minimum %v, maximum %v, want 1 and %d", name, b["minimum"], b["maximum"], passnum.MaxIssuanceBooklets)
			}
		}
		if bounded != 3 {
			t.Errorf("%d requests with booklets documented, want 3 (issuance, allocation, stock transfer)", bounded)
		}
		// The contract's calls are all there.
		for _, want := range []string{"post /organisations", "post /passes/{code}/redeem", "post /redemptions/{id}/cancel", "get /redemptions", "post /beneficiaries/{id}/booklets", "post /programmes/{id}/allocations"} {
			m, p, _ := strings.Cut(want, " ")
			if _, ok := doc.Paths[p][m]; !ok {
				t.Errorf("%s missing", want)
			}
		}
	})
}

func TestHealth(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/healthz", "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("healthz: %d %s", r.Status, r.Raw)
		}
	})
}

func TestUnavailable(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.mustCreate("/beneficiaries", e.distributor, e.person())
		e.s.Close()
		e.expect(e.do("GET", "/beneficiaries", e.operator, nil), 503, passnum.EUNAVAILABLE)
		e.expect(e.do("POST", "/beneficiaries", e.distributor, eligible), 503, passnum.EUNAVAILABLE)
		if r := e.do("GET", "/healthz", "", nil); r.Status != 503 {
			t.Fatalf("healthz on a closed database: %d", r.Status)
		}
	})
}

func TestPlaceStatusTransitions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// A pending place cannot be suspended; a labelled one cannot be refused.
		e.expect(e.do("POST", "/places/"+e.placeID+"/suspend", e.operator, map[string]any{"reason": "test"}), 409, passnum.ECONFLICT)
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		e.expect(e.do("POST", "/places/"+e.placeID+"/refuse", e.operator, map[string]any{"reason": "test"}), 409, passnum.ECONFLICT)
		e.expect(e.do("POST", "/places/"+e.placeID+"/suspend", e.operator, map[string]any{"reason": "charte"}), 200, "")
		r := e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil)
		e.expect(r, 200, "")
		if r.Body["status"] != "labelled" {
			t.Fatalf("relabel: %s", r.Raw)
		}
		// A distributor is not a place.
		e.expect(e.do("POST", "/places/"+e.distributorID+"/label", e.operator, nil), 404, passnum.ENOTFOUND)
	})
}

// TestRouteErrorsExist: every error a route documents is a code of the
// table, so the OpenAPI document never promises an answer that cannot come.
func TestRouteErrorsExist(t *testing.T) {
	for _, rt := range api.Routes() {
		for _, code := range rt.Errors {
			if _, ok := passnum.LookupCode(code); !ok {
				t.Errorf("%s %s documents the error %q, which is not in the table of codes (error.go)", rt.Method, rt.Path, code)
			}
		}
	}
}
