package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

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
const (
	metricHandedOut = "handed_out"
	metricTarget    = "target"
	metricReplaced  = "replaced"
	metricStarted   = "started"
	metricCompleted = "completed"
	metricFirstUse  = "first_use"
	metricUsed      = "used"
)

// allMonths is the month of a breakdown cell's counters for every month
// together. Each write adds to the cell's month and to its all-months
// row, so that a breakdown over the whole programme reads one row per
// cell and metric instead of one per month: 1,000 distributors over two
// years are 12,000 rows rather than 300,000. The programme as a whole
// (dimAll) has none: its months are what the monthly table shows.
const allMonths = ""

// rollUp joins each counter row being written to its month and, for a
// breakdown's cell, to allMonths (statMonth picks which); d is the
// dimension's VALUES table.
const rollUp = ` CROSS JOIN (VALUES ('month'), ('all')) AS mk`

// rollUpCond keeps the programme's own row to its month.
const rollUpCond = `(mk.column1 = 'month' OR d.column1 <> '` + dimAll + `')`

// statMonth is the month a rolled-up row is written to: month, or
// allMonths for the roll-up.
func statMonth(month string) string {
	return `CASE WHEN mk.column1 = 'all' THEN '` + allMonths + `' ELSE ` + month + ` END`
}

// Breakdowns: "all" is the programme as a whole (dim_value "").
const (
	dimAll         = "all"
	dimDepartement = "departement"
	dimCommune     = "commune"
	dimDistributor = "distributor"
	dimAgeBand     = "age_band"
	dimPlace       = "place"
	dimService     = "service"
)

// StatBreakdowns are the breakdowns the statistics answer by.
var StatBreakdowns = []string{dimDepartement, dimCommune, dimDistributor, dimPlace, dimService, dimAgeBand}

var (
	bookletDims = []string{dimAll, dimDepartement, dimCommune, dimDistributor, dimAgeBand}
	useDims     = []string{dimAll, dimDepartement, dimCommune, dimDistributor, dimAgeBand, dimPlace, dimService}
	// bookletState are the metrics that change with a booklet's uses.
	bookletState = []string{metricStarted, metricCompleted, metricFirstUse}
)

// valuesList is a one-column VALUES table of constants (named column1 on
// both engines).
func valuesList(items []string) string {
	var b strings.Builder
	b.WriteString("(VALUES ")
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("('" + s + "')")
	}
	b.WriteString(")")
	return b.String()
}

// dimExpr picks a booklet's (or a redemption's) value for dimension d.
func dimExpr(dims []string) string {
	var b strings.Builder
	b.WriteString("CASE d.column1")
	for _, d := range dims {
		col := map[string]string{dimAll: "''", dimDepartement: "b.stat_departement", dimCommune: "b.stat_commune",
			dimDistributor: "b.distributor_id", dimAgeBand: "b.stat_age_band", dimPlace: "r.place_id", dimService: "r.service"}[d]
		b.WriteString(" WHEN '" + d + "' THEN " + col)
	}
	b.WriteString(" END")
	return b.String()
}

// firstUseBucketSQL is passnum.FirstUseBucket over the booklet's columns.
func firstUseBucketSQL() string {
	days := "((b.first_used_at - b.handed_out_at) / 86400000000)"
	var b strings.Builder
	b.WriteString("CASE")
	bs := passnum.FirstUseBuckets
	for i := len(bs) - 1; i > 0; i-- {
		b.WriteString(" WHEN " + days + " >= " + strconv.Itoa(bs[i]) + " THEN " + strconv.Itoa(bs[i]))
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// statTarget is where this engine's writes add to the counters: SQLite
// adds to stat_counts itself (upsert is the ON CONFLICT clause that adds);
// PostgreSQL inserts delta rows into stat_deltas, folded later by
// FoldStats, because an upsert would keep the hot counter rows locked
// until commit and make concurrent redemptions wait on each other.
func (tx *Tx) statTarget() (into, upsert string) {
	if tx.s.dialect == postgresDialect {
		return "stat_deltas", ""
	}
	return "stat_counts", statUpsert
}

// statRows is every counter row: the folded counters and the deltas not
// yet folded. Readers sum them (one reading statement sees a fold whole
// or not at all).
const statRows = `(SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_counts
	UNION ALL SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_deltas) sc`

// bookletMetricCond is when a booklet counts in metric m.
var bookletMetricCond = map[string]string{
	metricHandedOut: "b.stat_replacement = 0",
	metricTarget:    "b.stat_replacement = 0 AND b.stat_target = 1",
	metricReplaced:  "b.stat_replacement = 1",
	metricStarted:   "b.stat_replacement = 0 AND b.used_passes > 0",
	metricCompleted: "b.stat_replacement = 0 AND b.used_passes > 0 AND b.used_passes >= p.booklet_size - b.voided_passes",
	metricFirstUse:  "b.stat_replacement = 0 AND b.used_passes > 0",
}

const statUpsert = ` ON CONFLICT (programme_id, dim, dim_value, month, metric, bucket) DO UPDATE
	SET n = stat_counts.n + excluded.n, amount_cents = stat_counts.amount_cents + excluded.amount_cents`

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// bumpBooklets adds sign times the booklets' contribution to metrics, as
// their columns stand now.
func (tx *Tx) bumpBooklets(ctx context.Context, ids []string, metrics []string, sign int) error {
	if len(ids) == 0 {
		return nil
	}
	var conds []string
	for _, m := range metrics {
		conds = append(conds, "(m.column1 = '"+m+"' AND "+bookletMetricCond[m]+")")
	}
	into, upsert := tx.statTarget()
	q := `INSERT INTO ` + into + ` (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	SELECT b.programme_id, d.column1, ` + dimExpr(bookletDims) + `, ` + statMonth("b.stat_month") + `, m.column1,
		CASE WHEN m.column1 = '` + metricFirstUse + `' THEN ` + firstUseBucketSQL() + ` ELSE -1 END,
		` + strconv.Itoa(sign) + ` * COUNT(*), 0
	FROM booklets b JOIN programmes p ON p.id = b.programme_id
		CROSS JOIN ` + valuesList(bookletDims) + ` AS d CROSS JOIN ` + valuesList(metrics) + ` AS m` + rollUp + `
	WHERE b.id IN (` + placeholders(len(ids)) + `) AND b.stat_month <> '' AND ` + rollUpCond + ` AND (` + strings.Join(conds, " OR ") + `)
	GROUP BY 1, 2, 3, 4, 5, 6` + upsert
	return tx.execStat(ctx, q, anys(ids)...)
}

// countUses adds sign times the redemptions (all of Paris month month) to
// the "used" counters.
func (tx *Tx) countUses(ctx context.Context, redemptionIDs []string, month string, sign int) error {
	if len(redemptionIDs) == 0 {
		return nil
	}
	into, upsert := tx.statTarget()
	q := `INSERT INTO ` + into + ` (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	SELECT b.programme_id, d.column1, ` + dimExpr(useDims) + `, ` + statMonth("CAST(? AS TEXT)") + `, '` + metricUsed + `', -1,
		` + strconv.Itoa(sign) + ` * COUNT(*), CAST(` + strconv.Itoa(sign) + ` * SUM(r.amount_cents) AS BIGINT)
	FROM redemptions r JOIN passes ps ON ps.id = r.pass_id JOIN booklets b ON b.id = ps.booklet_id
		CROSS JOIN ` + valuesList(useDims) + ` AS d` + rollUp + `
	WHERE r.id IN (` + placeholders(len(redemptionIDs)) + `) AND ` + rollUpCond + `
	GROUP BY 1, 2, 3, 4, 5, 6` + upsert
	return tx.execStat(ctx, q, append([]any{month}, anys(redemptionIDs)...)...)
}

// usesChanged keeps the counters after redemptions were written or
// cancelled (all of Paris month month): the uses themselves (sign), then
// each booklet's used passes and first use, and, for the booklets whose
// started, completed or first-use bucket changes with them, the counters
// that follow (taken off with the old state, added back with the new).
// Most uses change none of these (a booklet's second to fourth pass), and
// then cost one statement less than three. On PostgreSQL the booklets are
// locked first, in id order, so that two transactions using the same
// booklet change its counters one after the other.
func (tx *Tx) usesChanged(ctx context.Context, redemptionIDs []string, month string, sign int) error {
	if len(redemptionIDs) == 0 {
		return nil
	}
	if err := tx.countUses(ctx, redemptionIDs, month, sign); err != nil {
		return err
	}
	if sign > 0 {
		return tx.usesAdded(ctx, redemptionIDs)
	}
	// The booklets used: on PostgreSQL found and locked first, then read
	// (a new statement sees what a transaction it waited for wrote); on
	// SQLite, the only writer, read at once.
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
	ids, moved, err := tx.bookletStateChanges(ctx, which, args)
	if err != nil {
		return err
	}
	if err := tx.bumpBooklets(ctx, moved, bookletState, -1); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET
		used_passes = `+bookletUsedSQL+`,
		first_used_at = `+bookletFirstUseSQL+`
		WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...); err != nil {
		return err
	}
	return tx.bumpBooklets(ctx, moved, bookletState, +1)
}

// usesAdded keeps the booklets of new redemptions: each booklet's used
// passes grow by its new redemptions and its first use is the earliest
// of its own and theirs, so nothing is counted again. One statement finds
// the booklets (on PostgreSQL locking them in id order, and reading each
// row as its last committer left it), one writes them, and the started,
// completed and first-use counters move only for the booklets whose state
// changes.
func (tx *Tx) usesAdded(ctx context.Context, redemptionIDs []string) error {
	lock := ""
	if tx.s.dialect == postgresDialect {
		lock = " FOR UPDATE OF b"
	}
	rows, err := tx.query(ctx, `SELECT b.id, b.handed_out_at, b.used_passes, b.first_used_at, p.booklet_size - b.voided_passes, r.redeemed_at
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
	}
	var bs []*change
	for rows.Next() {
		var c change
		var at int64
		if err := rows.Scan(&c.id, &c.handedOut, &c.oldUsed, &c.oldFirst, &c.full, &at); err != nil {
			rows.Close()
			return err
		}
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
	var moved, ids []string
	var usedCase, firstCase strings.Builder
	var usedArgs, firstArgs []any
	for _, c := range bs {
		ids = append(ids, c.id)
		if bookletCounterState(c.handedOut, c.oldUsed, c.oldFirst, c.full) != bookletCounterState(c.handedOut, c.used, sql.NullInt64{Int64: c.first, Valid: true}, c.full) {
			moved = append(moved, c.id)
		}
		usedCase.WriteString(" WHEN ? THEN CAST(? AS INTEGER)")
		usedArgs = append(usedArgs, c.id, c.used)
		firstCase.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		firstArgs = append(firstArgs, c.id, c.first)
	}
	if err := tx.bumpBooklets(ctx, moved, bookletState, -1); err != nil {
		return err
	}
	args := append(append(usedArgs, firstArgs...), anys(ids)...)
	if _, err := tx.exec(ctx, `UPDATE booklets SET used_passes = CASE id`+usedCase.String()+` END, first_used_at = CASE id`+firstCase.String()+` END
		WHERE id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
		return err
	}
	return tx.bumpBooklets(ctx, moved, bookletState, +1)
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
// booklets.id, with its args): all of them, and those whose state as the
// counters see it (started, completed, first-use bucket) differs between
// their stored used passes and first use and what their redemptions now
// say.
func (tx *Tx) bookletStateChanges(ctx context.Context, which string, args []any) (ids, moved []string, err error) {
	rows, err := tx.query(ctx, `SELECT id, handed_out_at, used_passes, first_used_at, `+bookletUsedSQL+`, `+bookletFirstUseSQL+`,
		(SELECT p.booklet_size FROM programmes p WHERE p.id = booklets.programme_id) - voided_passes
		FROM booklets WHERE `+which+` ORDER BY id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var handedOut, oldFirst, newFirst sql.NullInt64
		var oldUsed, newUsed, full int64
		if err := rows.Scan(&id, &handedOut, &oldUsed, &oldFirst, &newUsed, &newFirst, &full); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		if bookletCounterState(handedOut, oldUsed, oldFirst, full) != bookletCounterState(handedOut, newUsed, newFirst, full) {
			moved = append(moved, id)
		}
	}
	return ids, moved, rows.Err()
}

// counterState is what the started, completed and first-use counters see
// of a booklet (bookletMetricCond, firstUseBucketSQL).
type counterState struct {
	started, completed bool
	bucket             int
}

func bookletCounterState(handedOut sql.NullInt64, used int64, first sql.NullInt64, full int64) counterState {
	if used <= 0 {
		return counterState{}
	}
	st := counterState{started: true, completed: used >= full}
	if first.Valid && handedOut.Valid {
		st.bucket = passnum.FirstUseBucket(int((first.Int64 - handedOut.Int64) / 86400000000))
	}
	return st
}

// statHandOut records on a booklet just handed out who it went to, as the
// statistics count them (frozen at hand-out: a later correction of the
// record changes no counter), and counts it.
func (tx *Tx) statHandOut(ctx context.Context, bookletID, beneficiaryID string, replacement bool) error {
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
	dims := bookletStatDims(birth, commune, &b, tx.Today(), passnum.ParisMonth(tx.now))
	repl := 0
	if replacement {
		repl = 1
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET stat_departement = ?, stat_commune = ?, stat_age_band = ?, stat_target = ?, stat_month = ?, stat_replacement = ?
		WHERE id = ?`, dims.departement, dims.commune, dims.ageBand, dims.target, dims.month, repl, bookletID); err != nil {
		return err
	}
	metrics := []string{metricHandedOut, metricTarget}
	if replacement {
		metrics = []string{metricReplaced}
	}
	return tx.bumpBooklets(ctx, []string{bookletID}, metrics, +1)
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
