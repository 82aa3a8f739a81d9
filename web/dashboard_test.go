package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"passnum"
	"passnum/store"
)

// dashData hands out booklets and uses passes over two months: five young
// people at the Besançon agency in March (four use passes at Planoise),
// one at the Dijon agency in April who uses a pass at the Dijon library.
func dashData(t *testing.T, st *site) (march, april string) {
	t.Helper()
	use := func(place string, codes ...string) {
		actor := passnum.Actor{OrganisationID: place, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			for _, c := range codes {
				if _, err := tx.Redeem(ctx, actor, store.RedeemRequest{Code: c, Service: passnum.NationalServices[1]}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	march = passnum.ParisDate(st.clock.Now()).String()[:7]
	births := []string{"2004-05-14", "2005-02-01", "2006-07-19", "2007-11-30", "2002-03-03"}
	for i, b := range births {
		_, codes := st.mustBeneficiary(st.distributor.ID, "Jeune", "Numéro"+string(rune('A'+i)), b)
		switch {
		case i == 0:
			use(st.place.ID, codes...) // completed
		case i < 4:
			use(st.place.ID, codes[:2]...)
		}
	}
	st.clock.Advance(32 * 24 * time.Hour)
	april = passnum.ParisDate(st.clock.Now()).String()[:7]
	_, codes := st.mustBeneficiary(st.other.ID, "Jeune", "Dijonnais", "2004-01-01")
	use(st.otherPlace.ID, codes[0])
	return march, april
}

var (
	dashSection = regexp.MustCompile(`(?s)<section class="dash-chart".*?</section>`)
	dashRowRe   = regexp.MustCompile(`(?s)<tr><th scope="row">(.*?)</th>(.*?)</tr>`)
	dashCellRe  = regexp.MustCompile(`<td class="num">(.*?)</td>`)
)

// dashBreakdownRows reads the page's last table (every figure by the
// breakdown chosen): its rows' heads and cells, spaces made plain.
func dashBreakdownRows(t *testing.T, a answer) [][]string {
	t.Helper()
	i := strings.LastIndex(a.Body, "<caption>Chiffres par ")
	if i < 0 {
		t.Fatalf("no breakdown table\n%s", a.Body)
	}
	body := a.Body[i:]
	body = body[:strings.Index(body, "</table>")]
	var rows [][]string
	for _, m := range dashRowRe.FindAllStringSubmatch(body, -1) {
		row := []string{frSpaces.Replace(html.UnescapeString(m[1]))}
		for _, c := range dashCellRe.FindAllStringSubmatch(m[2], -1) {
			row = append(row, frSpaces.Replace(html.UnescapeString(c[1])))
		}
		rows = append(rows, row)
	}
	return rows
}

func fmtN(v *int64) string {
	if v == nil {
		return ""
	}
	return frSpaces.Replace(passnum.FormatCount(*v))
}

// dashCheck compares the page's breakdown table to the store's figures
// for the same query: the total first, then each cell in order.
func dashCheck(t *testing.T, st *site, a answer, sq store.StatsQuery) store.ProgrammeStats {
	t.Helper()
	var s store.ProgrammeStats
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		s, err = tx.ProgrammeStats(ctx, sq)
		return err
	})
	rows := dashBreakdownRows(t, a)
	if len(rows) != len(s.Cells)+1 {
		t.Fatalf("%s: %d rows, want total + %d cells: %v", sq.By, len(rows), len(s.Cells), rows)
	}
	masked := func(key string) bool {
		for _, m := range s.Masked {
			if m == key {
				return true
			}
		}
		return false
	}
	check := func(row []string, key, label string, f store.StatFigures) {
		if !strings.HasSuffix(row[0], label) {
			t.Errorf("%s: row %q, want %q", sq.By, row[0], label)
		}
		// Columns: 2 booklets handed out, 7 started, 8 completed, 10 passes
		// used; each hidden with its cell, or alone (store.FigureMasked).
		want := map[int]string{2: fmtN(f.BookletsHandedOut), 7: fmtN(f.BookletsStarted), 8: fmtN(f.BookletsCompleted), 10: fmtN(f.PassesUsed)}
		figs := map[int]string{2: "", 7: "booklets_started", 8: "booklets_completed", 10: "passes_used"}
		// A place's or a service's row has no booklets: their columns
		// stay empty, masked or not.
		booklets := key == "total" || store.BreakdownCountsBooklets(sq.By)
		for col, w := range want {
			// A count of young people hidden for counting 1 to 4 reads
			// "< 5"; one hidden so that another cannot be given back,
			// and passes (up to a booklet's worth a person), "secret".
			if (booklets || col == 10) && (masked(key) || figs[col] != "" && masked(store.FigureMasked(key, figs[col]))) {
				w = passnum.MaskedFigure
				if col != 10 && s.Small(key, figs[col]) {
					w = passnum.MaskedCount
				}
			}
			if row[col] != w {
				t.Errorf("%s %s column %d: %q, want %q (row %v)", sq.By, label, col, row[col], w, row)
			}
		}
		// The passes expired: none before the programme ends, masked or
		// not.
		if !s.Ended && row[12] != "" {
			t.Errorf("%s %s: passes expired %q before the end", sq.By, label, row[12])
		}
		// A rate and an amount hidden with their count are not counts:
		// they read "secret".
		for col, fig := range map[int]string{9: "booklets_started", 11: "passes_used"} {
			if (booklets || col == 11) && (masked(key) || masked(store.FigureMasked(key, fig))) && row[col] != passnum.MaskedFigure {
				t.Errorf("%s %s column %d: %q, want %q (row %v)", sq.By, label, col, row[col], passnum.MaskedFigure, row)
			}
		}
	}
	check(rows[0], "total", "Total", s.Total)
	for i, c := range s.Cells {
		check(rows[i+1], c.Key, c.Label, c.StatFigures)
	}
	return s
}

func TestProgrammeDashboard(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		march, april := dashData(t, st)
		opBase := "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord"
		fuBase := "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord"
		op := st.as(passnum.RoleOperator)
		fu := st.as(passnum.RoleFunder)

		// The links to it.
		if a := op.get("/operateur/programmes/" + st.programme.ID); !a.has(`href="` + opBase + `"`) {
			t.Errorf("operator programme page has no link to the dashboard")
		}
		if a := fu.get("/financeur/programmes/" + st.programme.ID); !a.has(`href="` + fuBase + `"`) {
			t.Errorf("funder programme page has no link to the dashboard")
		}

		// The default view: key figures, budget, every chart with its table.
		a := op.get(opBase)
		if a.Status != http.StatusOK {
			t.Fatalf("operator dashboard: %d\n%s", a.Status, a.Body)
		}
		for _, want := range []string{"<strong>100</strong> pass émis", "<strong>6</strong> carnets remis à des jeunes", "<strong>30</strong> pass remis",
			"<strong>12</strong> pass utilisés", "<strong>5</strong> carnets commencés", "<strong>1</strong> carnet terminé<",
			"Région Bourgogne-Franche-Comté", "État", "mars 2026", "avril 2026"} {
			if !a.has(want) {
				t.Errorf("operator dashboard lacks %q", want)
			}
		}
		sections := dashSection.FindAllString(a.Body, -1)
		if len(sections) != 9 {
			t.Fatalf("%d charts, want 9", len(sections))
		}
		if !strings.Contains(sections[2], `id="graphique-relances"`) || !strings.Contains(sections[2], "jours sans pass utilisé") {
			t.Errorf("the reminders' effect is not the third chart:\n%s", sections[2])
		}
		for _, s := range sections {
			if !strings.Contains(s, `role="img"`) || !strings.Contains(s, "<title>") || !strings.Contains(s, "<table>") || !strings.Contains(s, "<caption>") {
				t.Errorf("chart without its image or table:\n%s", s)
			}
		}
		if strings.Contains(a.Body, "style=") {
			t.Errorf("inline style on the dashboard")
		}
		for _, want := range []string{">25<", "Doubs"} { // the map's circle and table (the young people live in Besançon)
			if !strings.Contains(sections[5], want) {
				t.Errorf("map lacks %s:\n%s", want, sections[5])
			}
		}
		total := dashCheck(t, st, a, store.StatsQuery{ProgrammeID: st.programme.ID, By: "departement"}).Total
		// The median wait is known as the bucket it falls in, and reads as
		// one ("8 à 14 jours"), not as the bucket's first day.
		if total.FirstUseMedianDays == nil {
			t.Fatalf("no median wait in the test data")
		}
		if want := "<strong>" + passnum.FirstUseBucketLabel(int(*total.FirstUseMedianDays)) + "</strong> délai médian"; !a.has(want) {
			t.Errorf("operator dashboard lacks %q", want)
		}

		// Each breakdown, for the operator and for the funder.
		for _, by := range store.StatBreakdowns {
			a := op.get(opBase + "?by=" + by)
			if a.Status != http.StatusOK {
				t.Fatalf("%s: %d\n%s", by, a.Status, a.Body)
			}
			s := dashCheck(t, st, a, store.StatsQuery{ProgrammeID: st.programme.ID, By: by})
			// Inside a sentence, the breakdown's name is in lower case; a
			// chart says "20 premiers" only when it leaves some out.
			if by == "age_band" && !a.has("Tous les chiffres par tranche d") {
				t.Errorf("%s: the heading does not read as a sentence", by)
			}
			if a.has("(20 premiers)") != (len(s.Cells) > 20) {
				t.Errorf("%s: %d cells, and the chart says 20 premiers: %v", by, len(s.Cells), a.has("(20 premiers)"))
			}
			a = fu.get(fuBase + "?by=" + by)
			if a.Status != http.StatusOK {
				t.Fatalf("funder %s: %d\n%s", by, a.Status, a.Body)
			}
			// A funder's breakdown is this year's.
			dashCheck(t, st, a, store.StatsQuery{ProgrammeID: st.programme.ID, By: by, From: "2026-01", To: "2026-12", Secret: true})
		}

		// A period combined with a breakdown; a month typed MM/AAAA.
		a = op.get(opBase + "?by=distributor&from=" + april + "&to=" + april)
		s := dashCheck(t, st, a, store.StatsQuery{ProgrammeID: st.programme.ID, By: "distributor", From: april, To: april})
		if *s.Total.PassesUsed != 1 || !a.has("en avril 2026") {
			t.Errorf("april: %d used", *s.Total.PassesUsed)
		}
		a = op.get(opBase + "?by=place&from=" + url.QueryEscape(march[5:]+"/"+march[:4]) + "&to=" + march)
		dashCheck(t, st, a, store.StatsQuery{ProgrammeID: st.programme.ID, By: "place", From: march, To: march})

		// A period with nothing in it still draws, and says so.
		if a := op.get(opBase + "?from=2026-11&to=2026-12&by=commune"); a.Status != http.StatusOK || !a.has("Aucune donnée à afficher") || !a.has("de novembre 2026 à décembre 2026") {
			t.Errorf("on an empty period: %d\n%s", a.Status, a.Body)
		}
		// A funder picks a year, this one unless told: no months to type;
		// a link with months shows their year and says so; a year outside
		// the programme, or still to come, is refused with those it has.
		if a := fu.get(fuBase); !a.has(`<option value="2026" selected`) || a.has(`name="from"`) || !a.has("Chiffres clés, en 2026") {
			t.Errorf("the funder's dashboard offers no year, or months\n%s", a.Body)
		}
		// Its breakdowns are the month's publication, and say when it was
		// made; the operator's are live.
		if a := fu.get(fuBase + "?by=age_band"); !a.has("Les chiffres de cette page sont arrêtés le ") || !a.has("seuls le budget et l&#39;effet des relances sont à jour") {
			t.Errorf("the funder's dashboard by age band does not say its figures are published monthly\n%s", a.Body)
		}
		if a := op.get(opBase + "?by=age_band"); a.has("arrêtés le") {
			t.Errorf("the operator's dashboard, live, says it is published")
		}
		for _, q := range []string{"?from=2026-03&to=2026-05", "?from=2026-11&to=2027-02"} {
			if a := fu.get(fuBase + q); a.Status != http.StatusOK || !a.has("par année civile") || !a.has("Chiffres clés, en 2026") {
				t.Errorf("a funder's link with months %s: %d\n%s", q, a.Status, a.Body)
			}
		}
		for _, y := range []string{"1999", "2027"} {
			if a := fu.get(fuBase + "?year=" + y); a.Status != http.StatusUnprocessableEntity || !a.has("année 2026 : choisissez-la dans la liste") || !a.has(`role="alert"`) {
				t.Errorf("a funder's year %s: %d\n%s", y, a.Status, a.Body)
			}
		}

		// The Dijon library's one use: shown to the operator, "secret" to
		// the funder (a count of passes, which may be a booklet's worth a
		// person, is never written "< 5").
		row := func(a answer, label string) []string {
			for _, r := range dashBreakdownRows(t, a) {
				if r[0] == label {
					return r
				}
			}
			t.Fatalf("no row %q", label)
			return nil
		}
		if r := row(op.get(opBase+"?by=place"), "Médiathèque de Dijon"); r[10] != "1" {
			t.Errorf("operator: Dijon row %v", r)
		}
		if r := row(fu.get(fuBase+"?by=place"), "Médiathèque de Dijon"); r[10] != passnum.MaskedFigure {
			t.Errorf("funder: Dijon row %v", r)
		}

		// Bad filters: a clear error, not a 500.
		for q, want := range map[string]string{
			"?from=mars":                      "pas un mois",
			"?from=2026-13":                   "pas un mois",
			"?from=" + april + "&to=" + march: "inversez-les",
			"?by=pays":                        "détail inconnu",
			"?year=mars":                      "pas une année",
			"?year=20266":                     "pas une année",
		} {
			for _, base := range []string{opBase, fuBase} {
				b := op
				if base == fuBase {
					b = fu
				}
				// An operator's months, a funder's year.
				if strings.Contains(q, "year") != (base == fuBase) && !strings.Contains(q, "by=") {
					continue
				}
				a := b.get(base + q)
				if a.Status != http.StatusUnprocessableEntity || !a.has(want) || !a.has(`role="alert"`) {
					t.Errorf("%s%s: %d, want 422 with %q\n%s", base, q, a.Status, want, a.Body)
				}
				if e := b.get(base + ".csv" + q); e.Status != http.StatusUnprocessableEntity || !e.has(want) {
					t.Errorf("%s.csv%s: %d", base, q, e.Status)
				}
			}
		}

		// A period wholly outside the programme's months, or to come, says
		// so; one that overlaps them does not.
		nextMonth := passnum.ParisMonth(st.clock.Now().AddDate(0, 1, 0))
		for q, want := range map[string]string{
			"?from=2020-01&to=2020-02":  "précède le programme",
			"?from=2099-01":             "suit la fin du programme",
			"?from=" + nextMonth:        "pas encore commencé",
			"?from=2020-01&to=" + april: "",
		} {
			a := op.get(opBase + q)
			if a.Status != http.StatusOK {
				t.Fatalf("%s: %d", q, a.Status)
			}
			if note := a.has("Cette période"); note != (want != "") || (want != "" && !a.has(want)) {
				t.Errorf("%s: note %v, want %q", q, note, want)
			}
		}

		// The exports equal the view.
		for _, c := range []struct {
			b    *browser
			base string
		}{{op, opBase}, {fu, fuBase}} {
			q, period := "?by=place&from="+march+"&to="+april, march+"-"+april
			if c.b == fu {
				q, period = "?by=place&year=2026", "2026"
			}
			view := c.b.get(c.base + q)
			page := dashBreakdownRows(t, view)
			// The page's own links download the view on screen: its
			// breakdown and period, not the default one.
			for _, ext := range []string{".csv", ".xlsx"} {
				want := `href="` + html.EscapeString(c.base+ext+q) + `"`
				if !strings.Contains(view.Body, want) {
					t.Errorf("the page does not link %s", want)
				}
			}
			res := c.b.get(c.base + ".csv" + q)
			if res.Status != http.StatusOK {
				t.Fatalf("csv: %d\n%s", res.Status, res.Body)
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff")))
			r.Comma = ';'
			r.FieldsPerRecord = -1
			records, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// A funder's file ends with what its marks mean and when its
			// figures were published; the operator's has neither.
			last := records[len(records)-1]
			if published := len(last) == 1 && strings.HasPrefix(last[0], "Chiffres arrêtés le "); published != (c.b == fu) {
				t.Errorf("publication line at the end of the file: %v, want %v (%q)", published, c.b == fu, last)
			} else if published {
				records = records[:len(records)-1]
				last = records[len(records)-1]
			}
			if note := len(last) == 1 && last[0] == passnum.SecrecyNote; note != (c.b == fu) {
				t.Errorf("secrecy note at the end of the file: %v, want %v (%q)", note, c.b == fu, last)
			} else if note {
				records = records[:len(records)-1]
			}
			if records[0][0] != "Lieu" || records[0][11] != "Pass utilisés" || len(records) != len(page)+1 {
				t.Fatalf("csv header %v, %d rows for %d on the page", records[0], len(records), len(page))
			}
			// File names say what and when.
			for ext, ctype := range map[string]string{".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} {
				hr, err := c.b.client.Get(st.srv.URL + c.base + ext + q)
				if err != nil {
					t.Fatal(err)
				}
				hr.Body.Close()
				want := "tableau-de-bord-par-lieu-" + period + "-au-" + passnum.ParisDate(st.clock.Now()).String() + ext
				if cd := hr.Header.Get("Content-Disposition"); !strings.Contains(cd, want) || !strings.HasPrefix(hr.Header.Get("Content-Type"), ctype) {
					t.Errorf("%s: %q %q, want %s", ext, cd, hr.Header.Get("Content-Type"), want)
				}
			}
			xl := []byte(c.b.get(c.base + ".xlsx" + q).Body)
			f, err := excelize.OpenReader(bytes.NewReader(xl))
			if err != nil {
				t.Fatal(err)
			}
			xrows, err := f.GetRows("Tableau de bord")
			if err != nil {
				t.Fatal(err)
			}
			if c.b == fu {
				if n := len(xrows); n == 0 || len(xrows[n-1]) != 1 || !strings.HasPrefix(xrows[n-1][0], "Chiffres arrêtés le ") {
					t.Errorf("the funder's workbook does not end with when its figures were published")
				} else {
					xrows = xrows[:n-1]
				}
				if n := len(xrows); n == 0 || len(xrows[n-1]) != 1 || xrows[n-1][0] != passnum.SecrecyNote {
					t.Errorf("the funder's workbook does not end with the secrecy note")
				} else {
					xrows = xrows[:n-1]
				}
			}
			if len(xrows) != len(records) {
				t.Fatalf("xlsx %d rows, csv %d", len(xrows), len(records))
			}
			for i, p := range page {
				rec, x := records[i+1], xrows[i+1]
				// Label; booklets handed out, started, completed, passes used.
				if rec[0] != p[0] || x[0] != p[0] {
					t.Errorf("row %d: csv %q xlsx %q page %q", i, rec[0], x[0], p[0])
				}
				for _, col := range []int{2, 7, 8, 10} {
					if rec[col+1] != p[col] || x[col+1] != p[col] {
						t.Errorf("%s row %q column %d: csv %q xlsx %q page %q", c.base, p[0], col, rec[col+1], x[col+1], p[col])
					}
				}
			}
			if c.b == fu && !strings.Contains(res.Body, "< 5") {
				t.Errorf("funder csv not masked:\n%s", res.Body)
			}
			if c.b == op && strings.Contains(res.Body, "< 5") {
				t.Errorf("operator csv masked:\n%s", res.Body)
			}
		}

		// A programme another funder pays for does not exist for this one.
		other := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Département du Doubs"})
		st.mustUser(other.ID, "doubs@exemple.fr")
		ob := st.browser()
		ob.signIn("doubs@exemple.fr")
		for _, p := range []string{fuBase, fuBase + ".csv", fuBase + ".xlsx"} {
			if a := ob.get(p); a.Status != http.StatusNotFound {
				t.Errorf("other funder on %s: %d", p, a.Status)
			}
		}
		unknown := "/operateur/programmes/" + passnum.NewID(st.clock.Now()) + "/tableau-de-bord"
		for _, p := range []string{unknown, unknown + ".csv", unknown + ".xlsx"} {
			if a := op.get(p); a.Status != http.StatusNotFound {
				t.Errorf("unknown programme %s: %d", p, a.Status)
			}
		}
		if a := fu.get(opBase); a.Status != http.StatusForbidden {
			t.Errorf("funder on the operator's dashboard: %d", a.Status)
		}
	})
}
