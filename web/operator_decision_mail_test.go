package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// A label decision taken in the operator's pages is mailed to the place's
// contact address: labelled, refused with the reason, suspended, withdrawn.
func TestLabelDecisionMailedFromPages(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		var app store.ApplicationReceipt
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			app, err = tx.ApplyForLabel(ctx, passnum.NewPlaceApplication{
				Name: "Espace numérique des Vaîtes", SIRET: nextSIRET(),
				LegalRep:     passnum.LegalRepresentative{Name: "Claire Dupont", Role: "présidente"},
				ContactEmail: "contact@vaites-numerique.fr", ContactPhone: "03 81 41 00 00",
				Site:            passnum.NewSite{Address: "13 avenue de l'Île-de-France", CommuneINSEE: "25056", Postcode: "25000", Services: []string{passnum.NationalServices[1]}},
				CharterAccepted: true, CharterVersion: passnum.CharterVersion,
				Bank: passnum.NewBankAccount{Holder: "Association des Vaîtes", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "BNPAFRPP"},
			})
			return err
		})
		op := st.as(passnum.RoleOperator)
		decide := func(status passnum.OrgStatus, reason string) {
			t.Helper()
			a := op.post("/operateur/organisations/"+app.Organisation.ID+"/statut", url.Values{"status": {string(status)}, "reason": {reason}})
			if a.Status != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", status, a.Status, a.Body)
			}
			if a = op.follow(a); !a.has("Le lieu en est informé par courriel") {
				t.Fatalf("%s: the operator is not told the place was mailed:\n%s", status, a.Body)
			}
		}
		decide(passnum.OrgRefused, "Charte non signée")
		m := st.lastMail()
		if !strings.Contains(m, "contact@vaites-numerique.fr") || !strings.Contains(m, "Charte non sign") || !strings.Contains(m, "candidature") {
			t.Fatalf("refusal mail:\n%s", m)
		}
		decide(passnum.OrgLabelled, "")
		if m = st.lastMail(); !strings.Contains(m, st.srv.URL+"/lieu") {
			t.Fatalf("labelled mail:\n%s", m)
		}
		decide(passnum.OrgSuspended, "Contrôle en cours")
		decide(passnum.OrgWithdrawn, "Charte enfreinte")
		if entries, _ := os.ReadDir(st.outbox); len(entries) != 4 {
			t.Fatalf("%d messages, want 4", len(entries))
		}
	})
}
