package api_test

import (
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// The programme's dormant days are a setting: refused out of 7-365 with
// nothing written, changed and audited otherwise, and the agency's list of
// dormant booklets follows at once, both ways. Listing them logs a read
// of each young person's record.
func TestDormantDaysSetting(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 3)
		ben, _ := e.handOut(prog)
		e.handOut(prog)
		e.clock.Advance(20 * 24 * time.Hour)
		path := "/programmes/" + prog + "/settings"
		list := "/distributors/" + e.distributorID + "/dormant-booklets"
		if g := e.do("GET", "/programmes/"+prog, e.operator, nil); g.Body["dormant_days"] != float64(passnum.DefaultDormantDays) {
			t.Fatalf("default dormant days: %s", g.Raw)
		}
		if got := e.doList("GET", list, e.distributor); len(got) != 0 {
			t.Fatalf("dormant after 20 days of 60: %v", got)
		}

		for _, bad := range []any{3, 0, 366, -10, "trente", 12.5} {
			r := e.do("POST", path, e.operator, map[string]any{"dormant_days": bad})
			e.expect(r, 422, passnum.EINVALID)
			if d, ok := fieldDetail(r, "dormant_days"); !ok || d == "" {
				t.Fatalf("dormant_days %v: no error on the field\n%s", bad, r.Raw)
			}
		}
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"dormant_days": 3}), "dormant_days", "entre 7 et 365")
		// A refused change writes nothing, even beside a valid one.
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"dormant_days": 400, "name": "Autre nom"}), "dormant_days", "entre 7 et 365")
		audits := func() []passnum.AuditEntry {
			t.Helper()
			var entries []passnum.AuditEntry
			if err := e.s.View(t.Context(), func(tx *store.Tx) error {
				var err error
				entries, _, err = tx.ListAudit(t.Context(), store.AuditFilter{ObjectID: prog, Action: "programme.update"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return entries
		}
		if g := e.do("GET", "/programmes/"+prog, e.operator, nil); g.Body["dormant_days"] != float64(60) || g.Body["name"] == "Autre nom" || len(audits()) != 0 {
			t.Fatalf("a refused change was written: %s", g.Raw)
		}
		e.expect(e.do("POST", path, e.distributor, map[string]any{"dormant_days": 10}), 403, passnum.EFORBIDDEN)

		// Ten days: both booklets become dormant, and the change is audited.
		r := e.do("POST", path, e.operator, map[string]any{"dormant_days": 10})
		e.expect(r, 200, "")
		if r.Body["dormant_days"] != float64(10) {
			t.Fatalf("answer %s", r.Raw)
		}
		if a := audits(); len(a) != 1 || !strings.Contains(a[0].Details, `"dormant_days":{"old":60,"new":10}`) {
			t.Fatalf("audit %+v", a)
		}
		got := e.doList("GET", list, e.distributor)
		if len(got) != 2 || got[0]["days_dormant"] != float64(20) {
			t.Fatalf("dormant after 20 days of 10: %v", got)
		}
		var reads []passnum.RecordRead
		if err := e.s.View(t.Context(), func(tx *store.Tx) error {
			var err error
			reads, _, err = tx.RecordReads(t.Context(), ben, "", store.Page{Limit: 10})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(reads) == 0 || reads[0].Via != passnum.ReadViaAPI || reads[0].Purpose != passnum.ReadSupport || reads[0].OrganisationID != e.distributorID {
			t.Fatalf("the listing was not logged as a read: %+v", reads)
		}

		// Thirty days: not dormant any more.
		e.expect(e.do("POST", path, e.operator, map[string]any{"dormant_days": 30}), 200, "")
		if got := e.doList("GET", list, e.distributor); len(got) != 0 {
			t.Fatalf("dormant after 20 days of 30: %v", got)
		}
		// Set at creation too.
		id := e.mustCreate("/programmes", e.operator, map[string]any{
			"name": "Pass numérique court", "face_value_cents": 1000, "booklet_size": 5, "valid_from": "2026-01-01", "valid_until": "2026-12-31",
			"dormant_days": 14, "funders": []map[string]any{{"organisation_id": e.funderID, "share_bps": 10000}}})["id"].(string)
		if g := e.do("GET", "/programmes/"+id, e.operator, nil); g.Body["dormant_days"] != float64(14) {
			t.Fatalf("dormant days at creation: %s", g.Raw)
		}
	})
}
