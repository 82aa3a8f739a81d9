package store

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"

	"passnum"
)

// statKey is one counter row of stat_counts.
type statKey struct {
	programme, dim, value, month, metric string
	bucket                               int
}

// statVal is a counter's value.
type statVal struct{ n, amount int64 }

func compareStatKeys(a, b statKey) int {
	return cmp.Or(cmp.Compare(a.programme, b.programme), cmp.Compare(a.dim, b.dim), cmp.Compare(a.value, b.value),
		cmp.Compare(a.month, b.month), cmp.Compare(a.metric, b.metric), cmp.Compare(a.bucket, b.bucket))
}

// recountStats computes every counter of stat_counts from the raw rows:
// the booklets handed out (and what they replace), the active
// redemptions of their passes, and the frozen who-it-went-to columns of
// each booklet. Zero counters are left out. Both engines accept "$n"
// placeholders, so it also runs inside a migration, on the schema it
// finds (recountSchema).
func recountStats(ctx context.Context, q querier, schema recountSchema) (*tally, error) {
	out := newTally()
	if err := recountBooklets(ctx, q, out, schema); err != nil {
		return nil, err
	}
	if err := recountUses(ctx, q, out); err != nil {
		return nil, err
	}
	if schema.reminders {
		if err := recountReminders(ctx, q, out); err != nil {
			return nil, err
		}
	}
	rollUpMonths(out)
	out.dropZeros()
	return out, nil
}

// recountSchema says what the schema a recount reads holds: a migration
// older than the reminders' (00020) finds neither reminders nor
// booklets.reminded_at, one older than the cohorts' (00022) no
// booklets.stat_cohort, and their counters are left out.
type recountSchema struct{ reminders, cohorts bool }

// currentSchema is this program's.
var currentSchema = recountSchema{reminders: true, cohorts: true}

// rollUpMonths adds to counters each breakdown cell's quarters' rows and
// its all-months row, the sums of its months (quarterOf, allMonths).
func rollUpMonths(t *tally) {
	whole := t.name(allMonths)
	quarters := map[int32]int32{} // a month's quarter, -1 for none
	rolled := map[tallyKey]statVal{}
	for k, v := range t.counts {
		if !rolledUp(t.names[k.dim]) || k.month == whole {
			continue
		}
		q, ok := quarters[k.month]
		if !ok {
			q = -1
			if name := quarterOf(t.names[k.month]); name != "" {
				q = t.name(name)
			}
			quarters[k.month] = q
		}
		if q < 0 && isQuarter(t.names[k.month]) {
			continue
		}
		for _, m := range []int32{whole, q} {
			if m < 0 {
				continue
			}
			k.month = m
			r := rolled[k]
			rolled[k] = statVal{n: r.n + v.n, amount: r.amount + v.amount}
		}
	}
	for k, v := range rolled {
		t.addKey(k, v.n, v.amount)
	}
}

// recountBooklets adds, for each booklet handed out, its metrics in every
// booklet breakdown, in the month of its hand-out, and its passes used in
// its cohort's month (cohort_used).
func recountBooklets(ctx context.Context, q querier, t *tally, schema recountSchema) error {
	remindedColumn, cohortColumn := "b.reminded_at", "b.stat_cohort"
	if !schema.reminders {
		remindedColumn = "CAST(NULL AS BIGINT)"
	}
	if !schema.cohorts {
		cohortColumn = "''"
	}
	rows, err := q.QueryContext(ctx, `SELECT b.programme_id, b.distributor_id, b.stat_departement, b.stat_commune, b.stat_age_band, b.stat_month, `+cohortColumn+`, b.stat_target,
			CASE WHEN EXISTS (SELECT 1 FROM booklets o WHERE o.replaced_by = b.id) THEN 1 ELSE 0 END,
			p.booklet_size - b.voided_passes, b.handed_out_at, COALESCE(u.n, 0), u.first, `+remindedColumn+`
		FROM booklets b JOIN programmes p ON p.id = b.programme_id
		LEFT JOIN `+activeUses("")+` ON u.booklet_id = b.id
		WHERE b.status IN ('handed_out', 'blocked')`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var prog, dist, dep, commune, band, month, cohort string
		var target, repl, usable int
		var handed, used int64
		var first sql.NullInt64
		var reminded sql.NullInt64
		if err := rows.Scan(&prog, &dist, &dep, &commune, &band, &month, &cohort, &target, &repl, &usable, &handed, &used, &first, &reminded); err != nil {
			rows.Close()
			return err
		}
		// In bookletDims' order.
		values := [...]string{"", dep, commune, dist, band}
		st := bookletCounterState(sql.NullInt64{Int64: handed, Valid: true}, used, first, int64(usable), reminded)
		for _, m := range bookletMetrics(repl == 1, target == 1, st) {
			if m.dim == dimReminders {
				t.add(statKey{programme: prog, dim: dimReminders, month: month, metric: m.metric, bucket: m.bucket}, 1, 0)
				continue
			}
			for i, d := range bookletDims {
				t.add(statKey{programme: prog, dim: d, value: values[i], month: month, metric: m.metric, bucket: m.bucket}, 1, 0)
			}
		}
		if schema.cohorts && used > 0 {
			for i, d := range bookletDims {
				t.add(statKey{programme: prog, dim: d, value: values[i], month: cmp.Or(cohort, month), metric: metricCohortUsed, bucket: -1}, used, 0)
			}
		}
	}
	rows.Close()
	return rows.Err()
}

// bookletMetrics are the metrics a booklet counts in: replaced (a
// replacement counts once, as such), or handed out, in the target public,
// and what its state counts (stateMetrics: started, first use,
// completed, reminded).
func bookletMetrics(replaced, target bool, st counterState) []statKey {
	if replaced {
		return []statKey{{metric: metricReplaced, bucket: -1}}
	}
	metrics := []statKey{{metric: metricHandedOut, bucket: -1}}
	if target {
		metrics = append(metrics, statKey{metric: metricTarget, bucket: -1})
	}
	return append(metrics, stateMetrics(st)...)
}

// recountReminders adds the reminders sent, by month of sending, kind and
// channel.
func recountReminders(ctx context.Context, q querier, t *tally) error {
	rows, err := q.QueryContext(ctx, `SELECT programme_id, kind, channel, sent_at / `+hourText+`, COUNT(*) FROM reminders
		GROUP BY programme_id, kind, channel, sent_at / `+hourText)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var prog, kind, channel string
		var hour, n int64
		if err := rows.Scan(&prog, &kind, &channel, &hour, &n); err != nil {
			return err
		}
		month := passnum.ParisMonth(fromMicros(hour * hourMicros))
		t.add(statKey{programme: prog, dim: dimReminders, month: month, metric: metricSent,
			bucket: reminderSentBucket(passnum.ReminderKind(kind), passnum.ReminderChannel(channel))}, n, 0)
	}
	return rows.Err()
}

// recountUses adds the active redemptions, counted and summed, in every
// use breakdown, in the month of each redemption.
func recountUses(ctx context.Context, q querier, t *tally) error {
	rows, err := q.QueryContext(ctx, `SELECT b.programme_id, b.distributor_id, b.stat_departement, b.stat_commune, b.stat_age_band, r.place_id, r.service,
			r.redeemed_at / `+hourText+`, COUNT(*), CAST(SUM(r.amount_cents) AS BIGINT)
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id JOIN booklets b ON b.id = ps.booklet_id
		WHERE r.status = 'active'
		GROUP BY b.programme_id, b.distributor_id, b.stat_departement, b.stat_commune, b.stat_age_band, r.place_id, r.service, r.redeemed_at / `+hourText)
	if err != nil {
		return err
	}
	months := map[int64]string{}
	for rows.Next() {
		var prog, dist, dep, commune, band, place, service string
		var hour, n, amount int64
		if err := rows.Scan(&prog, &dist, &dep, &commune, &band, &place, &service, &hour, &n, &amount); err != nil {
			rows.Close()
			return err
		}
		month, ok := months[hour]
		if !ok {
			month = passnum.ParisMonth(fromMicros(hour * hourMicros))
			months[hour] = month
		}
		// In useDims' order.
		values := [...]string{"", dep, commune, dist, band, place, service}
		for i, d := range useDims {
			t.add(statKey{programme: prog, dim: d, value: values[i], month: month, metric: metricUsed, bucket: -1}, n, amount)
		}
	}
	rows.Close()
	return rows.Err()
}

// activeUses is each booklet's active redemptions, as a derived table u
// (booklet_id, n, first): how many, and the first one's instant; cond
// narrows the passes ps read ("" for all, else "AND …").
func activeUses(cond string) string {
	return `(SELECT ps.booklet_id, COUNT(*) AS n, MIN(r.redeemed_at) AS first FROM redemptions r JOIN passes ps ON ps.id = r.pass_id
			WHERE r.status = 'active' ` + cond + ` GROUP BY ps.booklet_id) u`
}

// bookletUsesDiffer: booklet b's used passes or first use are not those
// of its active redemptions u (activeUses), as Redeem and
// CancelRedemption keep them.
const bookletUsesDiffer = `(b.used_passes <> COALESCE(u.n, 0) OR COALESCE(b.first_used_at, -1) <> COALESCE(u.first, -1))`

// hourText is an hour in microseconds, as SQL text: Paris is a whole
// number of hours from UTC, so redemptions are grouped by UTC hour in SQL
// and the hours put in their Paris month in Go.
var hourText = "3600000000"

// eachStoredStat calls f with each counter, deltas not yet folded
// included, zero counters left out.
func eachStoredStat(ctx context.Context, q querier, f func(k statKey, v statVal)) error {
	rows, err := q.QueryContext(ctx, `SELECT programme_id, dim, dim_value, month, metric, bucket, CAST(SUM(n) AS BIGINT), CAST(SUM(amount_cents) AS BIGINT)
		FROM `+statRows+` GROUP BY programme_id, dim, dim_value, month, metric, bucket HAVING SUM(n) <> 0 OR SUM(amount_cents) <> 0`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k statKey
		var v statVal
		if err := rows.Scan(&k.programme, &k.dim, &k.value, &k.month, &k.metric, &k.bucket, &v.n, &v.amount); err != nil {
			return err
		}
		f(k, v)
	}
	return rows.Err()
}

// checkStatCounts: every counter of stat_counts equals its recount from
// the raw rows, and each booklet's used passes and first use are its
// active redemptions'.
func (tx *Tx) checkStatCounts(ctx context.Context) (*Violation, error) {
	var id string
	var used int64
	found, err := tx.firstRow(ctx, `SELECT b.id, b.used_passes FROM booklets b
		LEFT JOIN `+activeUses("")+` ON u.booklet_id = b.id
		WHERE `+bookletUsesDiffer+`
		ORDER BY b.id LIMIT 1`, nil, &id, &used)
	if err != nil || found {
		return violation("stats", "carnet %s : %d pass utilisés ou sa première utilisation enregistrés ne correspondent pas à ses encaissements actifs", id, used), err
	}
	found, err = tx.firstRow(ctx, `SELECT b.id, 0 FROM booklets b
		LEFT JOIN (SELECT booklet_id, MIN(sent_at) AS first FROM reminders WHERE kind = 'dormant' GROUP BY booklet_id) m ON m.booklet_id = b.id
		WHERE COALESCE(b.reminded_at, -1) <> COALESCE(m.first, -1)
		ORDER BY b.id LIMIT 1`, nil, &id, &used)
	if err != nil || found {
		return violation("stats", "carnet %s : sa première relance pour sommeil enregistrée ne correspond pas aux relances envoyées", id), err
	}
	want, err := recountStats(ctx, tx.q, currentSchema)
	if err != nil {
		return nil, err
	}
	// The stored counters are compared as they are read, each taken out
	// of the recount once seen: what is left of the recount was never
	// stored. One map of counters in memory, not two.
	type mismatch struct{ got, want statVal }
	wrong := map[statKey]mismatch{}
	err = eachStoredStat(ctx, tx.q, func(k statKey, v statVal) {
		if w := want.take(k); w != v {
			wrong[k] = mismatch{got: v, want: w}
		}
	})
	if err != nil {
		return nil, err
	}
	for k, w := range want.counts {
		wrong[want.statKey(k)] = mismatch{want: w}
	}
	if len(wrong) == 0 {
		return nil, nil
	}
	k := slices.MinFunc(slices.Collect(maps.Keys(wrong)), compareStatKeys)
	month := "mois " + k.month
	switch {
	case k.month == allMonths:
		month = "tous les mois"
	case isQuarter(k.month):
		year, q, _ := strings.Cut(strings.TrimPrefix(k.month, quarterPrefix), "-")
		month = "trimestre " + q + " de " + year
	}
	return violation("stats", "compteur des statistiques (programme %s, %s %q, %s, %s, tranche %d) : %d (%d centimes) enregistrés, %d (%d centimes) recomptés",
		k.programme, k.dim, k.value, month, k.metric, k.bucket, wrong[k].got.n, wrong[k].got.amount, wrong[k].want.n, wrong[k].want.amount), nil
}

// writeStats replaces stat_counts by counters (a migration's fill).
func writeStats(ctx context.Context, q querier, counters *tally) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM stat_counts`); err != nil {
		return err
	}
	return counters.sorted(func(k statKey, v statVal) error {
		_, err := q.ExecContext(ctx, `INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.programme, k.dim, k.value, k.month, k.metric, k.bucket, v.n, v.amount)
		return err
	})
}

// RecountStats recounts every counter from the raw rows, as passnum check
// does, and returns how many there are: what a dashboard would cost
// without the counters (passnum bench stats).
func (s *Store) RecountStats(ctx context.Context) (int, error) {
	n := 0
	err := s.View(ctx, func(tx *Tx) error {
		c, err := recountStats(ctx, tx.q, currentSchema)
		if err == nil {
			n = c.len()
		}
		return err
	})
	return n, err
}
