package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"passnum"
)

// catSite opens a site of the place whose key is given, in Besançon.
func (e *env) catSite(placeID, key string) string {
	e.t.Helper()
	return e.mustCreate("/places/"+placeID+"/sites", key, map[string]any{
		"name": "Médiathèque Pierre-Bayle", "address": "27 rue de la République", "commune_insee": "25056", "postcode": "25000", "services": []string{service},
	})["id"].(string)
}

func (e *env) catTraining(key string, cost int) string {
	e.t.Helper()
	return e.mustCreate("/trainings", key, map[string]any{
		"title": "Premiers pas sur smartphone", "service": service, "level": "Débutant", "duration_minutes": 120, "passes_cost": cost,
	})["id"].(string)
}

// catSession schedules a two-hour session starting at start.
func (e *env) catSession(key, trainingID, siteID string, start time.Time, capacity int) string {
	e.t.Helper()
	return e.mustCreate("/trainings/"+trainingID+"/sessions", key, map[string]any{
		"site_id": siteID, "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "capacity": capacity,
	})["id"].(string)
}

// catOtherPlace creates and labels a second place, with its key.
func (e *env) catOtherPlace() (id, key string) {
	e.t.Helper()
	id = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "Fablab des Usines", "siret": "35600000000048", "commune_insee": "25056"})["id"].(string)
	e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
	return id, e.newKey(id)
}

func catWantField(t *testing.T, r response, field string) {
	t.Helper()
	errs, _ := r.Body["errors"].([]any)
	for _, fe := range errs {
		if m := fe.(map[string]any); m["field"] == field && m["detail"] != "" {
			return
		}
	}
	t.Fatalf("no error on field %s: %s", field, r.Raw)
}

func catItems(t *testing.T, r response) []map[string]any {
	t.Helper()
	raw, ok := r.Body["items"].([]any)
	if !ok {
		t.Fatalf("not a list: %s", r.Raw)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func TestCatalogueAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		otherID, otherKey := e.catOtherPlace()
		site := e.catSite(e.placeID, e.place)
		otherSite := e.catSite(otherID, otherKey)

		// Publishing: defaults, refusals, roles.
		r := e.do("POST", "/trainings", e.place, map[string]any{"title": "Démarches en ligne", "service": "Aide aux démarches administratives", "duration_minutes": 90})
		e.expect(r, 201, "")
		if r.Body["passes_cost"] != 1.0 || r.Body["level"] != passnum.LevelAll || r.Body["active"] != true || r.Body["place_id"] != e.placeID {
			t.Fatalf("training %s", r.Raw)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"title": "T", "service": "Cours de cuisine", "duration_minutes": 60}, "service"},
			{map[string]any{"title": "T", "service": service, "duration_minutes": 60, "passes_cost": 0}, "passes_cost"},
			{map[string]any{"title": "T", "service": service, "duration_minutes": 60, "level": "Expert"}, "level"},
			{map[string]any{"service": service}, "title"},
		} {
			r := e.do("POST", "/trainings", e.place, c.body)
			e.expect(r, 422, passnum.EINVALID)
			catWantField(t, r, c.field)
		}
		e.expect(e.do("POST", "/trainings", e.distributor, map[string]any{"title": "T", "service": service, "duration_minutes": 60}), 403, passnum.EFORBIDDEN)

		tr := e.catTraining(e.place, 1)
		// A place prepares its catalogue before it is labelled; the public
		// sees it once it is.
		e.expect(e.do("GET", "/places/"+e.placeID+"/trainings", "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/trainings/"+tr, "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/trainings/"+tr+"/sessions", "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		cat := e.do("GET", "/places/"+e.placeID+"/trainings", "", nil) // public
		e.expect(cat, 200, "")
		if got := catItems(t, cat); len(got) != 2 || got[0]["id"] != tr {
			t.Fatalf("catalogue %s", cat.Raw)
		}
		if got := catItems(t, e.do("GET", "/places/"+otherID+"/trainings", "", nil)); len(got) != 0 {
			t.Fatalf("another place's catalogue lists ours: %v", got)
		}
		e.expect(e.do("GET", "/places/"+e.distributorID+"/trainings", "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/trainings/"+tr, "", nil), 200, "")

		// Sessions: tenancy, refusals, the public list.
		start := e.clock.Now().Add(48 * time.Hour)
		body := map[string]any{"site_id": site, "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "capacity": 8}
		e.expect(e.do("POST", "/trainings/"+tr+"/sessions", otherKey, body), 404, passnum.ENOTFOUND)
		withOtherSite := map[string]any{"site_id": otherSite, "starts_at": body["starts_at"], "ends_at": body["ends_at"], "capacity": 8}
		r = e.do("POST", "/trainings/"+tr+"/sessions", e.place, withOtherSite)
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "site_id")
		r = e.do("POST", "/trainings/"+tr+"/sessions", e.place, map[string]any{"site_id": site, "starts_at": "12/03/2026 14h", "ends_at": body["ends_at"], "capacity": 8})
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "starts_at")
		past := e.clock.Now().Add(-time.Hour)
		r = e.do("POST", "/trainings/"+tr+"/sessions", e.place, map[string]any{"site_id": site, "starts_at": past.Format(time.RFC3339), "ends_at": start.Format(time.RFC3339), "capacity": 8})
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "starts_at")
		r = e.do("POST", "/trainings/"+tr+"/sessions", e.place, body)
		e.expect(r, 201, "")
		se := r.Body["id"].(string)
		if r.Body["seats_left"] != 8.0 || r.Body["site_id"] != site || r.Body["status"] != string(passnum.SessionScheduled) {
			t.Fatalf("session %s", r.Raw)
		}
		later := e.catSession(e.place, tr, site, start.Add(7*24*time.Hour), 4)
		list := e.do("GET", "/trainings/"+tr+"/sessions", "", nil)
		e.expect(list, 200, "")
		if got := catItems(t, list); len(got) != 2 || got[0]["id"] != se || got[1]["id"] != later {
			t.Fatalf("sessions %s", list.Raw)
		}
		day := start.In(passnum.Paris).Format("2006-01-02")
		if got := catItems(t, e.do("GET", "/trainings/"+tr+"/sessions?from="+day+"&to="+day, "", nil)); len(got) != 1 || got[0]["id"] != se {
			t.Fatalf("one day's sessions: %v", got)
		}
		r = e.do("GET", "/trainings/"+tr+"/sessions?from=demain", "", nil)
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "from")

		// Deactivation: the owner or the operator, never another place.
		e.expect(e.do("POST", "/trainings/"+tr+"/deactivate", otherKey, nil), 404, passnum.ENOTFOUND)
		r = e.do("POST", "/trainings/"+tr+"/deactivate", e.place, map[string]any{"reason": "plus de formateur"})
		e.expect(r, 200, "")
		if r.Body["active"] != false {
			t.Fatalf("deactivated: %s", r.Raw)
		}
		if got := catItems(t, e.do("GET", "/places/"+e.placeID+"/trainings", "", nil)); len(got) != 1 {
			t.Fatalf("a deactivated training is still offered: %v", got)
		}
		e.expect(e.do("POST", "/trainings/"+tr+"/sessions", e.place, body), 409, passnum.ETRAININGINACTIVE)
		e.expect(e.do("GET", "/sessions/"+se, "", nil), 200, "") // booked people still find it
		// A suspended place's catalogue, sessions and sites are not public.
		e.expect(e.do("POST", "/places/"+e.placeID+"/suspend", e.operator, map[string]any{"reason": "contrôle en cours"}), 200, "")
		e.expect(e.do("GET", "/places/"+e.placeID+"/trainings", "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/sessions/"+se, "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/sites/"+site, "", nil), 404, passnum.ENOTFOUND)
		near := e.do("GET", "/places/near?commune=25056", "", nil)
		e.expect(near, 200, "")
		if strings.Contains(string(near.Raw), site) {
			t.Fatalf("a suspended place's site is listed: %s", near.Raw)
		}
	})
}

func TestBookingAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 2)
		_, otherKey := e.catOtherPlace()
		otherDist := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		otherDistKey := e.newKey(otherDist)
		site := e.catSite(e.placeID, e.place)
		tr := e.catTraining(e.place, 1)
		start := e.clock.Now().Add(48 * time.Hour)
		se := e.catSession(e.place, tr, site, start, 2)

		withPasses, _ := e.handOut(prog)
		without := e.mustCreate("/beneficiaries", e.distributor, map[string]any{"first_name": "Yanis", "last_name": "Benali", "birth_date": "2004-09-30",
			"commune_insee": "25056", "job_seeker": true, "in_studies": false})["id"].(string)
		third := e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)

		r := e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": withPasses})
		e.expect(r, 201, "")
		booking := r.Body["id"].(string)
		if r.Body["status"] != string(passnum.BookingBooked) || r.Body["session_id"] != se || r.Body["training_id"] != tr {
			t.Fatalf("booking %s", r.Raw)
		}
		r = e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": withPasses})
		e.expect(r, 409, passnum.EALREADYBOOKED)
		if r.Body["booking_id"] != booking {
			t.Fatalf("already booked without the booking: %s", r.Raw)
		}
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", otherDistKey, map[string]any{"beneficiary_id": withPasses}), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", e.place, map[string]any{"beneficiary_id": withPasses}), 403, passnum.EFORBIDDEN)
		r = e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{})
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "beneficiary_id")
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": without}), 201, "")
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": third}), 409, passnum.ESESSIONFULL)

		// Who is coming: the owning place and the operator, no one else.
		r = e.do("GET", "/sessions/"+se+"/bookings", e.place, nil)
		e.expect(r, 200, "")
		got := catItems(t, r)
		if len(got) != 2 || got[0]["first_name"] != "Léa" || got[0]["birth_year"] != 2005.0 || got[0]["has_unused_passes"] != true ||
			got[1]["first_name"] != "Yanis" || got[1]["birth_year"] != 2004.0 || got[1]["has_unused_passes"] != false {
			t.Fatalf("attendees %s", r.Raw)
		}
		if strings.Contains(string(r.Raw), "Martin") || strings.Contains(string(r.Raw), "2005-05-17") {
			t.Fatalf("a place sees more than first name and birth year: %s", r.Raw)
		}
		e.expect(e.do("GET", "/sessions/"+se+"/bookings", e.operator, nil), 200, "")
		e.expect(e.do("GET", "/sessions/"+se+"/bookings", otherKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/sessions/"+se+"/bookings", e.distributor, nil), 403, passnum.EFORBIDDEN)

		// Cancelling a booking gives the seat back.
		e.expect(e.do("POST", "/bookings/"+booking+"/cancel", otherDistKey, nil), 404, passnum.ENOTFOUND)
		r = e.do("POST", "/bookings/"+booking+"/cancel", e.distributor, nil)
		e.expect(r, 200, "")
		if r.Body["status"] != string(passnum.BookingCancelled) {
			t.Fatalf("cancelled booking %s", r.Raw)
		}
		e.expect(e.do("POST", "/bookings/"+booking+"/cancel", e.distributor, nil), 409, passnum.ECONFLICT)
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": third}), 201, "")
		if l := catItems(t, e.do("GET", "/beneficiaries/"+withPasses+"/bookings", e.distributor, nil)); len(l) != 1 || l[0]["status"] != string(passnum.BookingCancelled) {
			t.Fatalf("beneficiary's bookings: %v", l)
		}
		e.expect(e.do("GET", "/beneficiaries/"+withPasses+"/bookings", otherDistKey, nil), 404, passnum.ENOTFOUND)

		// The place cancels the session: every booking goes with it.
		e.expect(e.do("POST", "/sessions/"+se+"/cancel", otherKey, map[string]any{"reason": "x"}), 404, passnum.ENOTFOUND)
		r = e.do("POST", "/sessions/"+se+"/cancel", e.place, map[string]any{})
		e.expect(r, 422, passnum.EINVALID)
		catWantField(t, r, "reason")
		r = e.do("POST", "/sessions/"+se+"/cancel", e.place, map[string]any{"reason": "formateur malade"})
		e.expect(r, 200, "")
		if r.Body["status"] != string(passnum.SessionCancelled) || r.Body["booked"] != 0.0 {
			t.Fatalf("cancelled session %s", r.Raw)
		}
		if got := catItems(t, e.do("GET", "/sessions/"+se+"/bookings", e.place, nil)); len(got) != 0 {
			t.Fatalf("bookings left on a cancelled session: %v", got)
		}
		e.expect(e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": withPasses}), 409, passnum.ESESSIONCLOSED)
		audit := e.do("GET", "/audit?limit=500", e.operator, nil)
		if n := strings.Count(string(audit.Raw), `"booking.cancel"`); n != 3 {
			t.Fatalf("%d booking cancellations audited, want 3", n)
		}

		// A session that has started can no longer be booked.
		soon := e.catSession(e.place, tr, site, e.clock.Now().Add(time.Hour), 5)
		e.clock.Advance(2 * time.Hour)
		e.expect(e.do("POST", "/sessions/"+soon+"/bookings", e.distributor, map[string]any{"beneficiary_id": withPasses}), 409, passnum.ESESSIONCLOSED)
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// Fifty requests for the last seat at once: exactly one 201.
func TestRaceBookLastSeat(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		site := e.catSite(e.placeID, e.place)
		se := e.catSession(e.place, e.catTraining(e.place, 1), site, e.clock.Now().Add(48*time.Hour), 1)
		bens := make([]string, 50)
		for i := range bens {
			bens[i] = e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
		}
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "") // sessions of a labelled place only are booked
		counts := race(len(bens), func(i int) response {
			return e.do("POST", "/sessions/"+se+"/bookings", e.distributor, map[string]any{"beneficiary_id": bens[i]})
		})
		if counts["ok"] != 1 || counts[passnum.ESESSIONFULL] != 49 {
			t.Fatalf("answers: %v", counts)
		}
		r := e.do("GET", "/sessions/"+se, "", nil)
		if r.Body["booked"] != 1.0 || r.Body["seats_left"] != 0.0 {
			t.Fatalf("session after the race: %s", r.Raw)
		}
	})
}

func TestRedeemTrainingAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 3)
		otherID, otherKey := e.catOtherPlace()
		site := e.catSite(e.placeID, e.place)
		otherSite := e.catSite(otherID, otherKey)
		one := e.catTraining(e.place, 1)
		three := e.catTraining(e.place, 3)
		six := e.catTraining(e.place, 6)
		start := e.clock.Now().Add(time.Hour)
		seOne := e.catSession(e.place, one, site, start, 10)
		seThree := e.catSession(e.place, three, site, start, 10)
		seSix := e.catSession(e.place, six, site, start, 10)
		seOther := e.catSession(otherKey, e.catTraining(otherKey, 1), otherSite, start, 10)
		e.clock.Advance(3 * time.Hour) // the trainings took place
		_, codes := e.handOut(prog)
		status := func(code string) passnum.PassStatus {
			return passnum.PassStatus(e.do("GET", "/passes/"+code, e.place, nil).Body["status"].(string))
		}

		// One pass, no session: the answer has the same fields as ever,
		// and the site: the place has only one, where the training was.
		r := e.do("POST", "/passes/"+codes[4]+"/redeem", e.place, map[string]any{"service": service})
		e.expect(r, 201, "")
		var keys []string
		for k := range r.Body {
			keys = append(keys, k)
		}
		for _, k := range keys {
			switch k {
			case "redemption_id", "code", "programme_id", "place_id", "service", "redeemed_at", "amount_cents", "status", "site_id":
			default:
				t.Fatalf("unexpected field %q in a single redemption: %s", k, r.Raw)
			}
		}
		if len(keys) != 9 || r.Body["site_id"] != site {
			t.Fatalf("fields %v, site %v (want %s)", keys, r.Body["site_id"], site)
		}

		// Refusals name the field and change nothing.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"service": service, "site_id": otherSite}, "site_id"},
			{map[string]any{"session_id": seOther}, "session_id"},
			{map[string]any{"session_id": seOne, "service": "Aide aux démarches administratives"}, "service"},
			{map[string]any{}, "service"},
			{map[string]any{"session_id": seSix}, "session_id"}, // 6 passes, the programme allows 5
		} {
			r := e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, c.body)
			e.expect(r, 422, passnum.EINVALID)
			catWantField(t, r, c.field)
		}
		if s := status(codes[0]); s != passnum.PassAssigned {
			t.Fatalf("a refused redemption changed the pass: %s", s)
		}

		// A three-pass training: three redemptions in one gesture.
		r = e.do("POST", "/passes/"+codes[1]+"/redeem", e.place, map[string]any{"session_id": seThree})
		e.expect(r, 201, "")
		if r.Body["code"] != codes[1] || r.Body["service"] != service || r.Body["site_id"] != site || r.Body["session_id"] != seThree {
			t.Fatalf("redemption %s", r.Raw)
		}
		firstID := r.Body["redemption_id"].(string)
		reds, _ := r.Body["redemptions"].([]any)
		if len(reds) != 3 || reds[0].(map[string]any)["redemption_id"] != r.Body["redemption_id"] {
			t.Fatalf("redemptions %s", r.Raw)
		}
		for i, want := range []passnum.PassStatus{passnum.PassRedeemed, passnum.PassRedeemed, passnum.PassRedeemed, passnum.PassAssigned, passnum.PassRedeemed} {
			if s := status(codes[i]); s != want {
				t.Fatalf("pass %d: %s, want %s", i, s, want)
			}
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
		// One pass left: nothing is redeemed.
		r = e.do("POST", "/passes/"+codes[3]+"/redeem", e.place, map[string]any{"session_id": seThree})
		e.expect(r, 409, passnum.ENOTENOUGHPASSES)
		if r.Body["passes_required"] != 3.0 || r.Body["passes_available"] != 1.0 {
			t.Fatalf("refusal %s", r.Raw)
		}
		if s := status(codes[3]); s != passnum.PassAssigned {
			t.Fatalf("a refused training redeemed a pass: %s", s)
		}
		// Cancelling one redemption of the training cancels the three.
		second := reds[1].(map[string]any)["redemption_id"].(string)
		e.expect(e.do("POST", "/redemptions/"+second+"/cancel", otherKey, map[string]any{"reason": "pas à moi"}), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/redemptions/"+second+"/cancel", e.place, map[string]any{"reason": "mauvaise session"}), 200, "")
		for i := range 4 {
			if s := status(codes[i]); s != passnum.PassAssigned {
				t.Fatalf("pass %d after cancelling the training: %s", i, s)
			}
		}
		e.expect(e.do("POST", "/redemptions/"+firstID+"/cancel", e.place, map[string]any{"reason": "encore"}), 409, passnum.EALREADYCANCELLED)
		// One-pass session: the service is the training's.
		r = e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"session_id": seOne, "site_id": site})
		e.expect(r, 201, "")
		if r.Body["service"] != service || r.Body["redemptions"] != nil {
			t.Fatalf("redemption %s", r.Raw)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRedeemDocumented(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/openapi.json", "", nil)
		var doc struct {
			Paths map[string]map[string]struct {
				Responses map[string]struct {
					Description string `json:"description"`
				} `json:"responses"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(r.Raw, &doc); err != nil {
			t.Fatal(err)
		}
		op := doc.Paths["/passes/{code}/redeem"]["post"]
		if !strings.Contains(op.Responses["409"].Description, passnum.ENOTENOUGHPASSES) {
			t.Fatalf("redeem does not document %s: %+v", passnum.ENOTENOUGHPASSES, op.Responses)
		}
		if !strings.Contains(string(r.Raw), `"RedeemResponse"`) {
			t.Fatal("redeem's answer is not documented with its redemptions")
		}
	})
}
