package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// remindSome records a dormant reminder, as a run would, for about half
// of the programme's booklets asleep now (handed out more than its
// dormant days ago, no pass used), by e-mail or text; about one in four
// is then taken back, as when sending fails.
func (w *statWorld) remindSome(t *testing.T, r *rand.Rand, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT b.id, b.beneficiary_id FROM booklets b JOIN programmes p ON p.id = b.programme_id
		WHERE b.programme_id = $1 AND b.status = 'handed_out' AND b.used_passes = 0 AND b.handed_out_at < $2 - p.dormant_days * CAST(86400000000 AS BIGINT)
		ORDER BY b.id`, w.prog.ID, w.clock.Now().UnixMicro())
	if err != nil {
		t.Fatal(err)
	}
	var due []passnum.Reminder
	for rows.Next() {
		rm := passnum.Reminder{ProgrammeID: w.prog.ID, Kind: passnum.ReminderDormant}
		if err := rows.Scan(&rm.BookletID, &rm.BeneficiaryID); err != nil {
			t.Fatal(err)
		}
		due = append(due, rm)
	}
	rows.Close()
	for _, rm := range due {
		if r.IntN(2) == 0 {
			continue
		}
		ch := passnum.ByEmail
		if r.IntN(2) == 0 {
			ch = passnum.BySMS
		}
		err := w.s.Write(t.Context(), func(tx *store.Tx) error {
			if _, err := tx.RecordReminder(t.Context(), rm, ch); err != nil {
				return err
			}
			if r.IntN(4) == 0 {
				return tx.ForgetReminder(t.Context(), rm.BookletID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// rawEffect is the reminders' effect recounted from the raw rows: the
// booklets handed out (replacing none) in months up to through, that
// slept (no pass used within their first dormant days), first reminded
// before the month recent, from it on, or never, and those of them with
// a pass used; and the reminders sent.
func rawEffect(t *testing.T, db *sql.DB, programmeID, through, recent string, dormantDays int) []int64 {
	t.Helper()
	rows, err := db.Query(`SELECT b.stat_month, b.handed_out_at,
			(SELECT MIN(r.redeemed_at) FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE ps.booklet_id = b.id AND r.status = 'active'),
			(SELECT MIN(m.sent_at) FROM reminders m WHERE m.booklet_id = b.id AND m.kind = 'dormant')
		FROM booklets b WHERE b.programme_id = $1 AND b.status IN ('handed_out', 'blocked')
		  AND NOT EXISTS (SELECT 1 FROM booklets o WHERE o.replaced_by = b.id)`, programmeID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var reminded, remindedStarted, lately, latelyStarted, notReminded, notRemindedStarted int64
	for rows.Next() {
		var month string
		var handed int64
		var first sql.NullInt64
		var remindedAt sql.NullInt64
		if err := rows.Scan(&month, &handed, &first, &remindedAt); err != nil {
			t.Fatal(err)
		}
		if through == "" || month > through {
			continue
		}
		if first.Valid && time.Duration(first.Int64-handed)*time.Microsecond < time.Duration(dormantDays)*24*time.Hour {
			continue // used before it could sleep
		}
		switch {
		case remindedAt.Valid && passnum.ParisMonth(time.UnixMicro(remindedAt.Int64)) >= recent:
			lately++
			if first.Valid {
				latelyStarted++
			}
		case remindedAt.Valid:
			reminded++
			if first.Valid {
				remindedStarted++
			}
		default:
			notReminded++
			if first.Valid {
				notRemindedStarted++
			}
		}
	}
	out := []int64{reminded, remindedStarted, lately, latelyStarted, notReminded, notRemindedStarted}
	var dormant, ending, email, sms int64
	if err := db.QueryRow(`SELECT COUNT(CASE WHEN kind = 'dormant' THEN 1 END), COUNT(CASE WHEN kind = 'ending' THEN 1 END),
			COUNT(CASE WHEN channel = 'email' THEN 1 END), COUNT(CASE WHEN channel = 'sms' THEN 1 END)
		FROM reminders WHERE programme_id = $1`, programmeID).Scan(&dormant, &ending, &email, &sms); err != nil {
		t.Fatal(err)
	}
	return append(out, dormant, ending, email, sms)
}

// TestReminderEffectEqualsARecount: on random hand-outs, uses,
// cancellations, replacements, reminders (some taken back) and days
// passing, the reminders' effect, read from counters, equals the test's
// own recount from the raw rows, and every counter its recount (passnum
// check).
func TestReminderEffectEqualsARecount(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				r := rand.New(rand.NewPCG(seed, 20))
				w := newStatWorld(t, s, clock, r)
				compared, split := 0, false
				for i := range 300 {
					w.step(r, clock)
					if i%10 != 9 {
						continue
					}
					w.remindSome(t, r, db)
					got := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ReminderEffect, error) {
						return tx.ReminderEffect(ctx, w.prog.ID, false)
					})
					// Last month; none once the programme's last day of
					// use is before it (no reminder can be recent).
					lastMonth := passnum.ParisMonth(clock.Now().In(passnum.Paris).AddDate(0, 0, -clock.Now().In(passnum.Paris).Day()+1).AddDate(0, -1, 0))
					wantSince := lastMonth
					if w.prog.LastRedeemDay().YearMonth() < lastMonth {
						wantSince = ""
					}
					if got.RecentSince != wantSince {
						t.Fatalf("recent since %q, want %q", got.RecentSince, wantSince)
					}
					want := rawEffect(t, db, w.prog.ID, got.Through, lastMonth, got.DormantDays)
					figures := []int64{val(got.Reminded), val(got.RemindedStarted), val(got.RecentlyReminded), val(got.RecentlyRemindedStarted),
						val(got.NotReminded), val(got.NotRemindedStarted),
						val(got.SentDormant), val(got.SentEnding), val(got.SentEmail), val(got.SentSMS)}
					if fmt.Sprint(figures) != fmt.Sprint(want) {
						t.Fatalf("step %d, through %q: effect %v, recount %v", i, got.Through, figures, want)
					}
					if want[0]+want[2] > 0 && want[1]+want[3] > 0 && want[4] > 0 {
						compared++
					}
					split = split || want[0] > 0 && want[2] > 0
				}
				mustCheck(t, s)
				if compared == 0 || !split {
					t.Fatalf("no step had reminded and not reminded booklets, some started (%d), or reminded long ago and lately (%v): the walk no longer tries the effect", compared, split)
				}
			})
		})
	}
}

// TestMigration00020FillsTheReminders: a database with reminders sent
// before the reminders' counters (as before migration 00020) gets each
// booklet's first dormant reminder and the counters from the migration,
// and the effect stays what the writes kept.
func TestMigration00020FillsTheReminders(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		r := rand.New(rand.NewPCG(20, 20))
		w := newStatWorld(t, s, clock, r)
		for i := range 150 {
			w.step(r, clock)
			if i%10 == 9 {
				w.remindSome(t, r, db)
			}
		}
		effect := func() store.ReminderEffect {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ReminderEffect, error) {
				return tx.ReminderEffect(ctx, w.prog.ID, false)
			})
		}
		kept := effect()
		if val(kept.Reminded)+val(kept.RecentlyReminded) == 0 || val(kept.SentDormant) == 0 {
			t.Fatalf("no reminder in the walk: %s", effectText(kept))
		}
		if err := s.RunMigration00020ForTests(t.Context(), "Down"); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.QueryRow(`SELECT COUNT(*) FROM stat_counts WHERE dim = 'reminders'`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d reminders' counters left by the way down (%v)", left, err)
		}
		if err := s.RunMigration00020ForTests(t.Context(), "Up"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if got := effect(); !reflect.DeepEqual(got, kept) {
			t.Fatalf("after the migration %s, kept %s", effectText(got), effectText(kept))
		}
	})
}

func effectText(e store.ReminderEffect) string {
	return fmt.Sprint(e.Through, " ", val(e.Reminded), val(e.RemindedStarted), val(e.RecentlyReminded), val(e.RecentlyRemindedStarted),
		val(e.NotReminded), val(e.NotRemindedStarted),
		val(e.SentDormant), val(e.SentEnding), val(e.SentEmail), val(e.SentSMS))
}
