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

// monthsChart measures, in the page, the dashboard's chart of uses per
// month: the screen's width, the page's, the chart's box, its frame's
// widths, the size its 13 px text is drawn at, and its texts that stick
// out of the screen or run into another.
type monthsChart struct {
	Found                  bool
	Screen, Page           float64
	Left, Right            float64
	FrameScroll, FrameView float64
	TextPx                 float64
	Months                 int
	Outside, Overlaps      []string
	// Shown is how many of its drawings are displayed (one: the other
	// is display:none, out of the accessibility tree), Named whether it
	// is an image with a name, Lines how many lines its months' labels
	// are on, Table whether its table follows it.
	Shown        int
	Named, Table bool
	Lines        int
}

const measureMonthsChart = `(() => {
	// The chart is drawn twice, for a phone and for a wide screen; the
	// stylesheet shows one (display:none takes the other out of the
	// accessibility tree too).
	const all = [...document.querySelectorAll("#graphique-mois ~ .chart-wrap svg")];
	const shown = all.filter(s => s.getClientRects().length > 0);
	const s = shown[0];
	if (!s) return {Found: false, Shown: 0};
	s.scrollIntoView({block: "center"});
	const W = Math.min(innerWidth, document.documentElement.clientWidth);
	const r = s.getBoundingClientRect(), f = s.parentElement;
	const texts = [...s.querySelectorAll("text")].map(t => ({s: t.textContent, r: t.getBoundingClientRect()}));
	const out = texts.filter(t => t.r.left < -0.5 || t.r.right > W + 0.5).map(t => t.s + " de " + Math.round(t.r.left) + " à " + Math.round(t.r.right) + " px");
	const over = [];
	for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
		const a = texts[i].r, b = texts[j].r;
		if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) over.push(texts[i].s + " et " + texts[j].s);
	}
	return {Found: true, Screen: W, Page: document.scrollingElement.scrollWidth, Left: r.left, Right: r.right,
		FrameScroll: f.scrollWidth, FrameView: f.clientWidth,
		TextPx: 13 * r.width / s.viewBox.baseVal.width,
		Months: s.querySelectorAll("text.chart-label").length, Outside: out, Overlaps: over,
		Shown: shown.length, Named: s.getAttribute("role") === "img" && !!s.getAttribute("aria-label"),
		Lines: new Set([...s.querySelectorAll("text.chart-label")].map(t => Math.round(t.getBoundingClientRect().top))).size,
		Table: !!document.querySelector("#graphique-mois ~ .table-wrap table, #graphique-mois ~ details .table-wrap table")};
})()`

// TestBrowserMonthsChartFitsAPhone: on a 360 px phone, the dashboard's
// chart of uses per month, over the ten months of a year's programme,
// fits the screen: the page does not scroll sideways, nor the chart in
// its frame, every month's label and value is on screen, none runs into
// another, and its text reads 13 px at least. Drawn one column after
// another, 456 px wide, it scrolled in its frame, the last months off
// screen.
func TestBrowserMonthsChartFitsAPhone(t *testing.T) {
	eachMonthsChart(t, 360, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile), func(m monthsChart) []string {
		var problems []string
		if m.Left < 0 || m.Right > m.Screen+0.5 {
			problems = append(problems, fmt.Sprintf("le graphique va de %.0f à %.0f px sur un écran de %.0f px", m.Left, m.Right, m.Screen))
		}
		for _, o := range m.Outside {
			problems = append(problems, "hors de l'écran : "+o)
		}
		return problems
	})
}

// TestBrowserMonthsChartOneLineOnADesktop: on a 1280 px screen, the
// chart of uses per month shows a year's ten months on one line, across
// most of the page, its text at 13 px at least, with one drawing shown
// (a screen reader meets one chart) and its table after it. The phone's
// drawing, six months a line and 320 px wide, used a third of the page.
func TestBrowserMonthsChartOneLineOnADesktop(t *testing.T) {
	eachMonthsChart(t, 1280, chromedp.EmulateViewport(1280, 900), func(m monthsChart) []string {
		var problems []string
		if m.Lines != 1 {
			problems = append(problems, fmt.Sprintf("les mois sont sur %d lignes", m.Lines))
		}
		if w := m.Right - m.Left; w < 2*320 {
			problems = append(problems, fmt.Sprintf("le graphique mesure %.0f px de large sur un écran de %.0f px", w, m.Screen))
		}
		return problems
	})
}

// eachMonthsChart opens the operator's and the funder's dashboards of a
// year's ten months of uses on a screen width px wide (viewport), and
// checks each one's chart of uses per month: found, ten months, one
// drawing shown with its name and its table, nothing scrolling sideways,
// its text at 13 px at least, no two texts on each other, and what more
// check says.
func eachMonthsChart(t *testing.T, width int, viewport chromedp.Action[chromedp.Void], check func(m monthsChart) []string) {
	c := newChrome(t)
	st := c.st
	monthlyUses(st)
	c.step(fmt.Sprintf("écran de %d px", width), viewport)
	for _, v := range []struct {
		role passnum.Role
		path string
	}{
		{passnum.RoleOperator, "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord?from=2026-01&to=2026-12"},
		{passnum.RoleFunder, "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord?year=2026"},
	} {
		c.signIn(st.emails[v.role], "")
		c.step("ouvrir "+v.path, c.visit(v.path))
		m := read(c, "mesurer le graphique par mois", chromedp.Evaluate[monthsChart](measureMonthsChart))
		t.Logf("%s: %+v", v.role, m)
		var problems []string
		switch {
		case !m.Found:
			problems = append(problems, "pas de graphique par mois")
		case m.Months != 10:
			problems = append(problems, fmt.Sprintf("%d mois sous les barres, 10 attendus", m.Months))
		}
		if m.Shown != 1 || !m.Named || !m.Table {
			problems = append(problems, fmt.Sprintf("%d dessins affichés (1 attendu, nommé %v), tableau : %v", m.Shown, m.Named, m.Table))
		}
		if m.Page > m.Screen {
			problems = append(problems, fmt.Sprintf("la page mesure %.0f px pour un écran de %.0f px", m.Page, m.Screen))
		}
		if m.FrameScroll > m.FrameView+0.5 {
			problems = append(problems, fmt.Sprintf("le graphique défile dans son cadre : %.0f px dans %.0f px", m.FrameScroll, m.FrameView))
		}
		if m.TextPx < 12.95 {
			problems = append(problems, fmt.Sprintf("son texte de 13 px se lit à %.1f px", m.TextPx))
		}
		for _, o := range m.Overlaps {
			problems = append(problems, "textes l'un sur l'autre : "+o)
		}
		problems = append(problems, check(m)...)
		if len(problems) > 0 {
			c.fail("graphique par mois ("+string(v.role)+")", fmt.Errorf("à %d px, le graphique des pass utilisés par mois : %v", width, problems))
		}
		if width <= 360 {
			c.fits(fmt.Sprintf("tableau de bord (%s, %d px)", v.role, width))
		}
		c.shoot("tableau de bord, "+string(v.role), width)
	}
}

// monthlyUses gives three young people a booklet, whose passes are used
// once or twice a month from March to December 2026, and sets the clock
// to 20 December 2026.
func monthlyUses(st *site) {
	// Two young people handed a booklet in March, who use a pass or two
	// each month from March to December.
	var codes []string
	for i, birth := range []string{"2004-05-14", "2005-02-01", "2006-07-19"} {
		_, cs := st.mustBeneficiary(st.distributor.ID, "Jeune", "Mensuel"+string(rune('A'+i)), birth)
		codes = append(codes, cs...)
	}
	placeActor := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	next := 0
	for m := 3; m <= 12; m++ {
		st.clock.Set(time.Date(2026, time.Month(m), 12, 10, 0, 0, 0, passnum.Paris))
		uses := 1 + m%2
		st.write(func(ctx context.Context, tx *store.Tx) error {
			for range uses {
				if _, err := tx.Redeem(ctx, placeActor, store.RedeemRequest{Code: codes[next], Service: passnum.NationalServices[1]}); err != nil {
					return err
				}
				next++
			}
			return nil
		})
	}
	st.clock.Set(time.Date(2026, 12, 20, 10, 0, 0, 0, passnum.Paris))
}
