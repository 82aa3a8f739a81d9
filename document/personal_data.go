package document

import (
	"io"
	"time"

	"passnum"
)

// PersonalDataSection is one part of what is held on a young person, in
// French words: label / value facts, then a table when Columns is set.
type PersonalDataSection struct {
	Title   string
	Facts   [][2]string
	Columns []string
	Rows    [][]string
	// Empty is said when the section has no facts and no rows.
	Empty string
}

// PersonalDataPDF writes everything held on a young person (the right of
// access) as a readable document: who holds it, then each section.
func PersonalDataPDF(w io.Writer, site, person, intro string, generated time.Time, sections []PersonalDataSection) error {
	r := newReport("Données personnelles — "+person, "Données conservées par "+site, site+" — données personnelles de "+person,
		"Données personnelles — "+generated.In(passnum.Paris).Format("02/01/2006 15:04"), generated)
	r.title(site, "Vos données personnelles", person+" — état au "+generated.In(passnum.Paris).Format("02/01/2006 à 15:04"))
	r.para(intro, 9.5)
	for _, s := range sections {
		r.heading(s.Title, 20)
		if len(s.Facts) == 0 && len(s.Rows) == 0 {
			r.para(s.Empty, 9.5)
			continue
		}
		if len(s.Facts) > 0 {
			fs := make([]fact, len(s.Facts))
			for i, f := range s.Facts {
				fs[i] = fact{f[0], f[1]}
			}
			r.facts(55, fs)
		}
		if len(s.Columns) > 0 && len(s.Rows) > 0 {
			cols := make([]column, len(s.Columns))
			for i, c := range s.Columns {
				cols[i] = column{title: c, width: contentW / float64(len(s.Columns)), wrap: true}
			}
			r.startTable(cols...)
			for _, row := range s.Rows {
				r.row(false, row...)
			}
			r.endTable()
		}
	}
	return r.output(w)
}
