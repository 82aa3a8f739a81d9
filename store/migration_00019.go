package store

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/pressly/goose/v3"
)

// Migration 00019 leaves half of each new page of passes free on
// PostgreSQL (fillfactor 50). A pass is written once at issuance and then
// updated in place: assigned when its booklet is handed out, redeemed,
// sometimes cancelled or blocked. PostgreSQL writes each update as a new
// row version; when it fits on the same page and no indexed column
// changes (status is in none of the passes' indexes), it is a "HOT"
// update that touches none of the three indexes (id, code, booklet).
// Issued full, a page had no room: every hand-out rewrote five entries in
// each index, the random codes' among them, and the table doubled with
// old versions anyway. Measured on a seed of a million passes, every pass
// update became HOT, the seed took 0.8 of its time and the table ended
// smaller; at 10 M passes the hand-outs took 0.44 of theirs. The price:
// an issuance writes twice the pages, a million passes in about 1.23
// times as long (BENCHMARKS.md, "room for the passes' updates"); the
// redemption through the API showed no cost over eight alternated pairs
// of runs ("the passes' fill factor and the redemption"). SQLite
// updates rows in place and has no such setting: nothing changes there.
func migration00019(d dialect) *goose.Migration {
	return goose.NewGoMigration(19,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00019(ctx, tx, d, true) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrate00019(ctx, tx, d, false) }})
}

// passesFillFactor is the share of a page of passes PostgreSQL fills at
// insertion, in per cent.
const passesFillFactor = 50

func migrate00019(ctx context.Context, q querier, d dialect, up bool) error {
	if d != postgresDialect {
		return nil
	}
	stmt := `ALTER TABLE passes SET (fillfactor = ` + strconv.Itoa(passesFillFactor) + `)`
	if !up {
		stmt = `ALTER TABLE passes RESET (fillfactor)`
	}
	_, err := q.ExecContext(ctx, stmt)
	return err
}
