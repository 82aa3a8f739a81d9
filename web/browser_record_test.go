package web_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passnum"
	"passnum/store"
)

// TestBrowserCounsellorPages walks the pages of a young person's record
// (correction, session booking), the operator's confirmed cases and audit
// trail, and the lists with their downloads, on a 360 px phone: nothing
// scrolls sideways. Then the counsellor books a seat and corrects a record
// with the keyboard alone. PASSNUM_PHONE_SHOTS, when set, is a folder
// where each page's screenshot is saved, to look at them.
func TestBrowserCounsellorPages(t *testing.T) {
	c := newChrome(t)
	st := c.st
	ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
	se := st.recMustSession(8)
	place := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	st.write(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: codes[0], Service: "Aide aux démarches administratives"})
		return err
	})
	// A confirmed case for the operator's list.
	other, _ := st.mustBeneficiary(st.other.ID, "Théo", "Lambert", "2005-01-02")
	_ = other
	again := passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}
	st.write(func(ctx context.Context, tx *store.Tx) error {
		b, err := tx.CreateBeneficiary(ctx, again, passnum.Beneficiary{FirstName: "Theo", LastName: "LAMBERT", BirthDate: passnum.MustDate("2005-01-02"), CommuneINSEE: "25056", JobSeeker: true})
		if err != nil {
			return err
		}
		_, err = tx.HandOutWith(ctx, again, store.HandOutRequest{BeneficiaryID: b.ID, ProgrammeID: st.programme.ID, ConfirmPossibleDuplicate: true})
		return err
	})

	c.step("écran de téléphone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	// phone opens path, or measures the page on screen when path is "".
	phone := func(name, path string) {
		t.Helper()
		if path != "" {
			c.step("ouvrir "+path, c.visit(path))
		} else {
			path = name
		}
		width := read(c, "largeur de "+path, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if width > 360 {
			c.fail("largeur de "+path, fmt.Errorf("the page is %v px wide on a 360 px screen: it scrolls sideways", width))
		}
		if dir := os.Getenv("PASSNUM_PHONE_SHOTS"); dir != "" {
			shot := read(c, "capture de "+path, chromedp.FullScreenshot(100))
			if err := os.WriteFile(filepath.Join(dir, fileName(name)+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.signIn(st.emails[passnum.RoleDistributor], "")
	record := "/distributeur/beneficiaires/" + ben.ID
	phone("fiche", record)
	phone("correction", record+"/fiche")
	phone("seances", record+"/seances")
	phone("donnees", record+"/donnees")
	phone("accueil-distributeur", "/distributeur")

	c.signIn(st.emails[passnum.RoleOperator], "")
	phone("doublons", "/operateur/doublons")
	phone("journal", "/operateur/journal")
	phone("organisations", "/operateur/organisations")
	phone("tableau-de-bord", "/operateur")
	phone("jeunes", "/operateur/jeunes")
	phone("donnees-d-un-jeune", "/operateur/jeunes/"+ben.ID)
	phone("consultations", "/operateur/jeunes/"+ben.ID+"/consultations")
	c.step("chercher un jeune", c.visit("/operateur/jeunes"), fill("f-q", "lea mar"), submit("Chercher"), see("Léa Martin"))
	phone("jeunes-trouves", "")

	c.signIn(st.emails[passnum.RolePlace], "")
	phone("encaissements", "/lieu/encaissements")

	// The keyboard alone: book the session, then correct the last name.
	c.step("grand écran", chromedp.EmulateViewport(1280, 900))
	c.signIn(st.emails[passnum.RoleDistributor], "")
	c.step("ouvrir les séances", c.visit(record+"/seances"))
	path := read(c, "tabulations jusqu'au bouton de réservation", tabToText("Réserver une place", 40))
	if len(path) == 0 {
		c.fail("tabulations", errors.New("no focus"))
	}
	c.step("réserver avec Entrée", navigated(pressKey(kb.Enter)), c.pathIs(record), see("Place réservée", "Ordinateur : les bases"))
	c.step("ouvrir la correction", c.visit(record+"/fiche"))
	read(c, "tabulations jusqu'au nom", tabTo("f-last_name", 40))
	c.step("taper le nom et Entrée",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(document.getElementById("f-last_name").select(), true)`)(ctx, t)
			return err
		}),
		chromedp.KeyEvent("Martin-Durand"),
		navigated(pressKey(kb.Enter)),
		c.pathIs(record), see("Fiche corrigée", "Martin-Durand"))
	_ = se
}

// tabToText presses Tab until an element whose text starts with text has
// the focus.
func tabToText(text string, max int) chromedp.Action[[]focused] {
	return func(ctx context.Context, t *chromedp.Target) ([]focused, error) {
		var path []focused
		for range max {
			if _, err := pressKey(kb.Tab)(ctx, t); err != nil {
				return path, err
			}
			f, err := focusedElement()(ctx, t)
			if err != nil {
				return path, err
			}
			path = append(path, f)
			if strings.HasPrefix(normalSpaces(f.Text), text) {
				return path, nil
			}
		}
		return path, fmt.Errorf("%q n'a pas reçu le focus après %d tabulations (parcours : %v)", text, max, path)
	}
}
