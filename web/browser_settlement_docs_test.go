package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passnum"
)

// TestBrowserSettlementPages opens the places' and the funders' pages of
// the payments under axe-core, on a 360 px phone and at 1280 px: a place
// paid, then calculated again; a place whose line is held back; a funder's
// part of each settlement, with the closing table of the last month.
func TestBrowserSettlementPages(t *testing.T) {
	c := newChrome(t)
	st := c.st
	w := st.payWorld()
	// Within 30 days of the end of validity: the funder's page shows the
	// closing table too.
	st.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, passnum.Paris))
	held := st.mustUser(st.otherPlace.ID, "dijon@exemple.fr")

	type page struct{ name, path, text string }
	visits := []struct {
		email string
		pages []page
	}{
		{st.emails[passnum.RolePlace], []page{{"remboursements du lieu", "/lieu/remboursements", w.first.Reference}}},
		{held, []page{{"remboursements d'un lieu retenu", "/lieu/remboursements", "retenu"}}},
		{st.emails[passnum.RoleFunder], []page{
			{"programme du financeur", "/financeur/programmes/" + st.programme.ID, "Remboursements des lieux et votre part"},
			{"remboursements du financeur", "/financeur/programmes/" + st.programme.ID + "/remboursements", "Fin du programme"},
		}},
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
		for _, v := range visits {
			c.signIn(v.email, "")
			for _, p := range v.pages {
				name := fmt.Sprintf("%s (%d px)", p.name, width)
				c.step("ouvrir "+name, c.visit(p.path), see(p.text))
				c.fits(name)
				c.axe(name)
				c.shoot(p.name, width)
			}
		}
	}
}
