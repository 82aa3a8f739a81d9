package store

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/territory"
)

// StatsQuery asks for a programme's statistics over a period of months
// (From and To are "2026-03", inclusive; empty for open ends), broken
// down by one of StatBreakdowns (or none).
type StatsQuery struct {
	ProgrammeID string
	From, To    string
	By          string
	// Secret applies statistical secrecy (what a funder sees). A
	// breakdown with secrecy is the month's publication (publishedView)
	// unless Live is set: computed now, for a benchmark.
	Secret bool
	Live   bool
	// published is the programme's own counters (dim all) and stock as
	// the month's publication holds them, read instead of the tables'
	// when set (publishedProgrammeStats).
	published *programmePublication
	// hidden names, as ProgrammeStats.Masked does, cells and figures to
	// hide before the table's own secrecy, which then counts them as
	// hidden: what the year's other tables call for (yearTables).
	hidden map[string]bool
}

// StatFigures are the figures of a programme, or of one cell of a
// breakdown. A figure is nil (null in the API) when it does not apply to
// the breakdown (a place hands out nothing) or when statistical secrecy
// masks the cell (the passes issued and allocated excepted: they are
// stock, and count nobody).
type StatFigures struct {
	// PassesIssued and PassesAllocated apply to the whole programme (and
	// allocated to each distributor).
	PassesIssued    *int64
	PassesAllocated *int64
	// BookletsHandedOut are booklets handed out in the period that replace
	// none (one per young person), PassesHandedOut their passes;
	// BookletsReplaced the replacements of lost booklets.
	BookletsHandedOut *int64
	PassesHandedOut   *int64
	BookletsReplaced  *int64
	// TargetPublic are those booklets handed to the target public, and
	// TargetShare their share (0 to 1).
	TargetPublic *int64
	TargetShare  *float64
	// BookletsStarted and BookletsCompleted: of the booklets handed out in
	// the period, those with at least one pass used, and with all.
	BookletsStarted   *int64
	BookletsCompleted *int64
	// PassesUsed and AmountUsedCents: active redemptions in the period.
	PassesUsed      *int64
	AmountUsedCents *int64
	// UseRate is the share of the booklets handed out in the period with
	// at least one pass used (started / handed out).
	UseRate *float64
	// PassesExpired: once the programme's last redeeming day is past, the
	// passes of the booklets handed out in the period never used (a
	// replacement's uses count as its lost booklet's).
	PassesExpired *int64
	// FirstUseMedianDays is the median wait from hand-out to first use of
	// the booklets started (the lower bound of its bucket, in days), and
	// FirstUse its distribution.
	FirstUseMedianDays *int64
	FirstUse           []FirstUseBucket
}

// FirstUseBucket is one bucket of the wait from hand-out to first use.
type FirstUseBucket struct {
	FromDays int
	Label    string
	// Booklets is nil where statistical secrecy hides it.
	Booklets *int64
}

// StatCell is one cell of a breakdown: its key (a département's code, a
// distributor's id, a service's name…), its name in French and its
// figures.
type StatCell struct {
	Key   string
	Label string
	StatFigures
}

// StatMonth is one month's uses.
type StatMonth struct {
	Month           string
	PassesUsed      *int64
	AmountUsedCents *int64
}

// FunderBudget is one funder's share of the money.
type FunderBudget struct {
	OrganisationID string
	Name           string
	ShareBps       int64
	// BudgetCents is its share of the programme's budget (nil when none
	// is set); EngagedCents of the face value handed out; SettledCents of
	// the settlements made; PaidCents of those paid; LeftCents what is
	// left of its budget once engaged.
	BudgetCents  *int64
	EngagedCents int64
	SettledCents int64
	PaidCents    int64
	LeftCents    *int64
}

// ProgrammeStats is a programme's dashboard.
type ProgrammeStats struct {
	ProgrammeID    string
	ProgrammeName  string
	From           string
	To             string
	By             string
	FaceValueCents int64
	BookletSize    int
	// Ended: the last redeeming day is past, passes left are expired.
	Ended  bool
	Total  StatFigures
	Cells  []StatCell
	Months []StatMonth
	Budget []FunderBudget
	// Masked names the cells statistical secrecy hides ("total", "month
	// 2026-03", or a breakdown's key) and the figures it hides one by one
	// in the cells it shows (FigureMasked: "25:booklets_started").
	Masked []string
	// PublishedAt is when the figures were computed, for a funder's
	// breakdown read from its month's publication (zero when live). The
	// budget is read live whatever it says.
	PublishedAt *time.Time
	// masked is Masked as a set, for Hides: a breakdown by commune may
	// mask tens of thousands of figures. small are those of Masked hidden
	// for counting 1 to 4 young people themselves, not to keep another
	// from being given back (Small).
	masked, small map[string]bool
}

// statAcc gathers one cell's counters.
type statAcc struct {
	handed, target, replaced, started, completed, used, amount, allocated int64
	// cohortUsed: the passes of the booklets handed out in the period
	// used, whenever (cohort_used).
	cohortUsed           int64
	firstUse             map[int]int64
	hasBooklets, hasUses bool
}

// ProgrammeStats reads a programme's statistics from the counters; a
// funder's from its month's publication: a breakdown as published, the
// programme's own figures over any period from its counters as published.
func (tx *Tx) ProgrammeStats(ctx context.Context, q StatsQuery) (ProgrammeStats, error) {
	switch {
	case !q.Secret || q.Live:
		return tx.programmeStats(ctx, q, true)
	case q.By == "":
		return tx.publishedProgrammeStats(ctx, q)
	}
	return tx.publishedStats(ctx, q)
}

// programmeStats computes a programme's statistics from the counters, with
// the budget when budget is set.
func (tx *Tx) programmeStats(ctx context.Context, q StatsQuery, budget bool) (ProgrammeStats, error) {
	p, err := tx.programmeSettings(ctx, q.ProgrammeID)
	if err != nil {
		return ProgrammeStats{}, err
	}
	if err := q.checkSecretPeriod(p, tx.Today()); err != nil {
		return ProgrammeStats{}, err
	}
	out := ProgrammeStats{ProgrammeID: p.ID, ProgrammeName: p.Name, From: q.From, To: q.To, By: q.By, FaceValueCents: p.FaceValueCents,
		BookletSize: p.BookletSize, Ended: tx.Today().After(p.LastRedeemDay()), Cells: []StatCell{}, Months: []StatMonth{}, Budget: []FunderBudget{}, Masked: []string{}}
	total, cells, months, series, err := tx.readStatCounts(ctx, p.ID, q)
	if err != nil {
		return out, err
	}
	// Issued and allocated are whole-programme stock figures.
	size := int64(p.BookletSize)
	issued, allocated := p.Stock.IssuedBooklets, int64(0)
	if q.published != nil {
		issued, allocated = q.published.IssuedBooklets, q.published.AllocatedBooklets
	} else if allocated, err = tx.allocatedBooklets(ctx, p.ID); err != nil {
		return out, err
	}
	issued *= size
	total.allocated = allocated * size
	if q.By == dimDistributor {
		if err := tx.distributorAllocations(ctx, p.ID, size, cells); err != nil {
			return out, err
		}
	}
	maxPerPerson := maxPassesPerPerson(p)
	out.Total = total.figures(size, out.Ended, true, true)
	out.Total.PassesIssued = &issued

	keys := make([]string, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if q.By == dimAgeBand {
		// Youngest first, not in the order of the bands' codes.
		slices.SortStableFunc(keys, func(a, b string) int {
			return cmp.Compare(ageBandRank(a), ageBandRank(b))
		})
	}
	labels, err := tx.statLabels(ctx, q.By, keys)
	if err != nil {
		return out, err
	}
	bookletDim := slices.Contains(bookletDims, q.By)
	useDim := slices.Contains(useDims, q.By)
	secret := make([]passnum.SecretCell, len(keys))
	for i, k := range keys {
		acc := cells[k]
		c := StatCell{Key: k, Label: labels[k], StatFigures: acc.figures(size, out.Ended, bookletDim, useDim)}
		out.Cells = append(out.Cells, c)
		secret[i] = passnum.SecretCell{Name: k, People: acc.people(bookletDim, maxPerPerson)}
		if !bookletDim {
			secret[i] = passnum.PassesCell(k, acc.used, maxPerPerson)
		}
	}
	for m := range months {
		out.Months = append(out.Months, StatMonth{Month: m, PassesUsed: ptr(months[m][0]), AmountUsedCents: ptr(months[m][1])})
	}
	slices.SortFunc(out.Months, func(a, b StatMonth) int { return strings.Compare(a.Month, b.Month) })
	if q.Secret {
		if !out.Ended {
			// The passes expired show once the programme has ended: until
			// then their cohorts' uses hide nothing.
			delete(series, statCodeCohortUsed)
		}
		figs, usedMonths := series.periodSecrets(q.From, q.To, maxPerPerson)
		out.applySecrecy(secret, total.people(true, maxPerPerson), maxPerPerson, figs, usedMonths, q.hidden)
	}
	if !budget {
		return out, nil
	}
	if q.From != "" || q.To != "" {
		out.Budget, err = tx.statBudget(ctx, p)
		return out, err
	}
	out.Budget, err = tx.funderBudgets(ctx, p, total.handed*size*p.FaceValueCents)
	return out, err
}

// statBudget is the programme's budget to date, whatever the period: what
// is settled and paid has no period, and engaged beside them must not
// either.
func (tx *Tx) statBudget(ctx context.Context, p passnum.Programme) ([]FunderBudget, error) {
	var handed int64
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM `+statRows+` WHERE programme_id = ? AND dim = 'all' AND dim_value = '' AND metric = '`+metricHandedOut+`'`,
		p.ID).Scan(&handed); err != nil {
		return nil, err
	}
	return tx.funderBudgets(ctx, p, handed*int64(p.BookletSize)*p.FaceValueCents)
}

// allocatedBooklets are the booklets the programme's distributors were
// given, less those moved back.
func (tx *Tx) allocatedBooklets(ctx context.Context, programmeID string) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(allocated_booklets), 0) AS BIGINT) FROM distributor_stock WHERE programme_id = ?`, programmeID).Scan(&n)
	return n, err
}

// statMonths sums each month's uses: passes and amount.
type statMonths map[string][2]int64

// statSeries are the programme's counters month by month, by figure and
// bucket (statCodeSQL): what a funder's period is checked against.
type statSeries map[int64]map[string]int64

// seriesFigure names the figure of a programme's total a counter
// belongs to, as ProgrammeStats.Masked names it, and a bucket of the
// first-use wait as firstUseBucket does.
func seriesFigure(code int64) string {
	switch code {
	case statCodeHandedOut:
		return FigHandedOut
	case statCodeTarget:
		return "target_public"
	case statCodeReplaced:
		return "booklets_replaced"
	case statCodeStarted:
		return "booklets_started"
	case statCodeCompleted:
		return "booklets_completed"
	case statCodeUsed, statCodeCohortUsed:
		// The passes expired, the booklets' passes less their cohort's
		// uses, go with the passes used (figureSecrets).
		return "passes_used"
	}
	return firstUseBucket(int(code - statCodeFirstUse))
}

// firstUseBucket names a bucket of the first-use wait (its first day) in
// the figures a funder's period hides: "first_use:30".
func firstUseBucket(lo int) string { return FigFirstUse + ":" + strconv.Itoa(lo) }

// FigHandedOut and FigFirstUse name the booklets handed out and the
// first-use wait in ProgrammeStats.Masked ("total:booklets_handed_out"),
// for a figure hidden on its own: the booklets handed out of a funder's
// period that holds part of their hidden months, a first-use wait with
// buckets hidden.
const (
	FigHandedOut = "booklets_handed_out"
	FigFirstUse  = "first_use"
)

// periodSecrets are the figures of the programme's total a funder's
// period from..to must hide, so that no period taken from another gives
// back a month statistical secrecy hides: each figure's months are
// masked as one series (passnum.MaskSeries: of 1 to 4 people, in groups
// with their neighbours, within a calendar year where they can), and a
// period holding part of a group hides the figure (passnum.PeriodHides).
// usedMonths are the months the table of uses hides, the same whatever
// the period.
func (s statSeries) periodSecrets(from, to string, maxPerPerson int64) (figs, usedMonths map[string]bool) {
	figs, usedMonths = map[string]bool{}, map[string]bool{}
	for code, byMonth := range s {
		// Every month from the first to the last, those without a
		// counter row too: the nearest neighbour of a hidden month is
		// counted in months, as the consumption page's table, which has
		// them all, counts it.
		keys := slices.Sorted(maps.Keys(byMonth))
		var months []string
		for m := keys[0]; m <= keys[len(keys)-1]; m = nextMonth(m) {
			months = append(months, m)
		}
		cells := make([]passnum.SecretCell, len(months))
		for i, m := range months {
			n := byMonth[m]
			if code == statCodeUsed || code == statCodeCohortUsed {
				n = ceilDiv(n, maxPerPerson)
			}
			cells[i] = passnum.SecretCell{Name: m, People: n}
		}
		group, total := passnum.MaskSeries(cells)
		if passnum.PeriodHides(months, group, total, from, to) {
			figs[seriesFigure(code)] = true
		}
		if code == statCodeUsed {
			for i, g := range group {
				if g >= 0 {
					usedMonths[months[i]] = true
				}
			}
		}
	}
	return figs, usedMonths
}

// checkSecretPeriod refuses a funder's breakdown over anything but one
// calendar year. Each cell is masked within its table; two tables of the
// same cells over overlapping periods (a year and the whole programme, a
// year and its first months) would give back by subtraction what one of
// them hides, and so would two breakdowns over different cuts of time
// where a cell of one is cells of the other (a distributor serving one
// département, over the whole programme, against that département's
// years). The breakdowns a funder sees, on the dashboard, in the API and
// in the yearly report, are therefore one calendar year each, and years
// never overlap. The programme's own figures take any period
// (periodSecrets).
func (q StatsQuery) checkSecretPeriod(p passnum.Programme, today passnum.Date) error {
	if !q.Secret || q.By == "" {
		return nil
	}
	// The year to suggest: the programme's nearest to the period asked
	// for (its first before them, its last after), or with no period the
	// one the dashboard opens on.
	first, last := p.FunderYears(today)
	y := p.DefaultReportYear(today)
	if m := cmp.Or(q.To, q.From); len(m) >= 4 {
		if asked, err := strconv.Atoi(m[:4]); err == nil {
			y = p.NearestFunderYear(asked, today)
		}
	}
	ys := strconv.Itoa(y)
	if !CalendarYear(q.From, q.To) {
		return passnum.Invalid(passnum.FieldError{Field: "from", Detail: "pour un financeur, un détail (by) porte sur une année civile entière : " +
			"deux périodes qui se recouvrent redonneraient par soustraction ce que le secret statistique cache. Demandez from=" + ys + "-01&to=" + ys + "-12"})
	}
	// Only the years the programme has begun are published
	// (funderViews); a year to come has nothing yet.
	if asked, _ := strconv.Atoi(q.From[:4]); asked < first || asked > last {
		return passnum.Invalid(passnum.FieldError{Field: "from", Detail: "les chiffres du programme sont publiés pour les années commencées (" +
			passnum.YearSpan(first, last) + ") : demandez from=" + ys + "-01&to=" + ys + "-12"})
	}
	return nil
}

// CalendarYear says whether the months from..to are one calendar year,
// January to December.
func CalendarYear(from, to string) bool {
	return len(from) == 7 && strings.HasSuffix(from, "-01") && to == from[:4]+"-12"
}

// readStatCounts reads the counters of the query's breakdown and period:
// the whole programme's, each cell's, and each month's uses. The
// programme's own counters are read for every month (a few hundred rows)
// and kept when in the period. A cell is read from its all-months rows
// when the period covers every month the programme has counters for (no
// period, or a wider one); otherwise from its months' in the period.
func (tx *Tx) readStatCounts(ctx context.Context, programmeID string, q StatsQuery) (*statAcc, map[string]*statAcc, statMonths, statSeries, error) {
	total := &statAcc{firstUse: map[int]int64{}}
	months, series := statMonths{}, statSeries{}
	in := func(month string) bool { return (q.From == "" || month >= q.From) && (q.To == "" || month <= q.To) }
	whole := true
	present := map[string]bool{}
	row := func(_, month string, code, n, amount int64) {
		present[month] = true
		if q.Secret && code != 0 {
			byMonth := series[code]
			if byMonth == nil {
				byMonth = map[string]int64{}
				series[code] = byMonth
			}
			byMonth[month] += n
		}
		if !in(month) {
			whole = false
			return
		}
		if code == statCodeUsed {
			m := months[month]
			months[month] = [2]int64{m[0] + n, m[1] + amount}
		}
		total.add(code, n, amount)
	}
	var err error
	if q.published != nil {
		for _, r := range q.published.Rows {
			row("", r.Month, r.Code, r.N, r.Amount)
		}
		if !q.published.Cohorts {
			total.cohortUsed = total.used
		}
	} else {
		err = tx.eachStatCount(ctx, `programme_id = ? AND dim = '`+dimAll+`'`, []any{programmeID}, true, row)
	}
	if err != nil || q.By == "" {
		return total, map[string]*statAcc{}, months, series, err
	}
	// Both are one dimension read by month: ranges of SQLite's key, or of
	// the index stat_counts_month on PostgreSQL (migration 00016).
	keys := []string{allMonths}
	if !whole {
		keys = statMonthKeys(present, in)
	}
	cells := map[string]*statAcc{}
	if len(keys) == 0 {
		return total, cells, months, series, nil
	}
	where := `programme_id = ? AND dim = ? AND month IN (` + placeholders(len(keys)) + `)`
	args := append([]any{programmeID, q.By}, anys(keys)...)
	err = tx.eachStatCount(ctx, where, args, false, func(value, _ string, code, n, amount int64) {
		acc := cells[value]
		if acc == nil {
			acc = &statAcc{firstUse: map[int]int64{}}
			cells[value] = acc
		}
		acc.add(code, n, amount)
	})
	return total, cells, months, series, err
}

// statMonthKeys are the counter rows a breakdown over a period reads, of
// the months that have counters (present): the quarter of each month in
// the period when the period holds its three months, the month itself
// otherwise (see quarterOf).
func statMonthKeys(present map[string]bool, in func(month string) bool) []string {
	var keys []string
	seen := map[string]bool{}
	for month := range present {
		if month == allMonths || !in(month) {
			continue
		}
		key := month
		if q := quarterOf(month); q != "" && !slices.ContainsFunc(quarterMonths(month), func(m string) bool { return !in(m) }) {
			key = q
		}
		if !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// A counter row's figure and bucket, read as one number (statCodeSQL):
// each column a row brings back costs the SQLite driver a few calls, each
// under the connection's mutex, and a string a copy; a breakdown over a
// period reads a row per cell, month or quarter, figure and bucket (115,000 for 1,000
// distributors over seven months), so the figure comes back as a number
// and the month only where it is used. BENCHMARKS.md, "A period's
// breakdown read from quarters".
const (
	statCodeHandedOut = iota + 1
	statCodeTarget
	statCodeReplaced
	statCodeStarted
	statCodeCompleted
	statCodeUsed
	statCodeCohortUsed
	statCodeFirstUse = 1000 // plus the bucket
)

var statCodeSQL = `CASE metric WHEN '` + metricHandedOut + `' THEN ` + strconv.Itoa(statCodeHandedOut) +
	` WHEN '` + metricTarget + `' THEN ` + strconv.Itoa(statCodeTarget) +
	` WHEN '` + metricReplaced + `' THEN ` + strconv.Itoa(statCodeReplaced) +
	` WHEN '` + metricStarted + `' THEN ` + strconv.Itoa(statCodeStarted) +
	` WHEN '` + metricCompleted + `' THEN ` + strconv.Itoa(statCodeCompleted) +
	` WHEN '` + metricUsed + `' THEN ` + strconv.Itoa(statCodeUsed) +
	` WHEN '` + metricCohortUsed + `' THEN ` + strconv.Itoa(statCodeCohortUsed) +
	` WHEN '` + metricFirstUse + `' THEN ` + strconv.Itoa(statCodeFirstUse) + ` + bucket ELSE 0 END`

// eachStatCount calls f with each counter row (folded or not) where says:
// its cell, its month when withMonth ("" otherwise), its figure and bucket
// as one code (statCodeSQL), its count and amount.
// (Summing a period's months by cell in SQL instead was no faster on
// SQLite: the engine's grouping cost what the driver's rows saved.)
func (tx *Tx) eachStatCount(ctx context.Context, where string, args []any, withMonth bool, f func(value, month string, code, n, amount int64)) error {
	month := `''`
	if withMonth {
		month = `month`
	}
	rows, err := tx.query(ctx, `SELECT dim_value, `+month+`, `+statCodeSQL+`, n, amount_cents FROM `+statRows+` WHERE `+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var value, month string
		var code, n, amount int64
		if err := rows.Scan(&value, &month, &code, &n, &amount); err != nil {
			return err
		}
		f(value, month, code, n, amount)
	}
	return rows.Err()
}

// applySecrecy masks what a funder may not see: each cell of fewer than
// SecrecyThreshold people and a second one where the total would give it
// away, the total itself when it counts too few, then the figures of the
// cells shown one by one (applyFigureSecrecy), and the months alike.
// periodHidden are the total's figures the period must hide
// (periodSecrets): a line whose total is hidden so hides one of its cells
// too, or the cells would add up to it. usedMonths are the months of uses
// hidden. hidden are cells and figures hidden beforehand (as Masked names
// them; the total's count as the period's): they go, and count as hidden
// where a second is called for.
func (out *ProgrammeStats) applySecrecy(cells []passnum.SecretCell, totalPeople, maxPerPerson int64, periodHidden, usedMonths, hidden map[string]bool) {
	out.small = map[string]bool{}
	already := make([]bool, len(cells))
	for i, c := range cells {
		already[i] = hidden[c.Name]
	}
	if len(hidden) > 0 {
		periodHidden = maps.Clone(periodHidden)
		if periodHidden == nil {
			periodHidden = map[string]bool{}
		}
		for name := range hidden {
			if fig, ok := strings.CutPrefix(name, "total:"); ok {
				periodHidden[fig] = true
			}
		}
	}
	// The cells' figures as they are, for the columns' bounds
	// (applyFigureSecrecy): a line masked whole keeps its marks.
	raw := make([]StatFigures, len(out.Cells))
	for i := range out.Cells {
		raw[i] = out.Cells[i].StatFigures
	}
	masked, maskTotal := passnum.MaskColumn(cells, already)
	totalMasked := maskTotal || (totalPeople > 0 && totalPeople < passnum.SecrecyThreshold)
	if !totalMasked && periodHidden[FigHandedOut] {
		// The young people counted: the whole line of a cell goes.
		passnum.HideOneMore(cells, masked)
	}
	for i := range masked {
		if masked[i] {
			out.smallFigures(out.Cells[i].Key, &out.Cells[i].StatFigures, maxPerPerson)
			out.Cells[i].StatFigures = maskedFigures(out.Cells[i].StatFigures)
			out.Masked = append(out.Masked, out.Cells[i].Key)
			if cells[i].People > 0 && cells[i].People < passnum.SecrecyThreshold {
				out.small[out.Cells[i].Key] = true
			}
		}
	}
	if totalMasked {
		out.smallFigures("total", &out.Total, maxPerPerson)
		out.Total = maskedFigures(out.Total)
		out.Masked = append(out.Masked, "total")
		out.small["total"] = totalPeople > 0 && totalPeople < passnum.SecrecyThreshold
	} else if periodHidden[FigHandedOut] {
		// The booklets handed out, and what gives them back beside the
		// figures shown: their passes, the shares of them, the passes
		// not used.
		f := &out.Total
		f.BookletsHandedOut, f.PassesHandedOut, f.TargetShare, f.UseRate, f.PassesExpired = nil, nil, nil, nil, nil
		out.Masked = append(out.Masked, FigureMasked("total", FigHandedOut))
	}
	out.applyFigureSecrecy(raw, masked, totalMasked, maxPerPerson, periodHidden, hidden)
	out.applyFirstUseSecrecy(func(cell string, lo int) bool {
		if cell == "total" {
			return periodHidden[firstUseBucket(lo)]
		}
		return hidden[FigureMasked(cell, firstUseBucket(lo))]
	})
	for i, m := range out.Months {
		if usedMonths[m.Month] {
			out.Months[i].PassesUsed, out.Months[i].AmountUsedCents = nil, nil
			out.Masked = append(out.Masked, "month "+m.Month)
		}
	}
	out.masked = make(map[string]bool, len(out.Masked))
	for _, m := range out.Masked {
		out.masked[m] = true
	}
}

// ageBandRank is a band's place in passnum.AgeBands, an unknown band last.
func ageBandRank(band string) int {
	if i := slices.Index(passnum.AgeBands, band); i >= 0 {
		return i
	}
	return len(passnum.AgeBands)
}

// maxPassesPerPerson is the most passes one young person can hold in p:
// a count of passes used is at least that many times fewer people.
func maxPassesPerPerson(p passnum.Programme) int64 {
	return int64(p.BookletSize) * int64(p.MaxBookletsPerBeneficiary)
}

// secretMonths says which months ("2026-03", in order), passes used in
// each, a funder may not see: a month counts at least ceilDiv(passes,
// maxPerPerson) people, masked as a series (passnum.MaskSeries), and
// whether their total must go too. The dashboard (periodSecrets) and the
// funder's consumption pages mask the same months.
func secretMonths(months []string, passes []int64, maxPerPerson int64) (hidden []bool, total bool) {
	cells := make([]passnum.SecretCell, len(passes))
	for i, n := range passes {
		cells[i] = passnum.SecretCell{Name: months[i], People: ceilDiv(n, maxPerPerson)}
	}
	group, total := passnum.MaskSeries(cells)
	hidden = make([]bool, len(group))
	for i, g := range group {
		hidden[i] = g >= 0
	}
	return hidden, total
}

func (a *statAcc) add(code, n, amount int64) {
	switch code {
	case statCodeHandedOut:
		a.handed += n
		a.hasBooklets = true
	case statCodeTarget:
		a.target += n
	case statCodeReplaced:
		a.replaced += n
		a.hasBooklets = true
	case statCodeStarted:
		a.started += n
	case statCodeCompleted:
		a.completed += n
	case statCodeUsed:
		a.used += n
		a.amount += amount
		a.hasUses = true
	case statCodeCohortUsed:
		a.cohortUsed += n
	default:
		if code >= statCodeFirstUse {
			a.firstUse[int(code-statCodeFirstUse)] += n
		}
	}
}

// people is how many young people a cell certainly counts: its booklets
// handed out, or, for a place or a service, the fewest people its uses
// can come from.
func (a *statAcc) people(bookletDim bool, maxPerPerson int64) int64 {
	if bookletDim {
		return a.handed
	}
	return ceilDiv(a.used, maxPerPerson)
}

func ceilDiv(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	return (a + b - 1) / b
}

func ptr[T any](v T) *T { return &v }

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}

// figures turns counters into the figures that apply.
func (a *statAcc) figures(size int64, ended, booklets, uses bool) StatFigures {
	var f StatFigures
	if a.allocated > 0 {
		f.PassesAllocated = ptr(a.allocated)
	}
	if booklets {
		f.BookletsHandedOut, f.PassesHandedOut, f.BookletsReplaced = ptr(a.handed), ptr(a.handed*size), ptr(a.replaced)
		f.TargetPublic, f.TargetShare = ptr(a.target), ratio(a.target, a.handed)
		f.BookletsStarted, f.BookletsCompleted = ptr(a.started), ptr(a.completed)
		f.UseRate = ratio(a.started, a.handed)
		f.FirstUse = make([]FirstUseBucket, len(passnum.FirstUseBuckets))
		var n int64
		for i, lo := range passnum.FirstUseBuckets {
			f.FirstUse[i] = FirstUseBucket{FromDays: lo, Label: passnum.FirstUseBucketLabel(lo), Booklets: ptr(a.firstUse[lo])}
			n += a.firstUse[lo]
		}
		var seen int64
		for _, b := range f.FirstUse {
			seen += *b.Booklets
			if n > 0 && 2*seen >= n {
				f.FirstUseMedianDays = ptr(int64(b.FromDays))
				break
			}
		}
	}
	if uses {
		f.PassesUsed, f.AmountUsedCents = ptr(a.used), ptr(a.amount)
	}
	if booklets && uses && ended {
		// The passes of the booklets handed out in the period less those
		// of them used, in the period or after.
		// (A month published before the cohorts were counted gives the
		// passes used in the period: never below nought.)
		f.PassesExpired = ptr(max(0, a.handed*size-a.cohortUsed))
	}
	return f
}

// BreakdownCountsBooklets says whether the cells of breakdown by count
// booklets (handed out, started…): a place's or a service's count uses
// only.
func BreakdownCountsBooklets(by string) bool { return slices.Contains(bookletDims, by) }

// maskedFigures keeps only what counts nobody: the passes issued and
// allocated are stock, the same whoever got them.
func maskedFigures(f StatFigures) StatFigures {
	return StatFigures{PassesIssued: f.PassesIssued, PassesAllocated: f.PassesAllocated}
}

// distributorAllocations adds each distributor's allocated passes.
func (tx *Tx) distributorAllocations(ctx context.Context, programmeID string, size int64, cells map[string]*statAcc) error {
	rows, err := tx.query(ctx, `SELECT distributor_id, allocated_booklets FROM distributor_stock WHERE programme_id = ?`, programmeID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		acc := cells[id]
		if acc == nil {
			acc = &statAcc{firstUse: map[int]int64{}}
			cells[id] = acc
		}
		acc.allocated = n * size
	}
	return rows.Err()
}

// statLabels names the cells of a breakdown in French.
func (tx *Tx) statLabels(ctx context.Context, by string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range keys {
		out[k] = k
		switch by {
		case dimDepartement:
			if d, ok := territory.LookupDepartement(k); ok {
				out[k] = d.Name + " (" + d.Code + ")"
			}
		case dimCommune:
			if c, ok := territory.LookupCommune(k); ok {
				out[k] = c.Name + " (" + c.Code + ")"
			}
		case dimAgeBand:
			out[k] = passnum.AgeBandLabel(k)
		}
		if k == "" {
			out[k] = "non renseigné"
		}
	}
	if (by == dimDistributor || by == dimPlace) && len(keys) > 0 {
		rows, err := tx.query(ctx, `SELECT id, name FROM organisations WHERE id IN (`+placeholders(len(keys))+`)`, anys(keys)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return nil, err
			}
			out[id] = name
		}
		return out, rows.Err()
	}
	return out, nil
}

// funderBudgets splits the money between the programme's funders.
func (tx *Tx) funderBudgets(ctx context.Context, p passnum.Programme, engaged int64) ([]FunderBudget, error) {
	var budget sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT budget_cents FROM programmes WHERE id = ?`, p.ID).Scan(&budget); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT f.organisation_id, o.name, f.share_bps,
			(SELECT CAST(COALESCE(SUM(s.amount_cents), 0) AS BIGINT) FROM settlement_line_shares s JOIN settlements st ON st.id = s.settlement_id
				WHERE st.programme_id = f.programme_id AND s.funder_id = f.organisation_id),
			(SELECT CAST(COALESCE(SUM(s.amount_cents), 0) AS BIGINT) FROM settlement_line_shares s JOIN settlements st ON st.id = s.settlement_id
				WHERE st.programme_id = f.programme_id AND s.funder_id = f.organisation_id AND st.status = 'paid')
		FROM programme_funders f JOIN organisations o ON o.id = f.organisation_id WHERE f.programme_id = ? ORDER BY f.organisation_id`, p.ID)
	if err != nil {
		return nil, err
	}
	var out []FunderBudget
	var shares []int64
	for rows.Next() {
		var f FunderBudget
		if err := rows.Scan(&f.OrganisationID, &f.Name, &f.ShareBps, &f.SettledCents, &f.PaidCents); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
		shares = append(shares, f.ShareBps)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, part := range passnum.Apportion(engaged, shares) {
		out[i].EngagedCents = part
	}
	if budget.Valid {
		for i, part := range passnum.Apportion(budget.Int64, shares) {
			out[i].BudgetCents = ptr(part)
			out[i].LeftCents = ptr(part - out[i].EngagedCents)
		}
	}
	if out == nil {
		out = []FunderBudget{}
	}
	return out, nil
}
