package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00020 keeps the reminders' effect in counters
// (dimReminders, stat_counts.go) instead of reading every booklet of a
// programme on each request: each booklet records its first dormant
// reminder (reminded_at), and the counters of the started booklets by
// day of first use, of the reminded ones and of the reminders sent are
// filled from the raw rows. Rows of that breakdown written by earlier
// migrations' recounts (13, then the all-months and quarters rows 16 and
// 18 derived from them) are replaced. It is written in Go because the
// recount is. On a national programme it reads every booklet once, as
// passnum check does.
func migration00020() *goose.Migration {
	return goose.NewGoMigration(20,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00020Up(ctx, tx) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00020Down(ctx, tx) }})
}

func migrate00020Up(ctx context.Context, tx querier) error {
	for _, q := range []string{
		`ALTER TABLE booklets ADD COLUMN reminded_at BIGINT`,
		`UPDATE booklets SET reminded_at = (SELECT MIN(r.sent_at) FROM reminders r WHERE r.booklet_id = booklets.id AND r.kind = 'dormant')
			WHERE id IN (SELECT booklet_id FROM reminders WHERE kind = 'dormant')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return replaceCounters(ctx, tx, recountSchema{reminders: true}, reminderCounters, func(k statKey) bool { return k.dim == dimReminders })
}

// reminderCounters are the counters migration 00020 fills.
const reminderCounters = `dim = '` + dimReminders + `'`

func migrate00020Down(ctx context.Context, tx querier) error {
	if err := deleteCounters(ctx, tx, reminderCounters); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE booklets DROP COLUMN reminded_at`)
	return err
}

// deleteCounters deletes the counters where says, folded or not.
func deleteCounters(ctx context.Context, tx querier, where string) error {
	for _, t := range []string{"stat_counts", "stat_deltas"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE `+where); err != nil {
			return err
		}
	}
	return nil
}

// replaceCounters replaces, in a migration, the counters where says (and
// keep tells) by their recount from the raw rows on the schema it finds.
func replaceCounters(ctx context.Context, tx querier, schema recountSchema, where string, keep func(statKey) bool) error {
	if err := deleteCounters(ctx, tx, where); err != nil {
		return err
	}
	counters, err := recountStats(ctx, tx, schema)
	if err != nil {
		return err
	}
	return counters.sorted(func(k statKey, v statVal) error {
		if !keep(k) {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO stat_counts (`+statCountsColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.programme, k.dim, k.value, k.month, k.metric, k.bucket, v.n, v.amount)
		return err
	})
}
