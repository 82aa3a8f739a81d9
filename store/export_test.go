package store

import (
	"context"
	"slices"
	"time"
)

// SeedBenchRedemptions turns every pass of a programme into an active
// redemption with its ledger entry, in a handful of set-based statements,
// for the settlement benchmark: the booklets are handed out to one
// beneficiary, the redemptions go to the places in turn and are spread
// from from by step. It writes no audit entry and leaves the stock
// counters as they were: a measurement's database only, never check'd.
// It exists in tests alone.
func (tx *Tx) SeedBenchRedemptions(ctx context.Context, programmeID, distributorID, beneficiaryID string, places []string, from time.Time, step time.Duration) (int64, error) {
	if _, err := tx.exec(ctx, `UPDATE booklets SET status = 'handed_out', distributor_id = ?, beneficiary_id = ?, allocated_at = ?, handed_out_at = ? WHERE programme_id = ?`,
		distributorID, beneficiaryID, micros(from), micros(from), programmeID); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE passes SET status = 'redeemed' WHERE programme_id = ?`, programmeID); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `CREATE TEMPORARY TABLE bench_places (n BIGINT PRIMARY KEY, id TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(places, 500) {
		q := `INSERT INTO bench_places (n, id) VALUES `
		var args []any
		for i, id := range chunk {
			if i > 0 {
				q += ","
			}
			q += "(?, ?)"
			args = append(args, int64(len(args)/2)+int64(slices.Index(places, chunk[0])), id)
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return 0, err
		}
	}
	res, err := tx.exec(ctx, `INSERT INTO redemptions (id, pass_id, programme_id, place_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
		SELECT p.id, p.id, p.programme_id, bp.id, 'Maîtrise des outils numériques du quotidien', pr.face_value_cents, ? + p.rn * ?, 'active', 'system', 'bench'
		FROM (SELECT id, programme_id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS rn FROM passes WHERE programme_id = ?) p
		JOIN bench_places bp ON bp.n = p.rn % ?
		JOIN programmes pr ON pr.id = p.programme_id`, micros(from), int64(step/time.Microsecond), programmeID, int64(len(places)))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := tx.exec(ctx, `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
		SELECT id, id, programme_id, place_id, 'redemption', amount_cents, redeemed_at FROM redemptions WHERE programme_id = ?`, programmeID); err != nil {
		return 0, err
	}
	_, err = tx.exec(ctx, `DROP TABLE bench_places`)
	return n, err
}

// MaxSealRows is how many entries one seal holds at most.
const MaxSealRows = maxSealRows
