package store

import (
	"cmp"
	"context"
	"slices"

	"passnum"
)

// statSums are changes to the counters summed in Go before they are
// written, each counter row once, in one statement. A redemption batch's
// uses, and the booklets they start or complete, reach the same few rows
// (the programme's month, a département, a place and each of their
// all-months rows): summing them here spares the writer a statement per
// kind of change and SQL's grouping of every row by every breakdown.
type statSums map[statKey]statVal

// add adds n and amount to a cell's month and, for a breakdown's cell
// (not the programme's own), to its quarter's row and its all-months row:
// see allMonths and quarterOf.
func (s statSums) add(k statKey, n, amount int64) {
	s.addRow(k, n, amount)
	if rolledUp(k.dim) {
		if q := quarterOf(k.month); q != "" {
			k.month = q
			s.addRow(k, n, amount)
		}
		k.month = allMonths
		s.addRow(k, n, amount)
	}
}

func (s statSums) addRow(k statKey, n, amount int64) {
	v := s[k]
	v.n += n
	v.amount += amount
	s[k] = v
}

// statCells are a booklet's breakdown cells as the statistics count it
// (frozen at hand-out), each dimension with its value: dimAll and the
// bookletDims, in order.
type statCells struct {
	programme, month string // month: of hand-out, "" for a booklet never handed out
	// cohort: on a replacement, the month of hand-out of the first
	// booklet it replaces (stat_cohort); "" for the booklet's own month.
	cohort      string
	replacement bool
	values      [5]string // bookletDims' values
}

// statCellColumns are a booklet's columns (of table or alias t) that
// statCells.dest scans.
func statCellColumns(t string) string {
	return t + ".programme_id, " + t + ".stat_month, " + t + ".stat_cohort, " + t + ".stat_replacement, " + t + ".stat_departement, " +
		t + ".stat_commune, " + t + ".distributor_id, " + t + ".stat_age_band"
}

func (c *statCells) dest() []any {
	return []any{&c.programme, &c.month, &c.cohort, &c.replacement, &c.values[1], &c.values[2], &c.values[3], &c.values[4]}
}

// cohortMonth is the month of hand-out whose passes the booklet's carry:
// its own, or its chain's first (cohort_used).
func (c *statCells) cohortMonth() string { return cmp.Or(c.cohort, c.month) }

// addHandOut adds a booklet just handed out: as handed out (and in the
// target public), or as a replacement.
func (c *statCells) addHandOut(s statSums, target bool) {
	metrics := []string{metricHandedOut}
	if target {
		metrics = append(metrics, metricTarget)
	}
	if c.replacement {
		metrics = []string{metricReplaced}
	}
	for _, m := range metrics {
		c.addCells(s, c.month, m, -1, 1, 0)
	}
}

// addCells adds n and amount to metric (and bucket) of month in each of
// the booklet's cells (bookletDims).
func (c *statCells) addCells(s statSums, month, metric string, bucket int, n, amount int64) {
	for i, d := range bookletDims {
		s.add(statKey{programme: c.programme, dim: d, value: c.values[i], month: month, metric: metric, bucket: bucket}, n, amount)
	}
}

// addUse adds n uses of month (amount in all): to the booklet's cells,
// in month and, as cohort_used, in its cohort's month; then to its
// place's and its service's (useDims).
func (c *statCells) addUse(s statSums, month, place, service string, n, amount int64) {
	c.addCells(s, month, metricUsed, -1, n, amount)
	if cohort := c.cohortMonth(); cohort != "" {
		c.addCells(s, cohort, metricCohortUsed, -1, n, 0)
	}
	s.add(statKey{programme: c.programme, dim: dimPlace, value: place, month: month, metric: metricUsed, bucket: -1}, n, amount)
	s.add(statKey{programme: c.programme, dim: dimService, value: service, month: month, metric: metricUsed, bucket: -1}, n, amount)
}

// addState adds sign times what a booklet in state st counts in the
// started, completed, first-use and reminders' counters
// (bookletMetrics): nothing for a replacement or a booklet never handed
// out.
func (c *statCells) addState(s statSums, st counterState, sign int64) {
	if c.replacement || c.month == "" {
		return
	}
	for _, m := range stateMetrics(st) {
		if m.dim == dimReminders {
			s.add(statKey{programme: c.programme, dim: dimReminders, month: c.month, metric: m.metric, bucket: m.bucket}, sign, 0)
			continue
		}
		c.addCells(s, c.month, m.metric, m.bucket, sign, 0)
	}
}

// stateMetrics are the metrics (with their bucket) a booklet handed out,
// replacing none, counts in for its state: in every booklet breakdown,
// or in dimReminders' where dim says so.
func stateMetrics(st counterState) []statKey {
	var out []statKey
	if st.remindedMonth != 0 {
		out = append(out, statKey{dim: dimReminders, metric: metricReminded, bucket: st.remindedMonth})
	}
	if !st.started {
		return out
	}
	out = append(out, statKey{metric: metricStarted, bucket: -1}, statKey{metric: metricFirstUse, bucket: passnum.FirstUseBucket(st.days)},
		statKey{dim: dimReminders, metric: metricFirstUseDay, bucket: min(max(st.days, 0), firstUseDayCap)})
	if st.completed {
		out = append(out, statKey{metric: metricCompleted, bucket: -1})
	}
	if st.remindedMonth != 0 {
		out = append(out, statKey{dim: dimReminders, metric: metricRemindedStarted, bucket: st.remindedMonth})
	}
	return out
}

// moved adds what a booklet's change of state from old to new changes:
// its old state taken off, its new one added (equal rows cancel out).
func (c *statCells) moved(s statSums, old, new counterState) {
	if old != new {
		c.addState(s, old, -1)
		c.addState(s, new, +1)
	}
}

// statSumsSQLite adds rows (a JSON array, one object per counter row) to
// stat_counts: pg programme, d dimension, v value, mo month, m metric,
// b bucket, n and a what to add.
const statSumsSQLite = `INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	SELECT value ->> 'pg', value ->> 'd', value ->> 'v', value ->> 'mo', value ->> 'm', value ->> 'b', value ->> 'n', value ->> 'a'
	FROM jsonb_each(?) WHERE true` + statUpsert

// statSumsPostgres inserts the rows, as arrays, into stat_deltas, folded
// into stat_counts later by FoldStats: an upsert would keep the hot
// counter rows locked until commit and make concurrent redemptions wait
// on each other. SQLite, whose writes are one at a time anyway, adds to
// stat_counts at once.
const statSumsPostgres = `INSERT INTO stat_deltas (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::int8[], $8::int8[])`

// write writes the sums, each row once, in stat_counts' key order (on
// SQLite, neighbouring rows of its B-tree one after the other); rows that
// add nothing are left out.
func (s statSums) write(ctx context.Context, tx *Tx) error {
	keys := make([]statKey, 0, len(s))
	for k, v := range s {
		if v != (statVal{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b statKey) int {
		return cmp.Or(cmp.Compare(a.programme, b.programme), cmp.Compare(a.dim, b.dim), cmp.Compare(a.month, b.month),
			cmp.Compare(a.value, b.value), cmp.Compare(a.metric, b.metric), cmp.Compare(a.bucket, b.bucket))
	})
	if tx.s.dialect == postgresDialect {
		var prog, dim, value, month, metric []string
		var bucket []int32
		var n, amount []int64
		for _, k := range keys {
			v := s[k]
			prog, dim, value, month, metric = append(prog, k.programme), append(dim, k.dim), append(value, k.value), append(month, k.month), append(metric, k.metric)
			bucket, n, amount = append(bucket, int32(k.bucket)), append(n, v.n), append(amount, v.amount)
		}
		_, err := tx.q.ExecContext(ctx, statSumsPostgres, prog, dim, value, month, metric, bucket, n, amount)
		return err
	}
	type row struct {
		Programme string `json:"pg"`
		Dim       string `json:"d"`
		Value     string `json:"v"`
		Month     string `json:"mo"`
		Metric    string `json:"m"`
		Bucket    int    `json:"b"`
		N         int64  `json:"n"`
		Amount    int64  `json:"a"`
	}
	rows := make([]row, len(keys))
	for i, k := range keys {
		v := s[k]
		rows[i] = row{k.programme, k.dim, k.value, k.month, k.metric, k.bucket, v.n, v.amount}
	}
	text, err := jsonText(rows)
	if err != nil {
		return err
	}
	return tx.execStat(ctx, statSumsSQLite, text)
}
