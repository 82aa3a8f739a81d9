package api_test

import (
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// fieldDetail returns the detail of a problem's error on field.
func fieldDetail(r response, field string) (string, bool) {
	errs, _ := r.Body["errors"].([]any)
	for _, x := range errs {
		fe, _ := x.(map[string]any)
		if fe["field"] == field {
			d, _ := fe["detail"].(string)
			return d, true
		}
	}
	return "", false
}

func (e *env) wantSettingError(r response, field, want string) {
	e.t.Helper()
	e.expect(r, 422, passnum.EINVALID)
	d, ok := fieldDetail(r, field)
	if !ok || !strings.Contains(d, want) {
		e.t.Fatalf("no error on %s saying %q:\n%s", field, want, r.Raw)
	}
}

func TestProgrammeUpdateAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 3)
		ben, codes := e.handOut(prog)
		path := "/programmes/" + prog + "/settings"

		// Extended validity, a new name and age bound: 200 with the programme.
		r := e.do("POST", path, e.operator, map[string]any{"valid_until": "2027-06-30", "name": "Pass numérique 2026-2027", "max_age": 26,
			"territory": []string{"reg:27"}})
		e.expect(r, 200, "")
		if r.Body["valid_until"] != "2027-06-30" || r.Body["name"] != "Pass numérique 2026-2027" || r.Body["max_age"] != float64(26) ||
			r.Body["face_value_cents"] != float64(1000) || r.Body["stock"] == nil || len(r.Body["funders"].([]any)) != 1 {
			t.Fatalf("answer %s", r.Raw)
		}
		if g := e.do("GET", "/programmes/"+prog, e.funder, nil); g.Body["valid_until"] != "2027-06-30" {
			t.Fatalf("stored programme %s", g.Raw)
		}
		// The last redeem day followed: a pass is accepted after the old one.
		e.clock.Set(time.Date(2027, 3, 1, 10, 0, 0, 0, passnum.Paris))
		e.expect(e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service}), 201, "")
		var entries []passnum.AuditEntry
		if err := e.s.View(t.Context(), func(tx *store.Tx) error {
			var err error
			entries, _, err = tx.ListAudit(t.Context(), store.AuditFilter{ObjectID: prog, Action: "programme.update"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || !strings.Contains(entries[0].Details, `"last_redeem_day":{"old":"2027-01-31","new":"2027-07-31"}`) ||
			strings.Contains(entries[0].Details, "territory") {
			t.Fatalf("audit %+v", entries)
		}

		// 422: shortening before today, with the field at fault.
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"valid_until": "2027-02-28"}), "valid_until", "01/03/2027")
		// A limit below what someone holds.
		e.clock.Set(time.Date(2027, 3, 2, 10, 0, 0, 0, passnum.Paris))
		e.expect(e.do("POST", path, e.operator, map[string]any{"max_booklets_per_beneficiary": 2}), 200, "")
		e.mustCreate("/beneficiaries/"+ben+"/booklets", e.distributor, map[string]any{"programme_id": prog})
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"max_booklets_per_beneficiary": 1}), "max_booklets_per_beneficiary", "au moins 2")
		// What never changes says why, rather than "unknown field".
		r = e.do("POST", path, e.operator, map[string]any{"face_value_cents": 2000, "funders": []any{}, "name": "Autre"})
		e.wantSettingError(r, "face_value_cents", "ne change plus")
		e.wantSettingError(r, "funders", "créez un nouveau programme")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"booklet_size": 10}), "booklet_size", "ne change plus")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"valid_from": "2026-02-01"}), "valid_from", "carnets émis")
		// Strict decoding, as everywhere.
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"colour": "bleu"}), "colour", "champ inconnu")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"grace_days": "trente"}), "grace_days", "nombre entier")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"valid_until": "30/06/2027"}), "valid_until", "AAAA-MM-JJ")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"territory": []string{}}), "territory", "au moins")
		e.wantSettingError(e.do("POST", path, e.operator, map[string]any{"min_age": 40}), "max_age", "âge maximum")
		if g := e.do("GET", "/programmes/"+prog, e.operator, nil); g.Body["name"] != "Pass numérique 2026-2027" || g.Body["min_age"] != float64(16) ||
			g.Body["max_booklets_per_beneficiary"] != float64(2) {
			t.Fatalf("refused updates changed the programme: %s", g.Raw)
		}

		// 404 and 403.
		e.expect(e.do("POST", "/programmes/"+passnum.NewID(e.clock.Now())+"/settings", e.operator, map[string]any{"name": "x"}), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", path, e.distributor, map[string]any{"name": "x"}), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", path, e.funder, map[string]any{"name": "x"}), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", path, e.place, map[string]any{"name": "x"}), 403, passnum.EFORBIDDEN)
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}
