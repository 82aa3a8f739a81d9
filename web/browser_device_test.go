package web_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passnum"
)

// TestBrowserKeyboard signs in and checks a pass with the keyboard alone:
// Tab from the top of the page, typing, Enter.
func TestBrowserKeyboard(t *testing.T) {
	c := newChrome(t)
	_, codes := c.st.mustBeneficiary(c.st.distributor.ID, "Léa", "Martin", "2004-05-14")
	email := c.st.emails[passnum.RolePlace]

	c.step("ouvrir /connexion", clearCookies(), c.visit("/connexion"))
	path := read(c, "tabulations jusqu'à l'adresse électronique", tabTo("f-email", 30))
	t.Logf("Tab path to the e-mail field: %+v", path)
	if path[0].Text != "Aller au contenu" {
		c.fail("lien d'évitement", fmt.Errorf("the first element reached with Tab is %+v, want the link « Aller au contenu »", path[0]))
	}
	c.step("taper l'adresse", chromedp.KeyEvent(email))
	if f := read(c, "tabulation vers le mot de passe", tabTo("f-password", 1)); len(f) != 1 {
		c.fail("tabulation vers le mot de passe", errors.New("the password does not follow the e-mail"))
	}
	c.step("taper le mot de passe et Entrée",
		chromedp.KeyEvent(testPassword),
		navigated(pressKey(kb.Enter)),
		c.pathIs("/lieu"),
	)

	c.step("ouvrir /lieu", c.visit("/lieu"))
	read(c, "tabulations jusqu'au code", tabTo("f-code", 40))
	c.step("taper le code et Entrée",
		chromedp.KeyEvent(codes[0]),
		navigated(pressKey(kb.Enter)),
		see("Léa", "2004"),
	)
}

// box is where an element is drawn, in CSS pixels of the viewport.
type box struct {
	Found                    bool
	Left, Right, Top, Bottom float64
	Height                   float64
	Visible                  bool
}

// boxOf scrolls an element (a JavaScript expression) into view and
// measures it.
func boxOf(expr string) chromedp.Action[box] {
	return chromedp.Evaluate[box](`(() => {
		const e = ` + expr + `;
		if (!e) return {Found: false};
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(), s = getComputedStyle(e);
		return {Found: true, Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom, Height: r.height,
			Visible: s.visibility !== "hidden" && s.display !== "none" && r.width > 0 && r.height > 0};
	})()`)
}

// TestBrowserPhone opens the place's page on a 360 px wide phone: no
// sideways scrolling, and a code field and a button big enough for a
// finger and entirely on screen.
func TestBrowserPhone(t *testing.T) {
	c := newChrome(t)
	c.step("écran de téléphone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	noSidewaysScroll := func(p string) {
		c.t.Helper()
		width := read(c, "largeur de "+p, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if width > 360 {
			c.fail("largeur de "+p, fmt.Errorf("the page is %v px wide on a 360 px screen: it scrolls sideways", width))
		}
	}
	c.step("ouvrir /connexion", clearCookies(), c.visit("/connexion"))
	noSidewaysScroll("/connexion")
	c.signIn(c.st.emails[passnum.RolePlace], "")
	c.step("ouvrir /lieu", c.visit("/lieu"))
	noSidewaysScroll("/lieu")
	viewport := read(c, "taille de l'écran", chromedp.Evaluate[[]float64](`[innerWidth, innerHeight]`))
	for _, el := range []struct{ name, expr string }{
		{"le champ du code", `document.getElementById("f-code")`},
		{"le bouton de vérification", `document.getElementById("f-code").form.querySelector("button[type=submit], input[type=submit]")`},
	} {
		b := read(c, "mesurer "+el.name, boxOf(el.expr))
		var err error
		switch {
		case !b.Found || !b.Visible:
			err = errors.New("absent or hidden")
		case b.Height < 44:
			err = fmt.Errorf("%.1f px high, want at least 44", b.Height)
		case b.Left < 0 || b.Right > viewport[0] || b.Top < 0 || b.Bottom > viewport[1]:
			err = fmt.Errorf("not entirely on screen: %+v in %v", b, viewport)
		}
		if err != nil {
			c.fail("mesurer "+el.name, fmt.Errorf("%s: %w", el.name, err))
		}
		t.Logf("%s: %.0f px high, at x %.0f–%.0f of %.0f", el.name, b.Height, b.Left, b.Right, viewport[0])
	}
}
