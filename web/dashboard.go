package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/chart"
	"passnum/paydoc"
	"passnum/sheet"
	"passnum/store"
)

// A programme's dashboard (issue 12): key figures, budget per funder,
// charts drawn on the server each followed by its table, and the view's
// CSV and XLSX. The operator sees every figure; a funder only the
// programmes it funds, under statistical secrecy (a cell of fewer than 5
// people reads "< 5", on the page and in the files).

func dashboardPages() []*page {
	return []*page{
		{Method: "GET", Path: "/operateur/programmes/{id}/tableau-de-bord", Access: staffOnly, Roles: operatorRole, Handle: dashPage(false)},
		{Method: "GET", Path: "/operateur/programmes/{id}/tableau-de-bord.csv", Access: staffOnly, Roles: operatorRole, Handle: dashExport(false, false)},
		{Method: "GET", Path: "/operateur/programmes/{id}/tableau-de-bord.xlsx", Access: staffOnly, Roles: operatorRole, Handle: dashExport(false, true)},
		{Method: "GET", Path: "/financeur/programmes/{id}/tableau-de-bord", Access: staffOnly, Roles: funderRole, Handle: dashPage(true)},
		{Method: "GET", Path: "/financeur/programmes/{id}/tableau-de-bord.csv", Access: staffOnly, Roles: funderRole, Handle: dashExport(true, false)},
		{Method: "GET", Path: "/financeur/programmes/{id}/tableau-de-bord.xlsx", Access: staffOnly, Roles: funderRole, Handle: dashExport(true, true)},
	}
}

// dashBreakdowns are the breakdowns, in French, in the select's order.
var dashBreakdowns = []option{
	{"departement", "Département"}, {"commune", "Commune"}, {"distributor", "Distributeur"},
	{"place", "Lieu"}, {"service", "Service"}, {"age_band", "Tranche d'âge"},
}

// dashByChoices are the breakdowns in a sentence: "département, commune,
// … ou tranche d'âge".
var dashByChoices = func() string {
	var words []string
	for _, o := range dashBreakdowns {
		words = append(words, strings.ToLower(o.Label))
	}
	return strings.Join(words[:len(words)-1], ", ") + " ou " + words[len(words)-1]
}()

func dashByLabel(by string) string {
	for _, o := range dashBreakdowns {
		if o.Value == by {
			return o.Label
		}
	}
	return by
}

// dashMonth reads a month typed or picked: AAAA-MM (what a month field
// sends), MM/AAAA, or a day AAAA-MM-JJ or JJ/MM/AAAA taken as its month.
func dashMonth(s string) (string, bool) {
	for _, layout := range []string{"2006-01", "01/2006", "1/2006", "2006-01-02", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01"), true
		}
	}
	return "", false
}

// dashFilter reads the filter form; the errors are in French, by field.
// An operator picks any months; a funder, a calendar year ("year"), the
// only period its breakdowns may take (store.CalendarYear), left empty
// for dashYear to choose.
//
// A funder's old link with months shows the year of its last month (or,
// outside the programme, its nearest year: dashYear), and note says so.
func dashFilter(id string, f *form, funder bool) (sq store.StatsQuery, fe passnum.FieldErrors, note string) {
	sq = store.StatsQuery{ProgrammeID: id, By: f.Get("by"), Secret: funder}
	if sq.By == "" {
		sq.By = "departement"
	}
	if funder {
		if y := strings.TrimSpace(f.Get("year")); y == "" {
			// Months, from a link made before funders read years.
			m, ok := dashMonth(f.Get("to"))
			if !ok {
				m, ok = dashMonth(f.Get("from"))
			}
			if ok {
				f.Values.Set("year", m[:4])
				note = "Un financeur lit le tableau de bord par année civile, pour préserver le secret statistique : voici une année plutôt que les mois demandés."
			}
		}
		if y := strings.TrimSpace(f.Get("year")); y != "" {
			if n, err := strconv.Atoi(y); err != nil || len(y) != 4 || n < 1000 {
				fe.Add("year", "« "+truncateRunes(y, 20)+" » n'est pas une année : choisissez-la dans la liste (quatre chiffres)")
			} else {
				sq.From, sq.To = y+"-01", y+"-12"
			}
		}
	}
	for _, m := range []struct {
		name, label string
		into        *string
	}{{"from", "Premier mois", &sq.From}, {"to", "Dernier mois", &sq.To}} {
		s := f.Get(m.name)
		if s == "" || funder {
			continue
		}
		v, ok := dashMonth(s)
		if !ok {
			fe.Add(m.name, "« "+truncateRunes(s, 20)+" » n'est pas un mois : écrivez-le AAAA-MM, par exemple 2026-03")
			continue
		}
		*m.into = v
	}
	if sq.From != "" && sq.To != "" && sq.To < sq.From {
		fe.Add("to", "le dernier mois ("+passnum.MonthLabel(sq.To)+") précède le premier ("+passnum.MonthLabel(sq.From)+") : inversez-les")
	}
	switch {
	case len(f.Values["by"]) > 1:
		// An address with by twice (hand-made, or two links glued):
		// reading the first would show another view than the one asked.
		fe.Add("by", "un seul détail à la fois : choisissez-en un parmi "+dashByChoices)
		sq.By = "departement"
	case !slices.ContainsFunc(dashBreakdowns, func(o option) bool { return o.Value == sq.By }):
		fe.Add("by", "détail inconnu : choisissez "+dashByChoices)
		sq.By = "departement"
	}
	return sq, fe, note
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// dashTable is one table of the page: the data of a chart, or the
// breakdown's figures.
type dashTable struct {
	Caption string
	Head    []string
	Rows    []dashRow
}

type dashRow struct {
	Head  string
	Cells []string
}

// dashChart is a chart and its table.
type dashChart struct {
	ID, Title string
	SVG       template.HTML
	// WideSVG, when not empty, is SVG drawn for a wide screen (the
	// months on one line rather than six a line): the stylesheet shows
	// one of the two by the screen's width, and hides the other with
	// display:none, which keeps it from screen readers too.
	WideSVG template.HTML
	Table   dashTable
	// Folded: the table is in a <details> (still in the page for screen
	// readers), for the long ones.
	Folded bool
}

type dashKey struct {
	Value, Label string
}

type dashView struct {
	P          store.ProgrammeStats
	Funder     bool
	Base, Back string
	BackLabel  string
	ByOptions  []option
	// YearOptions are the years a funder may pick (dashYears).
	YearOptions     []option
	ByLabel, Period string
	// ByWord is the breakdown's name inside a sentence ("par tranche
	// d'âge"), ByLabel at the head of a column.
	ByWord string
	// CSVURL and XLSXURL download the view on screen: its breakdown and
	// period, in a query built here (url.Values.Encode) and written as
	// is; as a plain string after "?", the template would escape its
	// "=" and "&" into one parameter and the file would ignore them.
	CSVURL, XLSXURL template.URL
	Failed          bool
	// Reports are the yearly reports for the State and the Région, one
	// per year of the programme, the latest first.
	Reports    []dashReport
	Keys       []dashKey
	Budget     dashTable
	Charts     []dashChart
	Breakdown  dashTable
	MaskedNote bool
	// PeriodNote says when the period chosen lies wholly outside the
	// programme's months, where nothing can be counted.
	PeriodNote string
	// PublishedNote says, for a funder, when the breakdowns shown were
	// published (once a month: store.publishedView).
	PublishedNote string
}

// dashSource is a programme's statistics for one query, and the extra
// breakdowns the charts need.
type dashSource struct {
	main, deps, places, services, dists store.ProgrammeStats
	programme                           passnum.Programme
	reminders                           store.ReminderEffect
}

// dashReport is one year's yearly report, in both formats.
type dashReport struct {
	Year      int
	PDF, XLSX string
}

func dashReports(p passnum.Programme, today passnum.Date) []dashReport {
	var out []dashReport
	first, last := p.ReportYearsBegun(today)
	for y := last; y >= first; y-- {
		out = append(out, dashReport{Year: y, PDF: yearlyReportURL(p.ID, y, paydoc.PDF), XLSX: yearlyReportURL(p.ID, y, paydoc.XLSX)})
	}
	return out
}

// dashYears are the years a funder's dashboard offers, the latest first:
// those its figures are published for (Programme.FunderYears).
func dashYears(p passnum.Programme, today passnum.Date) []option {
	var out []option
	first, last := p.FunderYears(today)
	for y := last; y >= first; y-- {
		out = append(out, option{strconv.Itoa(y), strconv.Itoa(y)})
	}
	return out
}

// dashYear checks a funder's year against Programme.FunderYears, and
// gives a query with no year the programme's DefaultReportYear, written
// into the form so that the select shows it. A year outside them gives
// way to the nearest the programme has (NearestFunderYear, the year the
// API suggests): a link's months (linked) open on it, a year picked is a
// field error whose form shows it chosen.
func dashYear(q *request, sq *store.StatsQuery, f *form, linked bool) error {
	if !sq.Secret {
		return nil
	}
	return q.view(func(tx *store.Tx) error {
		p, err := tx.Programme(q.ctx(), sq.ProgrammeID)
		if err != nil {
			return err
		}
		today := passnum.ParisDate(q.s.cfg.Now())
		set := func(y int) {
			ys := strconv.Itoa(y)
			sq.From, sq.To = ys+"-01", ys+"-12"
			f.Values.Set("year", ys)
		}
		if sq.From == "" {
			set(p.DefaultReportYear(today))
			return nil
		}
		first, last := p.FunderYears(today)
		asked, _ := strconv.Atoi(sq.From[:4])
		if asked >= first && asked <= last {
			return nil
		}
		set(p.NearestFunderYear(asked, today))
		if linked {
			return nil
		}
		detail := "le tableau de bord couvre l'année " + strconv.Itoa(first) + " : choisissez-la dans la liste"
		if first != last {
			detail = "le tableau de bord couvre les années " + strconv.Itoa(first) + " à " + strconv.Itoa(last) + " : choisissez-en une dans la liste"
		}
		return passnum.Invalid(passnum.FieldError{Field: "year", Detail: detail})
	})
}

func dashLoad(q *request, funder bool, sq store.StatsQuery) (dashSource, error) {
	var src dashSource
	err := q.view(func(tx *store.Tx) error {
		if funder {
			// A programme this funder does not pay for reads as one that
			// does not exist.
			ok, err := tx.IsProgrammeFunder(q.ctx(), sq.ProgrammeID, q.org())
			if err != nil {
				return err
			}
			if !ok {
				return passnum.NotFound("programme")
			}
		}
		var err error
		if src.programme, err = tx.Programme(q.ctx(), sq.ProgrammeID); err != nil {
			return err
		}
		if src.main, err = tx.ProgrammeStats(q.ctx(), sq); err != nil {
			return err
		}
		if src.reminders, err = tx.ReminderEffect(q.ctx(), sq.ProgrammeID, funder); err != nil {
			return err
		}
		for _, x := range []struct {
			by   string
			into *store.ProgrammeStats
		}{{"departement", &src.deps}, {"place", &src.places}, {"service", &src.services}, {"distributor", &src.dists}} {
			if x.by == sq.By {
				*x.into = src.main
				continue
			}
			o := sq
			o.By = x.by
			if *x.into, err = tx.ProgrammeStats(q.ctx(), o); err != nil {
				return err
			}
		}
		return nil
	})
	return src, err
}

func dashBase(funder bool, id string) string {
	if funder {
		return "/financeur/programmes/" + id + "/tableau-de-bord"
	}
	return "/operateur/programmes/" + id + "/tableau-de-bord"
}

func dashPage(funder bool) func(q *request) error {
	return func(q *request) error {
		id, err := q.id("id")
		if err != nil {
			return err
		}
		f := &form{Values: q.r.URL.Query(), Errors: map[string]string{}}
		sq, fe, note := dashFilter(id, f, funder)
		status := http.StatusOK
		v := dashView{Funder: funder, Base: dashBase(funder, id), ByOptions: dashBreakdowns}
		if funder {
			v.Back, v.BackLabel = "/financeur/programmes/"+id, "Retour au programme"
		} else {
			v.Back, v.BackLabel = "/operateur/programmes/"+id, "Retour au programme"
		}
		if err := fe.Err(); err != nil {
			f.Fail(err)
			f.Message = "Le filtre contient des erreurs : corrigez les champs signalés, puis affichez de nouveau."
			status = http.StatusUnprocessableEntity
			v.Failed = true
			// The programme must still be one this person may see.
			sq.From, sq.To = "", ""
		}
		if err := dashYear(q, &sq, f, note != ""); err != nil {
			if !f.Fail(err) {
				return err
			}
			// dashYear has put the nearest year in the query and the
			// form: "Afficher" shows it.
			f.Message = "Le filtre contient des erreurs : corrigez les champs signalés, puis affichez de nouveau."
			status, v.Failed = http.StatusUnprocessableEntity, true
		}
		src, err := dashLoad(q, funder, sq)
		if err != nil {
			return err
		}
		if !v.Failed {
			dashFill(&v, src)
			qs := url.Values{}
			qs.Set("by", sq.By)
			if funder {
				qs.Set("year", sq.From[:4])
			} else if sq.From != "" {
				qs.Set("from", sq.From)
			}
			if sq.To != "" && !funder {
				qs.Set("to", sq.To)
			}
			v.CSVURL, v.XLSXURL = template.URL(v.Base+".csv?"+qs.Encode()), template.URL(v.Base+".xlsx?"+qs.Encode())
		}
		if !v.Failed {
			v.PeriodNote = dashOutside(src.programme, sq.From, sq.To, passnum.ParisMonth(q.s.cfg.Now()))
			if note != "" {
				v.PeriodNote = strings.TrimSpace(note + " " + v.PeriodNote)
			}
		}
		if !v.Failed && funder {
			v.PublishedNote = dashPublished(src)
		}
		v.P = src.main
		v.Reports = dashReports(src.programme, passnum.ParisDate(q.s.cfg.Now()))
		if funder {
			v.YearOptions = dashYears(src.programme, passnum.ParisDate(q.s.cfg.Now()))
		}
		return q.render(status, "dashboard", "Tableau de bord · "+src.main.ProgrammeName, v, f)
	}
}

// dashOutside is a note when the months from..to ("" for an open end)
// lie wholly before the programme's first day, after its last day of
// use, or after this month (today's month thisMonth), "" otherwise: zeros
// there are no news, and a period typed a year off should not read as a
// programme that did nothing. The stocks (passes issued, allocated) are
// today's whatever the period: the note says so.
func dashOutside(p passnum.Programme, from, to, thisMonth string) string {
	first, last := p.ActivityMonths()
	span := passnum.De(passnum.MonthLabel(first)) + " à " + passnum.MonthLabel(last)
	if first == last {
		span = "en " + passnum.MonthLabel(first)
	}
	const rest = " Aucune remise ni utilisation n'y est comptée ; les stocks, le budget et l'effet des relances, qui couvrent tout le programme, restent affichés."
	switch {
	case to != "" && to < first:
		return "Cette période précède le programme, dont les remises et les utilisations vont " + span + "." + rest
	case from != "" && from > last:
		return "Cette période suit la fin du programme, dont les remises et les utilisations vont " + span + "." + rest
	case from != "" && from > thisMonth:
		return "Cette période n'a pas encore commencé." + rest
	}
	return ""
}

// dashPeriod says the period in words.
func dashPeriod(from, to string) string {
	switch {
	case from == "" && to == "":
		return "depuis le début du programme"
	case store.CalendarYear(from, to):
		return "en " + from[:4]
	case to == "":
		return "depuis " + passnum.MonthLabel(from)
	case from == "":
		return "jusqu'à " + passnum.MonthLabel(to)
	case from == to:
		return "en " + passnum.MonthLabel(from)
	default:
		return passnum.De(passnum.MonthLabel(from)) + " à " + passnum.MonthLabel(to)
	}
}

// ---- Formatting a figure for the page and the files ----

// dashN is a count: mark when statistical secrecy hides it (peopleMark,
// figureMark), nothing when the figure does not apply.
func dashN(v *int64, mark string) string {
	switch {
	case mark != "":
		return mark
	case v == nil:
		return ""
	default:
		return passnum.FormatCount(*v)
	}
}

// peopleMark is how a count of young people of cell hidden with figure
// fig reads: "< 5" when it counts 1 to 4 itself, "secret" when hidden so
// that another cannot be given back (it may count more); "" when shown.
func peopleMark(s store.ProgrammeStats, cell, fig string) string {
	switch {
	case !s.Hides(cell, fig):
		return ""
	case s.Small(cell, fig):
		return passnum.MaskedCount
	}
	return passnum.MaskedFigure
}

// figureMark is how any other hidden figure reads (passes, which count
// up to a booklet's worth a person; a bucket of the first-use wait):
// "secret".
func figureMark(masked bool) string {
	if masked {
		return passnum.MaskedFigure
	}
	return ""
}

// dashRate, dashWait and dashEuros read "secret" when masked: the figure
// is not itself a count of fewer than 5.
func dashRate(v *float64, masked bool) string {
	switch {
	case masked:
		return passnum.MaskedFigure
	case v == nil:
		return ""
	default:
		return passnum.FormatShare(*v)
	}
}

// dashWait is a median wait (dashDays).
func dashWait(v *int64, masked bool) string {
	if masked {
		return passnum.MaskedFigure
	}
	return dashDays(v)
}

func dashEuros(v *int64, masked bool) string {
	switch {
	case masked:
		return passnum.MaskedFigure
	case v == nil:
		return ""
	default:
		return euros(*v)
	}
}

// dashColumn is one figure of the breakdown's table and files.
type dashColumn struct {
	Head string
	kind int // 0 count, 1 amount, 2 rate, 3 days
	// stock is a figure of passes, not of people: never masked.
	stock bool
	// booklets: a figure of booklets, which a place's or a service's row
	// does not have; expired: the passes expired, once the programme ended;
	// people: a count of young people (peopleMark); handed: the booklets
	// handed out or what gives them back, hidden with them
	// (store.FigHandedOut); firstUse: read from the first-use wait, hidden
	// with it when it goes whole (store.FigFirstUse).
	booklets, expired, people, handed, firstUse bool
	// fig names the figure statistical secrecy may hide on its own in a
	// cell it shows (store.FigureMasked); "" for one hidden only with
	// its whole cell.
	fig string
	n   func(store.StatFigures) *int64
	r   func(store.StatFigures) *float64
}

var dashColumns = []dashColumn{
	{Head: "Pass alloués aux distributeurs", stock: true, n: func(f store.StatFigures) *int64 { return f.PassesAllocated }},
	{Head: "Carnets remis", booklets: true, people: true, handed: true, n: func(f store.StatFigures) *int64 { return f.BookletsHandedOut }},
	{Head: "Pass remis", booklets: true, handed: true, n: func(f store.StatFigures) *int64 { return f.PassesHandedOut }},
	{Head: "Carnets remplacés", booklets: true, people: true, fig: "booklets_replaced", n: func(f store.StatFigures) *int64 { return f.BookletsReplaced }},
	{Head: "Carnets remis au public cible", booklets: true, people: true, fig: "target_public", n: func(f store.StatFigures) *int64 { return f.TargetPublic }},
	{Head: "Part du public cible", kind: 2, booklets: true, handed: true, fig: "target_public", r: func(f store.StatFigures) *float64 { return f.TargetShare }},
	{Head: "Carnets commencés", booklets: true, people: true, fig: "booklets_started", n: func(f store.StatFigures) *int64 { return f.BookletsStarted }},
	{Head: "Carnets terminés", booklets: true, people: true, fig: "booklets_completed", n: func(f store.StatFigures) *int64 { return f.BookletsCompleted }},
	{Head: "Taux d'utilisation", kind: 2, booklets: true, handed: true, fig: "booklets_started", r: func(f store.StatFigures) *float64 { return f.UseRate }},
	{Head: "Pass utilisés", fig: "passes_used", n: func(f store.StatFigures) *int64 { return f.PassesUsed }},
	{Head: "Montant utilisé (€)", kind: 1, fig: "passes_used", n: func(f store.StatFigures) *int64 { return f.AmountUsedCents }},
	{Head: "Pass expirés", expired: true, handed: true, fig: "passes_used", n: func(f store.StatFigures) *int64 { return f.PassesExpired }},
	{Head: "Délai médian avant la première utilisation", kind: 3, booklets: true, firstUse: true, fig: "booklets_started", n: func(f store.StatFigures) *int64 { return f.FirstUseMedianDays }},
}

// text is the figure on the page: mark when hidden (dashRowsOf).
func (c dashColumn) text(f store.StatFigures, mark string) string {
	if mark != "" {
		return mark
	}
	switch c.kind {
	case 1:
		return dashEuros(c.n(f), false)
	case 2:
		return dashRate(c.r(f), false)
	case 3:
		return dashWait(c.n(f), false)
	default:
		return dashN(c.n(f), "")
	}
}

// cell is the figure in a file: as on the page when masked ("< 5", or
// "secret" for a rate, an amount or a wait), empty when it does not
// apply, a number otherwise. A rate is a number with a percentage format
// in a workbook (xlsx), as in the yearly report's, so that it sums and
// sorts; in a CSV file, text in per cent with the decimal comma
// ("42,5 %"), its column's name not saying it is a percentage.
func (c dashColumn) cell(f store.StatFigures, mark string, xlsx bool) sheet.Cell {
	if mark != "" {
		return sheet.Text(mark)
	}
	switch c.kind {
	case 1:
		if v := c.n(f); v != nil {
			return sheet.Cents(*v)
		}
	case 2:
		switch v := c.r(f); {
		case v != nil && xlsx:
			return sheet.Share(*v)
		case v != nil:
			return sheet.Text(strings.ReplaceAll(dashRate(v, false), "\u00a0", " "))
		}
	case 3:
		return sheet.Text(dashDays(c.n(f)))
	default:
		if v := c.n(f); v != nil {
			return sheet.Int(*v)
		}
	}
	return sheet.Text("")
}

// dashRowsOf walks the view's rows: the total, then each cell, with what
// says how a column's figure of the row reads when secrecy hides it ("" when
// shown): never one that has no value there (applies), which stays empty,
// nor stock.
func dashRowsOf(s store.ProgrammeStats, each func(label, code string, f store.StatFigures, mark func(c dashColumn) string) error) error {
	markOf := func(cell string, total bool, f store.StatFigures) func(c dashColumn) string {
		return func(c dashColumn) string {
			switch {
			case c.stock || !c.applies(s, total):
				return ""
			case c.firstUse && c.n(f) == nil && s.Hides(cell, store.FigFirstUse):
				return passnum.MaskedFigure
			case c.handed && !s.Hides(cell, "") && s.Hides(cell, store.FigHandedOut):
				// Hidden alone; hidden with its whole cell, the cell's
				// own mark ("< 5" of its young people).
				return passnum.MaskedFigure
			case c.people:
				return peopleMark(s, cell, c.fig)
			}
			return figureMark(s.Hides(cell, c.fig))
		}
	}
	if err := each("Total", "", s.Total, markOf("total", true, s.Total)); err != nil {
		return err
	}
	for _, cell := range s.Cells {
		if err := each(cell.Label, cell.Key, cell.StatFigures, markOf(cell.Key, false, cell.StatFigures)); err != nil {
			return err
		}
	}
	return nil
}

// applies says whether a column's figure has a value in a row of s: a
// place's or a service's row counts uses, not booklets, and passes expire
// only once the programme has ended, in the rows that count booklets (the
// passes handed out less those used).
func (c dashColumn) applies(s store.ProgrammeStats, total bool) bool {
	bookletRow := total || store.BreakdownCountsBooklets(s.By)
	switch {
	case c.expired:
		return s.Ended && bookletRow
	case c.booklets:
		return bookletRow
	}
	return true
}

// dashShown are the columns of the breakdown's table and of its files:
// those a cell of the breakdown fills, with a figure or a mark of
// secrecy. A figure only the whole programme has (the passes allocated,
// but by distributor; the booklets, by place or service) or none has yet
// (the passes expired, before the end) would make a column empty but for
// the total, which the key figures already give. A breakdown without a
// cell (a period with nothing in it) keeps the columns its total fills.
// The page and the files call it on the same figures: they agree column
// for column.
func dashShown(s store.ProgrammeStats) []dashColumn {
	filled := make([]bool, len(dashColumns))
	row := 0
	_ = dashRowsOf(s, func(_, _ string, f store.StatFigures, mark func(dashColumn) string) error {
		if row++; row == 1 && len(s.Cells) > 0 {
			return nil // the total, first
		}
		for i, c := range dashColumns {
			filled[i] = filled[i] || c.text(f, mark(c)) != ""
		}
		return nil
	})
	var shown []dashColumn
	for i, c := range dashColumns {
		if filled[i] {
			shown = append(shown, c)
		}
	}
	return shown
}

// dashCode is the key a person may read: a département's or commune's
// code; an internal id (a distributor's, a place's) is not shown.
func dashCode(by, key string) string {
	switch by {
	case "departement", "commune":
		return key
	}
	return ""
}

func dashBreakdownTable(s store.ProgrammeStats, by string) dashTable {
	t := dashTable{Caption: "Chiffres par " + strings.ToLower(dashByLabel(by)) + ", " + dashPeriod(s.From, s.To) + " (première ligne : le total)",
		Head: []string{dashByLabel(by)}}
	columns := dashShown(s)
	for _, c := range columns {
		t.Head = append(t.Head, c.Head)
	}
	_ = dashRowsOf(s, func(label, code string, f store.StatFigures, mark func(dashColumn) string) error {
		if c := dashCode(by, code); c != "" && !strings.Contains(label, c) {
			label = c + " " + label
		}
		r := dashRow{Head: label}
		for _, c := range columns {
			r.Cells = append(r.Cells, c.text(f, mark(c)))
		}
		t.Rows = append(t.Rows, r)
		return nil
	})
	return t
}

// dashUsed orders cells by passes used, the most first, hidden ones last;
// a ranking of the first limit leaves the hidden ones out, which would
// otherwise fill its last places in the order of their names.
func dashUsed(s store.ProgrammeStats, limit int) []store.StatCell {
	cells := slices.Clone(s.Cells)
	if limit > 0 {
		cells = slices.DeleteFunc(cells, func(c store.StatCell) bool { return s.Hides(c.Key, "passes_used") })
	}
	slices.SortStableFunc(cells, func(a, b store.StatCell) int {
		av, bv := int64(-1), int64(-1)
		if a.PassesUsed != nil {
			av = *a.PassesUsed
		}
		if b.PassesUsed != nil {
			bv = *b.PassesUsed
		}
		switch {
		case av > bv:
			return -1
		case av < bv:
			return 1
		}
		return strings.Compare(a.Label, b.Label)
	})
	if limit > 0 && len(cells) > limit {
		cells = cells[:limit]
	}
	return cells
}

// dashUsedChart is a ranking of cells by passes used, and its table.
func dashUsedChart(id, title, head string, s store.ProgrammeStats, limit int) dashChart {
	cells := dashUsed(s, limit)
	var bars []chart.Bar
	t := dashTable{Caption: title, Head: []string{head, "Pass utilisés", "Montant utilisé"}}
	for _, c := range cells {
		m := s.Hides(c.Key, "passes_used")
		v := c.PassesUsed
		if m {
			v = nil
		}
		bars = append(bars, chart.Bar{Label: c.Label, Value: v})
		t.Rows = append(t.Rows, dashRow{Head: c.Label, Cells: []string{dashN(c.PassesUsed, figureMark(m)), dashEuros(c.AmountUsedCents, m)}})
	}
	// A ranking leaves out the cells secrecy hides (dashUsed); a last line
	// says how many, so that 4 places of 20, or none, do not read as all.
	if limit > 0 {
		hidden := 0
		for _, c := range s.Cells {
			if s.Hides(c.Key, "passes_used") {
				hidden++
			}
		}
		if hidden > 0 {
			label := strconv.Itoa(hidden) + " autres, sous secret statistique"
			if hidden == 1 {
				label = "1 autre, sous secret statistique"
			}
			bars = append(bars, chart.Bar{Label: label, Text: passnum.MaskedFigure})
			t.Rows = append(t.Rows, dashRow{Head: label, Cells: []string{passnum.MaskedFigure, passnum.MaskedFigure}})
		}
	}
	return dashChart{ID: id, Title: title, Table: t, Folded: len(t.Rows) > 12,
		SVG: chart.Rows(title, "Barres horizontales, de la plus longue à la plus courte ; la valeur est écrite au bout de chaque barre.", bars)}
}

func dashFill(v *dashView, src dashSource) {
	s := src.main
	v.ByLabel = dashByLabel(s.By)
	v.ByWord = strings.ToLower(v.ByLabel)
	v.Period = dashPeriod(s.From, s.To)
	v.MaskedNote = len(s.Masked) > 0 || len(src.places.Masked) > 0 || len(src.services.Masked) > 0 || len(src.deps.Masked) > 0 || len(src.dists.Masked) > 0
	v.Keys = dashKeys(s)
	v.Budget = dashBudget(s)
	title := "Pass utilisés par " + v.ByWord
	if len(s.Cells) > 20 {
		title += " (20 premiers)"
	}
	by := dashUsedChart("detail", title, v.ByLabel, s, 20)
	v.Breakdown = dashBreakdownTable(s, s.By)
	v.Charts = []dashChart{dashMonthsChart(s, v.Period), dashFunnelChart(s, v.Period), dashRemindersChart(src.reminders), dashFirstUseChart(s), dashDistributorWaitChart(src.dists),
		dashMapChart(src.deps, v.Period), by,
		dashUsedChart("lieux", "Les 10 lieux où le plus de pass ont été utilisés, "+v.Period, "Lieu", src.places, 10),
		dashUsedChart("services", "Les services les plus utilisés, "+v.Period, "Service", src.services, 10)}
}

// dashKeys are the key figures; "—" for one that does not apply.
func dashKeys(s store.ProgrammeStats) []dashKey {
	t := s.Total
	h := func(fig string) bool { return s.Hides("total", fig) }
	// A count's noun agrees with it (0 and 1 take the singular in
	// French); a masked count reads as a plural.
	n := func(v *int64, mark, one, many string) dashKey {
		if v != nil && mark == "" {
			return dashKey{dashN(v, ""), passnum.Plural(*v, one, many)}
		}
		return dashKey{dashN(v, mark), many}
	}
	people := func(fig string) string { return peopleMark(s, "total", fig) }
	// The booklets handed out, hidden alone by a funder's period, and
	// what gives them back.
	handed := h(store.FigHandedOut)
	handedOut := people("")
	if handedOut == "" && handed {
		handedOut = passnum.MaskedFigure
	}
	keys := []dashKey{
		n(t.PassesIssued, "", "pass émis", "pass émis"), // stock: never masked
		n(t.PassesAllocated, "", "pass alloué aux distributeurs", "pass alloués aux distributeurs"),
		n(t.BookletsHandedOut, handedOut, "carnet remis", "carnets remis à des jeunes"),
		n(t.PassesHandedOut, figureMark(h("") || handed), "pass remis", "pass remis"),
		n(t.PassesUsed, figureMark(h("passes_used")), "pass utilisé", "pass utilisés"),
		{dashEuros(t.AmountUsedCents, h("passes_used")), "montant utilisé"},
	}
	// Passes expire once the programme's last redeeming day is past:
	// before, the figure would only read « — pass expirés ».
	if s.Ended {
		keys = append(keys, n(t.PassesExpired, figureMark(h("passes_used") || handed), "pass expiré", "pass expirés"))
	}
	keys = append(keys, []dashKey{
		n(t.BookletsStarted, people("booklets_started"), "carnet commencé (un pass utilisé au moins)", "carnets commencés (un pass utilisé au moins)"),
		n(t.BookletsCompleted, people("booklets_completed"), "carnet terminé", "carnets terminés"),
		{dashRate(t.UseRate, h("booklets_started") || handed), "taux d'utilisation (carnets commencés sur carnets remis)"},
		{dashRate(t.TargetShare, h("target_public") || handed), "part du public cible parmi les carnets remis"},
		{dashWait(t.FirstUseMedianDays, h("booklets_started") || t.FirstUseMedianDays == nil && h(store.FigFirstUse)), "délai médian entre la remise et la première utilisation"},
	}...)
	for i := range keys {
		if keys[i].Value == "" {
			keys[i].Value = "—"
		}
	}
	return keys
}

// dashBudget is the table of each funder's money.
func dashBudget(s store.ProgrammeStats) dashTable {
	t := dashTable{Caption: "Budget par financeur depuis le début du programme : engagé (valeur des pass remis), remboursé aux lieux, payé et restant",
		Head: []string{"Financeur", "Part", "Budget", "Engagé", "Remboursé", "Payé", "Restant"}}
	for _, b := range s.Budget {
		budget, left := "non fixé", "—"
		if b.BudgetCents != nil {
			budget = euros(*b.BudgetCents)
		}
		if b.LeftCents != nil {
			left = euros(*b.LeftCents)
		}
		t.Rows = append(t.Rows, dashRow{Head: b.Name, Cells: []string{passnum.FormatBasisPoints(b.ShareBps), budget, euros(b.EngagedCents), euros(b.SettledCents), euros(b.PaidCents), left}})
	}
	return t
}

// dashMonthsChart is the use per month.
func dashMonthsChart(s store.ProgrammeStats, period string) dashChart {
	months := dashChart{ID: "mois", Title: "Pass utilisés par mois, " + period, Table: dashTable{Caption: "Pass utilisés et montant par mois", Head: []string{"Mois", "Pass utilisés", "Montant utilisé"}}}
	var bars []chart.Bar
	for _, m := range s.Months {
		mm := s.Hides("month "+m.Month, "")
		bars = append(bars, chart.Bar{Label: dashShortMonth(m.Month), Value: m.PassesUsed})
		months.Table.Rows = append(months.Table.Rows, dashRow{Head: passnum.MonthLabel(m.Month), Cells: []string{dashN(m.PassesUsed, figureMark(mm || m.PassesUsed == nil)), dashEuros(m.AmountUsedCents, mm || m.AmountUsedCents == nil)}})
	}
	months.Folded = len(s.Months) > 12
	desc := func(lines string) string {
		return "Une barre par mois, du plus ancien au plus récent, " + lines + " ; le nombre de pass utilisés est écrit au-dessus de chaque barre. Un mois sous secret statistique n'a pas de barre : «\u00a0secret\u00a0» est écrit une fois au-dessus de chaque suite de mois cachés."
	}
	months.SVG = chart.Columns(months.Title, desc("six au plus par ligne"), bars)
	if len(bars) > 0 {
		wide := "sur une ligne"
		if len(bars) > chart.WidePerLine {
			wide = strconv.Itoa(chart.WidePerLine) + " au plus par ligne"
		}
		months.WideSVG = chart.ColumnsWide(months.Title, desc(wide), bars)
	}
	return months
}

// dashFunnelChart follows the booklets from hand-out to completion.
func dashFunnelChart(s store.ProgrammeStats, period string) dashChart {
	tm, t := s.Hides("total", ""), s.Total
	funnel := dashChart{ID: "parcours", Title: "Des carnets remis aux carnets terminés, " + period,
		Table: dashTable{Caption: "Carnets remis, commencés et terminés", Head: []string{"Étape", "Carnets"}}}
	steps := []struct {
		label, fig string
		n          *int64
	}{{"Remis", "", t.BookletsHandedOut}, {"Commencés (un pass utilisé au moins)", "booklets_started", t.BookletsStarted}, {"Terminés (tous les pass utilisés)", "booklets_completed", t.BookletsCompleted}}
	var bars []chart.Bar
	for _, st := range steps {
		n, mark := st.n, peopleMark(s, "total", st.fig)
		if st.fig == "" && mark == "" && s.Hides("total", store.FigHandedOut) {
			mark = passnum.MaskedFigure
		}
		if tm || mark != "" {
			n = nil
		}
		bars = append(bars, chart.Bar{Label: st.label, Value: n, Text: mark})
		funnel.Table.Rows = append(funnel.Table.Rows, dashRow{Head: st.label, Cells: []string{dashN(st.n, mark)}})
	}
	funnel.SVG = chart.Rows(funnel.Title, "Trois barres : carnets remis, commencés, terminés ; le nombre est écrit au bout de chaque barre.", bars)
	return funnel
}

// dashRemindersChart compares, among the booklets that slept, the share
// started since among those whose holder was reminded and among the
// others: whether reminding pushes use up. Those reminded last month or
// this one are apart, too soon to tell. Programme to date, whatever the
// period: a reminder's effect outlasts the month it was sent in.
func dashRemindersChart(e store.ReminderEffect) dashChart {
	title := "Effet des relances sur les carnets endormis (tout le programme)"
	caption := "Carnets restés " + strconv.Itoa(e.DormantDays) + " jours sans pass utilisé, relancés ou non, et ceux d'entre eux commencés depuis"
	if e.Through == "" {
		caption += " : aucun mois de remise du programme n'a encore passé ce délai"
	} else {
		caption += ", parmi les carnets remis jusqu'à fin " + passnum.MonthLabel(e.Through)
	}
	if e.RecentSince != "" {
		caption += " ; « relancés récemment » : première relance depuis " + passnum.MonthLabel(e.RecentSince) + ", trop tôt pour en juger"
	}
	c := dashChart{ID: "relances", Title: title,
		Table: dashTable{Caption: caption, Head: []string{"Carnets", "Part commencée", "Endormis", "Commencés depuis"}}}
	hidden := func(names ...string) bool {
		for _, n := range names {
			if slices.Contains(e.Masked, n) {
				return true
			}
		}
		return false
	}
	var bars []chart.Bar
	for _, g := range []struct {
		label, name, startedName string
		n, started               *int64
	}{{"Relancés", "reminded", "reminded_started", e.Reminded, e.RemindedStarted},
		{"Relancés récemment", "recently_reminded", "recently_reminded_started", e.RecentlyReminded, e.RecentlyRemindedStarted},
		{"Jamais relancés", "not_reminded", "not_reminded_started", e.NotReminded, e.NotRemindedStarted}} {
		if g.name == "recently_reminded" && (e.RecentSince == "" || g.n != nil && *g.n == 0) {
			continue // none lately, or none can be (an ended programme): no row
		}
		var share *float64
		if g.n != nil && g.started != nil && *g.n > 0 {
			v := float64(*g.started) / float64(*g.n)
			share = &v
		}
		masked := hidden(g.name, g.startedName)
		text := orDash(dashRate(share, masked))
		// A hidden share has no bar (nil reads "secret"); no share, an
		// empty one.
		var pct *int64
		if !masked {
			v := int64(0)
			if share != nil {
				v = int64(*share*100 + 0.5)
			}
			pct = &v
		}
		bars = append(bars, chart.Bar{Label: g.label, Value: pct, Text: text})
		// The share first: on a phone the table scrolls, and the share
		// is what the table is read for.
		c.Table.Rows = append(c.Table.Rows, dashRow{Head: g.label, Cells: []string{
			text, dashN(g.n, figureMark(hidden(g.name))), dashN(g.started, figureMark(hidden(g.startedName)))}})
	}
	c.SVG = chart.Shares(title, "Une barre par groupe, sur une échelle de 0 à 100 % : la part des carnets endormis commencés depuis, chez les jeunes relancés, chez ceux relancés trop récemment pour en juger et chez les autres ; la part est écrite au bout de chaque barre.", bars)
	return c
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// dashFirstUseChart spreads the booklets started by their wait before the
// first use.
func dashFirstUseChart(s store.ProgrammeStats) dashChart {
	// The whole distribution hidden (with the booklets started, or by a
	// funder's period) still lists its buckets, each "secret": empty, the
	// chart would say there is nothing to show.
	tm := s.Hides("total", "booklets_started") || s.Total.FirstUse == nil && s.Hides("total", store.FigFirstUse)
	first := dashChart{ID: "delai", Title: "Délai entre la remise et la première utilisation, " + dashPeriod(s.From, s.To),
		Table: dashTable{Caption: "Carnets commencés selon le délai avant la première utilisation", Head: []string{"Délai", "Carnets"}}}
	buckets := s.Total.FirstUse
	if buckets == nil && tm {
		for _, lo := range passnum.FirstUseBuckets {
			buckets = append(buckets, store.FirstUseBucket{FromDays: lo, Label: passnum.FirstUseBucketLabel(lo)})
		}
	}
	var bars []chart.Bar
	for _, b := range buckets {
		m := tm || b.Booklets == nil
		p := b.Booklets
		if m {
			p = nil
		}
		bars = append(bars, chart.Bar{Label: b.Label, Value: p, Text: figureMark(m)})
		first.Table.Rows = append(first.Table.Rows, dashRow{Head: b.Label, Cells: []string{dashN(p, figureMark(m))}})
	}
	first.SVG = chart.Rows(first.Title, "Une barre par tranche de délai, de la plus courte à la plus longue ; le nombre de carnets est écrit au bout de chaque barre.", bars)
	return first
}

// dashDistributorWaitChart is the median wait before the first use, per
// distributor.
func dashDistributorWaitChart(dists store.ProgrammeStats) dashChart {
	dist := dashChart{ID: "delai-distributeurs", Title: "Délai médian avant la première utilisation, par distributeur",
		Table: dashTable{Caption: "Délai médian avant la première utilisation et carnets commencés, par distributeur", Head: []string{"Distributeur", "Délai médian", "Carnets commencés"}}}
	var bars []chart.Bar
	for _, c := range dists.Cells {
		m := dists.Hides(c.Key, "booklets_started")
		if c.FirstUseMedianDays == nil && !m {
			continue
		}
		d := c.FirstUseMedianDays
		if m {
			d = nil
		}
		bars = append(bars, chart.Bar{Label: c.Label, Value: d, Text: dashWait(d, m)})
		dist.Table.Rows = append(dist.Table.Rows, dashRow{Head: c.Label, Cells: []string{dashWait(c.FirstUseMedianDays, m), dashN(c.BookletsStarted, peopleMark(dists, c.Key, "booklets_started"))}})
	}
	dist.Folded = len(bars) > 12
	dist.SVG = chart.Rows(dist.Title, "Une barre par distributeur ; la tranche de jours où tombe le délai médian est écrite au bout de chaque barre.", bars)
	return dist
}

// dashMapChart draws the use per département on the map.
func dashMapChart(deps store.ProgrammeStats, period string) dashChart {
	mp := dashChart{ID: "carte", Title: "Pass utilisés par département, " + period,
		Table: dashTable{Caption: "Pass utilisés et montant par département, les données de la carte", Head: []string{"Département", "Pass utilisés", "Montant utilisé"}}}
	var points []chart.Point
	for _, c := range dashUsed(deps, 0) {
		m := deps.Hides(c.Key, "passes_used")
		p := c.PassesUsed
		if m {
			p = nil
		}
		points = append(points, chart.Point{Code: c.Key, Value: p})
		mp.Table.Rows = append(mp.Table.Rows, dashRow{Head: c.Label, Cells: []string{dashN(c.PassesUsed, figureMark(m)), dashEuros(c.AmountUsedCents, m)}})
	}
	mp.Folded = len(points) > 12
	mp.SVG = chart.Map(mp.Title, "Un cercle au centre de chaque département, de surface proportionnelle au nombre de pass utilisés ; le code du département est écrit dans le cercle ou à côté du nombre, le nombre près du cercle.", points)
	return mp
}

// dashDays is a median wait: the counters keep waits by bucket
// (passnum.FirstUseBuckets), so the median is known as the bucket it
// falls in, and read as one ("8 à 14 jours"), never as its lower bound.
func dashDays(d *int64) string {
	if d == nil {
		return ""
	}
	return passnum.FirstUseBucketLabel(int(*d))
}

// dashShortMonth writes "2026-03" as "03/26", under a bar.
func dashShortMonth(m string) string {
	y, mm, ok := strings.Cut(m, "-")
	if !ok || len(y) != 4 {
		return m
	}
	return mm + "/" + y[2:]
}

// ---- Exports ----

func dashExport(funder, xlsx bool) func(q *request) error {
	return func(q *request) error {
		id, err := q.id("id")
		if err != nil {
			return err
		}
		f := &form{Values: q.r.URL.Query(), Errors: map[string]string{}}
		sq, fe, note := dashFilter(id, f, funder)
		if len(fe) > 0 {
			labels := map[string]string{"from": "Premier mois", "to": "Dernier mois", "by": "Détail par", "year": "Année"}
			var parts []string
			for _, e := range fe {
				parts = append(parts, labels[e.Field]+" : "+e.Detail)
			}
			return passnum.Errorf(passnum.EINVALID, "Export impossible : %s. Corrigez l'adresse ou repartez du tableau de bord.", strings.Join(parts, " ; "))
		}
		if err := dashYear(q, &sq, f, note != ""); err != nil {
			return err
		}
		// The columns are the page's (dashShown), known once the
		// figures are read.
		var columns []dashColumn
		header := func() []string {
			h := []string{dashByLabel(sq.By), "Code"}
			for _, c := range columns {
				h = append(h, c.Head)
			}
			return h
		}
		name := "tableau-de-bord-par-" + dashSlugs[sq.By] + "-" + dashFilePeriod(sq.From, sq.To) + "-au-" + exportDay(q)
		fill := func(tx *store.Tx, write func(...sheet.Cell) error) error {
			if funder {
				ok, err := tx.IsProgrammeFunder(q.ctx(), id, q.org())
				if err != nil {
					return err
				}
				if !ok {
					return passnum.NotFound("programme")
				}
			}
			s, err := tx.ProgrammeStats(q.ctx(), sq)
			if err != nil {
				return err
			}
			columns = dashShown(s)
			if err := dashRowsOf(s, func(label, code string, f store.StatFigures, mark func(dashColumn) string) error {
				row := []sheet.Cell{sheet.Text(label), sheet.Text(dashCode(sq.By, code))}
				for _, c := range columns {
					row = append(row, c.cell(f, mark(c), xlsx))
				}
				return write(row...)
			}); err != nil {
				return err
			}
			// A funder's file says what its marks mean once it has left
			// the site, in a last line of its own.
			if funder && len(s.Masked) > 0 {
				if err := write(sheet.Text(passnum.SecrecyNote)); err != nil {
					return err
				}
			}
			// And when its figures were published (once a month).
			if s.PublishedAt != nil {
				return write(sheet.Text(dashPublishedLine + passnum.FormatDateTime(*s.PublishedAt) + ", publiés une fois par mois."))
			}
			return nil
		}
		if xlsx {
			return q.xlsxDownload(name+".xlsx", "Tableau de bord", header, fill)
		}
		return dashCSV(q, name+".csv", header, fill)
	}
}

// dashSlugs name a breakdown in a file name.
var dashSlugs = map[string]string{"departement": "departement", "commune": "commune", "distributor": "distributeur", "place": "lieu",
	"service": "service", "age_band": "tranche-d-age"}

// dashFilePeriod is the period in a file name: "2026-03-2026-06",
// "depuis-2026-03", "jusqu-a-2026-06", "2026" for a calendar year, or
// "tout".
func dashFilePeriod(from, to string) string {
	switch {
	case from == "" && to == "":
		return "tout"
	case store.CalendarYear(from, to):
		return from[:4]
	case to == "":
		return "depuis-" + from
	case from == "":
		return "jusqu-a-" + to
	case from == to:
		return from
	default:
		return from + "-" + to
	}
}

// dashCSV reads everything before the first byte leaves, so that a
// programme not found is a page, not a cut download.
func dashCSV(q *request, name string, header func() []string, fill func(tx *store.Tx, write func(...sheet.Cell) error) error) error {
	rows, err := q.readRows(fill)
	if err != nil {
		return err
	}
	q.startDownload(sheet.Filename(name), sheet.ContentType)
	w, err := sheet.NewCSV(q.w, sheet.French, header()...)
	if err == nil {
		for _, r := range rows {
			if err = w.Write(r...); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		q.abortDownload(err)
	}
	return nil
}

// xlsxDownload writes a one-sheet workbook; the rows are read first (a
// view's table is small), so an error is still a page, and the header
// after them (its columns may follow the figures).
func (q *request) xlsxDownload(name, sheetName string, header func() []string, fill func(tx *store.Tx, write func(...sheet.Cell) error) error) error {
	rows, err := q.readRows(fill)
	if err != nil {
		return err
	}
	q.startDownload(sheet.Filename(name), sheet.XLSXContentType)
	x, err := sheet.NewXLSX(q.w, sheetName, header()...)
	if err == nil {
		for _, r := range rows {
			if err = x.Write(r...); err != nil {
				x.Abort()
				break
			}
		}
		if err == nil {
			err = x.Close()
		}
	}
	if err != nil {
		q.abortDownload(err)
	}
	return nil
}

// readRows reads a view's rows in one read transaction, before anything is
// sent, so that an error is still a page.
func (q *request) readRows(fill func(tx *store.Tx, write func(...sheet.Cell) error) error) ([][]sheet.Cell, error) {
	var rows [][]sheet.Cell
	err := q.view(func(tx *store.Tx) error {
		return fill(tx, func(c ...sheet.Cell) error { rows = append(rows, c); return nil })
	})
	return rows, err
}

// dashPublishedLine starts the last line of a funder's export.
const dashPublishedLine = "Chiffres arrêtés le "

// dashPublished says when a funder's figures were published: once a month,
// all together (store's funderViews), so that two readings close together
// cannot tell what one young person did. A funder's page always has a
// breakdown, whose total gives the key figures.
func dashPublished(src dashSource) string {
	if src.main.PublishedAt == nil {
		return ""
	}
	return "Les chiffres de cette page sont arrêtés le " + passnum.FormatDateTime(*src.main.PublishedAt) + " et publiés une fois par mois, pour que deux lectures rapprochées ne révèlent pas ce qu'a fait un jeune ; seuls le budget et l'effet des relances sont à jour."
}
