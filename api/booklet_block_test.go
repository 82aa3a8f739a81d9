package api_test

import (
	"net/url"
	"testing"
	"time"

	"passnum"
)

func passStatusesOf(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, p := range r.Body["passes"].([]any) {
		out = append(out, p.(map[string]any)["status"].(string))
	}
	return out
}

func TestBlockAndReplaceBooklet(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(6, 4) // one booklet per beneficiary
		ben := e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
		bk := e.mustCreate("/beneficiaries/"+ben+"/booklets", e.distributor, map[string]any{"programme_id": prog})
		id := bk["booklet_id"].(string)
		var codes []string
		for _, p := range bk["passes"].([]any) {
			codes = append(codes, p.(map[string]any)["code"].(string))
		}
		e.expect(e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service}), 201, "")

		otherDist := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		otherKey := e.newKey(otherDist)
		reason := map[string]any{"reason": "carnet perdu"}
		// Roles and tenancy.
		e.expect(e.do("POST", "/booklets/"+id+"/block", e.place, reason), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", "/booklets/"+id+"/block", e.funder, reason), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", "/booklets/"+id+"/block", otherKey, reason), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/booklets/"+id+"/replace", otherKey, reason), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/booklets/nope/block", e.distributor, reason), 404, passnum.ENOTFOUND)
		// The reason is required.
		e.expect(e.do("POST", "/booklets/"+id+"/block", e.distributor, map[string]any{}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/booklets/"+id+"/block", e.distributor, map[string]any{"reason": " "}), 422, passnum.EINVALID)

		e.clock.Advance(time.Minute)
		r := e.do("POST", "/booklets/"+id+"/block", e.distributor, reason)
		e.expect(r, 200, "")
		if r.Body["status"] != string(passnum.BookletBlocked) || r.Body["beneficiary_id"] != ben {
			t.Fatalf("blocked: %s", r.Raw)
		}
		if got := passStatusesOf(t, r); got[0] != "redeemed" || got[1] != "blocked" || got[4] != "blocked" {
			t.Fatalf("passes after block: %v", got)
		}
		// Its passes can no longer be redeemed; blocking twice says so.
		e.expect(e.do("POST", "/passes/"+codes[1]+"/redeem", e.place, map[string]any{"service": service}), 409, passnum.EBLOCKED)
		e.expect(e.do("POST", "/booklets/"+id+"/block", e.distributor, reason), 409, passnum.EBLOCKED)
		// A plain hand-out is refused at the limit; a replacement is not.
		e.expect(e.do("POST", "/beneficiaries/"+ben+"/booklets", e.distributor, map[string]any{"programme_id": prog}), 409, passnum.EBOOKLETLIMIT)
		r = e.do("POST", "/booklets/"+id+"/replace", e.distributor, map[string]any{"reason": "perte déclarée"})
		e.expect(r, 201, "")
		newID := r.Body["booklet_id"].(string)
		if newID == id || r.Body["status"] != string(passnum.BookletHandedOut) || r.Body["beneficiary_id"] != ben || len(r.Body["passes"].([]any)) != 5 {
			t.Fatalf("replacement: %s", r.Raw)
		}
		newCode := r.Body["passes"].([]any)[0].(map[string]any)["code"].(string)
		e.expect(e.do("POST", "/passes/"+newCode+"/redeem", e.place, map[string]any{"service": service}), 201, "")
		e.expect(e.do("POST", "/booklets/"+id+"/replace", e.distributor, reason), 409, passnum.ECONFLICT)
		st := e.do("GET", "/programmes/"+prog+"/stock", e.distributor, nil)
		if st.Body["available_booklets"] != 2.0 {
			t.Fatalf("stock: %s", st.Raw)
		}

		// The operator replaces the replacement in one gesture.
		e.clock.Advance(time.Minute)
		r = e.do("POST", "/booklets/"+newID+"/replace", e.operator, map[string]any{"reason": "volé"})
		e.expect(r, 201, "")
		thirdID := r.Body["booklet_id"].(string)
		if got := passStatusesOf(t, e.do("GET", "/booklets/"+newID, e.distributor, nil)); got[0] != "redeemed" || got[1] != "blocked" {
			t.Fatalf("replaced replacement: %v", got)
		}

		// The audit trail has both, with the reasons.
		a := e.do("GET", "/audit?object_type=booklet&object_id="+id, e.operator, nil)
		e.expect(a, 200, "")
		if items := a.Body["items"].([]any); items[0].(map[string]any)["action"] != "booklet.block" || items[0].(map[string]any)["reason"] != "carnet perdu" {
			t.Fatalf("audit of the lost booklet: %s", a.Raw)
		}
		a = e.do("GET", "/audit?object_type=booklet&object_id="+newID, e.operator, nil)
		if items := a.Body["items"].([]any); len(items) != 2 || items[0].(map[string]any)["action"] != "booklet.block" ||
			items[1].(map[string]any)["action"] != "booklet.replace" || items[1].(map[string]any)["reason"] != "perte déclarée" {
			t.Fatalf("audit of the replacement: %s", a.Raw)
		}

		// The counsellor's list shows the counts and the latest booklet.
		l := e.do("GET", "/beneficiaries?q="+url.QueryEscape("LÉA mar"), e.distributor, nil)
		e.expect(l, 200, "")
		items := l.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("search: %s", l.Raw)
		}
		got := items[0].(map[string]any)
		// 1 redeemed of the lost booklet; the replacement carries its 4
		// unused passes, 1 redeemed; the third carries the 3 left: 5 passes,
		// what one booklet is worth, 2 used.
		if got["id"] != ben || got["first_name"] != "Léa" || got["passes_total"] != 5.0 || got["passes_used"] != 2.0 || got["latest_booklet_id"] != thirdID {
			t.Fatalf("summary: %s", l.Raw)
		}
		if l := e.do("GET", "/beneficiaries?q=zoe", e.distributor, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("search zoe: %s", l.Raw)
		}
		if l := e.do("GET", "/beneficiaries?q=lea", otherKey, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("another agency finds our beneficiary: %s", l.Raw)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}
