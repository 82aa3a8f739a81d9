package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"passnum"
)

// Reminders to young people (see passnum.Reminder): who is due one now,
// recording one sent, and whether reminders work.

// maxRemindersPerRun bounds one run's batch; the next run takes the rest.
const maxRemindersPerRun = 5000

// DueReminders lists the reminders due now: booklets in hand with a pass
// still usable, of a young person who agreed to be contacted and left an
// address or a number, not yet reminded this month, whose passes end
// within passnum.EndingSoonDays (ending) or that were handed out more than
// the programme's dormant days ago with no pass used (dormant). Places are
// not filled in.
func (tx *Tx) DueReminders(ctx context.Context) ([]passnum.Reminder, error) {
	today := tx.Today()
	rows, err := tx.query(ctx, `SELECT b.id, b.beneficiary_id, b.programme_id, p.name, n.first_name, n.email, n.phone, p.last_redeem_day,
			(SELECT COUNT(*) FROM passes ps WHERE ps.booklet_id = b.id AND ps.status = 'assigned')
		FROM booklets b JOIN programmes p ON p.id = b.programme_id JOIN beneficiaries n ON n.id = b.beneficiary_id
		WHERE b.status = 'handed_out' AND n.contact_consent_at IS NOT NULL AND n.pseudonymised_at IS NULL AND (n.email <> '' OR n.phone <> '')
		  AND p.last_redeem_day >= ?
		  AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.booklet_id = b.id AND r.period = ?)
		  AND EXISTS (SELECT 1 FROM passes ps WHERE ps.booklet_id = b.id AND ps.status = 'assigned')
		  AND (p.last_redeem_day <= ? OR (b.used_passes = 0 AND b.handed_out_at < ? - p.dormant_days * 86400000000))
		ORDER BY b.id LIMIT ?`,
		today.String(), passnum.ReminderPeriod(tx.now), today.AddDays(passnum.EndingSoonDays).String(), micros(tx.now), maxRemindersPerRun)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passnum.Reminder
	for rows.Next() {
		var r passnum.Reminder
		if err := rows.Scan(&r.BookletID, &r.BeneficiaryID, &r.ProgrammeID, &r.ProgrammeName, &r.FirstName, &r.Email, &r.Phone, &r.LastRedeemDay, &r.UnusedPasses); err != nil {
			return nil, err
		}
		r.Kind = passnum.ReminderDormant
		if !r.LastRedeemDay.After(today.AddDays(passnum.EndingSoonDays)) {
			r.Kind = passnum.ReminderEnding
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReminderCommune is the commune a young person's reminder looks for
// places around.
func (tx *Tx) ReminderCommune(ctx context.Context, beneficiaryID string) (string, error) {
	var c string
	err := tx.queryRow(ctx, `SELECT commune_insee FROM beneficiaries WHERE id = ?`, beneficiaryID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("bénéficiaire")
	}
	return c, err
}

// RecordReminder records a reminder as sent, once per booklet and month:
// false when one was already recorded for this month (a concurrent run).
// The reminders' counters follow in the same transaction: one more sent,
// and a booklet's first dormant reminder marks it reminded.
func (tx *Tx) RecordReminder(ctx context.Context, r passnum.Reminder, channel passnum.ReminderChannel) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO reminders (id, booklet_id, beneficiary_id, programme_id, kind, period, channel, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booklet_id, period) DO NOTHING`,
		passnum.NewID(tx.now), r.BookletID, r.BeneficiaryID, r.ProgrammeID, string(r.Kind), passnum.ReminderPeriod(tx.now), string(channel), micros(tx.now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	sums := statSums{}
	sums.add(statKey{programme: r.ProgrammeID, dim: dimReminders, month: passnum.ParisMonth(tx.now), metric: metricSent,
		bucket: reminderSentBucket(r.Kind, channel)}, 1, 0)
	if err := tx.remindedChanged(ctx, r.BookletID, sums); err != nil {
		return false, err
	}
	return true, sums.write(ctx, tx)
}

// ForgetReminder takes back this month's record of a booklet's reminder,
// when sending it failed: the next run tries again. The counters are
// taken back with it.
func (tx *Tx) ForgetReminder(ctx context.Context, bookletID string) error {
	var prog, kind, channel string
	var sent int64
	err := tx.queryRow(ctx, `DELETE FROM reminders WHERE booklet_id = ? AND period = ? RETURNING programme_id, kind, channel, sent_at`,
		bookletID, passnum.ReminderPeriod(tx.now)).Scan(&prog, &kind, &channel, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	sums := statSums{}
	sums.add(statKey{programme: prog, dim: dimReminders, month: passnum.ParisMonth(fromMicros(sent)), metric: metricSent,
		bucket: reminderSentBucket(passnum.ReminderKind(kind), passnum.ReminderChannel(channel))}, -1, 0)
	if err := tx.remindedChanged(ctx, bookletID, sums); err != nil {
		return err
	}
	return sums.write(ctx, tx)
}

// remindedChanged sets a booklet's reminded_at to its first dormant
// reminder's instant, after one was recorded or taken back, and adds to
// sums what its change of state moves in the counters.
func (tx *Tx) remindedChanged(ctx context.Context, bookletID string, sums statSums) error {
	lock := ""
	if tx.s.dialect == postgresDialect {
		lock = " FOR UPDATE"
	}
	var handedOut, first, oldAt, newAt sql.NullInt64
	var used, full int64
	var c statCells
	err := tx.queryRow(ctx, `SELECT handed_out_at, used_passes, first_used_at, (SELECT p.booklet_size FROM programmes p WHERE p.id = booklets.programme_id) - voided_passes,
			reminded_at, `+statCellColumns("booklets")+` FROM booklets WHERE id = ?`+lock, bookletID).
		Scan(append([]any{&handedOut, &used, &first, &full, &oldAt}, c.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("carnet")
	}
	if err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT MIN(sent_at) FROM reminders WHERE booklet_id = ? AND kind = 'dormant'`, bookletID).Scan(&newAt); err != nil {
		return err
	}
	if oldAt == newAt {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET reminded_at = ? WHERE id = ?`, newAt, bookletID); err != nil {
		return err
	}
	c.moved(sums, bookletCounterState(handedOut, used, first, full, oldAt), bookletCounterState(handedOut, used, first, full, newAt))
	return nil
}

// reminderSentBucket is the bucket of the sent counter for a kind and a
// channel.
func reminderSentBucket(kind passnum.ReminderKind, channel passnum.ReminderChannel) int {
	b := 0
	if kind == passnum.ReminderEnding {
		b = 2
	}
	if channel == passnum.BySMS {
		b++
	}
	return b
}

// ReminderEffect compares, among a programme's booklets that slept (no
// pass used in their first dormant days), the share started since among
// those whose holder was reminded and among the others: whether reminding
// pushes use up. Those first reminded last month or this one are apart:
// too soon to tell. It reads counters (dimReminders and the programme's
// own), not the booklets.
//
// Only the booklets of months of hand-out wholly past their dormant days
// count (Through, the last of them), so that every booklet of the
// comparison had time to sleep; the reminders sent count them all. Each
// figure counts young people: nil where statistical secrecy hides it from
// a funder, and named in Masked.
type ReminderEffect struct {
	ProgrammeID string
	DormantDays int
	// Through is the last month of hand-out counted, "" when none of the
	// programme's is yet past its dormant days.
	Through string
	// RecentSince is the first month of the reminders too recent to
	// judge: last month (this one and last month are apart); "" once the
	// programme's last day of use is before it.
	RecentSince string
	// Reminded: slept booklets whose holder got a first dormant reminder
	// before RecentSince; Started: of those, the ones started since.
	Reminded        *int64
	RemindedStarted *int64
	// RecentlyReminded: those first reminded from RecentSince on; Started:
	// of those, the ones started since.
	RecentlyReminded        *int64
	RecentlyRemindedStarted *int64
	// NotReminded: slept booklets never reminded; Started: of those, the
	// ones started after their dormant days.
	NotReminded        *int64
	NotRemindedStarted *int64
	// Sent counts the reminders sent, by kind and channel.
	SentDormant *int64
	SentEnding  *int64
	SentEmail   *int64
	SentSMS     *int64
	Masked      []string
}

// ReminderEffect measures reminders in a programme; secret applies
// statistical secrecy, for a funder.
func (tx *Tx) ReminderEffect(ctx context.Context, programmeID string, secret bool) (ReminderEffect, error) {
	e := ReminderEffect{ProgrammeID: programmeID, Masked: []string{}}
	p, err := tx.Programme(ctx, programmeID)
	if err != nil {
		return e, err
	}
	e.DormantDays = p.DormantDays
	e.Through = effectThrough(tx.now, p)
	prev := parisMonthStart(tx.now).AddDate(0, -1, 0)
	// No reminder is recent once the programme's last day of use is
	// before last month: nobody is reminded after it.
	if !p.LastRedeemDay().Before(passnum.ParisDate(prev)) {
		e.RecentSince = passnum.ParisMonth(prev)
	}
	recent := remindedMonth(prev)
	// Two ranges of the counters' key (programme, breakdown, month…),
	// each read on its own: an OR of the two breakdowns would read every
	// counter of the programme on SQLite. The days of first use are
	// summed in SQL on either side of the dormant days (bucket 0 before,
	// 1 after): a month's few hundred rows are two.
	rows, err := tx.query(ctx, `SELECT month, metric, bucket, CAST(SUM(n) AS BIGINT) FROM `+statRows+`
		WHERE programme_id = ? AND dim = ? AND metric IN (?, ?) GROUP BY month, metric, bucket
		UNION ALL SELECT month, metric, CASE WHEN metric = ? THEN CASE WHEN bucket < ? THEN 0 ELSE 1 END ELSE bucket END, CAST(SUM(n) AS BIGINT) FROM `+statRows+`
		WHERE programme_id = ? AND dim = ? GROUP BY month, metric, 3`,
		programmeID, dimAll, metricHandedOut, metricStarted, metricFirstUseDay, e.DormantDays, programmeID, dimReminders)
	if err != nil {
		return e, err
	}
	defer rows.Close()
	var handedOut, started, startedAwake, reminded, remindedStarted, lately, latelyStarted int64
	var dormant, ending, email, sms int64
	for rows.Next() {
		var month, metric string
		var bucket int
		var n int64
		if err := rows.Scan(&month, &metric, &bucket, &n); err != nil {
			return e, err
		}
		if metric == metricSent {
			if bucket < 2 {
				dormant += n
			} else {
				ending += n
			}
			if bucket%2 == 0 {
				email += n
			} else {
				sms += n
			}
			continue
		}
		if e.Through == "" || month > e.Through {
			continue
		}
		switch {
		case metric == metricHandedOut:
			handedOut += n
		case metric == metricStarted:
			started += n
		case metric == metricFirstUseDay && bucket == 0:
			startedAwake += n
		case metric == metricReminded && bucket >= recent:
			lately += n
		case metric == metricReminded:
			reminded += n
		case metric == metricRemindedStarted && bucket >= recent:
			latelyStarted += n
		case metric == metricRemindedStarted:
			remindedStarted += n
		}
	}
	if err := rows.Err(); err != nil {
		return e, err
	}
	// A reminded booklet slept (it was unused past its dormant days when
	// reminded) unless the programme's dormant days grew since: never
	// fewer than none.
	notReminded := max(handedOut-startedAwake-reminded-lately, 0)
	notRemindedStarted := min(max(started-startedAwake-remindedStarted-latelyStarted, 0), notReminded)
	e.Reminded, e.RemindedStarted, e.NotReminded, e.NotRemindedStarted = &reminded, &remindedStarted, &notReminded, &notRemindedStarted
	e.RecentlyReminded, e.RecentlyRemindedStarted = &lately, &latelyStarted
	e.SentDormant, e.SentEnding, e.SentEmail, e.SentSMS = &dormant, &ending, &email, &sms
	if secret {
		e.applySecrecy()
	}
	return e, nil
}

// effectThrough is the last month of hand-out of programme p whose every
// booklet was handed out more than its dormant days ago at now: the month
// before the one holding now less the dormant days, at most the month of
// its last hand-out day; "" when that is before its first day.
func effectThrough(now time.Time, p passnum.Programme) string {
	slept := parisMonthStart(now.In(passnum.Paris).AddDate(0, 0, -p.DormantDays)).AddDate(0, -1, 0)
	through := min(passnum.ParisMonth(slept), p.LastHandOutDay().YearMonth())
	if start, _ := p.ActivityMonths(); through < start {
		return ""
	}
	return through
}

// parisMonthStart is the first instant of t's Paris month.
func parisMonthStart(t time.Time) time.Time {
	p := t.In(passnum.Paris)
	return time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, passnum.Paris)
}

// applySecrecy hides what counts 1 to 4 young people, with what would
// give it back. The slept booklets, reminded long ago, lately or never,
// started since or not, are a table whose totals the dashboard's other
// figures give back (booklets handed out and started, less those started
// before their dormant days, which the waits before first use give): so
// one small cell, or a small total of those started since, hides the
// whole table. The reminders sent add up the same by kind and by
// channel: a small one hides its pair.
func (e *ReminderEffect) applySecrecy() {
	small := func(ns ...int64) bool {
		for _, n := range ns {
			if n > 0 && n < passnum.SecrecyThreshold {
				return true
			}
		}
		return false
	}
	hide := func(names []string, figs ...**int64) {
		for _, f := range figs {
			*f = nil
		}
		e.Masked = append(e.Masked, names...)
	}
	r, rs, l, ls, n, ns := *e.Reminded, *e.RemindedStarted, *e.RecentlyReminded, *e.RecentlyRemindedStarted, *e.NotReminded, *e.NotRemindedStarted
	if small(rs, r-rs, ls, l-ls, ns, n-ns, rs+ls+ns, r, l, n) {
		hide([]string{"reminded", "reminded_started", "recently_reminded", "recently_reminded_started", "not_reminded", "not_reminded_started"},
			&e.Reminded, &e.RemindedStarted, &e.RecentlyReminded, &e.RecentlyRemindedStarted, &e.NotReminded, &e.NotRemindedStarted)
	}
	if small(*e.SentDormant, *e.SentEnding) {
		hide([]string{"sent_dormant", "sent_ending"}, &e.SentDormant, &e.SentEnding)
	}
	if small(*e.SentEmail, *e.SentSMS) {
		hide([]string{"sent_email", "sent_sms"}, &e.SentEmail, &e.SentSMS)
	}
}
