package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00009 is written in Go rather than SQL because it fills a
// column with what only Go computes: the folded identity of every young
// person registered before it (identityKey), the key the database then
// guards with a unique index per agency. Its statements are the same
// portable SQL both engines run as the other migrations.
//
// Young people registered twice in one agency before the index existed
// keep both records: the second one's key gets "#" and its id, so that the
// index can be created, and "passnum check" keeps seeing a valid key.
func migration00009() *goose.Migration {
	return goose.NewGoMigration(9, &goose.GoFunc{RunTx: migrate00009Up}, &goose.GoFunc{RunTx: migrate00009Down})
}

var migration00009Schema = []string{
	// The same person within one agency: folded first name, folded last
	// name, birth date (identityKey).
	`ALTER TABLE beneficiaries ADD COLUMN identity_key TEXT NOT NULL DEFAULT ''`,
	// The lock taken by a hand-out on a person and a programme, so that two
	// agencies handing out to the same person at once are told of each
	// other (the second waits for the first).
	`CREATE TABLE person_programme_locks (
    identity_key TEXT NOT NULL,
    programme_id TEXT NOT NULL,
    PRIMARY KEY (identity_key, programme_id)
)`,
	// A hand-out the counsellor confirmed although a person with the same
	// identity already held a booklet of the programme in another agency.
	`CREATE TABLE duplicate_confirmations (
    id             TEXT PRIMARY KEY,
    at             BIGINT NOT NULL,
    programme_id   TEXT NOT NULL REFERENCES programmes (id),
    distributor_id TEXT NOT NULL REFERENCES organisations (id),
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    booklet_id     TEXT NOT NULL UNIQUE,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL
)`,
	`CREATE INDEX duplicate_confirmations_at ON duplicate_confirmations (at, id)`,
	// Corrections of a young person's record, with the old and new values
	// of each field changed. The audit trail names the fields and this
	// row's id only, so that erasing a person erases these rows and leaves
	// the trail whole.
	`CREATE TABLE beneficiary_changes (
    id             TEXT PRIMARY KEY,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    at             BIGINT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    field          TEXT NOT NULL,
    old_value      TEXT NOT NULL,
    new_value      TEXT NOT NULL
)`,
	`CREATE INDEX beneficiary_changes_beneficiary ON beneficiary_changes (beneficiary_id, at)`,
}

var migration00009Index = []string{
	`CREATE UNIQUE INDEX beneficiaries_identity ON beneficiaries (distributor_id, identity_key)`,
	`CREATE INDEX beneficiaries_identity_key ON beneficiaries (identity_key)`,
}

func migrate00009Up(ctx context.Context, tx *sql.Tx) error { return migrate00009UpOn(ctx, tx) }

func migrate00009UpOn(ctx context.Context, tx querier) error {
	for _, q := range migration00009Schema {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := fillIdentityKeys(ctx, tx); err != nil {
		return err
	}
	for _, q := range migration00009Index {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// fillIdentityKeys computes the key of every young person, oldest first
// in each agency, in Go.
func fillIdentityKeys(ctx context.Context, tx querier) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, distributor_id, first_name, last_name, birth_date FROM beneficiaries ORDER BY created_at, id`)
	if err != nil {
		return err
	}
	type row struct{ id, key string }
	var todo []row
	seen := map[[2]string]bool{}
	for rows.Next() {
		var id, dist, first, last, birth string
		if err := rows.Scan(&id, &dist, &first, &last, &birth); err != nil {
			rows.Close()
			return err
		}
		key := identityKeyOf(first, last, birth)
		if seen[[2]string{dist, key}] {
			key += "#" + id
		}
		seen[[2]string{dist, key}] = true
		todo = append(todo, row{id, key})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Both engines accept "$1" placeholders (SQLite reads them as
	// numbered parameters).
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE beneficiaries SET identity_key = $1 WHERE id = $2`, r.key, r.id); err != nil {
			return err
		}
	}
	return nil
}

func migrate00009Down(ctx context.Context, tx *sql.Tx) error { return migrate00009DownOn(ctx, tx) }

func migrate00009DownOn(ctx context.Context, tx querier) error {
	for _, q := range []string{
		`DROP INDEX beneficiaries_identity_key`,
		`DROP INDEX beneficiaries_identity`,
		`DROP TABLE beneficiary_changes`,
		`DROP TABLE duplicate_confirmations`,
		`DROP TABLE person_programme_locks`,
		`ALTER TABLE beneficiaries DROP COLUMN identity_key`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
