package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"passnum"
)

// The programme statistics are counters kept in stat_counts, written in
// the same transaction as each hand-out, replacement, redemption and
// cancellation, so that a dashboard reads a few hundred rows instead of
// millions. Each event adds to one row per breakdown (the whole programme,
// the département, the commune, the distributor and the age band of the
// young person as they were at hand-out; the place and the service for a
// use), by month. "passnum check" recounts them from the raw rows
// (stat_recount.go).
//
// The metrics:
//   - handed_out: booklets handed out that replace none (one per person);
//     target: those of them handed to the target public; replaced: the
//     replacement booklets. By month of hand-out.
//   - started, completed: booklets (replacing none) with at least one
//     active use, and with all their passes used; first_use: the same
//     started booklets by bucket of the time from hand-out to first use
//     (passnum.FirstUseBuckets). By month of hand-out: a cohort.
//   - used: active redemptions and their amount, by month of redemption.
//   - cohort_used: the same redemptions by month of hand-out of the
//     booklet they used, or, on a replacement, of the booklet it replaces
//     (the first of the chain: booklets.stat_cohort), so that the passes
//     handed out in a period and never used are its booklets' passes less
//     these, whenever they were used.
//
// The reminders' effect has its own breakdown, dimReminders, with the
// programme's rows only (dim_value ""), no quarter nor all-months row, and
// read by nothing else:
//   - first_use_day: started booklets by their wait before first use in
//     whole days (bucket, at most firstUseDayCap), by month of hand-out,
//     so that those used before they slept, whatever the programme's
//     dormant days, are known exactly;
//   - reminded, reminded_started: booklets whose holder got a dormant
//     reminder (booklets.reminded_at), and those of them started since,
//     by month of hand-out, bucket the first reminder's month (202612 for
//     December 2026: remindedMonth), so that those reminded too lately to
//     have answered yet are told apart;
//   - sent: the reminders sent, by month of sending, bucket
//     reminderSentBucket (kind and channel).
//
// Replacement booklets count in none of them, as in started.
const (
	metricHandedOut  = "handed_out"
	metricTarget     = "target"
	metricReplaced   = "replaced"
	metricStarted    = "started"
	metricCompleted  = "completed"
	metricFirstUse   = "first_use"
	metricUsed       = "used"
	metricCohortUsed = "cohort_used"

	metricFirstUseDay     = "first_use_day"
	metricReminded        = "reminded"
	metricRemindedStarted = "reminded_started"
	metricSent            = "sent"
)

// firstUseDayCap is the last bucket of first_use_day: that many days or
// more, beyond the longest dormant days a programme may set.
const firstUseDayCap = passnum.MaxDormantDays + 1

// allMonths is the month of a breakdown cell's counters for every month
// together. Each write adds to the cell's month and to its all-months
// row, so that a breakdown over the whole programme reads one row per
// cell and metric instead of one per month: 1,000 distributors over two
// years are 12,000 rows rather than 300,000. The programme as a whole
// (dimAll) has none: its months are what the monthly table shows.
const allMonths = ""

// A breakdown cell's counters also have a row for each quarter of the
// year, its months together (month "T2025-3" for July to September 2025,
// quarterOf), kept beside its months' by the same writes. A breakdown over
// a period reads the quarters the period holds whole and its other months
// (statMonthKeys): seven months, June to December, are June and two
// quarters, three rows per cell and figure instead of seven. The quarters'
// keys sort after every month's ("T" after the digits). The programme as
// a whole has none, as it has no all-months row.
const quarterPrefix = "T"

// quarterOf is the quarter's key of a month "2025-07": "T2025-3" ("" for
// what is not a month). It runs for every counter row a write adds to.
func quarterOf(month string) string {
	q := quarterNumber(month)
	if q == 0 {
		return ""
	}
	return quarterPrefix + month[:4] + "-" + string(rune('0'+q))
}

// quarterMonths are the three months of month's quarter (none for what
// is not a month).
func quarterMonths(month string) []string {
	q := quarterNumber(month)
	if q == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s-%02d", month[:4], 3*q-2), fmt.Sprintf("%s-%02d", month[:4], 3*q-1), fmt.Sprintf("%s-%02d", month[:4], 3*q)}
}

// quarterNumber is month's quarter, 1 to 4, or 0 for what is not a month
// "2025-07".
func quarterNumber(month string) int {
	if len(month) != 7 || month[4] != '-' || month[5] < '0' || month[5] > '1' || month[6] < '0' || month[6] > '9' {
		return 0
	}
	m := int(month[5]-'0')*10 + int(month[6]-'0')
	if m < 1 || m > 12 {
		return 0
	}
	return (m + 2) / 3
}

// isQuarter tells a quarter's key from a month's.
func isQuarter(month string) bool { return strings.HasPrefix(month, quarterPrefix) }

// Breakdowns: "all" is the programme as a whole (dim_value "").
const (
	dimAll         = "all"
	dimDepartement = "departement"
	dimCommune     = "commune"
	dimDistributor = "distributor"
	dimAgeBand     = "age_band"
	dimPlace       = "place"
	dimService     = "service"
	dimReminders   = "reminders"
)

// rolledUp tells the breakdowns whose cells have quarter and all-months
// rows: all but the programme's own and the reminders'.
func rolledUp(dim string) bool { return dim != dimAll && dim != dimReminders }

// StatBreakdowns are the breakdowns the statistics answer by.
var StatBreakdowns = []string{dimDepartement, dimCommune, dimDistributor, dimPlace, dimService, dimAgeBand}

var (
	bookletDims = []string{dimAll, dimDepartement, dimCommune, dimDistributor, dimAgeBand}
	useDims     = []string{dimAll, dimDepartement, dimCommune, dimDistributor, dimAgeBand, dimPlace, dimService}
)

// statRows is every counter row: the folded counters and the deltas not
// yet folded. Readers sum them (one reading statement sees a fold whole
// or not at all).
const statRows = `(SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_counts
	UNION ALL SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_deltas) sc`

const statUpsert = ` ON CONFLICT (programme_id, dim, dim_value, month, metric, bucket) DO UPDATE
	SET n = stat_counts.n + excluded.n, amount_cents = stat_counts.amount_cents + excluded.amount_cents`

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// usesChanged keeps the booklets and the counters after redemptions (all
// of Paris month month) were written (sign > 0) or cancelled.
func (tx *Tx) usesChanged(ctx context.Context, redemptionIDs []string, month string, sign int) error {
	if len(redemptionIDs) == 0 {
		return nil
	}
	if sign > 0 {
		return tx.usesAdded(ctx, redemptionIDs, month)
	}
	return tx.usesCancelled(ctx, redemptionIDs, month)
}

// usesCancelled keeps the booklets and the counters after redemptions
// were cancelled: the uses taken off, each booklet's used passes and first
// use recounted from its active redemptions, and, for the booklets whose
// state (started, completed, first-use bucket) changes with them, the
// counters moved from the old state to the new; summed in Go and written
// in one statement (statSums). On PostgreSQL the booklets are found and
// locked first, in id order, so that two transactions using the same
// booklet change its counters one after the other (a new statement sees
// what a transaction it waited for wrote); on SQLite, the only writer,
// they are read at once.
func (tx *Tx) usesCancelled(ctx context.Context, redemptionIDs []string, month string) error {
	which := `id IN (SELECT ps.booklet_id FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE r.id IN (` + placeholders(len(redemptionIDs)) + `))`
	args := anys(redemptionIDs)
	if tx.s.dialect == postgresDialect {
		ids, err := tx.usedBooklets(ctx, redemptionIDs)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `SELECT id FROM booklets WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id FOR UPDATE`, anys(ids)...); err != nil {
			return err
		}
		which, args = `id IN (`+placeholders(len(ids))+`)`, anys(ids)
	}
	sums := statSums{}
	rows, err := tx.query(ctx, `SELECT `+statCellColumns("b")+`, r.place_id, r.service, r.amount_cents
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id JOIN booklets b ON b.id = ps.booklet_id
		WHERE r.id IN (`+placeholders(len(redemptionIDs))+`)`, anys(redemptionIDs)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c statCells
		var place, service string
		var amount int64
		if err := rows.Scan(append(c.dest(), &place, &service, &amount)...); err != nil {
			rows.Close()
			return err
		}
		c.addUse(sums, month, place, service, -1, -amount)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ids, err := tx.bookletStateChanges(ctx, which, args, sums)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET
		used_passes = `+bookletUsedSQL+`,
		first_used_at = `+bookletFirstUseSQL+`
		WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...); err != nil {
		return err
	}
	return sums.write(ctx, tx)
}

// usesAdded keeps the booklets and the counters after new redemptions (of
// Paris month month): each booklet's used passes grow by its new
// redemptions and its first use is the earliest of its own and theirs, so
// nothing is counted again. One statement reads the redemptions with their
// booklets (on PostgreSQL locking the booklets in id order, and reading
// each row as its last committer left it), one writes the booklets, and
// one adds to the counters what the uses and the booklets' changes of
// state (started, completed, first-use bucket) add, summed in Go
// (statSums).
func (tx *Tx) usesAdded(ctx context.Context, redemptionIDs []string, month string) error {
	lock := ""
	if tx.s.dialect == postgresDialect {
		lock = " FOR UPDATE OF b"
	}
	rows, err := tx.query(ctx, `SELECT b.id, b.handed_out_at, b.used_passes, b.first_used_at, p.booklet_size - b.voided_passes, b.reminded_at,
			`+statCellColumns("b")+`, r.redeemed_at, r.place_id, r.service, r.amount_cents
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id JOIN booklets b ON b.id = ps.booklet_id JOIN programmes p ON p.id = b.programme_id
		WHERE r.id IN (`+placeholders(len(redemptionIDs))+`) ORDER BY b.id`+lock, anys(redemptionIDs)...)
	if err != nil {
		return err
	}
	type change struct {
		id                  string
		handedOut, oldFirst sql.NullInt64
		oldUsed, used, full int64
		first               int64
		reminded            sql.NullInt64
		cells               statCells
	}
	sums := statSums{}
	var bs []*change
	for rows.Next() {
		var c change
		var at, amount int64
		var place, service string
		dest := append([]any{&c.id, &c.handedOut, &c.oldUsed, &c.oldFirst, &c.full, &c.reminded}, c.cells.dest()...)
		if err := rows.Scan(append(dest, &at, &place, &service, &amount)...); err != nil {
			rows.Close()
			return err
		}
		c.cells.addUse(sums, month, place, service, 1, amount)
		if n := len(bs); n > 0 && bs[n-1].id == c.id {
			bs[n-1].used++
			bs[n-1].first = min(bs[n-1].first, at)
			continue
		}
		c.used, c.first = c.oldUsed+1, at
		if c.oldFirst.Valid {
			c.first = min(c.first, c.oldFirst.Int64)
		}
		bs = append(bs, &c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bs) == 0 {
		return nil
	}
	var ids []string
	var usedCase, firstCase strings.Builder
	var usedArgs, firstArgs []any
	for _, c := range bs {
		ids = append(ids, c.id)
		c.cells.moved(sums, bookletCounterState(c.handedOut, c.oldUsed, c.oldFirst, c.full, c.reminded),
			bookletCounterState(c.handedOut, c.used, sql.NullInt64{Int64: c.first, Valid: true}, c.full, c.reminded))
		usedCase.WriteString(" WHEN ? THEN CAST(? AS INTEGER)")
		usedArgs = append(usedArgs, c.id, c.used)
		firstCase.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		firstArgs = append(firstArgs, c.id, c.first)
	}
	args := append(append(usedArgs, firstArgs...), anys(ids)...)
	if _, err := tx.exec(ctx, `UPDATE booklets SET used_passes = CASE id`+usedCase.String()+` END, first_used_at = CASE id`+firstCase.String()+` END
		WHERE id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
		return err
	}
	return sums.write(ctx, tx)
}

// A booklet's used passes and first use, from its active redemptions:
// its passes by index, then each pass's active redemption by index. The
// scalar subquery per pass is on purpose: as a join, PostgreSQL with stale
// statistics (no autovacuum, a redemptions table analyzed while empty)
// chose to walk every active redemption for each booklet, and each use
// cost a scan of them all.
const (
	bookletUsedSQL = `(SELECT COUNT((SELECT 1 FROM redemptions r WHERE r.pass_id = ps.id AND r.status = 'active'))
		FROM passes ps WHERE ps.booklet_id = booklets.id)`
	bookletFirstUseSQL = `(SELECT MIN((SELECT r.redeemed_at FROM redemptions r WHERE r.pass_id = ps.id AND r.status = 'active'))
		FROM passes ps WHERE ps.booklet_id = booklets.id)`
)

// usedBooklets are the booklets of redemptions, in id order.
func (tx *Tx) usedBooklets(ctx context.Context, redemptionIDs []string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT ps.booklet_id FROM redemptions r JOIN passes ps ON ps.id = r.pass_id
		WHERE r.id IN (`+placeholders(len(redemptionIDs))+`)`, anys(redemptionIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, rows.Err()
}

// bookletStateChanges reads the booklets which selects (a condition on
// booklets.id, with its args) and adds to sums, for those whose state as
// the counters see it (started, completed, first-use bucket) differs
// between their stored used passes and first use and what their
// redemptions now say, the change. It returns every booklet read.
func (tx *Tx) bookletStateChanges(ctx context.Context, which string, args []any, sums statSums) (ids []string, err error) {
	rows, err := tx.query(ctx, `SELECT id, handed_out_at, used_passes, first_used_at, `+bookletUsedSQL+`, `+bookletFirstUseSQL+`,
		(SELECT p.booklet_size FROM programmes p WHERE p.id = booklets.programme_id) - voided_passes, reminded_at, `+statCellColumns("booklets")+`
		FROM booklets WHERE `+which+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var handedOut, oldFirst, newFirst sql.NullInt64
		var oldUsed, newUsed, full int64
		var reminded sql.NullInt64
		var c statCells
		if err := rows.Scan(append([]any{&id, &handedOut, &oldUsed, &oldFirst, &newUsed, &newFirst, &full, &reminded}, c.dest()...)...); err != nil {
			return nil, err
		}
		ids = append(ids, id)
		c.moved(sums, bookletCounterState(handedOut, oldUsed, oldFirst, full, reminded), bookletCounterState(handedOut, newUsed, newFirst, full, reminded))
	}
	return ids, rows.Err()
}

// counterState is what the started, completed and first-use counters see
// of a booklet (bookletMetricCond, firstUseBucketSQL).
type counterState struct {
	started, completed bool
	remindedMonth      int // its first dormant reminder's month (remindedMonth), 0 for none
	days               int // from hand-out to first use, whole days
}

func bookletCounterState(handedOut sql.NullInt64, used int64, first sql.NullInt64, full int64, reminded sql.NullInt64) counterState {
	rm := 0
	if reminded.Valid {
		rm = remindedMonth(fromMicros(reminded.Int64))
	}
	if used <= 0 {
		return counterState{remindedMonth: rm}
	}
	st := counterState{started: true, completed: used >= full, remindedMonth: rm}
	if first.Valid && handedOut.Valid {
		st.days = int((first.Int64 - handedOut.Int64) / 86400000000)
	}
	return st
}

// remindedMonth is the Paris month of t as a number, 202612 for December
// 2026: the bucket of the reminded counters.
func remindedMonth(t time.Time) int {
	p := t.In(passnum.Paris)
	return p.Year()*100 + int(p.Month())
}

// statHandOut records on a booklet just handed out who it went to, as the
// statistics count them (frozen at hand-out: a later correction of the
// record changes no counter), and counts it. A replacement (replaces, the
// booklet it replaces) counts where that booklet did, for the same young
// person, and its passes' uses in that booklet's cohort (stat_cohort).
func (tx *Tx) statHandOut(ctx context.Context, bookletID, beneficiaryID, replaces string) error {
	var dims statDims
	var cohort string
	if replaces == "" {
		var commune string
		var birth passnum.Date // an unreadable stored day fails the scan, naming it
		var b passnum.Beneficiary
		err := tx.queryRow(ctx, `SELECT birth_date, commune_insee, job_seeker, in_studies FROM beneficiaries WHERE id = ?`, beneficiaryID).
			Scan(&birth, &commune, &b.JobSeeker, &b.InStudies)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("bénéficiaire")
		}
		if err != nil {
			return err
		}
		dims = bookletStatDims(birth, commune, &b, tx.Today(), passnum.ParisMonth(tx.now))
	} else {
		var first string
		if err := tx.queryRow(ctx, `SELECT stat_departement, stat_commune, stat_age_band, stat_target, stat_month, stat_cohort FROM booklets WHERE id = ?`, replaces).
			Scan(&dims.departement, &dims.commune, &dims.ageBand, &dims.target, &first, &cohort); err != nil {
			return err
		}
		dims.month, cohort = passnum.ParisMonth(tx.now), cmp.Or(cohort, first)
	}
	repl := 0
	if replaces != "" {
		repl = 1
	}
	c := statCells{month: dims.month, cohort: cohort, replacement: replaces != "", values: [5]string{"", dims.departement, dims.commune, "", dims.ageBand}}
	if err := tx.queryRow(ctx, `UPDATE booklets SET stat_departement = ?, stat_commune = ?, stat_age_band = ?, stat_target = ?, stat_month = ?, stat_cohort = ?, stat_replacement = ?
		WHERE id = ? RETURNING programme_id, distributor_id`, dims.departement, dims.commune, dims.ageBand, dims.target, dims.month, cohort, repl, bookletID).
		Scan(&c.programme, &c.values[3]); err != nil {
		return err
	}
	sums := statSums{}
	c.addHandOut(sums, dims.target == 1)
	return sums.write(ctx, tx)
}

// statDims is who a booklet went to, as the statistics count them.
type statDims struct {
	departement, commune, ageBand, month string
	target                               int
}

func bookletStatDims(born passnum.Date, commune string, b *passnum.Beneficiary, handedOut passnum.Date, month string) statDims {
	d := statDims{departement: passnum.DepartementOf(commune), commune: commune, month: month, ageBand: passnum.AgeBandOf(born, handedOut)}
	if passnum.InTargetPublic(b) {
		d.target = 1
	}
	return d
}

// execStat runs one of the counters' statements. On SQLite's writer they
// are prepared once and kept, however long: parsing them again for every
// hand-out and redemption cost more than running them.
func (tx *Tx) execStat(ctx context.Context, q string, args ...any) error {
	if c := tx.stmts; c != nil && c.conn != nil {
		st, ok := c.m[q]
		if !ok {
			var err error
			if st, err = c.conn.PrepareContext(ctx, q); err != nil {
				return err
			}
			c.m[q] = st
		}
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	_, err := tx.exec(ctx, q, args...)
	return err
}
