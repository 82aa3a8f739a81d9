package web_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"passnum"
	"passnum/store"
)

// TestYearlyReport: the operator and a funder download the year's report
// from the dashboard, in PDF and XLSX; its figures are the statistics of
// the year by département; the funder's is under statistical secrecy; a
// bad year is a clear error; another funder's programme does not exist.
func TestYearlyReport(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		dashData(t, st)
		year := strconv.Itoa(st.clock.Now().In(passnum.Paris).Year())
		base := "/programmes/" + st.programme.ID + "/rapport-annuel"
		op, fu := st.as(passnum.RoleOperator), st.as(passnum.RoleFunder)
		for who, page := range map[*browser]string{op: "/operateur/programmes/" + st.programme.ID + "/tableau-de-bord", fu: "/financeur/programmes/" + st.programme.ID + "/tableau-de-bord"} {
			if a := who.get(page); !a.has(`href="`+base+`.pdf?annee=`+year+`"`) || !a.has(`href="`+base+`.xlsx?annee=`+year+`"`) {
				t.Errorf("%s has no link to the %s yearly report", page, year)
			}
			// A year not begun has nothing to report: not offered.
			if next := st.clock.Now().In(passnum.Paris).Year() + 1; who.get(page).has("annee=" + strconv.Itoa(next)) {
				t.Errorf("%s offers the report of %d, not begun", page, next)
			}
		}

		stats := func(secret bool) store.ProgrammeStats {
			var s store.ProgrammeStats
			st.view(func(ctx context.Context, tx *store.Tx) error {
				var err error
				s, err = tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: st.programme.ID, From: year + "-01", To: year + "-12", By: "departement", Secret: secret})
				return err
			})
			return s
		}
		for _, c := range []struct {
			b      *browser
			secret bool
		}{{op, false}, {fu, true}} {
			s := stats(c.secret)
			x := c.b.get(base + ".xlsx?annee=" + year)
			if x.Status != http.StatusOK || !strings.HasPrefix(x.Body, "PK") {
				t.Fatalf("xlsx: %d\n%.300s", x.Status, x.Body)
			}
			f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
			if err != nil {
				t.Fatal(err)
			}
			key := map[string]string{}
			rows, _ := f.GetRows("Synthèse", excelize.Options{RawCellValue: true})
			for _, r := range rows[1:] {
				key[r[0]] = r[1]
			}
			// 12 passes used are at least 3 young people (5 passes to a
			// person): masked in the funder's copy, as "secret" (12 is not
			// fewer than 5).
			wantUsed := "12"
			if c.secret {
				wantUsed = passnum.MaskedFigure
				if s.Total.PassesUsed != nil || !slices.Contains(s.Masked, store.FigureMasked("total", "passes_used")) {
					t.Errorf("the funder's statistics show the total's passes used %v", s.Total.PassesUsed)
				}
			} else if val := s.Total.PassesUsed; val == nil || *val != 12 {
				t.Errorf("the operator's statistics: passes used %v, want 12", val)
			}
			if got := key["Pass utilisés"]; got != wantUsed {
				t.Errorf("secret %v: passes used %q, want %q", c.secret, got, wantUsed)
			}
			// The people reached: the total of the table by département,
			// hidden when it would give back its cells (a département of
			// 5 and one of 1 young person: « secret » and « < 5 »).
			reached := passnum.MaskedFigure
			if n := s.Total.BookletsHandedOut; n != nil {
				reached = strconv.FormatInt(*n, 10)
			}
			if got, want := key["Jeunes ayant reçu un carnet (personnes atteintes)"], reached; got != want {
				t.Errorf("secret %v: people reached %q, want %q", c.secret, got, want)
			}
			deps, _ := f.GetRows("Départements", excelize.Options{RawCellValue: true})
			if len(deps) != len(s.Cells)+2 {
				t.Fatalf("secret %v: %d département rows for %d cells: %q", c.secret, len(deps)-2, len(s.Cells), deps)
			}
			masked := map[string]bool{}
			for _, m := range s.Masked {
				masked[m] = true
			}
			for i, cell := range s.Cells {
				r := deps[i+1]
				if r[0] != cell.Label || strings.Count(r[0], "("+cell.Key+")") != 1 {
					t.Errorf("row %d: %q for %s %s", i, r[0], cell.Key, cell.Label)
				}
				if masked[cell.Key] {
					// Its young people read "< 5" when they are fewer than
					// 5, its passes "secret".
					people := map[bool]string{true: passnum.MaskedCount, false: passnum.MaskedFigure}[s.Small(cell.Key, "")]
					if r[1] != people || r[3] != passnum.MaskedFigure {
						t.Errorf("masked %s reads %q", cell.Key, r)
					}
					continue
				}
				// Passes masked alone read "secret" too.
				used := passnum.MaskedFigure
				if !masked[store.FigureMasked(cell.Key, "passes_used")] {
					used = strconv.FormatInt(*cell.PassesUsed, 10)
				}
				if r[1] != strconv.FormatInt(*cell.BookletsHandedOut, 10) || r[3] != used {
					t.Errorf("%s: %q, want %d handed out and %s used", cell.Key, r, *cell.BookletsHandedOut, used)
				}
				if used == passnum.MaskedFigure && r[4] != passnum.MaskedFigure {
					t.Errorf("%s: amount %q, want %q beside the masked passes used", cell.Key, r[4], passnum.MaskedFigure)
				}
			}
			// What secrecy hides reads "< 5" in the funder's copy, and only
			// there.
			if c.secret && len(s.Masked) == 0 {
				t.Fatalf("nothing masked for the funder: the data should have small cells")
			}
			if !c.secret && strings.Contains(x.Body, "< 5") {
				t.Errorf("the operator's workbook is masked")
			}
			months, _ := f.GetRows("Mois", excelize.Options{RawCellValue: true})
			if len(months) != 14 || !strings.HasPrefix(months[1][0], "janvier ") {
				t.Fatalf("months %q, want January to December and the total", months)
			}
			for _, m := range s.Months {
				n, _ := strconv.Atoi(m.Month[5:])
				r := months[n]
				if masked["month "+m.Month] {
					if r[1] != passnum.MaskedFigure {
						t.Errorf("masked month %s reads %q", m.Month, r)
					}
				} else if r[1] != strconv.FormatInt(*m.PassesUsed, 10) {
					t.Errorf("month %s: %q, want %d used", m.Month, r, *m.PassesUsed)
				}
			}
			pdf := c.b.get(base + ".pdf?annee=" + year)
			if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Errorf("pdf: %d %.40q", pdf.Status, pdf.Body)
			}
		}

		// Bad years: a French error, never a file and never a 500.
		// The page says it in French alone, without the API's name of
		// the parameter ("year : …").
		// A funder's years are those its figures are published for.
		for q, want := range map[string]string{"": "Année du rapport manquante", "?annee=26": "pas une année", "?annee=1999": "court"} {
			for _, b := range []*browser{op, fu} {
				if b == fu && q == "?annee=1999" {
					want = "publiés pour les années commencées"
				}
				a := b.get(base + ".pdf" + q)
				if a.Status != http.StatusUnprocessableEntity || !a.has(want) || a.has("year :") {
					t.Errorf("%s.pdf%s: %d, want 422 saying %q\n%.500s", base, q, a.Status, want, a.Body)
				}
			}
		}

		// Another funder, a distributor: the programme is not theirs.
		other := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Département du Doubs"})
		st.mustUser(other.ID, "doubs@exemple.fr")
		ob := st.browser()
		ob.signIn("doubs@exemple.fr")
		for _, ext := range []string{".pdf", ".xlsx"} {
			if a := ob.get(base + ext + "?annee=" + year); a.Status != http.StatusNotFound {
				t.Errorf("other funder on %s: %d", ext, a.Status)
			}
			if a := st.as(passnum.RoleDistributor).get(base + ext + "?annee=" + year); a.Status != http.StatusForbidden {
				t.Errorf("distributor on %s: %d", ext, a.Status)
			}
		}
	})
}
