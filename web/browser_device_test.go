package web_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passnum"
	"passnum/store"
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

// fitsScreen is the JavaScript that finds what a page draws beyond the
// screen's width: the page itself scrolling sideways, or an element
// sticking out (a definition list spilling out of its card), outside the
// frames that scroll on purpose (a wide table in its .table-wrap, a map).
//
// A phone's browser widens its layout to content wider than the screen,
// and zooms out: innerWidth then grows with the content (372 px for a
// list 12 px too wide), which would hide the fault. The screen's width is
// the root's clientWidth, which the viewport meta tag fixes.
const fitsScreen = `(() => {
	const W = Math.min(innerWidth, document.documentElement.clientWidth), out = [];
	const page = document.scrollingElement.scrollWidth;
	if (page > W) out.push("la page mesure " + page + " px");
	const scrolls = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
		const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; };
	for (const e of document.querySelectorAll("body *")) {
		if (e.closest(".skip, .visually-hidden, script, style")) continue;
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || scrolls(e)) continue;
		if (r.right > W + 0.5 || r.left < -0.5) {
			out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : "") +
				" de " + Math.round(r.left) + " à " + Math.round(r.right) + " px : « " + (e.innerText || e.value || "").trim().slice(0, 40) + " »");
		}
		if (out.length >= 8) break;
	}
	// A wide table scrolls in its frame, but its caption must read whole
	// without scrolling.
	for (const c of document.querySelectorAll(".table-wrap caption")) {
		const f = c.closest(".table-wrap").getBoundingClientRect(), r = c.getBoundingClientRect();
		if (r.width > 0 && (r.right > f.right + 0.5 || r.left < f.left - 0.5)) {
			out.push("légende de " + Math.round(r.left) + " à " + Math.round(r.right) + " px dans un tableau défilant de " + Math.round(f.left) + " à " + Math.round(f.right) + " px : « " + c.innerText.trim().slice(0, 40) + " »");
		}
	}
	return out;
})()`

// fits fails unless the current page fits the screen's width.
func (c *chrome) fits(name string) {
	c.t.Helper()
	if out := read(c, "largeur de "+name, chromedp.Evaluate[[]string](fitsScreen)); len(out) > 0 {
		c.fail("largeur de "+name, fmt.Errorf("%s ne tient pas dans la largeur de l'écran :\n%s", name, strings.Join(out, "\n")))
	}
}

// shoot saves a full-page screenshot when $PASSNUM_SHOTS names a folder:
// how a page looks at each width, to look at with one's own eyes.
func (c *chrome) shoot(name string, width int) {
	c.t.Helper()
	dir := os.Getenv("PASSNUM_SHOTS")
	if dir == "" {
		return
	}
	shot := read(c, "capture de "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d-%s.png", width, fileName(name))), shot, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// TestBrowserPhone opens every page a young person or a place's trainer
// uses on a 360 px wide phone, with the data that makes them long (a
// place with its hours, services and sessions; passes used and left): no
// page scrolls sideways and nothing sticks out of it; the pass code fields
// show the whole code; the code field and its button are big enough for a
// finger and entirely on screen. The same pages are then opened at
// 1280 px, where they must fit too.
func TestBrowserPhone(t *testing.T) {
	c := newChrome(t)
	st := c.st
	ben, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
	placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	lat, lng := 47.2262, 5.9736
	var site passnum.Site
	var session passnum.Session
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		site, err = tx.CreateSite(ctx, placeActor, st.place.ID, passnum.NewSite{Name: "Espace public numérique de Planoise — Îlot Picasso",
			Address: "6 rue Pablo-Picasso", AddressComplement: "Bâtiment B, rez-de-chaussée, à côté de la médiathèque", CommuneINSEE: "25056", Postcode: "25000",
			Latitude: &lat, Longitude: &lng, Phone: "03 81 87 80 00", Email: "accueil.epn-planoise@mediatheques-besancon.fr", Website: "https://www.mediatheques-besancon.fr/epn-planoise",
			OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00; PH off", Services: passnum.NationalServices[:6], Publics: []string{"Jeunes", "Familles et/ou enfants"}})
		if err != nil {
			return err
		}
		if _, err = tx.CreateSite(ctx, placeActor, st.place.ID, passnum.NewSite{Name: "Antenne de Dole", Address: "2 place Nationale", CommuneINSEE: "39198", Postcode: "39100",
			Services: []string{passnum.NationalServices[1]}}); err != nil {
			return err
		}
		tr, err := tx.CreateTraining(ctx, placeActor, passnum.Training{Title: "Créer son adresse électronique et l'utiliser pour ses démarches", Service: passnum.NationalServices[1], DurationMinutes: 120})
		if err != nil {
			return err
		}
		start := st.clock.Now().Add(48 * time.Hour)
		if session, err = tx.CreateSession(ctx, placeActor, tr.ID, passnum.NewSession{SiteID: site.ID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 8}); err != nil {
			return err
		}
		_, err = tx.Book(ctx, passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}, session.ID, ben.ID)
		return err
	})

	// Two booklets asleep for 20 and 25 days, dormant after 10.
	dormantWorld(st)
	st.write(func(ctx context.Context, tx *store.Tx) error {
		days := 10
		_, err := tx.UpdateProgramme(ctx, st.op, st.programme.ID, passnum.ProgrammeUpdate{DormantDays: &days})
		return err
	})

	// The funders' logos in the header: a wide one and a square one.
	st.write(func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.SetSiteName(ctx, st.op, "Pass numérique Bourgogne-Franche-Comté"); err != nil {
			return err
		}
		for _, l := range []struct{ name, svg string }{
			{"Région Bourgogne-Franche-Comté", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 80"><rect width="300" height="80" rx="8" fill="#e1000f"/><text x="20" y="52" font-size="36" fill="#fff">Région BFC</text></svg>`},
			{"État", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 80"><rect width="80" height="80" fill="#000091"/><text x="12" y="50" font-size="28" fill="#fff">RF</text></svg>`},
		} {
			if _, err := tx.AddLogo(ctx, st.op, l.name, []byte(l.svg)); err != nil {
				return err
			}
		}
		return nil
	})

	// Pages are opened in this order at each width: signed out, then as
	// the young person, then as the trainer.
	type page struct{ name, path string }
	public := []page{{"accueil", "/"}, {"recherche de lieux", "/lieux"}, {"résultats de la recherche", "/lieux?q=Besan%C3%A7on"},
		{"recherche hors du territoire", "/lieux?q=Paris"}, {"fiche d'un lieu", "/lieux/" + site.ID}, {"accès aux pass", "/mon-pass"},
		{"candidature", "/candidature"}, {"connexion", "/connexion"}, {"données personnelles", "/confidentialite"}, {"accessibilité", "/accessibilite"},
		{"mentions légales", "/mentions-legales"}}
	young := []page{{"mes pass", "/mon-pass/espace"}, {"lieux près de chez moi", "/mon-pass/lieux"}}
	trainer := []page{{"encaisser un pass", "/lieu"}, {"encaissements", "/lieu/encaissements"}, {"formations", "/lieu/formations"},
		{"inscrits à une session", "/lieu/sessions/" + session.ID}, {"équipe", "/lieu/equipe"}, {"sites", "/lieu/sites"}, {"un site", "/lieu/sites/" + site.ID},
		{"coordonnées bancaires", "/lieu/coordonnees-bancaires"}, {"label", "/lieu/label"}, {"mon compte", "/compte"}}

	for _, width := range []int{360, 1280} {
		height := 740
		if width > 360 {
			height = 900
		}
		var opts []chromedp.EmulateViewportOption
		if width == 360 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		c.step(fmt.Sprintf("écran de %d px", width), chromedp.EmulateViewport(int64(width), int64(height), opts...))
		open := func(p page) {
			c.t.Helper()
			c.step(fmt.Sprintf("ouvrir %s (%d px)", p.path, width), c.visit(p.path))
			c.fits(fmt.Sprintf("%s (%d px)", p.name, width))
			c.shoot(p.name, width)
		}
		c.step("sans session", clearCookies())
		for _, p := range public {
			open(p)
		}
		c.step("commencer une candidature", c.visit("/candidature"), fill("f-email", "candidat@exemple.fr"), submit("Commencer ma candidature"))
		c.fits(fmt.Sprintf("brouillon de candidature (%d px)", width))
		c.shoot("brouillon de candidature", width)

		// The young person: the code field shows the whole code, typed as
		// printed; the birth date typed as the keypad offers it.
		c.step("code du pass tapé", c.visit("/mon-pass"), fill("f-code", passnum.FormatPassCode(codes[0])))
		c.codeShownWhole("f-code", width)
		c.shoot("accès aux pass, code tapé", width)
		c.step("Léa ouvre ses pass", fill("f-birth_date", "14052004"), submit("Accéder à mes pass"), c.pathIs("/mon-pass/espace"))
		for _, p := range young {
			open(p)
		}

		c.signIn(st.emails[passnum.RolePlace], "")
		for _, p := range trainer {
			open(p)
		}
		c.step("code tapé sur /lieu", c.visit("/lieu"), fill("f-code", passnum.FormatPassCode(codes[1])))
		c.codeShownWhole("f-code", width)
		c.shoot("encaisser un pass, code tapé", width)
		if width == 360 {
			c.fingerSized()
		}
		c.step(fmt.Sprintf("vérifier un pass (%d px)", width), submit("Vérifier le pass"), see("Léa"))
		c.fits(fmt.Sprintf("confirmation d'encaissement (%d px)", width))
		c.shoot("confirmation d'encaissement", width)

		// The counsellor's list of young people to call back: a wide
		// table that turns into cards, each with its button.
		c.signIn(st.emails[passnum.RoleDistributor], "")
		open(page{"carnets dormants", "/distributeur/carnets-dormants"})
		c.step("la liste est remplie", see("Dormant Alix"))
		if width == 360 {
			b := read(c, "mesurer le bouton Rappelé(e)", boxOf(`document.querySelector(".dist-called button")`))
			if !b.Found || !b.Visible || b.Height < 44 || b.Left < 0 || b.Right > 360 {
				c.fail("mesurer le bouton Rappelé(e)", fmt.Errorf("le bouton Rappelé(e) : %+v, au moins 44 px de haut et dans la largeur de l'écran attendus", b))
			}
		}

		// The funder's dashboard: charts scale to the screen, tables scroll
		// inside their frame.
		c.signIn(st.emails[passnum.RoleFunder], "")
		open(page{"tableau de bord du financeur", "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord"})
		// Its home and programme pages, with their months under secrecy.
		open(page{"accueil du financeur", "/financeur"})
		open(page{"programme du financeur", "/financeur/programmes/" + st.programme.ID})
	}
}

// codeShownWhole fails unless the pass code typed in the field is shown
// whole: its 19 characters, dashes included, without scrolling inside it.
func (c *chrome) codeShownWhole(id string, width int) {
	c.t.Helper()
	m := read(c, "mesurer le code", chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => { const e = document.getElementById(%q);
		return [e.value.length, e.scrollWidth, e.clientWidth]; })()`, id)))
	if m[0] != 19 || m[1] > m[2] {
		c.fail("le code en entier", fmt.Errorf("at %d px, the field #%s holds %v characters and needs %v px to show them, in %v px: part of the code is hidden", width, id, m[0], m[1], m[2]))
	}
}

// fingerSized checks, on /lieu, that the code field and its button are
// big enough for a finger and entirely on screen.
func (c *chrome) fingerSized() {
	c.t.Helper()
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
		c.t.Logf("%s: %.0f px high, at x %.0f–%.0f of %.0f", el.name, b.Height, b.Left, b.Right, viewport[0])
	}
}
