package passnum

import (
	"strconv"
	"strings"
)

// The yearly report tells the State and the Région what a programme did in
// one calendar year. It covers the years from the programme's opening to
// its last redeeming day (its end plus the grace days).

// ReportYears are the first and the last year a programme's yearly report
// may cover.
func (p *Programme) ReportYears() (first, last int) {
	return p.ValidFrom.Year, p.LastRedeemDay().Year
}

// ReportYearsBegun are ReportYears up to this one (today's): a year not
// begun has nothing to report yet. last is below first before the
// programme's first year.
func (p *Programme) ReportYearsBegun(today Date) (first, last int) {
	first, last = p.ReportYears()
	return first, min(last, today.Year)
}

// DefaultReportYear is the year a funder's dashboard opens on, and its
// API suggests for a breakdown asked with no period: this one, or once
// the programme's hand-outs are over the year they ended in (an ended
// programme's last year may hold only its grace days' uses); the
// programme's first before it begins.
func (p *Programme) DefaultReportYear(today Date) int {
	first, last := p.ReportYearsBegun(today)
	return max(first, min(last, p.ValidUntil.Year))
}

// FunderYears are the calendar years a funder's figures of the programme
// are published for (store's funderViews): those it has begun, its first
// at least, whose figures are empty before it begins.
func (p *Programme) FunderYears(today Date) (first, last int) {
	first, last = p.ReportYearsBegun(today)
	return first, max(first, last)
}

// NearestFunderYear is the year of FunderYears nearest to asked: asked
// itself when it is one of them, the first for a year before them, the
// last for one after.
func (p *Programme) NearestFunderYear(asked int, today Date) int {
	first, last := p.FunderYears(today)
	return min(max(asked, first), last)
}

// YearSpan writes the years first to last in a sentence: "2026", "2022 à
// 2024".
func YearSpan(first, last int) string {
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + " à " + strconv.Itoa(last)
}

// ParseReportYear reads the year of a yearly report, as typed or sent: four
// digits. The error says what to type.
func ParseReportYear(s string, p *Programme) (int, error) {
	first, last := p.ReportYears()
	return parseReportYear(s, first, last, func() string {
		span := "en " + strconv.Itoa(first)
		if first != last {
			span = "de " + strconv.Itoa(first) + " à " + strconv.Itoa(last)
		}
		return "le programme « " + p.Name + " » court " + span + " : choisissez une de ces années"
	})
}

// ParseFunderReportYear is ParseReportYear for a funder, whose figures are
// published for the years the programme has begun (FunderYears).
func ParseFunderReportYear(s string, p *Programme, today Date) (int, error) {
	first, last := p.FunderYears(today)
	return parseReportYear(s, first, last, func() string {
		return "les chiffres du programme « " + p.Name + " » sont publiés pour les années commencées (" + YearSpan(first, last) + ") : choisissez-en une"
	})
}

// parseReportYear reads a year from first to last; outside says why
// another is refused.
func parseReportYear(s string, first, last int, outside func() string) (int, error) {
	s = strings.TrimSpace(s)
	y, err := strconv.Atoi(s)
	switch {
	case s == "":
		return 0, Invalid(FieldError{Field: "year", Detail: "année du rapport manquante : indiquez-la sur quatre chiffres, par exemple " + strconv.Itoa(last)})
	case err != nil || len(s) != 4:
		return 0, Invalid(FieldError{Field: "year", Detail: "« " + s + " » n'est pas une année : indiquez-la sur quatre chiffres, par exemple " + strconv.Itoa(last)})
	case y < first || y > last:
		return 0, Invalid(FieldError{Field: "year", Detail: outside()})
	}
	return y, nil
}
