package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"passnum"
)

func TestStatsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(10, 8)
		var codes [][]string
		for range 6 {
			_, c := e.handOut(prog)
			codes = append(codes, c)
		}
		for i := range 3 {
			e.expect(e.do("POST", "/passes/"+codes[i][0]+"/redeem", e.place, map[string]any{"service": service}), 201, "")
		}

		// The operator sees every figure; by distributor, its allocation.
		r := e.do("GET", "/stats?programme_id="+prog+"&by=distributor", e.operator, nil)
		e.expect(r, 200, "")
		total := r.Body["total"].(map[string]any)
		if total["booklets_handed_out"] != 6.0 || total["passes_used"] != 3.0 || total["booklets_started"] != 3.0 || total["use_rate"] != 0.5 || total["passes_issued"] != 50.0 {
			t.Fatalf("total %v", total)
		}
		cells := r.Body["cells"].([]any)
		if len(cells) != 1 || cells[0].(map[string]any)["passes_allocated"] != 40.0 {
			t.Fatalf("cells %v", cells)
		}

		// The funder: the place's 3 uses come from fewer than 5 people,
		// masked and named, and the total would give them back by
		// subtraction, so the total goes too (one cell only).
		// A funder's breakdown is one calendar year: over any other
		// period it is refused, with the period to ask for.
		r = e.do("GET", "/stats?programme_id="+prog+"&by=place", e.funder, nil)
		e.expect(r, 422, passnum.EINVALID)
		if !strings.Contains(string(r.Raw), "année civile") || !strings.Contains(string(r.Raw), "from=2026-01") {
			t.Fatalf("funder's breakdown over the whole programme: %s", r.Raw)
		}
		e.expect(e.do("GET", "/stats?programme_id="+prog+"&by=place&from=2026-03&to=2026-12", e.funder, nil), 422, passnum.EINVALID)
		r = e.do("GET", "/stats?programme_id="+prog+"&by=place&from=2026-01&to=2026-12", e.funder, nil)
		e.expect(r, 200, "")
		masked := r.Body["masked"].([]any)
		cell := r.Body["cells"].([]any)[0].(map[string]any)
		if cell["passes_used"] != nil || len(masked) < 2 || masked[0] != e.placeID {
			t.Fatalf("funder's place cell %v, masked %v", cell, masked)
		}

		// Another funder's programme is not found; a distributor has no
		// dashboard; bad parameters are named.
		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "Département du Jura"})["id"].(string)
		e.expect(e.do("GET", "/stats?programme_id="+prog, e.newKey(other), nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/stats?programme_id="+prog, e.distributor, nil), 403, "")
		r = e.do("GET", "/stats?programme_id="+prog+"&by=planet&from=2026-13", e.operator, nil)
		e.expect(r, 422, passnum.EINVALID)

		// Dormant booklets: none yet; 61 days later, the three never used.
		path := "/distributors/" + e.distributorID + "/dormant-booklets"
		r = e.do("GET", path, e.distributor, nil)
		e.expect(r, 200, "")
		if string(r.Raw) != "[]\n" && string(r.Raw) != "[]" {
			t.Fatalf("dormant at once: %s", r.Raw)
		}
		e.clock.Advance(61 * 24 * time.Hour)
		list := e.doList("GET", path, e.distributor)
		if len(list) != 3 {
			t.Fatalf("dormant: %v", list)
		}
		id := list[0]["booklet_id"].(string)
		e.expect(e.do("GET", "/distributors/"+e.placeID+"/dormant-booklets", e.distributor, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/booklets/"+id+"/called", e.place, nil), 403, "")
		e.expect(e.do("POST", "/booklets/"+id+"/called", e.distributor, nil), http.StatusOK, "")
		list = e.doList("GET", path, e.distributor)
		if list[0]["called_at"] == nil {
			t.Fatalf("called mark lost: %v", list[0])
		}
	})
}

// doList sends a request answered by a JSON array.
func (e *env) doList(method, path, key string) []map[string]any {
	e.t.Helper()
	r := e.do(method, path, key, nil)
	e.expect(r, 200, "")
	var out []map[string]any
	if err := json.Unmarshal(r.Raw, &out); err != nil {
		e.t.Fatalf("%s: %v\n%s", path, err, r.Raw)
	}
	return out
}
