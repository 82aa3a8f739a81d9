package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 00012 makes the audit trail and the money ledger
// tamper-evident. Each entry gets seq, its place in the table's sealing
// order, filled for existing rows by time then id; the sealer (seal.go)
// hashes entries in that order into a chain of seals. It is written in Go
// because the two engines number new rows differently:
//
//   - SQLite has one writer at a time: a trigger gives each new row the
//     next number inside the writing transaction, so numbers follow commit
//     order;
//   - PostgreSQL takes the number from a sequence, after making sure the
//     inserting transaction has its id (passnum_seal_next): the sealer
//     then knows which transactions may still hold a number below the one
//     it reads, and waits for them to end before sealing up to it.
//
// seals is the chain; seal_keys the installation's signing key for the
// daily digests, made on first use; seal_digests one signed head per day.
func migration00012(d dialect) *goose.Migration {
	return goose.NewGoMigration(12,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00012Up(ctx, tx, d) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00012Down(ctx, tx, d) }})
}

// sealedTables are the tables whose rows are sealed, in a fixed order.
var sealedTables = []string{"audit_log", "ledger_entries"}

func migrate00012Up(ctx context.Context, tx *sql.Tx, d dialect) error {
	var stmts []string
	for _, t := range sealedTables {
		fill := `UPDATE ` + t + ` SET seq = o.n FROM (SELECT id, row_number() OVER (ORDER BY at, id) AS n FROM ` + t + `) o WHERE o.id = ` + t + `.id`
		if d == postgresDialect {
			stmts = append(stmts,
				`ALTER TABLE `+t+` ADD COLUMN seq BIGINT`,
				fill,
				`CREATE SEQUENCE `+t+`_seal_seq`,
				`SELECT setval('`+t+`_seal_seq', COALESCE((SELECT MAX(seq) FROM `+t+`), 0) + 1, false)`,
			)
		} else {
			stmts = append(stmts,
				`ALTER TABLE `+t+` ADD COLUMN seq BIGINT NOT NULL DEFAULT 0`,
				fill,
			)
		}
	}
	if d == postgresDialect {
		stmts = append(stmts, `CREATE FUNCTION passnum_seal_next(s regclass) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_current_xact_id();
    RETURN nextval(s);
END $$`)
		for _, t := range sealedTables {
			stmts = append(stmts,
				`ALTER TABLE `+t+` ALTER COLUMN seq SET DEFAULT passnum_seal_next('`+t+`_seal_seq')`,
				`ALTER TABLE `+t+` ALTER COLUMN seq SET NOT NULL`,
			)
		}
	} else {
		for _, t := range sealedTables {
			stmts = append(stmts, `CREATE TRIGGER `+t+`_seq AFTER INSERT ON `+t+` BEGIN
    UPDATE `+t+` SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM `+t+`) WHERE rowid = NEW.rowid;
END`)
		}
	}
	for _, t := range sealedTables {
		stmts = append(stmts, `CREATE UNIQUE INDEX `+t+`_seq ON `+t+` (seq)`)
	}
	stmts = append(stmts,
		`CREATE TABLE seals (
    seq        BIGINT PRIMARY KEY CHECK (seq > 0),
    table_name TEXT NOT NULL CHECK (table_name IN ('audit_log', 'ledger_entries')),
    first_seq  BIGINT NOT NULL,
    last_seq   BIGINT NOT NULL CHECK (last_seq >= first_seq),
    entries    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    sealed_at  BIGINT NOT NULL
)`,
		`CREATE UNIQUE INDEX seals_range ON seals (table_name, first_seq)`,
		`CREATE TABLE seal_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL
)`,
		`CREATE TABLE seal_digests (
    day        TEXT PRIMARY KEY,
    seal_seq   BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL,
    created_at BIGINT NOT NULL
)`,
	)
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func migrate00012Down(ctx context.Context, tx *sql.Tx, d dialect) error {
	stmts := []string{`DROP TABLE seal_digests`, `DROP TABLE seal_keys`, `DROP TABLE seals`}
	for _, t := range sealedTables {
		stmts = append(stmts, `DROP INDEX `+t+`_seq`)
		if d == postgresDialect {
			stmts = append(stmts, `ALTER TABLE `+t+` DROP COLUMN seq`, `DROP SEQUENCE `+t+`_seal_seq`)
		} else {
			stmts = append(stmts, `DROP TRIGGER `+t+`_seq`, `ALTER TABLE `+t+` DROP COLUMN seq`)
		}
	}
	if d == postgresDialect {
		stmts = append(stmts, `DROP FUNCTION passnum_seal_next(regclass)`)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
