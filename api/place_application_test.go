package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"passnum"
)

// applicantSIRET returns a SIRET with a valid key, different for each n.
func applicantSIRET(n int) string {
	body := fmt.Sprintf("4%012d", 900_000+n)
	for key := byte('0'); key <= '9'; key++ {
		if s := body + string(key); passnum.ValidSIRET(s) {
			return s
		}
	}
	panic("no key")
}

// application is a complete application body; edit changes it before use.
func applicationBody(siret string, edit ...func(m map[string]any)) map[string]any {
	m := map[string]any{
		"name":                 "Espace public numérique de Planoise",
		"siret":                siret,
		"legal_representative": map[string]any{"name": "Claire Dupont", "role": "présidente"},
		"contact_email":        "contact@planoise-numerique.fr",
		"contact_phone":        "03 81 41 00 00",
		"site": map[string]any{
			"address": "13 avenue de l'Île-de-France", "commune_insee": "25056", "postcode": "25000",
			"latitude": 47.2205, "longitude": 5.9744, "opening_hours": "Mo-Fr 09:00-12:00,14:00-17:00",
			"services":         []string{"Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives"},
			"publics":          []string{"Jeunes"},
			"specific_support": []string{"Handicaps moteurs"},
		},
		"charter_accepted": true,
		"charter_version":  passnum.CharterVersion,
		"bank_account":     map[string]any{"holder": "Association Planoise numérique", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"},
	}
	for _, f := range edit {
		f(m)
	}
	return m
}

func applicationSite(m map[string]any) map[string]any { return m["site"].(map[string]any) }
func applicationBank(m map[string]any) map[string]any { return m["bank_account"].(map[string]any) }

// apply sends an application without a key and returns the place id and key.
func (e *env) applyForLabel(body map[string]any) (id, key string) {
	e.t.Helper()
	r := e.mustCreate("/place-applications", "", body)
	return r["id"].(string), r["key"].(string)
}

func placeListItems(r response) []map[string]any {
	var out []map[string]any
	for _, v := range r.Body["items"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func TestPlaceApplicationFlow(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(10, 4)
		_, codes := e.handOut(prog)

		// Anyone may apply, without a key.
		r := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(1)))
		e.expect(r, 201, "")
		id, key := r.Body["id"].(string), r.Body["key"].(string)
		if r.Body["status"] != "pending" || !strings.HasPrefix(key, "pn_") || r.Body["charter_version"] != passnum.CharterVersion || r.Body["charter_accepted_at"] == nil {
			t.Fatalf("application: %s", r.Raw)
		}
		siteID := r.Body["site_id"].(string)

		// The place follows its application with its key; it cannot redeem yet.
		own := e.do("GET", "/place-applications/"+id, key, nil)
		e.expect(own, 200, "")
		if own.Body["status"] != "pending" || own.Body["siret"] != applicantSIRET(1) || own.Body["contact_phone"] != "+33381410000" {
			t.Fatalf("own application: %s", own.Raw)
		}
		accounts := own.Body["bank_accounts"].([]any)
		if iban := accounts[0].(map[string]any)["iban"]; iban != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("the place sees its IBAN unmasked: %v", iban)
		}
		e.expect(e.do("POST", "/passes/"+codes[0]+"/redeem", key, map[string]any{"service": service}), 403, passnum.EPLACENOTLABELLED)

		// The operator reviews the pending applications, then labels it.
		pending := e.do("GET", "/place-applications?status=pending", e.operator, nil)
		e.expect(pending, 200, "")
		if l := placeListItems(pending); len(l) != 1 || l[0]["id"] != id {
			t.Fatalf("pending applications: %s", pending.Raw)
		}
		// The operator sees the IBAN masked too, and in full only by the
		// audited reveal.
		full := e.do("GET", "/place-applications/"+id, e.operator, nil)
		submitted := full.Body["bank_accounts"].([]any)[0].(map[string]any)
		if submitted["iban"] != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("the operator's list shows the IBAN: %s", full.Raw)
		}
		revealed := e.do("POST", "/places/"+id+"/bank-accounts/"+submitted["id"].(string)+"/iban", e.operator, nil)
		e.expect(revealed, 200, "")
		if revealed.Body["iban"] != "FR7630006000011234567890189" {
			t.Fatalf("the operator does not see the IBAN: %s", revealed.Raw)
		}
		revealAudit := e.do("GET", "/audit?object_type=bank_account&object_id="+submitted["id"].(string), e.operator, nil)
		if !strings.Contains(string(revealAudit.Raw), "bank_account.reveal_iban") {
			t.Fatalf("the reveal is not audited: %s", revealAudit.Raw)
		}
		e.expect(e.do("POST", "/places/"+id+"/bank-accounts/"+submitted["id"].(string)+"/iban", key, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/place-applications?status=accepted", e.operator, nil), 422, passnum.EINVALID)
		e.clock.Advance(24 * time.Hour)
		e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
		own = e.do("GET", "/place-applications/"+id, key, nil)
		account := own.Body["bank_accounts"].([]any)[0].(map[string]any)
		if own.Body["status"] != "labelled" || own.Body["decided_at"] == nil || account["status"] != "approved" || account["valid_from"] == nil {
			t.Fatalf("after labelling: %s", own.Raw)
		}
		if l := placeListItems(e.do("GET", "/place-applications?status=pending", e.operator, nil)); len(l) != 0 {
			t.Fatalf("still pending: %v", l)
		}

		// Labelled, it redeems, at its own site.
		red := e.do("POST", "/passes/"+codes[0]+"/redeem", key, map[string]any{"service": service, "site_id": siteID})
		e.expect(red, 201, "")
		rid := red.Body["redemption_id"].(string)

		// Suspended: it can no longer redeem; what it redeemed stays owed.
		e.expect(e.do("POST", "/places/"+id+"/suspend", e.operator, map[string]any{}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/places/"+id+"/suspend", e.operator, map[string]any{"reason": "Pass encaissés sans formation : contrôle en cours"}), 200, "")
		e.expect(e.do("POST", "/passes/"+codes[1]+"/redeem", key, map[string]any{"service": service}), 403, passnum.EPLACENOTLABELLED)
		before := e.do("GET", "/redemptions/"+rid, key, nil)
		e.expect(before, 200, "")
		if before.Body["status"] != "active" || before.Body["amount_cents"] != 1000.0 {
			t.Fatalf("redemption before the suspension: %s", before.Raw)
		}
		own = e.do("GET", "/place-applications/"+id, key, nil)
		history := own.Body["history"].([]any)
		if own.Body["status"] != "suspended" || own.Body["decision_reason"] != "Pass encaissés sans formation : contrôle en cours" || len(history) != 3 ||
			history[2].(map[string]any)["status"] != "suspended" {
			t.Fatalf("after suspension: %s", own.Raw)
		}

		// Another application, refused with a reason the place reads.
		other, otherKey := e.applyForLabel(applicationBody(applicantSIRET(2)))
		e.expect(e.do("POST", "/places/"+other+"/refuse", e.operator, map[string]any{"reason": "Le lieu ne propose pas de formation au numérique"}), 200, "")
		refused := e.do("GET", "/place-applications/"+other, otherKey, nil)
		if refused.Body["status"] != "refused" || refused.Body["decision_reason"] != "Le lieu ne propose pas de formation au numérique" {
			t.Fatalf("refused: %s", refused.Raw)
		}
		// Every step is in the audit trail.
		audit := e.do("GET", "/audit?object_type=organisation&object_id="+id, e.operator, nil)
		var actions []string
		for _, it := range placeListItems(audit) {
			actions = append(actions, it["action"].(string))
		}
		if got := strings.Join(actions, ","); got != "place.suspended,place.labelled,place.apply,organisation.create" {
			t.Fatalf("audit: %s", got)
		}
	})
}

func TestPlaceApplicationRefusals(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.applyForLabel(applicationBody(applicantSIRET(1)))
		// One SIRET, one place account, whether applied for or registered.
		for _, siret := range []string{applicantSIRET(1), "73282932000074", "732 829 320 00074"} {
			r := e.do("POST", "/place-applications", "", applicationBody(siret))
			e.expect(r, 409, passnum.ECONFLICT)
			if !strings.Contains(r.Body["detail"].(string), "un SIRET, un compte lieu") {
				t.Fatalf("the conflict does not name the rule: %s", r.Raw)
			}
		}
		cases := []struct {
			name  string
			edit  func(m map[string]any)
			field string
		}{
			{"bad SIRET key", func(m map[string]any) { m["siret"] = "73282932000075" }, "siret"},
			{"IBAN with a wrong key", func(m map[string]any) { applicationBank(m)["iban"] = "FR76 3000 6000 0112 3456 7890 188" }, "bank_account.iban"},
			{"IBAN of the wrong length", func(m map[string]any) { applicationBank(m)["iban"] = "FR76 3000 6000 0112 3456 7890 18" }, "bank_account.iban"},
			{"IBAN outside SEPA", func(m map[string]any) { applicationBank(m)["iban"] = "SA03 8000 0000 6080 1016 7519" }, "bank_account.iban"},
			{"BIC of 9 characters", func(m map[string]any) { applicationBank(m)["bic"] = "BNPAFRPPX" }, "bank_account.bic"},
			{"BIC of another country", func(m map[string]any) { applicationBank(m)["bic"] = "DEUTDEFF" }, "bank_account.bic"},
			{"no bank account", func(m map[string]any) { delete(m, "bank_account") }, "bank_account"},
			{"charter missing", func(m map[string]any) { delete(m, "charter_version") }, "charter_version"},
			{"charter not accepted", func(m map[string]any) { m["charter_accepted"] = false }, "charter_accepted"},
			{"old charter version", func(m map[string]any) { m["charter_version"] = "2022-01" }, "charter_version"},
			{"unknown commune", func(m map[string]any) { applicationSite(m)["commune_insee"] = "25999" }, "site.commune_insee"},
			{"postcode of another commune", func(m map[string]any) { applicationSite(m)["postcode"] = "39000" }, "site.postcode"},
			{"coordinates abroad", func(m map[string]any) { applicationSite(m)["latitude"], applicationSite(m)["longitude"] = 50.85, 4.35 }, "site.latitude"},
			{"opening hours that do not parse", func(m map[string]any) { applicationSite(m)["opening_hours"] = "du lundi au vendredi 9h-17h" }, "site.opening_hours"},
			{"unknown service", func(m map[string]any) { applicationSite(m)["services"] = []string{"Cours de guitare"} }, "site.services"},
			{"unknown public", func(m map[string]any) { applicationSite(m)["publics"] = []string{"Tout le monde"} }, "site.publics"},
			{"unknown accessibility", func(m map[string]any) { applicationSite(m)["specific_support"] = []string{"Ascenseur"} }, "site.specific_support"},
			{"no site", func(m map[string]any) { delete(m, "site") }, "site"},
			{"bad e-mail", func(m map[string]any) { m["contact_email"] = "contact.planoise.fr" }, "contact_email"},
			{"unknown field", func(m map[string]any) { m["iban"] = "FR76" }, "iban"},
			{"wrong type", func(m map[string]any) { m["charter_accepted"] = "oui" }, "charter_accepted"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(50), c.edit))
				e.expect(r, 422, passnum.EINVALID)
				found := false
				for _, fe := range r.Body["errors"].([]any) {
					fe := fe.(map[string]any)
					if fe["field"] == c.field && fe["detail"] != "" {
						found = true
					}
				}
				if !found {
					t.Fatalf("no error on %s: %s", c.field, r.Raw)
				}
			})
		}
		// Nothing of the refused applications was kept.
		if l := placeListItems(e.do("GET", "/place-applications", e.operator, nil)); len(l) != 2 {
			t.Fatalf("applications: %v", l)
		}
		e.expect(e.do("GET", "/place-applications/"+passnum.NewID(e.clock.Now()), e.operator, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/place-applications/"+e.distributorID, e.operator, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/place-applications", e.place, nil), 403, passnum.EFORBIDDEN)
	})
}

// A retried application gives back the first answer, without the key a
// second time; the same key with another body is refused.
func TestPlaceApplicationIdempotency(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		body := applicationBody(applicantSIRET(3))
		first := e.do("POST", "/place-applications", "", body, "Idempotency-Key", "candidature-42")
		e.expect(first, 201, "")
		again := e.do("POST", "/place-applications", "", body, "Idempotency-Key", "candidature-42")
		e.expect(again, 201, "")
		if again.Body["id"] != first.Body["id"] || again.Body["key"] != nil {
			t.Fatalf("replay: %s", again.Raw)
		}
		e.expect(e.do("POST", "/place-applications", "", applicationBody(applicantSIRET(4)), "Idempotency-Key", "candidature-42"), 422, passnum.EIDEMPOTENCYMISMATCH)
	})
}

func TestBankAccountChangeAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, key := e.applyForLabel(applicationBody(applicantSIRET(1)))
		e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
		first := e.do("GET", "/places/"+id+"/bank-accounts", e.operator, nil)
		e.expect(first, 200, "")
		firstID := placeListItems(first)[0]["id"].(string)

		newDetails := map[string]any{"holder": "Association Planoise numérique", "iban": "FR14 2004 1010 0505 0001 3M02 606", "bic": "PSSTFRPPDIJ"}
		e.expect(e.do("POST", "/places/"+id+"/bank-accounts", key, map[string]any{"holder": "X", "iban": "FR14 2004 1010 0505 0001 3M02 607", "bic": "PSSTFRPP"}), 422, passnum.EINVALID)
		e.clock.Advance(24 * time.Hour)
		r := e.do("POST", "/places/"+id+"/bank-accounts", key, newDetails)
		e.expect(r, 201, "")
		if r.Body["status"] != "pending" || r.Body["iban"] != "FR14 **** **** **** **** ***2 606" {
			t.Fatalf("proposal: %s", r.Raw)
		}
		secondID := r.Body["id"].(string)
		conflict := e.do("POST", "/places/"+id+"/bank-accounts", key, newDetails)
		e.expect(conflict, 409, passnum.ECONFLICT)
		if conflict.Body["bank_account_id"] != secondID {
			t.Fatalf("the conflict does not name the pending details: %s", conflict.Raw)
		}
		// Only the operator decides.
		e.expect(e.do("POST", "/bank-accounts/"+secondID+"/approve", key, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("POST", "/bank-accounts/"+secondID+"/reject", e.operator, nil), 422, passnum.EINVALID)
		e.clock.Advance(time.Hour)
		approved := e.do("POST", "/bank-accounts/"+secondID+"/approve", e.operator, nil)
		e.expect(approved, 200, "")
		e.expect(e.do("POST", "/bank-accounts/"+secondID+"/approve", e.operator, nil), 409, passnum.ECONFLICT)

		// The history keeps both, with their dates; the place sees it masked.
		history := e.do("GET", "/places/"+id+"/bank-accounts", key, nil)
		e.expect(history, 200, "")
		h := placeListItems(history)
		if len(h) != 2 || h[0]["id"] != secondID || h[0]["status"] != "approved" || h[1]["id"] != firstID || h[1]["status"] != "replaced" {
			t.Fatalf("history: %s", history.Raw)
		}
		if h[1]["valid_from"] == nil || h[1]["valid_until"] != h[0]["valid_from"] || h[0]["valid_until"] != nil {
			t.Fatalf("dates: %s", history.Raw)
		}
		if h[1]["iban"] != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("the place sees an IBAN unmasked: %s", history.Raw)
		}
		if h := placeListItems(e.do("GET", "/places/"+id+"/bank-accounts", e.operator, nil)); h[1]["iban"] != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("operator's view: %v", h)
		}
		// A proposal rejected with its reason; the approved one stays.
		third := e.do("POST", "/places/"+id+"/bank-accounts", e.operator, map[string]any{"holder": "Association Planoise numérique", "iban": "DE89370400440532013000", "bic": "COBADEFF"})
		e.expect(third, 201, "")
		rej := e.do("POST", "/bank-accounts/"+third.Body["id"].(string)+"/reject", e.operator, map[string]any{"reason": "RIB d'un autre titulaire"})
		e.expect(rej, 200, "")
		if rej.Body["status"] != "rejected" || rej.Body["decision_reason"] != "RIB d'un autre titulaire" {
			t.Fatalf("reject: %s", rej.Raw)
		}
		if h := placeListItems(e.do("GET", "/places/"+id+"/bank-accounts", key, nil)); len(h) != 3 || h[1]["status"] != "approved" {
			t.Fatalf("history after rejection: %v", h)
		}
	})
}

func TestPlaceSitesAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, key := e.applyForLabel(applicationBody(applicantSIRET(1)))
		dole := map[string]any{"name": "Antenne de Dole", "address": "2 place Nationale Charles de Gaulle", "commune_insee": "39198", "postcode": "39100",
			"opening_hours": "We 14:00-18:00", "services": []string{"Aide aux démarches administratives"}}
		r := e.do("POST", "/places/"+id+"/sites", key, dole)
		e.expect(r, 201, "")
		siteID := r.Body["id"].(string)
		if r.Body["commune_name"] != "Dole" || r.Body["opendata_id"] != "passnum-"+siteID || r.Body["pivot"] != applicantSIRET(1) {
			t.Fatalf("site: %s", r.Raw)
		}
		e.expect(e.do("POST", "/places/"+id+"/sites", key, map[string]any{"address": "1 rue", "commune_insee": "39198", "postcode": "39100"}), 422, passnum.EINVALID)
		l := e.do("GET", "/places/"+id+"/sites", key, nil)
		e.expect(l, 200, "")
		if s := placeListItems(l); len(s) != 2 || s[1]["id"] != siteID || l.Body["next"] != nil {
			t.Fatalf("sites: %s", l.Raw)
		}
		up := e.do("POST", "/sites/"+siteID, key, map[string]any{"opening_hours": "We-Th 14:00-18:00", "latitude": 47.0925, "longitude": 5.4897})
		e.expect(up, 200, "")
		if up.Body["opening_hours"] != "We-Th 14:00-18:00" || up.Body["latitude"] != 47.0925 || up.Body["address"] != dole["address"] {
			t.Fatalf("update: %s", up.Raw)
		}
		bad := e.do("POST", "/sites/"+siteID, key, map[string]any{"postcode": "25000"})
		e.expect(bad, 422, passnum.EINVALID)
		if !strings.Contains(string(bad.Raw), "ne dessert pas Dole") {
			t.Fatalf("postcode refusal: %s", bad.Raw)
		}
		e.expect(e.do("POST", "/sites/"+siteID, key, map[string]any{"colour": "bleu"}), 422, passnum.EINVALID)
		e.expect(e.do("GET", "/places/"+id+"/sites", e.operator, nil), 200, "")
		e.expect(e.do("POST", "/sites/"+siteID, e.operator, map[string]any{"phone": "03 84 79 79 79"}), 200, "")
	})
}

// A place never sees nor changes another place's file, sites or bank
// details: they are "not found", as if they did not exist.
func TestPlaceApplicationTenancy(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, keyA := e.applyForLabel(applicationBody(applicantSIRET(1)))
		b, keyB := e.applyForLabel(applicationBody(applicantSIRET(2)))
		sitesA := placeListItems(e.do("GET", "/places/"+a+"/sites", keyA, nil))
		siteA := sitesA[0]["id"].(string)
		accountA := placeListItems(e.do("GET", "/places/"+a+"/bank-accounts", e.operator, nil))[0]["id"].(string)
		newSite := map[string]any{"address": "1 rue", "commune_insee": "25056", "postcode": "25000", "services": []string{service}}
		details := map[string]any{"holder": "B", "iban": "DE89370400440532013000", "bic": "COBADEFF"}

		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/place-applications/" + a, nil},
			{"GET", "/places/" + a + "/sites", nil},
			{"POST", "/places/" + a + "/sites", newSite},
			{"POST", "/sites/" + siteA, map[string]any{"opening_hours": "Mo 10:00-11:00"}},
			{"GET", "/places/" + a + "/bank-accounts", nil},
			{"POST", "/places/" + a + "/bank-accounts", details},
		} {
			r := e.do(c.method, c.path, keyB, c.body)
			if r.Status != http.StatusNotFound || r.code() != passnum.ENOTFOUND {
				t.Fatalf("place B: %s %s: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		e.expect(e.do("POST", "/bank-accounts/"+accountA+"/approve", keyB, nil), 403, passnum.EFORBIDDEN)
		// Other roles have no business there.
		e.expect(e.do("GET", "/places/"+a+"/sites", e.distributor, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/place-applications/"+a, e.funder, nil), 403, passnum.EFORBIDDEN)
		// A's site is as A left it; B's own routes work.
		if s := placeListItems(e.do("GET", "/places/"+a+"/sites", keyA, nil)); len(s) != 1 || s[0]["opening_hours"] != sitesA[0]["opening_hours"] {
			t.Fatalf("A's sites: %v", s)
		}
		e.expect(e.do("GET", "/place-applications/"+b, keyB, nil), 200, "")
		e.expect(e.do("POST", "/places/"+b+"/sites", keyB, newSite), 201, "")
	})
}
