package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passnum"
	"passnum/mail"
	"passnum/store/storetest"
	"passnum/web"
)

// One young person, one booklet, through the API: the same person twice in
// one agency is refused with the existing record's id; a hand-out to
// someone holding a booklet elsewhere is refused without naming the other
// agency, until confirmed; the operator lists and counts confirmed cases.
func TestOnePersonOneBookletAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(6, 2)
		theo := map[string]any{"first_name": "Théo", "last_name": "Lambert", "birth_date": "2006-03-02", "commune_insee": "25056", "job_seeker": true, "in_studies": false}
		id := e.mustCreate("/beneficiaries", e.distributor, theo)["id"].(string)
		again := map[string]any{}
		for k, v := range theo {
			again[k] = v
		}
		again["first_name"], again["last_name"] = "THEO", "lambert"
		r := e.do("POST", "/beneficiaries", e.distributor, again)
		e.expect(r, 409, passnum.EDUPLICATEPERSON)
		if r.Body["beneficiary_id"] != id {
			t.Fatalf("the refusal does not offer the existing record: %s", r.Raw)
		}
		e.mustCreate("/beneficiaries/"+id+"/booklets", e.distributor, map[string]any{"programme_id": prog})

		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		otherKey := e.newKey(other)
		e.mustCreate("/programmes/"+prog+"/allocations", e.operator, map[string]any{"distributor_id": other, "booklets": 2})
		there := e.mustCreate("/beneficiaries", otherKey, again)["id"].(string)
		r = e.do("POST", "/beneficiaries/"+there+"/booklets", otherKey, map[string]any{"programme_id": prog})
		e.expect(r, 409, passnum.EPOSSIBLEDUPLICATE)
		if strings.Contains(string(r.Raw), e.distributorID) || strings.Contains(string(r.Raw), "Besançon") || strings.Contains(string(r.Raw), id) {
			t.Fatalf("the warning names the other agency or its record: %s", r.Raw)
		}
		e.expect(e.do("POST", "/beneficiaries/"+there+"/booklets", otherKey, map[string]any{"programme_id": prog, "confirm_possible_duplicate": false}), 409, passnum.EPOSSIBLEDUPLICATE)
		bk := e.mustCreate("/beneficiaries/"+there+"/booklets", otherKey, map[string]any{"programme_id": prog, "confirm_possible_duplicate": true})

		l := e.do("GET", "/duplicate-confirmations", e.operator, nil)
		e.expect(l, 200, "")
		items := l.Body["items"].([]any)
		if l.Body["count"] != float64(1) || len(items) != 1 {
			t.Fatalf("confirmed cases: %s", l.Raw)
		}
		c := items[0].(map[string]any)
		if c["booklet_id"] != bk["booklet_id"] || c["distributor_name"] != "France Travail Dijon" || c["other_distributor_names"].([]any)[0] != "Mission locale du Grand Besançon" {
			t.Fatalf("case: %v (booklet %v)", c, bk["id"])
		}
		for _, key := range []string{e.distributor, otherKey, e.place, e.funder} {
			e.expect(e.do("GET", "/duplicate-confirmations", key, nil), 403, passnum.EFORBIDDEN)
		}
	})
}

// The counsellor corrects a record through the API: the fields sent
// change, the others stay; the audit answer names the fields, not the
// values, and shows who and what by name.
func TestCorrectBeneficiaryAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
		r := e.do("POST", "/beneficiaries/"+id+"/record", e.distributor, map[string]any{"last_name": "Girardot", "in_studies": true, "reason": "nom d'usage"})
		e.expect(r, 200, "")
		if r.Body["last_name"] != "Girardot" || r.Body["first_name"] != "Léa" || r.Body["in_studies"] != true || r.Body["birth_date"] != "2005-05-17" {
			t.Fatalf("corrected: %s", r.Raw)
		}
		e.expect(e.do("POST", "/beneficiaries/"+id+"/record", e.distributor, map[string]any{"birth_date": "17/05/2005"}), 422, passnum.EINVALID)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/record", e.distributor, map[string]any{"commune_insee": "99999"}), 422, passnum.EINVALID)
		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "distributor", "name": "France Travail Dijon"})["id"].(string)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/record", e.newKey(other), map[string]any{"last_name": "X"}), 404, passnum.ENOTFOUND)
		e.expect(e.do("POST", "/beneficiaries/"+id+"/record", e.operator, map[string]any{"last_name": "X"}), 403, passnum.EFORBIDDEN)
		// Into another record's person: refused, with its id.
		dup := e.mustCreate("/beneficiaries", e.distributor, e.person())
		r = e.do("POST", "/beneficiaries/"+id+"/record", e.distributor, map[string]any{"last_name": dup["last_name"], "in_studies": false})
		e.expect(r, 409, passnum.EDUPLICATEPERSON)
		if r.Body["beneficiary_id"] != dup["id"] {
			t.Fatalf("refusal: %s", r.Raw)
		}

		a := e.do("GET", "/audit?object_type=beneficiary&object_id="+id+"&action=beneficiary.correct", e.operator, nil)
		e.expect(a, 200, "")
		items := a.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("audit: %s", a.Raw)
		}
		entry := items[0].(map[string]any)
		if strings.Contains(entry["details"].(string), "Girardot") || !strings.Contains(entry["details"].(string), "last_name") {
			t.Fatalf("the audit holds values, or not the field: %v", entry["details"])
		}
		if entry["action_label"] != "Correction de la fiche d'un bénéficiaire" || entry["object_name"] != "Bénéficiaire L. G. " && entry["object_name"] != "Bénéficiaire L. G." ||
			entry["organisation_name"] != "Mission locale du Grand Besançon" || entry["actor_name"] != "Clé « tests »" && entry["actor_name"] == "" {
			t.Fatalf("audit names: %v", entry)
		}
		if strings.Contains(string(a.Raw), "Girardot") {
			t.Fatalf("the audit answer shows a full name: %s", a.Raw)
		}
	})
}

// The audit answer names who acted and what, for each kind of object.
func TestAuditNamesAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(2, 1)
		e.handOut(prog)
		a := e.do("GET", "/audit?limit=100", e.operator, nil)
		e.expect(a, 200, "")
		seen := map[string]map[string]any{}
		for _, it := range a.Body["items"].([]any) {
			m := it.(map[string]any)
			seen[m["action"].(string)] = m
		}
		want := map[string]string{"programme.create": "Pass numérique BFC", "organisation.create": "", "place.labelled": "Médiathèque Pierre-Bayle", "programme.issue": "Pass numérique BFC"}
		for action, name := range want {
			m, ok := seen[action]
			if !ok {
				t.Errorf("no %s in the audit", action)
				continue
			}
			if name != "" && m["object_name"] != name {
				t.Errorf("%s: object_name %v, want %q", action, m["object_name"], name)
			}
			if m["action_label"] == action || m["action_label"] == "" {
				t.Errorf("%s: no French label (%v)", action, m["action_label"])
			}
		}
		if m := seen["booklet.hand_out"]; m == nil || !strings.HasPrefix(m["object_name"].(string), "Carnet n° ") || m["organisation_name"] != "Mission locale du Grand Besançon" {
			t.Errorf("hand-out: %v", m)
		}
		for _, name := range []string{"Léa", "Martin"} {
			if strings.Contains(string(a.Raw), name) {
				t.Errorf("the audit answer holds %q", name)
			}
		}
	})
}

// A label decision is mailed to the applicant's contact address, with the
// reason of a refusal; a decision that changes nothing sends nothing.
func TestLabelDecisionMail(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, _ := eng.Open(t, clock)
			outbox := t.TempDir()
			e := newEnvWith(t, s, clock, web.Config{Mail: mail.Outbox{Dir: outbox}, PublicURL: "https://pass.exemple.fr"})
			id, _ := e.applyForLabel(applicationBody(applicantSIRET(1)))
			e.expect(e.do("POST", "/places/"+id+"/refuse", e.operator, map[string]any{"reason": "Charte non signée."}), 200, "")
			msgs := readOutbox(t, outbox)
			if len(msgs) != 1 || !strings.Contains(msgs[0], "contact@planoise-numerique.fr") || !strings.Contains(msgs[0], "Charte non sign") {
				t.Fatalf("refusal mail: %q", msgs)
			}
			e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
			e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "") // nothing changes
			e.expect(e.do("POST", "/places/"+id+"/suspend", e.operator, map[string]any{"reason": "Contrôle en cours."}), 200, "")
			e.expect(e.do("POST", "/places/"+id+"/withdraw", e.operator, map[string]any{"reason": "Charte enfreinte."}), 200, "")
			msgs = readOutbox(t, outbox)
			if len(msgs) != 4 {
				t.Fatalf("%d messages, want 4 (refused, labelled, suspended, withdrawn)", len(msgs))
			}
			all := strings.Join(msgs, "\n")
			for _, want := range []string{"https://pass.exemple.fr/lieu", "Contr=C3=B4le en cours", "Charte enfreinte"} {
				if !strings.Contains(all, want) {
					t.Errorf("no %q in the messages", want)
				}
			}
			// A place created by the operator, without an application,
			// has no contact address: nothing is sent.
			e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
			if n := len(readOutbox(t, outbox)); n != 4 {
				t.Fatalf("%d messages after labelling a place without an address", n)
			}
		})
	}
}

func readOutbox(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.ReplaceAll(string(b), "=\r\n", ""))
	}
	return out
}

// The Problem schema of the OpenAPI document has its real shape.
func TestOpenAPIProblemSchema(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do("GET", "/openapi.json", "", nil)
		var doc struct {
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(r.Raw, &doc); err != nil {
			t.Fatal(err)
		}
		var problem struct {
			Ref        string         `json:"$ref"`
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(doc.Components.Schemas["Problem"], &problem); err != nil {
			t.Fatal(err)
		}
		if problem.Ref != "" || problem.Type != "object" {
			t.Fatalf("Problem is not an object schema: %s", doc.Components.Schemas["Problem"])
		}
		for _, p := range []string{"type", "title", "status", "detail", "code", "errors", "reasons"} {
			if _, ok := problem.Properties[p]; !ok {
				t.Errorf("Problem lacks %s", p)
			}
		}
		var fe struct {
			Properties map[string]any `json:"properties"`
		}
		json.Unmarshal(doc.Components.Schemas["FieldError"], &fe)
		if _, ok := fe.Properties["field"]; !ok {
			t.Errorf("FieldError lacks field: %s", doc.Components.Schemas["FieldError"])
		}
		if _, ok := fe.Properties["detail"]; !ok {
			t.Errorf("FieldError lacks detail")
		}
	})
}
