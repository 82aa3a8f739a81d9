package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00022 counts the passes used by the booklets handed out in
// each month, whenever they were used (cohort_used, stat_counts.go), so
// that the passes handed out in a period and never used are its
// booklets' passes less those: before, the passes used in the period
// were taken off, which are other booklets' in part. A replacement's uses
// count in the month of the first booklet of its chain, which each
// replacement now records (booklets.stat_cohort, "" for a booklet's own
// month): it is filled along the chains, one link a statement, and the
// counters from the raw rows. It is written in Go because the recount is.
func migration00022() *goose.Migration {
	return goose.NewGoMigration(22,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00022Up(ctx, tx) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00022Down(ctx, tx) }})
}

// replacedCohort is, for a replacement (booklets), the cohort of the
// booklet it replaces.
const replacedCohort = `(SELECT CASE WHEN o.stat_cohort <> '' THEN o.stat_cohort ELSE o.stat_month END FROM booklets o WHERE o.replaced_by = booklets.id)`

func migrate00022Up(ctx context.Context, tx querier) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE booklets ADD COLUMN stat_cohort TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	// A chain of replacements is filled a link at a time: a statement
	// finds the cohort of the booklets the previous one filled.
	for {
		res, err := tx.ExecContext(ctx, `UPDATE booklets SET stat_cohort = `+replacedCohort+`
			WHERE id IN (SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL) AND stat_cohort <> `+replacedCohort)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	return replaceCounters(ctx, tx, recountSchema{reminders: true, cohorts: true}, cohortCounters, func(k statKey) bool { return k.metric == metricCohortUsed })
}

// cohortCounters are the counters migration 00022 fills.
const cohortCounters = `metric = '` + metricCohortUsed + `'`

func migrate00022Down(ctx context.Context, tx querier) error {
	if err := deleteCounters(ctx, tx, cohortCounters); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE booklets DROP COLUMN stat_cohort`)
	return err
}
