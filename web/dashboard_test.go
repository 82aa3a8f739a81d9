package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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
	dashHeadRe  = regexp.MustCompile(`<th scope="col"[^>]*>(.*?)</th>`)
)

// dashBreakdown reads the page's last table (every figure by the
// breakdown chosen): its columns' heads (the breakdown's name first, then
// the figures shown) and its rows' heads and cells, each cell under its
// head's index, spaces made plain.
func dashBreakdown(t *testing.T, a answer) (head []string, rows [][]string) {
	t.Helper()
	i := strings.LastIndex(a.Body, "<caption>Chiffres par ")
	if i < 0 {
		t.Fatalf("no breakdown table\n%s", a.Body)
	}
	body := a.Body[i:]
	body = body[:strings.Index(body, "</table>")]
	for _, m := range dashHeadRe.FindAllStringSubmatch(body, -1) {
		head = append(head, frSpaces.Replace(html.UnescapeString(m[1])))
	}
	for _, m := range dashRowRe.FindAllStringSubmatch(body, -1) {
		row := []string{frSpaces.Replace(html.UnescapeString(m[1]))}
		for _, c := range dashCellRe.FindAllStringSubmatch(m[2], -1) {
			row = append(row, frSpaces.Replace(html.UnescapeString(c[1])))
		}
		rows = append(rows, row)
	}
	return head, rows
}

// dashRatesXLSX compares the rates of the page's breakdown (use rate,
// target share) to its workbook's: a rate shown is a number in the
// workbook, with a percentage format, of the page's value; a mark of
// secrecy is the same text; nothing is nothing. It returns how many of
// each it met. Written as text (« 100 % »), they neither summed nor
// sorted, unlike the yearly report's.
func dashRatesXLSX(t *testing.T, b *browser, path, q string) (numbers, marks int) {
	t.Helper()
	head, page := dashBreakdown(t, b.get(path+q))
	res := b.get(path + ".xlsx" + q)
	if res.Status != http.StatusOK {
		t.Fatalf("%s.xlsx%s: %d\n%s", path, q, res.Status, res.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheetName = "Tableau de bord"
	for _, name := range []string{"Taux d'utilisation", "Part du public cible"} {
		col := slices.Index(head, name)
		if col < 0 {
			continue
		}
		for i, p := range page {
			// The file has the code after the name, and its header first.
			cell, _ := excelize.CoordinatesToCellName(col+2, i+2)
			raw, err := f.GetCellValue(sheetName, cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			typ, _ := f.GetCellType(sheetName, cell)
			where := fmt.Sprintf("%s%s, %q of %q (%s)", path, q, name, p[0], cell)
			switch shown := p[col]; {
			case shown == "":
				if raw != "" {
					t.Errorf("%s: %q in the workbook, nothing on the page", where, raw)
				}
			case shown == passnum.MaskedFigure || shown == passnum.MaskedCount:
				marks++
				if raw != shown || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
					t.Errorf("%s: %q (type %v) in the workbook, the mark %q on the page", where, raw, typ, shown)
				}
			default:
				numbers++
				want, err := strconv.ParseFloat(strings.NewReplacer(",", ".", " %", "").Replace(shown), 64)
				if err != nil {
					t.Fatalf("%s: %q on the page", where, shown)
				}
				got, err := strconv.ParseFloat(raw, 64)
				if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || math.Abs(got*100-want) > 0.05 {
					t.Errorf("%s: %q (type %v) in the workbook, want the number %v (the page's %q)", where, raw, typ, want/100, shown)
					continue
				}
				style, _ := f.GetCellStyle(sheetName, cell)
				st, err := f.GetStyle(style)
				if err != nil || st.NumFmt != 10 {
					t.Errorf("%s: number format %+v, want a percentage (10, 0,00 %%)", where, st)
				}
			}
		}
	}
	return numbers, marks
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
	head, rows := dashBreakdown(t, a)
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
	// The columns shown are those a cell fills (or, with no cell, the
	// total): hidden, a column's figure is empty in every cell.
	filled := map[string]bool{}
	check := func(row []string, key, label string, f store.StatFigures) {
		if !strings.HasSuffix(row[0], label) {
			t.Errorf("%s: row %q, want %q", sq.By, row[0], label)
		}
		cell := func(col string, want string) {
			if key != "total" || len(s.Cells) == 0 {
				filled[col] = filled[col] || want != ""
			}
			i := slices.Index(head, col)
			if i < 0 {
				if want != "" && (key != "total" || len(s.Cells) == 0) {
					t.Errorf("%s %s: no column %q, want %q there (columns %q)", sq.By, label, col, want, head)
				}
				return
			}
			if row[i] != want {
				t.Errorf("%s %s column %q: %q, want %q (row %v)", sq.By, label, col, row[i], want, row)
			}
		}
		// Booklets handed out, started, completed, passes used; each
		// hidden with its cell, or alone (store.FigureMasked).
		// A place's or a service's row has no booklets: their columns
		// stay empty, masked or not.
		booklets := key == "total" || store.BreakdownCountsBooklets(sq.By)
		for _, c := range []struct {
			col, fig string
			n        *int64
		}{{"Carnets remis", "", f.BookletsHandedOut}, {"Carnets commencés", "booklets_started", f.BookletsStarted},
			{"Carnets terminés", "booklets_completed", f.BookletsCompleted}, {"Pass utilisés", "passes_used", f.PassesUsed}} {
			w := fmtN(c.n)
			used := c.col == "Pass utilisés"
			// A count of young people hidden for counting 1 to 4 reads
			// "< 5"; one hidden so that another cannot be given back,
			// and passes (up to a booklet's worth a person), "secret".
			// The total's booklets hidden alone: its column would give
			// its cells back.
			fig := c.fig
			if key == "total" && fig == "" {
				fig = store.FigHandedOut
			}
			if (booklets || used) && (masked(key) || fig != "" && masked(store.FigureMasked(key, fig))) {
				w = passnum.MaskedFigure
				if !used && s.Small(key, c.fig) {
					w = passnum.MaskedCount
				}
			}
			cell(c.col, w)
		}
		// The passes allocated: the total's, and each distributor's.
		if key != "total" || len(s.Cells) == 0 {
			cell("Pass alloués aux distributeurs", fmtN(f.PassesAllocated))
		}
		// The passes expired: none before the programme ends, masked or
		// not; the column is then not shown.
		if i := slices.Index(head, "Pass expirés"); !s.Ended && i >= 0 {
			t.Errorf("%s %s: a column of passes expired (%q) before the end", sq.By, label, row[i])
		}
		// A rate and an amount hidden with their count are not counts:
		// they read "secret".
		for col, fig := range map[string]string{"Taux d'utilisation": "booklets_started", "Montant utilisé (€)": "passes_used"} {
			i := slices.Index(head, col)
			if i >= 0 && (booklets || fig == "passes_used") && (masked(key) || masked(store.FigureMasked(key, fig))) && row[i] != passnum.MaskedFigure {
				t.Errorf("%s %s column %q: %q, want %q (row %v)", sq.By, label, col, row[i], passnum.MaskedFigure, row)
			}
		}
	}
	check(rows[0], "total", "Total", s.Total)
	for i, c := range s.Cells {
		check(rows[i+1], c.Key, c.Label, c.StatFigures)
	}
	// And no column the cells leave empty.
	for _, col := range []string{"Carnets remis", "Carnets commencés", "Carnets terminés", "Pass utilisés", "Pass alloués aux distributeurs"} {
		if slices.Contains(head, col) && !filled[col] {
			t.Errorf("%s: column %q shown, empty in every cell (columns %q)", sq.By, col, head)
		}
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
		used := func(a answer, label string) string {
			head, rows := dashBreakdown(t, a)
			i := slices.Index(head, "Pass utilisés")
			for _, r := range rows {
				if r[0] == label && i > 0 {
					return r[i]
				}
			}
			t.Fatalf("no row %q with passes used (columns %q)", label, head)
			return ""
		}
		if u := used(op.get(opBase+"?by=place"), "Médiathèque de Dijon"); u != "1" {
			t.Errorf("operator: Dijon's passes used %q", u)
		}
		if u := used(fu.get(fuBase+"?by=place"), "Médiathèque de Dijon"); u != passnum.MaskedFigure {
			t.Errorf("funder: Dijon's passes used %q", u)
		}

		// Bad filters: a clear error, not a 500.
		for q, want := range map[string]string{
			"?from=mars":                      "pas un mois",
			"?from=2026-13":                   "pas un mois",
			"?from=" + april + "&to=" + march: "inversez-les",
			"?by=pays":                        "détail inconnu",
			"?by=commune&by=place":            "un seul détail à la fois : choisissez-en un parmi département, commune, distributeur, lieu, service ou tranche d",
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
				for _, ext := range []string{".csv", ".xlsx"} {
					if e := b.get(base + ext + q); e.Status != http.StatusUnprocessableEntity || !e.has(want) {
						t.Errorf("%s%s%s: %d, want 422 with %q\n%s", base, ext, q, e.Status, want, e.Body)
					}
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
			head, page := dashBreakdown(t, view)
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
			// The file's columns are the page's, the code after the name.
			if want := append([]string{head[0], "Code"}, head[1:]...); !slices.Equal(records[0], want) || len(records) != len(page)+1 {
				t.Fatalf("csv header %q, want the page's %q; %d rows for %d on the page", records[0], want, len(records), len(page))
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
			if len(xrows) != len(records) || !slices.Equal(xrows[0], records[0]) {
				t.Fatalf("xlsx %d rows, csv %d; xlsx header %q, csv %q", len(xrows), len(records), xrows[0], records[0])
			}
			for i, p := range page {
				rec, x := records[i+1], xrows[i+1]
				// Label; the counts (booklets handed out, started,
				// completed, passes used) where the page shows them.
				if rec[0] != p[0] || x[0] != p[0] {
					t.Errorf("row %d: csv %q xlsx %q page %q", i, rec[0], x[0], p[0])
				}
				for _, name := range []string{"Carnets remis", "Carnets commencés", "Carnets terminés", "Pass utilisés"} {
					col := slices.Index(head, name)
					if col < 0 {
						continue
					}
					if rec[col+1] != p[col] || x[col+1] != p[col] {
						t.Errorf("%s row %q column %q: csv %q xlsx %q page %q", c.base, p[0], name, rec[col+1], x[col+1], p[col])
					}
				}
			}
			// The funder's figures are masked ("< 5", or "secret" for
			// passes), the operator's not.
			marked := slices.ContainsFunc(records[1:], func(r []string) bool {
				return slices.Contains(r, passnum.MaskedCount) || slices.Contains(r, passnum.MaskedFigure)
			})
			if marked != (c.b == fu) {
				t.Errorf("csv masked %v, want %v:\n%s", marked, c.b == fu, res.Body)
			}
		}

		// Rates are numbers in the workbooks, marks of secrecy text.
		var numbers, marks int
		for _, c := range []struct {
			b    *browser
			path string
		}{{op, opBase}, {fu, fuBase}} {
			for _, by := range store.StatBreakdowns {
				n, m := dashRatesXLSX(t, c.b, c.path, "?by="+by)
				numbers, marks = numbers+n, marks+m
			}
		}
		if numbers == 0 || marks == 0 {
			t.Errorf("the workbooks' rates: %d numbers and %d marks, want some of each", numbers, marks)
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

// TestBreakdownShowsFilledColumns: the table of every figure by a
// breakdown, and its CSV and XLSX, show only the columns a cell fills. By
// département, the passes allocated (a distributor's figure) and, before
// the programme ends, the passes expired were a column empty in every
// cell; by place, the booklets. The passes allocated stay among the key
// figures, and show by distributor; the passes expired show once the
// programme has ended.
func TestBreakdownShowsFilledColumns(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		dashData(t, st)
		base := "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord"
		op := st.as(passnum.RoleOperator)
		// columns reads the page's and the files' columns for a query,
		// checks they agree, and returns the page's.
		columns := func(q string) []string {
			t.Helper()
			a := op.get(base + q)
			if a.Status != http.StatusOK {
				t.Fatalf("%s: %d\n%s", q, a.Status, a.Body)
			}
			head, _ := dashBreakdown(t, a)
			want := append([]string{head[0], "Code"}, head[1:]...)
			res := op.get(base + ".csv" + q)
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff")))
			r.Comma, r.FieldsPerRecord = ';', -1
			records, err := r.ReadAll()
			if err != nil || res.Status != http.StatusOK {
				t.Fatalf("%s csv: %d %v\n%s", q, res.Status, err, res.Body)
			}
			f, err := excelize.OpenReader(strings.NewReader(op.get(base + ".xlsx" + q).Body))
			if err != nil {
				t.Fatal(err)
			}
			xrows, err := f.GetRows("Tableau de bord")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(records[0], want) || !slices.Equal(xrows[0], want) {
				t.Errorf("%s: csv columns %q, xlsx %q, want the page's %q", q, records[0], xrows[0], want)
			}
			return head
		}
		for _, c := range []struct {
			q          string
			shown, not []string
		}{
			{"?by=departement", []string{"Carnets remis", "Pass utilisés"}, []string{"Pass alloués aux distributeurs", "Pass expirés"}},
			{"?by=commune", []string{"Carnets remis", "Pass utilisés"}, []string{"Pass alloués aux distributeurs", "Pass expirés"}},
			{"?by=distributor", []string{"Pass alloués aux distributeurs", "Carnets remis", "Pass utilisés"}, []string{"Pass expirés"}},
			{"?by=place", []string{"Pass utilisés", "Montant utilisé (€)"}, []string{"Pass alloués aux distributeurs", "Carnets remis", "Taux d'utilisation", "Pass expirés"}},
		} {
			head := columns(c.q)
			for _, h := range c.shown {
				if !slices.Contains(head, h) {
					t.Errorf("%s: no column %q in %q", c.q, h, head)
				}
			}
			for _, h := range c.not {
				if slices.Contains(head, h) {
					t.Errorf("%s: column %q, empty in every row but the total, in %q", c.q, h, head)
				}
			}
		}
		if a := op.get(base + "?by=departement"); !a.has("pass alloués aux distributeurs</li>") {
			t.Errorf("the passes allocated left the key figures")
		}
		// Nor is there a key figure of passes expired, which read
		// « — pass expirés » on a running programme.
		fuBase := "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord"
		for _, a := range []answer{op.get(base), st.as(passnum.RoleFunder).get(fuBase)} {
			if a.Status != http.StatusOK || a.has("</strong> pass expiré") {
				t.Errorf("running programme: %d, a key figure of passes expired\n%s", a.Status, a.Body)
			}
		}

		// Once the programme has ended (its last day of use, 31 January
		// 2027, past), each département has passes expired.
		st.clock.Set(time.Date(2027, 2, 15, 10, 0, 0, 0, passnum.Paris))
		op = st.as(passnum.RoleOperator) // the session has expired since
		head := columns("?by=departement")
		i := slices.Index(head, "Pass expirés")
		if i < 0 {
			t.Fatalf("ended programme: no column of passes expired in %q", head)
		}
		a := op.get(base + "?by=departement")
		_, rows := dashBreakdown(t, a)
		for _, r := range rows {
			if r[i] == "" {
				t.Errorf("ended programme: %s has no passes expired (row %q)", r[0], r)
			}
		}
		// And a key figure of them, the total's.
		if want := "<strong>" + rows[0][i] + "</strong> pass expirés</li>"; rows[0][0] != "Total" || !strings.Contains(frSpaces.Replace(a.Body), want) {
			t.Errorf("ended programme: no key figure %q (total row %q)", want, rows[0])
		}
		if a := st.as(passnum.RoleFunder).get(fuBase + "?year=2026"); !a.has("</strong> pass expirés</li>") {
			t.Errorf("ended programme: no key figure of passes expired for the funder\n%s", a.Body)
		}
	})
}

// TestDashboardOutsideYearsNearest: once the programme has ended, in
// February 2027, a funder reads 2026 and 2027 (its grace days), and opens
// on 2026, the year its hand-outs ended. An old link whose months lie
// outside them opens on the nearest of them, the year the API suggests
// (Programme.NearestFunderYear), not on the default year: months of 2028
// open 2027; a year picked outside them is refused, with the nearest
// chosen in the form.
func TestDashboardOutsideYearsNearest(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		dashData(t, st)
		st.clock.Set(time.Date(2027, 2, 15, 10, 0, 0, 0, passnum.Paris))
		fu := st.as(passnum.RoleFunder)
		base := "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord"
		if a := fu.get(base); !a.has(`<option value="2026" selected`) || !a.has(`<option value="2027"`) {
			t.Fatalf("the ended programme's dashboard does not open on 2026 with 2027 to pick\n%s", a.Body)
		}
		for q, want := range map[string]string{
			"?from=2028-01&to=2028-03": "2027",
			"?from=2028-05":            "2027",
			"?from=2020-01&to=2020-02": "2026",
			"?to=2027-01":              "2027",
		} {
			a := fu.get(base + q)
			if a.Status != http.StatusOK || !a.has(`<option value="`+want+`" selected`) || !a.has("Chiffres clés, en "+want) || !a.has("par année civile") {
				t.Errorf("%s: %d, want the year %s\n%s", q, a.Status, want, a.Body)
			}
			// Its files too.
			res, err := fu.client.Get(st.srv.URL + base + ".csv" + q)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if cd := res.Header.Get("Content-Disposition"); res.StatusCode != http.StatusOK || !strings.Contains(cd, "-"+want+"-au-") {
				t.Errorf("%s.csv: %d %q, want the year %s", q, res.StatusCode, cd, want)
			}
		}
		a := fu.get(base + "?year=2030")
		if a.Status != http.StatusUnprocessableEntity || !a.has("années 2026 à 2027") || !a.has(`<option value="2027" selected`) {
			t.Errorf("a year after the programme's: %d, want 422 with 2027 chosen\n%s", a.Status, a.Body)
		}
	})
}
