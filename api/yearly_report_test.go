package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"passnum"
	"passnum/paydoc"
)

// The yearly report through the API: the operator's and the funder's, in
// PDF and XLSX, with the year's uses; a bad year is a 422 naming the
// field; others read nothing.
func TestYearlyReportAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(10, 10)
		_, codes := e.handOut(prog)
		for _, c := range codes[:3] {
			e.mustCreate("/passes/"+c+"/redeem", e.place, map[string]any{"service": service})
		}
		base := "/programmes/" + prog + "/report"
		year := e.clock.Now().In(passnum.Paris).Format("2006")

		wantFile(t, e.do("GET", base+".pdf?year="+year, e.operator, nil), "application/pdf", "rapport-annuel-"+year+"-pass-numerique-bfc", "%PDF")
		for key, secret := range map[string]bool{e.operator: false, e.funder: true} {
			x := e.do("GET", base+".xlsx?year="+year, key, nil)
			wantFile(t, x, paydoc.XLSX.ContentType(), "rapport-annuel-"+year, "PK")
			f, err := excelize.OpenReader(bytes.NewReader(x.Raw))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Synthèse", excelize.Options{RawCellValue: true})
			got := map[string]string{}
			for _, r := range rows[1:] {
				got[r[0]] = r[1]
			}
			// One young person, three passes: the funder's copy hides them,
			// the young person as "< 5", the passes (which may be a
			// booklet's worth a person) as "secret".
			want := map[bool]string{false: "3", true: "secret"}[secret]
			if got["Pass utilisés"] != want || got["Jeunes ayant reçu un carnet (personnes atteintes)"] != map[bool]string{false: "1", true: "< 5"}[secret] {
				t.Errorf("secret %v: %q", secret, got)
			}
		}

		for q, code := range map[string]string{"": passnum.EINVALID, "?year=deux": passnum.EINVALID, "?year=2019": passnum.EINVALID} {
			r := e.do("GET", base+".pdf"+q, e.operator, nil)
			e.expect(r, 422, code)
			if !strings.Contains(string(r.Raw), `"year"`) {
				t.Errorf("%s: the error does not name the field year: %s", q, r.Raw)
			}
		}
		other := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "funder", "name": "Département du Jura"})["id"].(string)
		otherKey := e.newKey(other)
		e.expect(e.do("GET", base+".xlsx?year="+year, otherKey, nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", base+".pdf?year="+year, e.place, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/programmes/"+passnum.NewID(e.clock.Now())+"/report.pdf?year="+year, e.operator, nil), 404, passnum.ENOTFOUND)
	})
}
