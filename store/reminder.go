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
func (tx *Tx) RecordReminder(ctx context.Context, r passnum.Reminder, channel passnum.ReminderChannel) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO reminders (id, booklet_id, beneficiary_id, programme_id, kind, period, channel, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booklet_id, period) DO NOTHING`,
		passnum.NewID(tx.now), r.BookletID, r.BeneficiaryID, r.ProgrammeID, string(r.Kind), passnum.ReminderPeriod(tx.now), string(channel), micros(tx.now))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReminderEffect compares, among a programme's booklets that became
// dormant (handed out more than its dormant days ago), how many were
// started (a pass used) when the young person was reminded and when they
// were not: whether reminding pushes use up.
// Each figure counts young people: nil where statistical secrecy hides
// it from a funder, and named in Masked.
type ReminderEffect struct {
	ProgrammeID string
	// Reminded: dormant booklets whose holder got a reminder; Started:
	// of those, the ones with a pass used after the first reminder.
	Reminded        *int64
	RemindedStarted *int64
	// NotReminded: dormant-aged booklets never reminded; Started: of those,
	// the ones with a pass used.
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
	var dormantDays int64
	err := tx.queryRow(ctx, `SELECT dormant_days FROM programmes WHERE id = ?`, programmeID).Scan(&dormantDays)
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound("programme")
	}
	if err != nil {
		return e, err
	}
	aged := micros(tx.now) - dormantDays*int64(24*time.Hour/time.Microsecond)
	var reminded, remindedStarted, notReminded, notRemindedStarted, dormant, ending, email, sms int64
	if err := tx.queryRow(ctx, `SELECT
			COUNT(CASE WHEN f.first_sent IS NOT NULL THEN 1 END),
			COUNT(CASE WHEN f.first_sent IS NOT NULL AND EXISTS (SELECT 1 FROM passes ps JOIN redemptions d ON d.pass_id = ps.id
				WHERE ps.booklet_id = f.id AND d.status = 'active' AND d.redeemed_at >= f.first_sent) THEN 1 END),
			COUNT(CASE WHEN f.first_sent IS NULL THEN 1 END),
			COUNT(CASE WHEN f.first_sent IS NULL AND f.used_passes > 0 THEN 1 END)
		FROM (SELECT b.id, b.used_passes, (SELECT MIN(r.sent_at) FROM reminders r WHERE r.booklet_id = b.id AND r.kind = 'dormant') AS first_sent
			FROM booklets b WHERE b.programme_id = ? AND b.status IN ('handed_out', 'blocked') AND b.handed_out_at < ?) f`,
		programmeID, aged).Scan(&reminded, &remindedStarted, &notReminded, &notRemindedStarted); err != nil {
		return e, err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(CASE WHEN kind = 'dormant' THEN 1 END), COUNT(CASE WHEN kind = 'ending' THEN 1 END),
			COUNT(CASE WHEN channel = 'email' THEN 1 END), COUNT(CASE WHEN channel = 'sms' THEN 1 END)
		FROM reminders WHERE programme_id = ?`, programmeID).Scan(&dormant, &ending, &email, &sms); err != nil {
		return e, err
	}
	e.Reminded, e.RemindedStarted, e.NotReminded, e.NotRemindedStarted = &reminded, &remindedStarted, &notReminded, &notRemindedStarted
	e.SentDormant, e.SentEnding, e.SentEmail, e.SentSMS = &dormant, &ending, &email, &sms
	if secret {
		e.applySecrecy()
	}
	return e, nil
}

// applySecrecy hides what counts 1 to 4 young people, with what would
// give it back. Reminded and not: a two-by-two table (started or not)
// whose lines are published, so one small cell hides both lines' started
// figures; the lines, together when one is small. The reminders sent add
// up the same by kind and by channel: a small one hides its pair.
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
	r, rs, n, ns := *e.Reminded, *e.RemindedStarted, *e.NotReminded, *e.NotRemindedStarted
	if small(rs, r-rs, ns, n-ns) {
		hide([]string{"reminded_started", "not_reminded_started"}, &e.RemindedStarted, &e.NotRemindedStarted)
	}
	if small(r, n) {
		hide([]string{"reminded", "not_reminded"}, &e.Reminded, &e.NotReminded)
	}
	if small(*e.SentDormant, *e.SentEnding) {
		hide([]string{"sent_dormant", "sent_ending"}, &e.SentDormant, &e.SentEnding)
	}
	if small(*e.SentEmail, *e.SentSMS) {
		hide([]string{"sent_email", "sent_sms"}, &e.SentEmail, &e.SentSMS)
	}
}

// ForgetReminder takes back this month's record of a booklet's reminder,
// when sending it failed: the next run tries again.
func (tx *Tx) ForgetReminder(ctx context.Context, bookletID string) error {
	_, err := tx.exec(ctx, `DELETE FROM reminders WHERE booklet_id = ? AND period = ?`, bookletID, passnum.ReminderPeriod(tx.now))
	return err
}
