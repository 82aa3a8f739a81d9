package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
)

// placeWithBank gives the env's place approved bank details.
func (e *env) placeWithBank() {
	e.t.Helper()
	b := e.do("POST", "/places/"+e.placeID+"/bank-accounts", e.place, map[string]any{"holder": "Médiathèque Pierre-Bayle", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"})
	e.expect(b, 201, "")
	e.expect(e.do("POST", "/bank-accounts/"+b.Body["id"].(string)+"/approve", e.operator, map[string]any{"reason": "RIB vérifié"}), 200, "")
}

// redeemAll redeems the codes at the env's place; it returns the
// redemption ids.
func (e *env) redeemAll(codes []string) []string {
	e.t.Helper()
	var ids []string
	for _, c := range codes {
		r := e.do("POST", "/passes/"+c+"/redeem", e.place, map[string]any{"service": service})
		e.expect(r, 201, "")
		ids = append(ids, r.Body["redemption_id"].(string))
	}
	return ids
}

func line(t *testing.T, r response) map[string]any {
	t.Helper()
	lines, _ := r.Body["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("want one line: %s", r.Raw)
	}
	return lines[0].(map[string]any)
}

func TestSettlementAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 4)
		e.placeWithBank()
		_, codes := e.handOut(prog)
		ids := e.redeemAll(codes[:3])
		e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))

		// The default cut-off is the last day of the previous month.
		first := e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog}, "Idempotency-Key", "run-march")
		e.expect(first, 201, "")
		if first.Body["created"] != true || first.Body["cutoff"] != "2026-03-31" || first.Body["total_cents"] != 3000.0 || first.Body["status"] != "created" {
			t.Fatalf("settlement: %s", first.Raw)
		}
		l := line(t, first)
		if l["place_id"] != e.placeID || l["count"] != 3.0 || l["amount_cents"] != 3000.0 || l["held_back"] != false || l["held_back_reason"] != nil ||
			l["iban"] != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("line: %v", l)
		}
		id := first.Body["id"].(string)
		replay := e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog}, "Idempotency-Key", "run-march")
		if replay.Status != 201 || replay.Body["id"] != id {
			t.Fatalf("replay: %d %s", replay.Status, replay.Raw)
		}
		again := e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog, "cutoff": "2026-03-31"})
		e.expect(again, 200, "")
		if again.Body["created"] != false || again.Body["id"] != id {
			t.Fatalf("second run: %s", again.Raw)
		}
		e.expect(e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog, "cutoff": "2026-02-28"}), 409, passnum.ENOTHINGTOSETTLE)
		e.expect(e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog, "cutoff": "2026-04-03"}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": passnum.NewID(e.clock.Now())}), 422, passnum.EINVALID)

		// Who sees what.
		list := e.do("GET", "/settlements?programme_id="+prog, e.operator, nil)
		e.expect(list, 200, "")
		if items := list.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["lines"] != nil {
			t.Fatalf("list: %s", list.Raw)
		}
		own := e.do("GET", "/settlements", e.place, nil)
		if items := own.Body["items"].([]any); len(items) != 1 || len(items[0].(map[string]any)["lines"].([]any)) != 1 {
			t.Fatalf("the place's list: %s", own.Raw)
		}
		funded := e.do("GET", "/settlements/"+id, e.funder, nil)
		e.expect(funded, 200, "")
		if shares := line(t, funded)["shares"].([]any); len(shares) != 1 || shares[0].(map[string]any)["amount_cents"] != 3000.0 {
			t.Fatalf("the funder's view: %s", funded.Raw)
		}

		// A settled redemption is refused cancellation; it is corrected.
		e.expect(e.do("POST", "/redemptions/"+ids[0]+"/cancel", e.operator, map[string]any{"reason": "erreur"}), 409, passnum.EALREADYREIMBURSED)
		later := e.redeemAll(codes[3:4])
		e.expect(e.do("POST", "/redemptions/"+later[0]+"/corrections", e.operator, map[string]any{"reason": "doublon"}), 409, passnum.ENOTSETTLED)
		e.expect(e.do("POST", "/redemptions/"+ids[0]+"/corrections", e.operator, map[string]any{}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/redemptions/"+ids[0]+"/corrections", e.place, map[string]any{"reason": "doublon"}), 403, passnum.EFORBIDDEN)
		corr := e.do("POST", "/redemptions/"+ids[0]+"/corrections", e.operator, map[string]any{"reason": "pass encaissé deux fois"})
		e.expect(corr, 201, "")
		if corr.Body["amount_cents"] != -1000.0 || corr.Body["settled_in"] != id || !strings.HasPrefix(corr.Body["code"].(string), "****") {
			t.Fatalf("correction: %s", corr.Raw)
		}
		e.expect(e.do("POST", "/redemptions/"+ids[0]+"/corrections", e.operator, map[string]any{"reason": "encore"}), 409, passnum.ECONFLICT)
		if l := e.do("GET", "/programmes/"+prog+"/corrections", e.place, nil); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("the place's corrections: %s", l.Raw)
		}

		// Payment: sent, then paid.
		e.expect(e.do("POST", "/settlements/"+id+"/paid", e.operator, map[string]any{"paid_on": "2026-04-02", "bank_reference": "VIR-1"}), 409, passnum.ENOTSETTLED)
		sent := e.do("POST", "/settlements/"+id+"/sent", e.operator, nil)
		e.expect(sent, 200, "")
		if sent.Body["status"] != "sent" {
			t.Fatalf("sent: %s", sent.Raw)
		}
		e.expect(e.do("POST", "/settlements/"+id+"/sent", e.operator, nil), 409, passnum.EALREADYSETTLED)
		e.expect(e.do("POST", "/settlements/"+id+"/paid", e.operator, map[string]any{"paid_on": "2026-04-02"}), 422, passnum.EINVALID)
		paid := e.do("POST", "/settlements/"+id+"/paid", e.operator, map[string]any{"paid_on": "2026-04-02", "bank_reference": "VIR-2026-04-02"})
		e.expect(paid, 200, "")
		if paid.Body["status"] != "paid" || paid.Body["paid_on"] != "2026-04-02" {
			t.Fatalf("paid: %s", paid.Raw)
		}
		if l := line(t, e.do("GET", "/settlements/"+id, e.place, nil)); l["status"] != "paid" {
			t.Fatalf("the place's line: %v", l)
		}

		// The next run takes the correction: 1 redemption − 1 correction.
		e.clock.Set(time.Date(2026, 5, 4, 10, 0, 0, 0, passnum.Paris))
		next := e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog})
		e.expect(next, 201, "")
		if l := line(t, next); l["adjustments_cents"] != -1000.0 || l["amount_cents"] != 0.0 || l["count"] != 1.0 {
			t.Fatalf("next line: %v", l)
		}
		// The same figure for the operator, the place and the funder.
		for _, key := range []string{e.operator, e.place, e.funder} {
			b := e.do("GET", "/places/"+e.placeID+"/balance?programme_id="+prog, key, nil)
			e.expect(b, 200, "")
			if b.Body["balance_cents"] != 0.0 {
				t.Fatalf("balance: %s", b.Raw)
			}
		}
		p := e.do("GET", "/programmes/"+prog, e.funder, nil)
		money := p.Body["money"].(map[string]any)
		if money["used_cents"] != 4000.0 || money["paid_cents"] != 3000.0 || money["corrected_cents"] != -1000.0 || money["owed_cents"] != 0.0 || money["settled_cents"] != 3000.0 {
			t.Fatalf("programme money: %v", money)
		}
		funding := e.do("GET", "/programmes/"+prog+"/funding", e.funder, nil)
		e.expect(funding, 200, "")
		st := funding.Body["items"].([]any)[0].(map[string]any)
		if st["settled_cents"] != 3000.0 || st["paid_cents"] != 3000.0 || len(st["settlements"].([]any)) != 2 || len(st["months"].([]any)) != 2 {
			t.Fatalf("funding: %s", funding.Raw)
		}
		if err := e.s.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// With four eyes, "paid" needs a second operator: the same one is
// refused, another confirms.
func TestSettlementFourEyesAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(2, 2)
		e.placeWithBank() // before four eyes: one operator approves
		e.expect(e.do("POST", "/programmes/"+prog+"/settings", e.operator, map[string]any{"four_eyes": true}), 200, "")
		_, codes := e.handOut(prog)
		e.redeemAll(codes[:2])
		e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
		id := e.mustCreate("/settlements", e.operator, map[string]any{"programme_id": prog})["id"].(string)
		e.expect(e.do("POST", "/settlements/"+id+"/sent", e.operator, nil), 200, "")
		rec := e.do("POST", "/settlements/"+id+"/paid", e.operator, map[string]any{"paid_on": "2026-04-02", "bank_reference": "VIR-7"})
		e.expect(rec, 200, "")
		if rec.Body["status"] != "payment_recorded" {
			t.Fatalf("recorded: %s", rec.Raw)
		}
		e.expect(e.do("POST", "/settlements/"+id+"/paid", e.operator, nil), 409, passnum.EFOUREYESREQUIRED)
		second, err := e.s.CreateOperatorKey(context.Background(), "comptable")
		if err != nil {
			t.Fatal(err)
		}
		done := e.do("POST", "/settlements/"+id+"/paid", second, nil)
		e.expect(done, 200, "")
		if done.Body["status"] != "paid" || done.Body["bank_reference"] != "VIR-7" {
			t.Fatalf("confirmed: %s", done.Raw)
		}
		// New bank details of a place of this programme need two operators.
		b := e.do("POST", "/places/"+e.placeID+"/bank-accounts", e.place, map[string]any{"holder": "Médiathèque", "iban": "DE89370400440532013000", "bic": "COBADEFF"})
		e.expect(b, 201, "")
		approve := "/bank-accounts/" + b.Body["id"].(string) + "/approve"
		first := e.do("POST", approve, e.operator, nil)
		e.expect(first, 200, "")
		if first.Body["status"] != "pending" || first.Body["first_approved_at"] == nil {
			t.Fatalf("first approval: %s", first.Raw)
		}
		e.expect(e.do("POST", approve, e.operator, nil), 409, passnum.EFOUREYESREQUIRED)
		if r := e.do("POST", approve, second, nil); r.Status != 200 || r.Body["status"] != "approved" {
			t.Fatalf("second approval: %d %s", r.Status, r.Raw)
		}
	})
}

// A budget caps issuance, and the refusal says how many passes remain.
func TestBudgetAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 0) // 4 booklets of 5 passes of 10 €: 200 €
		e.expect(e.do("POST", "/programmes/"+prog+"/settings", e.operator, map[string]any{"budget_cents": 19999}), 422, passnum.EINVALID)
		r := e.do("POST", "/programmes/"+prog+"/settings", e.operator, map[string]any{"budget_cents": 30000})
		e.expect(r, 200, "")
		if m := r.Body["money"].(map[string]any); m["budget_cents"] != 30000.0 || m["remaining_cents"] != 10000.0 || m["remaining_passes"] != 10.0 || m["issued_cents"] != 20000.0 {
			t.Fatalf("money: %s", r.Raw)
		}
		refused := e.do("POST", "/programmes/"+prog+"/issuances", e.operator, map[string]any{"booklets": 3})
		e.expect(refused, 409, passnum.EBUDGETEXCEEDED)
		if refused.Body["remaining_passes"] != 10.0 || !strings.Contains(refused.Body["detail"].(string), "10 pass") {
			t.Fatalf("refusal: %s", refused.Raw)
		}
		e.mustCreate("/programmes/"+prog+"/issuances", e.operator, map[string]any{"booklets": 2})
	})
}

// Every new route refuses the roles it is not for, and a place or a
// funder never reaches another's settlement, balance or programme.
func TestSettlementTenancy(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 4)
		e.placeWithBank()
		_, codes := e.handOut(prog)
		ids := e.redeemAll(codes[:2])
		e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
		id := e.mustCreate("/settlements", e.operator, map[string]any{"programme_id": prog})["id"].(string)
		accounts := e.do("GET", "/places/"+e.placeID+"/bank-accounts", e.operator, nil).Body["items"].([]any)
		account := accounts[0].(map[string]any)["id"].(string)

		otherPlace := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "EPN Dijon", "siret": "35600000000048"})["id"].(string)
		otherPlaceKey := e.newKey(otherPlace)
		otherFunderKey := e.newKey(e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "État"})["id"].(string))

		cases := []struct {
			method, path string
			body         any
			key          string
			status       int
		}{
			// Roles.
			{"POST", "/settlements", map[string]any{"programme_id": prog}, e.funder, http.StatusForbidden},
			{"POST", "/settlements", map[string]any{"programme_id": prog}, e.place, http.StatusForbidden},
			{"GET", "/settlements", nil, e.distributor, http.StatusForbidden},
			{"GET", "/settlements/" + id, nil, e.distributor, http.StatusForbidden},
			{"POST", "/settlements/" + id + "/sent", nil, e.place, http.StatusForbidden},
			{"POST", "/settlements/" + id + "/paid", map[string]any{"paid_on": "2026-04-02", "bank_reference": "X"}, e.funder, http.StatusForbidden},
			{"POST", "/redemptions/" + ids[0] + "/corrections", map[string]any{"reason": "x"}, e.place, http.StatusForbidden},
			{"GET", "/programmes/" + prog + "/corrections", nil, e.funder, http.StatusForbidden},
			{"GET", "/places/" + e.placeID + "/balance", nil, e.distributor, http.StatusForbidden},
			{"POST", "/places/" + e.placeID + "/bank-accounts/" + account + "/iban", nil, e.place, http.StatusForbidden},
			{"POST", "/places/" + e.placeID + "/bank-accounts/" + account + "/iban", nil, e.funder, http.StatusForbidden},
			{"GET", "/programmes/" + prog + "/funding", nil, e.place, http.StatusForbidden},
			{"GET", "/programmes/" + prog + "/closing", nil, e.distributor, http.StatusForbidden},
			{"GET", "/programmes/" + prog + "/closing-statement", nil, e.place, http.StatusForbidden},
			{"POST", "/programmes/" + prog + "/stock-transfers", map[string]any{"from_distributor_id": e.distributorID, "booklets": 1, "reason": "x"}, e.distributor, http.StatusForbidden},
			{"POST", "/programmes/" + prog + "/expire", nil, e.funder, http.StatusForbidden},
			// Tenancy: another place, another funder.
			{"GET", "/settlements/" + id, nil, otherPlaceKey, http.StatusNotFound},
			{"GET", "/settlements/" + id, nil, otherFunderKey, http.StatusNotFound},
			{"GET", "/places/" + e.placeID + "/balance", nil, otherPlaceKey, http.StatusNotFound},
			{"GET", "/places/" + e.placeID + "/balance?programme_id=" + prog, nil, otherFunderKey, http.StatusNotFound},
			{"GET", "/places/" + e.placeID + "/balance", nil, e.funder, http.StatusUnprocessableEntity},
			{"GET", "/programmes/" + prog + "/funding", nil, otherFunderKey, http.StatusNotFound},
			{"GET", "/programmes/" + prog + "/closing", nil, otherFunderKey, http.StatusNotFound},
			{"GET", "/programmes/" + prog + "/closing-statement", nil, otherFunderKey, http.StatusNotFound},
			{"POST", "/places/" + otherPlace + "/bank-accounts/" + account + "/iban", nil, e.operator, http.StatusNotFound},
			// And what they may see.
			{"GET", "/settlements/" + id, nil, e.place, http.StatusOK},
			{"GET", "/settlements/" + id, nil, e.funder, http.StatusOK},
			{"GET", "/places/" + e.placeID + "/balance", nil, e.place, http.StatusOK},
			{"GET", "/places/" + e.placeID + "/balance?programme_id=" + prog, nil, e.funder, http.StatusOK},
			{"GET", "/programmes/" + prog + "/closing", nil, e.funder, http.StatusOK},
			{"GET", "/programmes/" + prog + "/closing-statement", nil, e.funder, http.StatusOK},
		}
		for _, c := range cases {
			r := e.do(c.method, c.path, c.key, c.body)
			if r.Status != c.status {
				t.Errorf("%s %s: %d, want %d\n%s", c.method, c.path, r.Status, c.status, r.Raw)
			}
		}
		if l := e.do("GET", "/settlements", otherPlaceKey, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("another place lists the settlement: %s", l.Raw)
		}
		if l := e.do("GET", "/settlements", otherFunderKey, nil); len(l.Body["items"].([]any)) != 0 {
			t.Fatalf("another funder lists the settlement: %s", l.Raw)
		}
		// A funder sees its own part of the funding only.
		if l := e.do("GET", "/programmes/"+prog+"/funding", e.funder, nil); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("funding: %s", l.Raw)
		}
	})
}

// The end of a programme through the API: closing table, stock moved, the
// expiry step (idempotent) and the closing statement.
func TestProgrammeEndAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(6, 4)
		_, codes := e.handOut(prog)
		e.redeemAll(codes[:1])
		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		m := e.do("POST", "/programmes/"+prog+"/stock-transfers", e.operator, map[string]any{"from_distributor_id": e.distributorID, "to_distributor_id": other, "booklets": 2, "reason": "agence fermée"})
		e.expect(m, 201, "")
		e.expect(e.do("POST", "/programmes/"+prog+"/stock-transfers", e.operator, map[string]any{"from_distributor_id": e.distributorID, "booklets": 5, "reason": "retour"}), 409, passnum.EINSUFFICIENTSTOCK)
		back := e.do("POST", "/programmes/"+prog+"/stock-transfers", e.operator, map[string]any{"from_distributor_id": other, "booklets": 1, "reason": "surplus"})
		e.expect(back, 201, "")
		if back.Body["to_distributor_id"] != nil {
			t.Fatalf("back to the programme: %s", back.Raw)
		}
		// Before its first day (J-30), a funder gets its days only.
		early := e.do("GET", "/programmes/"+prog+"/closing", e.funder, nil)
		e.expect(early, 200, "")
		if early.Body["in_period"] != false || len(early.Body["distributors"].([]any)) != 0 || early.Body["published_at"] != nil ||
			early.Body["totals"].(map[string]any)["booklets_allocated"] != nil {
			t.Fatalf("the funder's closing table before J-30: %s", early.Raw)
		}
		e.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, passnum.Paris))
		table := e.do("GET", "/programmes/"+prog+"/closing", e.funder, nil)
		e.expect(table, 200, "")
		if table.Body["booklets_unallocated"] != 3.0 || len(table.Body["distributors"].([]any)) != 2 || table.Body["published_at"] == nil {
			t.Fatalf("closing table: %s", table.Raw)
		}
		// Its one young person is under statistical secrecy for the
		// funder: null and named; the operator sees the figure.
		if tot := table.Body["totals"].(map[string]any); tot["booklets_handed_out"] != nil || tot["booklets_not_handed_out"] != nil ||
			!slices.Contains(table.Body["masked"].([]any), any("totals")) {
			t.Fatalf("the funder's closing table shows one young person: %s", table.Raw)
		}
		optable := e.do("GET", "/programmes/"+prog+"/closing", e.operator, nil)
		if tot := optable.Body["totals"].(map[string]any); tot["booklets_handed_out"] != 1.0 || len(optable.Body["masked"].([]any)) != 0 {
			t.Fatalf("the operator's closing table: %s", optable.Raw)
		}
		e.expect(e.do("POST", "/programmes/"+prog+"/expire", e.operator, nil), 409, passnum.ECONFLICT)
		e.clock.Set(time.Date(2027, 2, 1, 9, 0, 0, 0, passnum.Paris))
		x := e.do("POST", "/programmes/"+prog+"/expire", e.operator, nil)
		e.expect(x, 201, "")
		if x.Body["passes_used"] != 1.0 || x.Body["passes_issued"] != 30.0 || x.Body["released_cents"] != 29000.0 {
			t.Fatalf("expiry: %s", x.Raw)
		}
		again := e.do("POST", "/programmes/"+prog+"/expire", e.operator, nil)
		e.expect(again, 200, "")
		if again.Body["created"] != false {
			t.Fatalf("second expiry: %s", again.Raw)
		}
		cs := e.do("GET", "/programmes/"+prog+"/closing-statement", e.funder, nil)
		e.expect(cs, 200, "")
		if f := cs.Body["funders"].([]any); len(f) != 1 || f[0].(map[string]any)["released_cents"] != 29000.0 || cs.Body["expired"] != true {
			t.Fatalf("closing statement: %s", cs.Raw)
		}
		if err := e.s.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// Concurrent runs through the API: one makes the settlement (201), the
// others answer it (200); no redemption is paid twice.
func TestRaceSettlementRuns(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 4)
		e.placeWithBank()
		_, codes := e.handOut(prog)
		e.redeemAll(codes)
		e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
		statuses := make([]int, 10)
		counts := race(10, func(i int) response {
			r := e.do("POST", "/settlements", e.operator, map[string]any{"programme_id": prog, "cutoff": "2026-03-31"})
			statuses[i] = r.Status
			return r
		})
		created := 0
		for _, st := range statuses {
			if st == http.StatusCreated {
				created++
			}
		}
		if counts["ok"] != 10 || created != 1 {
			t.Fatalf("answers %v, statuses %v", counts, statuses)
		}
		if err := e.s.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
