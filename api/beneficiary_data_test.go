package api_test

import (
	"testing"

	"passnum"
)

// Through the API: contact details need consent (and a guardian's for a
// minor); reads are logged with their purpose and listed by the operator
// only; the agency downloads everything held and erases the identity,
// with a reason, once.
func TestPersonalDataAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := e.person()
		p["email"] = "lea@exemple.fr"
		e.expect(e.do("POST", "/beneficiaries", e.distributor, p), 422, passnum.EINVALID)
		p["contact_consent"] = true
		b := e.mustCreate("/beneficiaries", e.distributor, p)
		id := b["id"].(string)
		if b["email"] != "lea@exemple.fr" || b["contact_consent_at"] == nil || b["minor"] != false {
			t.Fatalf("created: %v", b)
		}
		minor := e.person()
		minor["first_name"], minor["birth_date"], minor["phone"], minor["contact_consent"] = "Hugo", "2009-06-01", "0612345678", true
		r := e.do("POST", "/beneficiaries", e.distributor, minor)
		e.expect(r, 422, passnum.EINVALID)
		minor["guardian_consent"], minor["guardian_name"] = true, "Anne Petit"
		if m := e.mustCreate("/beneficiaries", e.distributor, minor); m["minor"] != true || m["phone"] != "+33612345678" {
			t.Fatalf("minor: %v", m)
		}

		e.expect(e.do("GET", "/beneficiaries/"+id+"?purpose=curiosity", e.distributor, nil), 422, passnum.EINVALID)
		e.expect(e.do("GET", "/beneficiaries/"+id+"?purpose=correction", e.distributor, nil), 200, "")
		e.expect(e.do("GET", "/beneficiaries/"+id, e.operator, nil), 200, "")
		reads := e.do("GET", "/beneficiaries/"+id+"/reads", e.operator, nil)
		e.expect(reads, 200, "")
		items := reads.Body["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["purpose"] != "support" || items[1].(map[string]any)["purpose"] != "correction" ||
			items[1].(map[string]any)["via"] != "api" || items[1].(map[string]any)["organisation_name"] != "Mission locale du Grand Besançon" {
			t.Fatalf("reads: %s", reads.Raw)
		}
		for _, key := range []string{e.distributor, e.place, e.funder} {
			e.expect(e.do("GET", "/beneficiaries/"+id+"/reads", key, nil), 403, passnum.EFORBIDDEN)
		}

		data := e.do("GET", "/beneficiaries/"+id+"/data", e.distributor, nil)
		e.expect(data, 200, "")
		if data.Body["person"].(map[string]any)["email"] != "lea@exemple.fr" || data.Body["distributor"] != "Mission locale du Grand Besançon" {
			t.Fatalf("data: %s", data.Raw)
		}
		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		otherKey := e.newKey(other)
		e.expect(e.do("GET", "/beneficiaries/"+id+"/data", otherKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/erase", otherKey, map[string]any{"reason": "x"}), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/erase", e.distributor, map[string]any{}), 422, passnum.EINVALID)
		er := e.do("POST", "/beneficiaries/"+id+"/erase", e.distributor, map[string]any{"reason": "demande écrite"})
		e.expect(er, 200, "")
		if er.Body["first_name"] != passnum.ErasedFirstName || er.Body["email"] != "" || er.Body["pseudonymised_at"] == nil {
			t.Fatalf("erased: %s", er.Raw)
		}
		e.expect(e.do("POST", "/beneficiaries/"+id+"/erase", e.operator, map[string]any{"reason": "encore"}), 409, passnum.EERASED)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/record", e.distributor, map[string]any{"last_name": "X"}), 409, passnum.EERASED)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/erase", e.place, map[string]any{"reason": "x"}), 403, passnum.EFORBIDDEN)
	})
}
