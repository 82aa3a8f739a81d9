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

// TestStatsYearOutsideSuggestsNearest: a funder's breakdown over a year
// the programme has not published is refused with the nearest year it
// has: its first for a year before it, its last for one after, not the
// year the dashboard opens on (2025 here, the year its hand-outs ended,
// while its grace days run into January 2026).
func TestStatsYearOutsideSuggestsNearest(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.mustCreate("/programmes", e.operator, map[string]any{
			"name": "Pass numérique BFC 2024-2025", "face_value_cents": 1000, "booklet_size": 5,
			"valid_from": "2024-01-01", "valid_until": "2025-12-31", "grace_days": 31,
			"min_age": 16, "max_age": 25, "max_booklets_per_beneficiary": 1,
			"funders": []any{map[string]any{"organisation_id": e.funderID, "share_bps": 10000}},
		})["id"].(string)
		for _, c := range []struct{ period, want string }{
			{"from=2023-01&to=2023-12", "from=2024-01&to=2024-12"},
			{"from=2019-01&to=2019-12", "from=2024-01&to=2024-12"},
			{"from=2027-01&to=2027-12", "from=2026-01&to=2026-12"},
			{"from=2030-01&to=2030-12", "from=2026-01&to=2026-12"},
			// Not a calendar year, outside the programme: the nearest too.
			{"from=2023-03&to=2023-06", "from=2024-01&to=2024-12"},
		} {
			r := e.do("GET", "/stats?programme_id="+prog+"&by=departement&"+c.period, e.funder, nil)
			e.expect(r, 422, passnum.EINVALID)
			if d, _ := r.Body["detail"].(string); !strings.Contains(d, c.want) {
				t.Errorf("%s: %q, want it to suggest %q", c.period, d, c.want)
			}
		}
		// A year the programme has is answered.
		e.expect(e.do("GET", "/stats?programme_id="+prog+"&by=departement&from=2024-01&to=2024-12", e.funder, nil), 200, "")
	})
}

// TestStatsOneBreakdown: by given twice is refused, naming the breakdowns
// one may ask for, rather than read as the first.
func TestStatsOneBreakdown(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(10, 8)
		for _, q := range []string{"&by=commune&by=place", "&by=place&by=place", "&by=commune&by="} {
			r := e.do("GET", "/stats?programme_id="+prog+q, e.operator, nil)
			e.expect(r, 422, passnum.EINVALID)
			d, _ := r.Body["detail"].(string)
			if !strings.Contains(d, "by") || !strings.Contains(d, "un seul détail à la fois") || !strings.Contains(d, "departement, commune, distributor, place, service ou age_band") {
				t.Errorf("%s: %q", q, d)
			}
		}
		e.expect(e.do("GET", "/stats?programme_id="+prog+"&by=commune", e.operator, nil), 200, "")
	})
}
