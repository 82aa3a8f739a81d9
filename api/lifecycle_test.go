package api_test

import (
	"strings"
	"testing"
	"time"

	"passnum"
)

func TestLifecycle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(10, 3)
		benID, codes := e.handOut(prog)
		if len(codes) != 5 {
			t.Fatalf("booklet has %d passes", len(codes))
		}
		// A place checks the pass, typed sloppily.
		sloppy := strings.ToLower(passnum.FormatPassCode(codes[0]))
		r := e.do("GET", "/passes/"+sloppy, e.place, nil)
		e.expect(r, 200, "")
		if r.Body["status"] != "assigned" || r.Body["beneficiary"].(map[string]any)["first_name"] != "Léa" || r.Body["beneficiary"].(map[string]any)["birth_year"] != 2005.0 {
			t.Fatalf("pass: %s", r.Raw)
		}
		if _, leaked := r.Body["beneficiary"].(map[string]any)["last_name"]; leaked {
			t.Fatalf("a place sees the last name: %s", r.Raw)
		}
		red := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service})
		e.expect(red, 201, "")
		if red.Body["amount_cents"] != 1000.0 || red.Body["place_id"] != e.placeID {
			t.Fatalf("redemption: %s", red.Raw)
		}
		again := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service})
		e.expect(again, 409, passnum.EALREADYREDEEMED)
		if !strings.Contains(again.Body["detail"].(string), "10/03/2026") {
			t.Fatalf("refusal does not say when: %s", again.Raw)
		}
		// Cancel within the window, then the pass is usable again.
		rid := red.Body["redemption_id"].(string)
		e.expect(e.do("POST", "/redemptions/"+rid+"/cancel", e.place, map[string]any{"reason": "erreur de carnet"}), 200, "")
		e.expect(e.do("POST", "/redemptions/"+rid+"/cancel", e.place, map[string]any{"reason": "encore"}), 409, passnum.EALREADYCANCELLED)
		r = e.do("GET", "/passes/"+codes[0], e.place, nil)
		if r.Body["status"] != "assigned" {
			t.Fatalf("after cancel: %s", r.Raw)
		}
		red2 := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service})
		e.expect(red2, 201, "")
		// The list shows both, newest first, the cancelled one kept.
		l := e.do("GET", "/redemptions", e.place, nil)
		e.expect(l, 200, "")
		items := l.Body["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["status"] != "active" || items[1].(map[string]any)["status"] != "cancelled" {
			t.Fatalf("redemptions: %s", l.Raw)
		}
		// After 24 h the place can no longer cancel; the operator can.
		e.clock.Advance(25 * time.Hour)
		rid2 := red2.Body["redemption_id"].(string)
		e.expect(e.do("POST", "/redemptions/"+rid2+"/cancel", e.place, map[string]any{"reason": "trop tard"}), 409, passnum.ECANCELWINDOWCLOSED)
		e.expect(e.do("POST", "/redemptions/"+rid2+"/cancel", e.operator, map[string]any{"reason": "correction opérateur"}), 200, "")
		// The distributor sees its beneficiary's booklet.
		bl := e.do("GET", "/beneficiaries/"+benID+"/booklets", e.distributor, nil)
		e.expect(bl, 200, "")
		if n := len(bl.Body["items"].([]any)); n != 1 {
			t.Fatalf("booklets: %s", bl.Raw)
		}
		// Stock: 3 allocated, 1 handed out.
		st := e.do("GET", "/programmes/"+prog+"/stock", e.distributor, nil)
		if st.Body["available_booklets"] != 2.0 || st.Body["allocated_booklets"] != 3.0 {
			t.Fatalf("stock: %s", st.Raw)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestHandOutRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(3, 1)
		// Too old, not a job seeker, in studies: every failed rule is named.
		b := e.mustCreate("/beneficiaries", e.distributor, map[string]any{"first_name": "Paul", "last_name": "Durand", "birth_date": "1990-01-01",
			"commune_insee": "21231", "job_seeker": false, "in_studies": true})
		r := e.do("POST", "/beneficiaries/"+b["id"].(string)+"/booklets", e.distributor, map[string]any{"programme_id": prog})
		e.expect(r, 422, passnum.ENOTELIGIBLE)
		reasons := r.Body["reasons"].([]any)
		if len(reasons) != 3 || reasons[0] != "age" || reasons[1] != "not_job_seeker" || reasons[2] != "in_studies" {
			t.Fatalf("reasons: %s", r.Raw)
		}
		// Limit per beneficiary, then stock.
		ben, _ := e.handOut(prog)
		e.expect(e.do("POST", "/beneficiaries/"+ben+"/booklets", e.distributor, map[string]any{"programme_id": prog}), 409, passnum.EBOOKLETLIMIT)
		other := e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
		e.expect(e.do("POST", "/beneficiaries/"+other+"/booklets", e.distributor, map[string]any{"programme_id": prog}), 409, passnum.EINSUFFICIENTSTOCK)
		e.expect(e.do("POST", "/programmes/"+prog+"/allocations", e.operator, map[string]any{"distributor_id": e.distributorID, "booklets": 3}), 409, passnum.EINSUFFICIENTSTOCK)
		// After the programme's end, hand-outs are closed.
		e.expect(e.do("POST", "/programmes/"+prog+"/allocations", e.operator, map[string]any{"distributor_id": e.distributorID, "booklets": 1}), 201, "")
		e.clock.Set(time.Date(2027, 1, 1, 0, 30, 0, 0, passnum.Paris))
		e.expect(e.do("POST", "/beneficiaries/"+other+"/booklets", e.distributor, map[string]any{"programme_id": prog}), 409, passnum.EPROGRAMMECLOSED)
	})
}

func TestRedeemRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(3, 2)
		_, codes := e.handOut(prog)
		e.expect(e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": "Cours de cuisine"}), 422, passnum.EINVALID)
		// Unknown but well-formed code, and a typo.
		unknown := passnum.NewPassCode()
		e.expect(e.do("POST", "/passes/"+unknown+"/redeem", e.place, map[string]any{"service": service}), 404, passnum.ENOTFOUND)
		typo := []byte(codes[0])
		if typo[3] == 'A' {
			typo[3] = 'B'
		} else {
			typo[3] = 'A'
		}
		e.expect(e.do("POST", "/passes/"+string(typo)+"/redeem", e.place, map[string]any{"service": service}), 422, passnum.EINVALIDCODE)
		e.expect(e.do("GET", "/passes/"+string(typo), e.place, nil), 422, passnum.EINVALIDCODE)
		e.expect(e.do("GET", "/passes/ABC", e.place, nil), 422, passnum.EINVALIDCODE)
		// Validity: the whole of 31 December plus 31 days of grace, in Paris.
		e.clock.Set(time.Date(2027, 1, 31, 23, 59, 0, 0, passnum.Paris))
		e.expect(e.do("POST", "/passes/"+codes[1]+"/redeem", e.place, map[string]any{"service": service}), 201, "")
		e.clock.Set(time.Date(2027, 2, 1, 0, 0, 0, 0, passnum.Paris))
		e.expect(e.do("POST", "/passes/"+codes[2]+"/redeem", e.place, map[string]any{"service": service}), 409, passnum.EEXPIRED)
		if r := e.do("GET", "/passes/"+codes[2], e.operator, nil); r.Body["status"] != "expired" {
			t.Fatalf("status after expiry: %s", r.Raw)
		}
		// A suspended place can neither check nor redeem.
		e.clock.Set(time.Date(2026, 6, 1, 12, 0, 0, 0, passnum.Paris))
		e.expect(e.do("POST", "/places/"+e.placeID+"/suspend", e.operator, map[string]any{}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/places/"+e.placeID+"/suspend", e.operator, map[string]any{"reason": "charte non respectée"}), 200, "")
		e.expect(e.do("GET", "/passes/"+codes[3], e.place, nil), 403, passnum.EPLACENOTLABELLED)
		e.expect(e.do("POST", "/passes/"+codes[3]+"/redeem", e.place, map[string]any{"service": service}), 403, passnum.EPLACENOTLABELLED)
	})
}

func TestTerritory(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.expect(e.do("POST", "/programmes", e.operator, map[string]any{"name": "P", "face_value_cents": 1000, "booklet_size": 5,
			"valid_from": "2026-01-01", "valid_until": "2026-12-31", "territory": []string{"dep:99"},
			"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 10000}}}), 422, passnum.EINVALID)
		// A programme for Côte-d'Or only: a Besançon beneficiary is refused,
		// a Dijon one is not; a Besançon place cannot redeem.
		prog := e.mustCreate("/programmes", e.operator, map[string]any{"name": "Pass Côte-d'Or", "face_value_cents": 1000, "booklet_size": 5,
			"valid_from": "2026-01-01", "valid_until": "2026-12-31", "territory": []string{"21"},
			"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 10000}}})
		if terr := prog["territory"].([]any); len(terr) != 1 || terr[0] != "dep:21" {
			t.Fatalf("territory: %v", prog["territory"])
		}
		id := prog["id"].(string)
		e.mustCreate("/programmes/"+id+"/issuances", e.operator, map[string]any{"booklets": 2})
		e.mustCreate("/programmes/"+id+"/allocations", e.operator, map[string]any{"distributor_id": e.distributorID, "booklets": 2})
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		besancon := e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
		r := e.do("POST", "/beneficiaries/"+besancon+"/booklets", e.distributor, map[string]any{"programme_id": id})
		e.expect(r, 422, passnum.ENOTELIGIBLE)
		if reasons := r.Body["reasons"].([]any); len(reasons) != 1 || reasons[0] != "territory" || !strings.Contains(r.Body["detail"].(string), "Côte-d'Or") {
			t.Fatalf("refusal: %s", r.Raw)
		}
		dijon := map[string]any{}
		for k, v := range e.person() {
			dijon[k] = v
		}
		dijon["commune_insee"] = "21231"
		ben := e.mustCreate("/beneficiaries", e.distributor, dijon)["id"].(string)
		bk := e.mustCreate("/beneficiaries/"+ben+"/booklets", e.distributor, map[string]any{"programme_id": id})
		code := bk["passes"].([]any)[0].(map[string]any)["code"].(string)
		e.expect(e.do("POST", "/passes/"+code+"/redeem", e.place, map[string]any{"service": service}), 403, passnum.EOUTSIDETERRITORY)
		if r := e.do("GET", "/passes/"+code, e.place, nil); r.Body["status"] != "assigned" {
			t.Fatalf("a refused redemption changed the pass: %s", r.Raw)
		}
	})
}
