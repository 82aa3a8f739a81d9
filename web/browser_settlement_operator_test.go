package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passnum"
	"passnum/store"
)

// TestBrowserOperatorSettlementPages opens the operator's pages for paying
// the places under axe-core, on a 360 px phone and at 1280 px: the
// programme with its money, its settings, the settlements and the run
// form, a settlement with a held-back line, a place's settled redemptions
// with their correction forms, the corrections, the end of the programme
// within its last 30 days, and the full IBAN of a place's bank details.
func TestBrowserOperatorSettlementPages(t *testing.T) {
	c := newChrome(t)
	st := c.st
	w := st.payWorld()
	var account string
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var first store.SettledRedemption
		if err := tx.SettlementRedemptions(ctx, w.first.ID, st.place.ID, func(r store.SettledRedemption) error {
			if first.RedemptionID == "" {
				first = r
			}
			return nil
		}); err != nil {
			return err
		}
		if _, err := tx.CorrectRedemption(ctx, st.op, first.RedemptionID, "Pass encaissé deux fois"); err != nil {
			return err
		}
		l, err := tx.BankAccounts(ctx, st.place.ID)
		if len(l) > 0 {
			account = l[0].ID
		}
		return err
	})
	// Within 30 days of the end of validity: the closing table shows.
	st.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, passnum.Paris))
	prog := "/operateur/programmes/" + st.programme.ID
	pages := []struct{ name, path, text string }{
		{"programme et budget", prog, "Budget et remboursements"},
		{"réglages du programme", prog + "/parametres", "Budget et paiement des lieux"},
		{"remboursements du programme", prog + "/remboursements", w.first.Reference},
		{"remboursement calculé", "/operateur/remboursements/" + w.second.ID, "Marquer comme envoyé"},
		{"remboursement payé", "/operateur/remboursements/" + w.first.ID, "Parts des financeurs"},
		{"pass remboursés d'un lieu", "/operateur/remboursements/" + w.first.ID + "/lieux/" + st.place.ID, "Corriger"},
		{"corrections du programme", prog + "/corrections", "Pass encaissé deux fois"},
		{"fin du programme", prog + "/fin", "Pass inutilisés"},
	}
	for _, width := range []int{360, 1280} {
		height := 740
		var opts []chromedp.EmulateViewportOption
		if width == 360 {
			opts = append(opts, chromedp.EmulateMobile)
		} else {
			height = 900
		}
		c.step(fmt.Sprintf("écran de %d px", width), chromedp.EmulateViewport(int64(width), int64(height), opts...))
		c.signIn(st.emails[passnum.RoleOperator], "")
		for _, p := range pages {
			name := fmt.Sprintf("%s (%d px)", p.name, width)
			c.step("ouvrir "+name, c.visit(p.path), see(p.text))
			c.fits(name)
			c.axe(name)
			c.shoot(p.name, width)
		}
		// A refused run keeps its error next to the field.
		name := fmt.Sprintf("calcul refusé (%d px)", width)
		c.step(name, c.visit(prog+"/remboursements"), fill("f-cutoff", "31/12/2030"), submit("Calculer le remboursement", 422), see("au plus aujourd'hui"))
		c.axe(name)
		// The full IBAN, through its audited button.
		name = fmt.Sprintf("IBAN complet (%d px)", width)
		c.step(name, c.visit("/operateur/labellisation/"+st.place.ID), submit("Afficher l'IBAN complet "+passnum.De("Association Planoise numérique")), see("FR76 3000 6000 0112 3456 7890 189"))
		c.fits(name)
		c.axe(name)
		c.shoot("IBAN complet", width)
	}
	if account == "" {
		t.Fatal("no bank account in the world")
	}
}
