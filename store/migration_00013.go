package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"

	"passnum"
)

// Migration 00013 adds the programme statistics' counters (stat_counts,
// see stat_counts.go), what each booklet needs for them (who it went to
// as the statistics count them, its used passes and first use), the
// "called" mark of dormant booklets and the programme's dormancy setting.
// It is written in Go because it fills the new columns and counters of
// an existing database with what only Go computes (départements, age
// bands, Paris months).
func migration00013() *goose.Migration {
	return goose.NewGoMigration(13, &goose.GoFunc{RunTx: migrate00013Up}, &goose.GoFunc{RunTx: migrate00013Down})
}

var migration00013Schema = []string{
	`ALTER TABLE booklets ADD COLUMN stat_departement TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE booklets ADD COLUMN stat_commune TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE booklets ADD COLUMN stat_age_band TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE booklets ADD COLUMN stat_month TEXT NOT NULL DEFAULT ''`,
	`ALTER TABLE booklets ADD COLUMN stat_target INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE booklets ADD COLUMN stat_replacement INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE booklets ADD COLUMN used_passes INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE booklets ADD COLUMN first_used_at BIGINT`,
	// A counsellor called the young person back about a dormant booklet.
	`ALTER TABLE booklets ADD COLUMN called_at BIGINT`,
	// Days after hand-out from which a booklet never used is dormant.
	`ALTER TABLE programmes ADD COLUMN dormant_days INTEGER NOT NULL DEFAULT 60 CHECK (dormant_days > 0)`,
	statCountsTable("stat_counts", "programme_id, dim, dim_value, month, metric, bucket", ""),
	// A distributor's dormant booklets: handed out, never used, oldest first.
	`CREATE INDEX booklets_dormant ON booklets (distributor_id, status, used_passes, handed_out_at)`,
	// The audit trail filtered by organisation or action.
	`CREATE INDEX audit_organisation ON audit_log (organisation_id, at, id)`,
	`CREATE INDEX audit_action ON audit_log (action, at, id)`,
}

func migrate00013Up(ctx context.Context, tx *sql.Tx) error {
	for _, q := range migration00013Schema {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := fillBookletStats(ctx, tx); err != nil {
		return err
	}
	counters, err := recountStats(ctx, tx, recountSchema{})
	if err != nil {
		return err
	}
	return writeStats(ctx, tx, counters)
}

// fillBookletStats computes, for every booklet handed out before the
// migration, who it went to (from the record as it stands now), whether
// it replaces another, and its uses.
func fillBookletStats(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT b.id, b.handed_out_at, n.birth_date, n.commune_insee, n.job_seeker, n.in_studies
		FROM booklets b JOIN beneficiaries n ON n.id = b.beneficiary_id WHERE b.handed_out_at IS NOT NULL`)
	if err != nil {
		return err
	}
	type row struct {
		id   string
		dims statDims
	}
	var todo []row
	for rows.Next() {
		var id, commune string
		var birth passnum.Date
		var at int64
		var b passnum.Beneficiary
		if err := rows.Scan(&id, &at, &birth, &commune, &b.JobSeeker, &b.InStudies); err != nil {
			rows.Close()
			return err
		}
		t := fromMicros(at)
		todo = append(todo, row{id, bookletStatDims(birth, commune, &b, passnum.ParisDate(t), passnum.ParisMonth(t))})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		d := r.dims
		if _, err := q.ExecContext(ctx, `UPDATE booklets SET stat_departement = $1, stat_commune = $2, stat_age_band = $3, stat_target = $4, stat_month = $5 WHERE id = $6`,
			d.departement, d.commune, d.ageBand, d.target, d.month, r.id); err != nil {
			return err
		}
	}
	for _, s := range []string{
		`UPDATE booklets SET stat_replacement = 1 WHERE id IN (SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL)`,
		`UPDATE booklets SET
			used_passes = (SELECT COUNT(*) FROM passes ps JOIN redemptions r ON r.pass_id = ps.id WHERE ps.booklet_id = booklets.id AND r.status = 'active'),
			first_used_at = (SELECT MIN(r.redeemed_at) FROM passes ps JOIN redemptions r ON r.pass_id = ps.id WHERE ps.booklet_id = booklets.id AND r.status = 'active')
			WHERE handed_out_at IS NOT NULL`,
	} {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func migrate00013Down(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`DROP INDEX audit_action`,
		`DROP INDEX audit_organisation`,
		`DROP INDEX booklets_dormant`,
		`DROP TABLE stat_counts`,
		`ALTER TABLE programmes DROP COLUMN dormant_days`,
		`ALTER TABLE booklets DROP COLUMN called_at`,
		`ALTER TABLE booklets DROP COLUMN first_used_at`,
		`ALTER TABLE booklets DROP COLUMN used_passes`,
		`ALTER TABLE booklets DROP COLUMN stat_replacement`,
		`ALTER TABLE booklets DROP COLUMN stat_target`,
		`ALTER TABLE booklets DROP COLUMN stat_month`,
		`ALTER TABLE booklets DROP COLUMN stat_age_band`,
		`ALTER TABLE booklets DROP COLUMN stat_commune`,
		`ALTER TABLE booklets DROP COLUMN stat_departement`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// statCountsTable is stat_counts' definition with its primary key and
// table options (migration 00016 rebuilds it with another key).
func statCountsTable(name, key, options string) string {
	return `CREATE TABLE ` + name + ` (
    programme_id TEXT NOT NULL,
    dim          TEXT NOT NULL,
    dim_value    TEXT NOT NULL,
    month        TEXT NOT NULL,
    metric       TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (` + key + `)
)` + options
}
