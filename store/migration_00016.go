package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00016 gives each breakdown cell's counters a row for every
// month together (month allMonths), kept beside its months' by every write
// from then on (stat_counts.go), so that a breakdown over the whole
// programme reads one row per cell and figure instead of one per month.
// The programme as a whole keeps its months only. The rows are filled
// here from the months' counters and the deltas not yet folded; passnum
// check recounts them like any other.
//
// It also lays the counters out for reading by month, which a breakdown
// does (its all-months rows, or a period's months), and it is written in
// Go because the engines differ there:
//   - on SQLite the table is rebuilt WITHOUT ROWID, its primary key
//     ordered (programme, dimension, month, cell, figure, bucket): the rows
//     a breakdown reads lie together in the table itself, with no second
//     look-up per row;
//   - on PostgreSQL an index on (programme, dimension, month) serves the
//     same reads; it changes only when a counter row is added, not when
//     one is added to.
func migration00016(d dialect) *goose.Migration {
	return goose.NewGoMigration(16,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00016Up(ctx, tx, d) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00016Down(ctx, tx, d) }})
}

const statCountsColumns = `programme_id, dim, dim_value, month, metric, bucket, n, amount_cents`

// rebuildStatCounts replaces stat_counts on SQLite by a table of the
// given key and options holding its rows of every month but allMonths.
func rebuildStatCounts(key, options string) []string {
	return []string{
		statCountsTable("stat_counts_new", key, options),
		`INSERT INTO stat_counts_new (` + statCountsColumns + `) SELECT ` + statCountsColumns + ` FROM stat_counts WHERE month <> '` + allMonths + `'`,
		`DROP TABLE stat_counts`,
		`ALTER TABLE stat_counts_new RENAME TO stat_counts`,
	}
}

func migrate00016Up(ctx context.Context, q querier, d dialect) error {
	var stmts []string
	if d == sqliteDialect {
		stmts = rebuildStatCounts("programme_id, dim, month, dim_value, metric, bucket", " WITHOUT ROWID")
	} else {
		stmts = []string{
			`DELETE FROM stat_counts WHERE month = '` + allMonths + `'`,
			`CREATE INDEX stat_counts_month ON stat_counts (programme_id, dim, month)`,
		}
	}
	stmts = append(stmts,
		`DELETE FROM stat_deltas WHERE month = '`+allMonths+`'`,
		`INSERT INTO stat_counts (`+statCountsColumns+`)
		SELECT programme_id, dim, dim_value, '`+allMonths+`', metric, bucket, SUM(n), SUM(amount_cents)
		FROM (SELECT programme_id, dim, dim_value, metric, bucket, n, amount_cents FROM stat_counts WHERE dim NOT IN ('`+dimAll+`', '`+dimReminders+`') AND `+monthRowsOnly+`
			UNION ALL SELECT programme_id, dim, dim_value, metric, bucket, n, amount_cents FROM stat_deltas WHERE dim NOT IN ('`+dimAll+`', '`+dimReminders+`') AND `+monthRowsOnly+`) AS months
		GROUP BY programme_id, dim, dim_value, metric, bucket`)
	return execAll(ctx, q, stmts)
}

// monthRowsOnly leaves out the quarters' rows (migration 00018), sums of
// months already: none existed when this migration first ran, but a test
// runs it again over a database that has them.
const monthRowsOnly = `month NOT LIKE '` + quarterPrefix + `%'`

func migrate00016Down(ctx context.Context, q querier, d dialect) error {
	var stmts []string
	if d == sqliteDialect {
		stmts = rebuildStatCounts("programme_id, dim, dim_value, month, metric, bucket", "")
	} else {
		stmts = []string{`DROP INDEX stat_counts_month`, `DELETE FROM stat_counts WHERE month = '` + allMonths + `'`}
	}
	return execAll(ctx, q, append(stmts, `DELETE FROM stat_deltas WHERE month = '`+allMonths+`'`))
}

func execAll(ctx context.Context, q querier, stmts []string) error {
	for _, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
