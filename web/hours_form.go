package web

import (
	"net/url"
	"strings"

	"passnum"
)

// The opening hours of a site, as a French form: for each day, Monday
// first, up to two time ranges ("de 9:00 à 12:00 et de 14:00 à 17:00"),
// and whether the site closes on public holidays. It writes the
// OpenStreetMap syntax the site stores and the open data publishes
// (passnum.WeekHours); hours that say more than a week of ranges (a
// comment, school holidays…) are kept in that syntax, in a field of
// their own, folded away.

// hoursForm is what the "hours" partial draws.
type hoursForm struct {
	Form *form
	// ID prefixes the ids of its inputs.
	ID       string
	Days     []hoursDay
	Holidays field
	// Raw is the OpenStreetMap text, for hours the week cannot hold.
	Raw     field
	RawOpen bool
}

// hoursDay is one day of the week: its name, its ranges' inputs (from,
// to), and what is wrong with them.
type hoursDay struct {
	Key, Name, Label string
	Ranges           [passnum.WeekRanges][2]field
	ErrorName        string
}

func (d hoursDay) Error() string { return d.Ranges[0][0].Form.Errors[d.ErrorName] }

// hoursFieldName names the input of a day's range: "hours.mo.1.from".
func hoursFieldName(prefix, day string, n int, end bool) string {
	part := "from"
	if end {
		part = "to"
	}
	return prefix + "hours." + day + "." + string(rune('1'+n)) + "." + part
}

// hoursDayName is the field a day's errors are recorded under.
func hoursDayName(prefix, day string) string { return prefix + "hours." + day }

// hoursFieldNames lists every field of the week, for what keeps a form
// (the application's draft).
func hoursFieldNames(prefix string) []string {
	out := []string{prefix + "hours.ph_off"}
	for _, d := range passnum.WeekDays() {
		for n := 0; n < passnum.WeekRanges; n++ {
			out = append(out, hoursFieldName(prefix, d[0], n, false), hoursFieldName(prefix, d[0], n, true))
		}
	}
	return out
}

func fieldID(name string) string { return "f-" + strings.ReplaceAll(name, ".", "-") }

// newHoursForm builds the week's fields over f, with prefix before their
// names ("site." in the label application).
func newHoursForm(f *form, prefix string) hoursForm {
	h := hoursForm{Form: f, ID: fieldID(prefix + "hours")}
	for _, d := range passnum.WeekDays() {
		day := hoursDay{Key: d[0], Name: passnum.Capitalize(d[1]), Label: "Horaires du " + d[1], ErrorName: hoursDayName(prefix, d[0])}
		for n := 0; n < passnum.WeekRanges; n++ {
			which := "matin"
			if n == 1 {
				which = "après-midi"
			}
			for i, end := range []bool{false, true} {
				word := "Ouverture"
				if end {
					word = "Fermeture"
				}
				name := hoursFieldName(prefix, d[0], n, end)
				fd := newField(f, name, word+" du "+d[1]+" "+which, "time", "id="+fieldID(name), "attr:step=300")
				day.Ranges[n][i] = fd
			}
		}
		h.Days = append(h.Days, day)
	}
	h.Holidays = newField(f, prefix+"hours.ph_off", "Fermé les jours fériés", "checkbox", "id="+fieldID(prefix+"hours.ph_off"))
	h.Raw = newField(f, prefix+"opening_hours", "Horaires au format OpenStreetMap", "text", "id="+fieldID(prefix+"opening_hours"), "attr:spellcheck=false",
		"hint=Pour des horaires que la semaine ci-dessus ne dit pas (vacances scolaires, sur rendez-vous…) : jours en anglais abrégés, Mo (lundi) à Su (dimanche), PH pour les jours fériés. Par exemple : Mo-Fr 09:00-12:00,14:00-18:00; SH off. Laissez vide quand la semaine suffit.")
	h.RawOpen = f.Get(prefix+"opening_hours") != "" || f.Errors[prefix+"opening_hours"] != ""
	return h
}

// readHours reads the week of the form into the OpenStreetMap syntax; fe
// are its mistakes, day by day. An empty week gives the text of the
// advanced field, as typed.
func readHours(f *form, prefix string) (osm string, fe passnum.FieldErrors) {
	var w passnum.WeekHours
	for i, d := range passnum.WeekDays() {
		var lastEnd int
		for n := 0; n < passnum.WeekRanges; n++ {
			from, to := f.Get(hoursFieldName(prefix, d[0], n, false)), f.Get(hoursFieldName(prefix, d[0], n, true))
			if from == "" && to == "" {
				continue
			}
			ordinal := []string{"la première plage", "la deuxième plage"}[n]
			if from == "" || to == "" {
				fe.Add(hoursDayName(prefix, d[0]), "donnez l'ouverture et la fermeture de "+ordinal+", ou aucune des deux")
				break
			}
			start, err1 := passnum.ParseClock(from, false)
			end, err2 := passnum.ParseClock(to, true)
			if err1 != nil || err2 != nil {
				fe.Add(hoursDayName(prefix, d[0]), "heures attendues au format HH:MM, par exemple 09:00 et 12:00")
				break
			}
			if end <= start {
				fe.Add(hoursDayName(prefix, d[0]), "la fermeture suit l'ouverture ("+ordinal+" ferme à "+passnum.FrenchClock(end)+", avant d'ouvrir à "+passnum.FrenchClock(start)+")")
				break
			}
			if len(w.Days[i]) > 0 && start < lastEnd {
				fe.Add(hoursDayName(prefix, d[0]), "la deuxième plage commence après la fin de la première")
				break
			}
			w.Days[i] = append(w.Days[i], passnum.TimeSpan{Start: start, End: end})
			lastEnd = end
		}
	}
	w.HolidaysClosed = f.Get(prefix+"hours.ph_off") != ""
	raw := f.Get(prefix + "opening_hours")
	switch {
	case len(fe) > 0:
		return raw, fe
	case w.IsZero():
		return raw, nil
	case raw != "" && raw != w.OSM():
		fe.Add(prefix+"opening_hours", "les horaires sont donnés deux fois, dans la semaine et dans ce champ : videz l'un des deux")
		return raw, fe
	}
	return w.OSM(), nil
}

// setHoursValues fills a form's week with stored hours; hours the week
// cannot hold go to the advanced field, as they are.
func setHoursValues(v url.Values, prefix, osm string) {
	osm = strings.TrimSpace(osm)
	if osm == "" {
		return
	}
	h, err := passnum.ParseOpeningHours(osm)
	w, ok := passnum.WeekHoursOf(h)
	if err != nil || !ok {
		v.Set(prefix+"opening_hours", osm)
		return
	}
	for i, d := range passnum.WeekDays() {
		for n, sp := range w.Days[i] {
			v.Set(hoursFieldName(prefix, d[0], n, false), clockValue(sp.Start))
			v.Set(hoursFieldName(prefix, d[0], n, true), clockValue(sp.End))
		}
	}
	if w.HolidaysClosed {
		v.Set(prefix+"hours.ph_off", "1")
	}
}

// clockValue writes minutes as a time input's value: "09:30".
func clockValue(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}
