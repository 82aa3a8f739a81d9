package api_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/document"
	"passnum/mail"
	"passnum/paydoc"
	"passnum/sepa/sepatest"
	"passnum/store/storetest"
	"passnum/web"
)

// docWorld is a settled programme: the env's place paid for three passes,
// another place held back (no bank details) for one.
type docWorld struct {
	prog, settlement          string
	heldPlace, heldPlaceKey   string
	otherFunder, otherFunderK string
}

func (e *env) settledWorld() docWorld {
	e.t.Helper()
	var w docWorld
	w.prog = e.programme(4, 4)
	e.placeWithBank()
	_, codes := e.handOut(w.prog)
	e.redeemAll(codes[:3])
	w.heldPlace = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "EPN Dijon", "siret": "35600000000048", "commune_insee": "25056"})["id"].(string)
	e.expect(e.do("POST", "/places/"+w.heldPlace+"/label", e.operator, nil), 200, "")
	w.heldPlaceKey = e.newKey(w.heldPlace)
	e.expect(e.do("POST", "/passes/"+codes[3]+"/redeem", w.heldPlaceKey, map[string]any{"service": service}), 201, "")
	w.otherFunder = e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "État"})["id"].(string)
	w.otherFunderK = e.newKey(w.otherFunder)
	e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
	w.settlement = e.mustCreate("/settlements", e.operator, map[string]any{"programme_id": w.prog})["id"].(string)
	return w
}

func (e *env) setPayer(prog string) {
	e.t.Helper()
	e.expect(e.do("POST", "/programmes/"+prog+"/settings", e.operator, map[string]any{
		"payer": map[string]any{"name": "Région Bourgogne-Franche-Comté", "iban": "FR86 3000 1006 4000 0000 0000 047", "bic": "BDFEFRPP"}}), 200, "")
}

// wantFile checks a download: status, type, a French file name and how
// the file starts.
func wantFile(t *testing.T, r response, contentType, name, start string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("%d, want 200\n%s", r.Status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); ct != contentType {
		t.Fatalf("Content-Type %q, want %q", ct, contentType)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=\"") || !strings.Contains(cd, name) {
		t.Fatalf("Content-Disposition %q, want a file named like %q", cd, name)
	}
	if !bytes.HasPrefix(r.Raw, []byte(start)) {
		t.Fatalf("the file starts with %q, want %q", r.Raw[:min(len(r.Raw), 20)], start)
	}
}

func TestSettlementDocumentsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		w := e.settledWorld()
		id := w.settlement
		base := "/settlements/" + id

		// The SEPA file: refused without the paying account, then valid,
		// paying the place with approved bank details only.
		e.expect(e.do("GET", base+"/sepa.xml", e.operator, nil), 409, passnum.ENOPAYINGACCOUNT)
		e.setPayer(w.prog)
		x := e.do("GET", base+"/sepa.xml", e.operator, nil)
		wantFile(t, x, "application/xml; charset=utf-8", "virements-PN-20260331-", "<?xml")
		sepatest.Validate(t, x.Raw)
		for _, want := range []string{"<NbOfTxs>1</NbOfTxs>", "<CtrlSum>30.00</CtrlSum>", "FR7630006000011234567890189", "FR8630001006400000000000047"} {
			if !bytes.Contains(x.Raw, []byte(want)) {
				t.Errorf("the SEPA file has no %s", want)
			}
		}
		if bytes.Contains(x.Raw, []byte("EPN Dijon")) {
			t.Error("the held-back place is in the SEPA file")
		}

		// A place's statement, PDF and CSV.
		pdf := e.do("GET", base+"/lines/"+e.placeID+"/statement.pdf", e.place, nil)
		wantFile(t, pdf, "application/pdf", "releve-de-remboursement-PN-", "%PDF")
		if !strings.Contains(pdf.Header.Get("Content-Disposition"), "filename*=UTF-8''relev%C3%A9-de-remboursement") {
			t.Errorf("no French file name: %q", pdf.Header.Get("Content-Disposition"))
		}
		csv := e.do("GET", base+"/lines/"+e.placeID+"/statement.csv", e.place, nil)
		wantFile(t, csv, "text/csv; charset=utf-8", "releve-de-remboursement-PN-", "\ufeff")
		if !strings.Contains(string(csv.Raw), strings.Join(document.StatementColumns, ";")) || strings.Count(string(csv.Raw), "\nencaissement;") != 3 {
			t.Fatalf("statement CSV:\n%s", csv.Raw)
		}
		wantFile(t, e.do("GET", base+"/lines/"+e.placeID+"/statement.pdf", e.funder, nil), "application/pdf", "releve", "%PDF")
		wantFile(t, e.do("GET", base+"/lines/"+w.heldPlace+"/statement.pdf", w.heldPlaceKey, nil), "application/pdf", "epn-dijon", "%PDF")

		// The accounting export.
		acc := e.do("GET", base+"/accounting.csv", e.operator, nil)
		wantFile(t, acc, "text/csv; charset=utf-8", "export-comptable-PN-", "\ufeff")
		header := strings.SplitN(strings.TrimPrefix(string(acc.Raw), "\ufeff"), "\r\n", 2)[0]
		if !strings.HasPrefix(header, "Date;Pièce;Date d'arrêté;Programme;Lieu;SIRET") || !strings.HasSuffix(header, "Part Région Bourgogne-Franche-Comté (€)") {
			t.Fatalf("accounting header: %q", header)
		}
		if n := strings.Count(string(acc.Raw), ";encaissement;"); n != 3 {
			t.Fatalf("%d redemptions in the accounting export, want 3:\n%s", n, acc.Raw)
		}
		wantFile(t, e.do("GET", base+"/accounting.xlsx", e.funder, nil), paydoc.XLSX.ContentType(), "export-comptable-PN-", "PK")

		// The funder's statements.
		fb := base + "/funders/" + e.funderID
		wantFile(t, e.do("GET", fb+"/statement.pdf", e.funder, nil), "application/pdf", "releve-financeur-PN-", "%PDF")
		fcsv := e.do("GET", fb+"/statement.csv", e.operator, nil)
		wantFile(t, fcsv, "text/csv; charset=utf-8", "releve-financeur-PN-", "\ufeff")
		if !strings.Contains(string(fcsv.Raw), "30,00") {
			t.Fatalf("funder's statement CSV:\n%s", fcsv.Raw)
		}
		pb := "/programmes/" + w.prog + "/funders/" + e.funderID
		wantFile(t, e.do("GET", pb+"/statement.pdf", e.funder, nil), "application/pdf", "releve-financeur-pass-numerique-bfc", "%PDF")
		wantFile(t, e.do("GET", pb+"/statement.csv", e.funder, nil), "text/csv; charset=utf-8", "-au-2026-04-02.csv", "\ufeff")
		wantFile(t, e.do("GET", pb+"/closing.pdf", e.funder, nil), "application/pdf", "bilan-de-cloture-pass-numerique-bfc", "%PDF")

		// Who may not read what: roles (403), others' objects (404).
		unknown := passnum.NewID(e.clock.Now())
		cases := []struct {
			path, key string
			status    int
		}{
			{base + "/sepa.xml", e.funder, 403},
			{base + "/sepa.xml", e.place, 403},
			{"/settlements/" + unknown + "/sepa.xml", e.operator, 404},
			{base + "/lines/" + e.placeID + "/statement.pdf", e.distributor, 403},
			{base + "/lines/" + e.placeID + "/statement.pdf", w.heldPlaceKey, 404},
			{base + "/lines/" + e.placeID + "/statement.csv", w.heldPlaceKey, 404},
			{base + "/lines/" + w.heldPlace + "/statement.csv", e.place, 404},
			{base + "/lines/" + e.placeID + "/statement.pdf", w.otherFunderK, 404},
			{base + "/lines/" + e.funderID + "/statement.pdf", e.operator, 404},
			{base + "/lines/not-an-id/statement.pdf", e.operator, 404},
			{base + "/accounting.csv", e.place, 403},
			{base + "/accounting.csv", w.otherFunderK, 404},
			{base + "/accounting.xlsx", w.otherFunderK, 404},
			{fb + "/statement.pdf", w.otherFunderK, 404},
			{base + "/funders/" + w.otherFunder + "/statement.pdf", w.otherFunderK, 404},
			{base + "/funders/" + w.otherFunder + "/statement.csv", e.operator, 404},
			{fb + "/statement.pdf", e.place, 403},
			{pb + "/statement.pdf", w.otherFunderK, 404},
			{"/programmes/" + w.prog + "/funders/" + w.otherFunder + "/statement.csv", w.otherFunderK, 404},
			{pb + "/closing.pdf", w.otherFunderK, 404},
			{pb + "/closing.pdf", e.place, 403},
		}
		for _, c := range cases {
			r := e.do("GET", c.path, c.key, nil)
			if r.Status != c.status {
				t.Errorf("GET %s: %d, want %d\n%s", c.path, r.Status, c.status, r.Raw)
			} else {
				e.expect(r, c.status, "")
			}
		}
	})
}

// A settlement sent, then paid, mails each place it pays once per step,
// never a held-back place; a failure to mail never fails the payment.
func TestSettlementMails(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, _ := eng.Open(t, clock)
			outbox := t.TempDir()
			e := newEnvWith(t, s, clock, web.Config{Mail: mail.Outbox{Dir: outbox}, PublicURL: "https://pass.exemple.fr"})
			prog := e.programme(4, 4)
			// Two places that applied, with their contact e-mails; the
			// second is suspended, so its line is held back.
			paid, paidKey := e.applyForLabel(applicationBody(applicantSIRET(41)))
			held, heldKey := e.applyForLabel(applicationBody(applicantSIRET(42), func(m map[string]any) {
				m["name"], m["contact_email"] = "Tiers-lieu de Dole", "contact@tiers-lieu-dole.fr"
			}))
			for _, id := range []string{paid, held} {
				e.expect(e.do("POST", "/places/"+id+"/label", e.operator, nil), 200, "")
				accounts := e.do("GET", "/places/"+id+"/bank-accounts", e.operator, nil).Body["items"].([]any)
				if a := accounts[0].(map[string]any); a["status"] != "approved" {
					e.expect(e.do("POST", "/bank-accounts/"+a["id"].(string)+"/approve", e.operator, map[string]any{"reason": "RIB vérifié"}), 200, "")
				}
			}
			_, codes := e.handOut(prog)
			e.expect(e.do("POST", "/passes/"+codes[0]+"/redeem", paidKey, map[string]any{"service": service}), 201, "")
			e.expect(e.do("POST", "/passes/"+codes[1]+"/redeem", heldKey, map[string]any{"service": service}), 201, "")
			e.expect(e.do("POST", "/places/"+held+"/suspend", e.operator, map[string]any{"reason": "Contrôle en cours."}), 200, "")
			before := len(readOutbox(t, outbox))
			clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, passnum.Paris))
			st := e.mustCreate("/settlements", e.operator, map[string]any{"programme_id": prog})
			id := st["id"].(string)
			if n := len(readOutbox(t, outbox)); n != before {
				t.Fatalf("a settlement only calculated mailed %d messages", n-before)
			}
			e.expect(e.do("POST", "/settlements/"+id+"/sent", e.operator, nil), 200, "")
			msgs := readOutbox(t, outbox)[before:]
			if len(msgs) != 1 || !strings.Contains(msgs[0], "contact@planoise-numerique.fr") || !strings.Contains(msgs[0], "envoy") ||
				!strings.Contains(msgs[0], "10,00") || !strings.Contains(msgs[0], "https://pass.exemple.fr/lieu/remboursements") || !strings.Contains(msgs[0], "PN-20260331-") {
				t.Fatalf("sent: %q", msgs)
			}
			e.expect(e.do("POST", "/settlements/"+id+"/paid", e.operator, map[string]any{"paid_on": "2026-04-02", "bank_reference": "VIR-2026-04-02"}), 200, "")
			msgs = readOutbox(t, outbox)[before:]
			if len(msgs) != 2 || !strings.Contains(strings.Join(msgs, ""), "02/04/2026") || strings.Count(strings.Join(msgs, ""), "To: <contact@planoise-numerique.fr>") != 2 {
				t.Fatalf("paid: %q", msgs)
			}
			for _, m := range msgs {
				if strings.Contains(m, "tiers-lieu-dole") {
					t.Fatalf("a held-back place was mailed:\n%s", m)
				}
			}

			// With four eyes, the place hears of the payment once the second
			// operator confirmed it, not when the first recorded it.
			e.expect(e.do("POST", "/programmes/"+prog+"/settings", e.operator, map[string]any{"four_eyes": true}), 200, "")
			e.expect(e.do("POST", "/passes/"+codes[2]+"/redeem", paidKey, map[string]any{"service": service}), 201, "")
			clock.Set(time.Date(2026, 5, 2, 10, 0, 0, 0, passnum.Paris))
			may := e.mustCreate("/settlements", e.operator, map[string]any{"programme_id": prog})["id"].(string)
			e.expect(e.do("POST", "/settlements/"+may+"/sent", e.operator, nil), 200, "")
			recorded := e.do("POST", "/settlements/"+may+"/paid", e.operator, map[string]any{"paid_on": "2026-05-02", "bank_reference": "VIR-2026-05-02"})
			if recorded.Status != 200 || recorded.Body["status"] != "payment_recorded" {
				t.Fatalf("recorded: %d %s", recorded.Status, recorded.Raw)
			}
			if n := len(readOutbox(t, outbox)) - before; n != 3 {
				t.Fatalf("%d messages after a payment waiting for confirmation, want 3 (sent, paid, sent)", n)
			}
			second, err := s.CreateOperatorKey(context.Background(), "comptable")
			if err != nil {
				t.Fatal(err)
			}
			e.expect(e.do("POST", "/settlements/"+may+"/paid", second, nil), 200, "")
			msgs = readOutbox(t, outbox)[before:]
			paidMay := 0
			for _, m := range msgs {
				if strings.Contains(m, "PN-20260430-") && strings.Contains(m, "02/05/2026") {
					paidMay++
				}
			}
			if len(msgs) != 4 || paidMay != 1 {
				t.Fatalf("confirmed: %q", msgs)
			}
		})
	}
}
