package passnum

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The opening hours as the French form asks for them, a week of days with
// two time ranges each, and as people read them ("du lundi au vendredi :
// 9 h – 12 h, 14 h – 17 h"). The OpenStreetMap syntax stays what is stored
// and published (the open-data standard's `horaires`): the form writes it,
// and reads it back when it fits.

// WeekHours is a week of opening hours: for each day, Monday first, its
// time ranges, in order (the form offers two).
type WeekHours struct {
	Days [7][]TimeSpan
	// HolidaysClosed is "closed on public holidays" (PH off).
	HolidaysClosed bool
}

// WeekRanges is how many time ranges a day has in the form.
const WeekRanges = 2

// frenchWeek is Monday first, as the French week and the form go.
var frenchWeek = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

var osmDayNames = map[time.Weekday]string{time.Monday: "Mo", time.Tuesday: "Tu", time.Wednesday: "We", time.Thursday: "Th",
	time.Friday: "Fr", time.Saturday: "Sa", time.Sunday: "Su"}

// frenchDayNames are the days in French, indexed by time.Weekday.
var frenchDayNames = [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// WeekDays names the days of the form, Monday first: the key of its fields
// ("mo") and the French name ("lundi").
func WeekDays() [7][2]string {
	var out [7][2]string
	for i, d := range frenchWeek {
		out[i] = [2]string{strings.ToLower(osmDayNames[d]), frenchDayNames[d]}
	}
	return out
}

// IsZero says whether no day is open.
func (w WeekHours) IsZero() bool {
	for _, d := range w.Days {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// OSM writes the week in the OpenStreetMap syntax, days with the same
// hours together: "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off".
// A week with no open day is "".
func (w WeekHours) OSM() string {
	if w.IsZero() {
		return ""
	}
	var rules []string
	done := [7]bool{}
	for i := range w.Days {
		if done[i] || len(w.Days[i]) == 0 {
			continue
		}
		var same []int
		for j := i; j < 7; j++ {
			if !done[j] && slices.Equal(w.Days[j], w.Days[i]) {
				same = append(same, j)
				done[j] = true
			}
		}
		spans := make([]string, 0, len(w.Days[i]))
		for _, sp := range w.Days[i] {
			spans = append(spans, minutesText(sp.Start)+"-"+minutesText(sp.End))
		}
		rules = append(rules, osmDaySelector(same)+" "+strings.Join(spans, ","))
	}
	if w.HolidaysClosed {
		rules = append(rules, "PH off")
	}
	return strings.Join(rules, "; ")
}

// osmDaySelector writes days (indexes in frenchWeek, increasing) as
// "Mo-Fr", "Mo,We", "Mo-We,Sa".
func osmDaySelector(days []int) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		from, to := osmDayNames[frenchWeek[days[i]]], osmDayNames[frenchWeek[days[j]]]
		switch j - i {
		case 0:
			parts = append(parts, from)
		case 1:
			parts = append(parts, from, to)
		default:
			parts = append(parts, from+"-"+to)
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// WeekHoursOf reads parsed hours into the week of the form. ok is false
// when they say more than the form can: school holidays, comments,
// fallbacks, open ends, hours past midnight, holidays with hours, or more
// than WeekRanges ranges a day; such hours are kept as they are written.
func WeekHoursOf(h OpeningHours) (w WeekHours, ok bool) {
	for _, r := range h.Rules {
		if r.Fallback || r.SchoolHolidays || r.Comment != "" || r.Unknown {
			return WeekHours{}, false
		}
		for _, sp := range r.Spans {
			if sp.OpenEnd || sp.End >= 24*60 || sp.End <= sp.Start {
				return WeekHours{}, false
			}
		}
		if r.PublicHolidays {
			if r.Weekdays != 0 || !r.Closed {
				return WeekHours{}, false
			}
			w.HolidaysClosed = true
			continue
		}
		if !r.Closed && len(r.Spans) == 0 {
			return WeekHours{}, false // "Mo-Fr open": open, but at what time?
		}
		for i, d := range frenchWeek {
			if !r.Has(d) {
				continue
			}
			switch {
			case r.Closed:
				w.Days[i] = nil
			case r.Additional:
				w.Days[i] = append(slices.Clone(w.Days[i]), r.Spans...)
			default:
				w.Days[i] = slices.Clone(r.Spans)
			}
		}
	}
	for i := range w.Days {
		slices.SortFunc(w.Days[i], func(a, b TimeSpan) int { return a.Start - b.Start })
		if len(w.Days[i]) > WeekRanges {
			return WeekHours{}, false
		}
		for k := 1; k < len(w.Days[i]); k++ {
			if w.Days[i][k].Start < w.Days[i][k-1].End {
				return WeekHours{}, false
			}
		}
	}
	return w, true
}

// ParseClock reads a time of day as people type it: "9", "9h", "9 h 30",
// "09:30", "9h30", "9.30". It returns minutes from midnight. endOfDay
// allows "24:00" (a closing time).
func ParseClock(s string, endOfDay bool) (int, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	if t == "" {
		return 0, errors.New("heure obligatoire, par exemple 14:00")
	}
	h, m, _ := strings.Cut(strings.NewReplacer("h", ":", ".", ":").Replace(t), ":")
	if m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	limit := 23
	if endOfDay {
		limit = 24
	}
	if err1 != nil || err2 != nil || !allDigits(h) || !allDigits(m) || len(h) > 2 || len(m) > 2 || hh > limit || mm > 59 || (hh == 24 && mm > 0) {
		return 0, fmt.Errorf("heure attendue au format HH:MM, par exemple 14:00 (reçu « %s »)", clip(strings.TrimSpace(s), 10))
	}
	return hh*60 + mm, nil
}

// FrenchClock writes minutes from midnight as French people read a time:
// "9 h", "9 h 30", "12 h 05"; past midnight, the hour of the next day.
func FrenchClock(m int) string {
	m %= 24 * 60
	if m%60 == 0 {
		return strconv.Itoa(m/60) + nbsp + "h"
	}
	return fmt.Sprintf("%d"+nbsp+"h"+nbsp+"%02d", m/60, m%60)
}

// FrenchHours writes opening hours in the OpenStreetMap syntax as French
// lines: "du lundi au vendredi : 9 h – 12 h, 14 h – 17 h", "samedi : 9 h
// – 12 h", "jours fériés : fermé". Text it cannot read is returned as it
// is, as its one line.
func FrenchHours(osm string) []string {
	osm = strings.TrimSpace(osm)
	if osm == "" {
		return nil
	}
	h, err := ParseOpeningHours(osm)
	if err != nil {
		return []string{osm}
	}
	var out []string
	for _, r := range h.Rules {
		var times string
		switch {
		case r.Closed:
			times = "fermé"
		case r.Unknown:
			times = "horaires à confirmer"
		case len(r.Spans) == 0:
			times = "ouvert"
		default:
			spans := make([]string, 0, len(r.Spans))
			for _, sp := range r.Spans {
				if sp.OpenEnd && sp.End <= sp.Start {
					spans = append(spans, "à partir de "+FrenchClock(sp.Start))
					continue
				}
				spans = append(spans, FrenchClock(sp.Start)+" – "+FrenchClock(sp.End))
			}
			times = strings.Join(spans, ", ")
		}
		line := frenchDays(r) + " : " + times
		if r.Comment != "" {
			line += " (" + r.Comment + ")"
		}
		if r.Fallback {
			line = "sinon, " + line
		}
		out = append(out, line)
	}
	return out
}

// frenchDays names the days of a rule: "du lundi au vendredi", "lundi et
// jeudi", "tous les jours", "jours fériés".
func frenchDays(r OpeningRule) string {
	var parts []string
	if r.Weekdays == 0x7f {
		parts = append(parts, "tous les jours")
	} else if r.Weekdays != 0 {
		var runs []string
		for i := 0; i < 7; {
			if !r.Has(frenchWeek[i]) {
				i++
				continue
			}
			j := i
			for j+1 < 7 && r.Has(frenchWeek[j+1]) {
				j++
			}
			from, to := frenchDayNames[frenchWeek[i]], frenchDayNames[frenchWeek[j]]
			switch j - i {
			case 0:
				runs = append(runs, from)
			case 1:
				runs = append(runs, from, to)
			default:
				runs = append(runs, "du "+from+" au "+to)
			}
			i = j + 1
		}
		parts = append(parts, joinFrench(runs))
	}
	if r.PublicHolidays {
		parts = append(parts, "jours fériés")
	}
	if r.SchoolHolidays {
		parts = append(parts, "vacances scolaires")
	}
	if len(parts) == 0 {
		return "tous les jours"
	}
	return joinFrench(parts)
}

// joinFrench joins "a, b et c".
func joinFrench(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " et " + xs[len(xs)-1]
}
