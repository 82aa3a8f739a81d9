package web

import (
	"slices"
	"strings"

	"passnum"
	"passnum/territory"
)

// The operator picks a programme's territory by name: whole régions, or
// départements grouped by their région. The form sends the codes the
// domain reads ("reg:27", "dep:25"); people only ever see the names.

// territoryPicker is what the "territory" partial draws.
type territoryPicker struct {
	Form    *form
	Hint    string
	Regions []territoryChoice
	Groups  []territoryGroup
}

type territoryChoice struct {
	ID, Value, Label string
	Checked          bool
}

// territoryGroup is the départements of one région, folded away unless
// one of them, or the région, is chosen.
type territoryGroup struct {
	Region string
	Open   bool
	Deps   []territoryChoice
}

func (p territoryPicker) Error() string { return p.Form.Errors["territory"] }

// newTerritoryPicker lists every région and département, those of the
// form's values ticked.
func newTerritoryPicker(f *form, hint string) territoryPicker {
	chosen := territoryValues(f)
	p := territoryPicker{Form: f, Hint: hint}
	regions := territory.Regions()
	slices.SortFunc(regions, func(a, b territory.Region) int {
		return strings.Compare(territory.Fold(a.Name), territory.Fold(b.Name))
	})
	deps := territory.Departements()
	for _, r := range regions {
		v := "reg:" + r.Code
		p.Regions = append(p.Regions, territoryChoice{ID: "f-territory-r" + r.Code, Value: v, Label: r.Name, Checked: slices.Contains(chosen, v)})
		g := territoryGroup{Region: r.Name, Open: slices.Contains(chosen, v)}
		for _, d := range deps {
			if d.Region != r.Code {
				continue
			}
			dv := "dep:" + d.Code
			c := territoryChoice{ID: "f-territory-d" + d.Code, Value: dv, Label: d.Name + " (" + d.Code + ")", Checked: slices.Contains(chosen, dv)}
			g.Open = g.Open || c.Checked
			g.Deps = append(g.Deps, c)
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

// territoryValues reads the territory the form holds: the ticked boxes,
// or codes typed in one field, as the old form and the API write them
// ("reg:27, dep:25"), each normalised the way the domain stores it.
func territoryValues(f *form) []string {
	var out []string
	for _, v := range f.Values["territory"] {
		for _, c := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			if n, err := passnum.ParseTerritory([]string{c}); err == nil {
				c = n[0]
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}
