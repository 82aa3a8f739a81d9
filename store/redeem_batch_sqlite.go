package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"passnum"
)

// Group redemption on SQLite: the batch is one Store.Write, so it goes
// through the single writer (under a savepoint when it shares the writer's
// commit with other writes) and costs it a fixed handful of statements
// whatever its size. Each statement's text is fixed, its rows passed as one
// JSON text parameter (encoding/json) read with jsonb_each: the writer's
// statement cache keeps them prepared like every other. The deciding
// UPDATE's rows are encoded off the writer's path (in the batcher's
// goroutine); the rows written, which need what the UPDATE returns, inside
// it.

// redeemSQLitePlaces reads the batch's places' communes, for the
// territory check, and their only sites (a JSON array of distinct ids).
var redeemSQLitePlaces = `SELECT id, COALESCE(commune_insee, ''), ` + placeOnlySite("organisations.id") + `
	FROM organisations WHERE id IN (SELECT value FROM jsonb_each(?))`

// redeemSQLiteUndo gives back the passes (a JSON array of ids) of a place
// outside their programme's territory, taken by the UPDATE above in this
// write.
const redeemSQLiteUndo = `UPDATE passes SET status = 'assigned' WHERE id IN (SELECT value FROM jsonb_each(?)) AND status = 'redeemed'`

// The three INSERTs read the same JSON array, one object per redemption:
// r redemption id, l ledger entry id, a audit entry id, ps pass id,
// pg programme id, m amount in cents, d audit details; p place id,
// st site id ("" for none), s service, k and i the actor's kind and id. Each is written without
// its "INSERT INTO ": see redeemSQLiteInserts.
const redeemSQLiteRedemptions = `redemptions (id, pass_id, programme_id, place_id, site_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
	SELECT value ->> 'r', value ->> 'ps', value ->> 'pg', value ->> 'p', NULLIF(value ->> 'st', ''), value ->> 's', value ->> 'm', ?, 'active', value ->> 'k', value ->> 'i'
	FROM jsonb_each(?)`

const redeemSQLiteLedger = `ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
	SELECT value ->> 'l', value ->> 'r', value ->> 'pg', value ->> 'p', 'redemption', value ->> 'm', ?
	FROM jsonb_each(?)`

const redeemSQLiteAudit = `audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
	SELECT value ->> 'a', ?, value ->> 'p', value ->> 'k', value ->> 'i', 'pass.redeem', 'redemption', value ->> 'r', '', value ->> 'd'
	FROM jsonb_each(?)`

// redeemSQLiteInserts are the three INSERTs, for a write batched with
// others ([0]) and for a write alone in its transaction ([1]), which the
// group's write usually is: see dialect.bulkInsert.
var redeemSQLiteInserts = func() (out [2][3]string) {
	for i, alone := range []bool{false, true} {
		for j, q := range []string{redeemSQLiteRedemptions, redeemSQLiteLedger, redeemSQLiteAudit} {
			out[i][j] = sqliteDialect.bulkInsert(alone) + q
		}
	}
	return out
}()

// redeemTogetherSQLite is redeemTogether as one write through the writer.
func (b *redeemBatcher) redeemTogetherSQLite(items []*redeemItem) (results []redeemResult, committed bool, err error) {
	ctx := context.Background()
	n := len(items)
	// Off the writer's path: the UPDATE's rows and the batch's places.
	type codeAt struct {
		Code    string `json:"c"`
		PlaceID string `json:"p"`
	}
	ord := make(map[string]int, n)
	decide := make([]codeAt, n)
	var places []string
	seenPlace := map[string]bool{}
	for i, it := range items {
		ord[it.req.Code] = i
		decide[i] = codeAt{it.req.Code, it.actor.OrganisationID}
		if p := it.actor.OrganisationID; !seenPlace[p] {
			seenPlace[p] = true
			places = append(places, p)
		}
	}
	decideText, err := jsonText(decide)
	if err != nil {
		return nil, false, err
	}
	placesText, err := jsonText(places)
	if err != nil {
		return nil, false, err
	}

	ran := false
	err = b.s.Write(ctx, func(tx *Tx) error {
		ran = false
		got, err := tx.decideSQLiteBatch(ctx, decideText, ord, n)
		if err != nil {
			return err
		}
		if err := tx.addPlaceFacts(ctx, got, items, placesText); err != nil {
			return err
		}
		var rows []redeemRow
		var undo []string
		results, rows, undo, err = planRedeemBatch(items, got, tx.now)
		if err != nil {
			return err
		}
		if len(undo) > 0 {
			text, err := jsonText(undo)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, redeemSQLiteUndo, text); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			if err := tx.writeRedeemRowsSQLite(ctx, rows); err != nil {
				return err
			}
		}
		ran = true
		return nil
	})
	if err != nil {
		return nil, ran, err
	}
	return results, false, nil
}

// writeRedeemRowsSQLite writes a batch's redemptions, their ledger and
// audit entries, each table in one statement over one JSON text, and the
// statistics' counters.
func (tx *Tx) writeRedeemRowsSQLite(ctx context.Context, rows []redeemRow) error {
	text, err := jsonText(rows)
	if err != nil {
		return err
	}
	inserts := redeemSQLiteInserts[0]
	if tx.alone {
		inserts = redeemSQLiteInserts[1]
	}
	at := micros(tx.now)
	for _, q := range inserts {
		if _, err := tx.exec(ctx, q, at, text); err != nil {
			return err
		}
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.RedemptionID
	}
	return tx.usesChanged(ctx, ids, passnum.ParisMonth(tx.now), +1)
}

// decideSQLiteBatch runs the deciding UPDATE over a batch (decide, the
// JSON rows; ord, each code's position) and returns what it took, nil for
// a request refused.
func (tx *Tx) decideSQLiteBatch(ctx context.Context, decide string, ord map[string]int, n int) ([]*redeemTaken, error) {
	got := make([]*redeemTaken, n)
	today := tx.Today().String()
	rs, err := tx.query(ctx, redeemSQLiteUpdate, decide, today, today)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var code, bookletID string
		var t redeemTaken
		if err := rs.Scan(&code, &t.passID, &t.programmeID, &bookletID, &t.amount, &t.territory); err != nil {
			return nil, err
		}
		i, ok := ord[code]
		if !ok || got[i] != nil {
			return nil, errors.New("group redemption: unexpected row from the UPDATE")
		}
		got[i] = &t
	}
	return got, rs.Err()
}

// addPlaceFacts gives each pass taken its place's commune, for the
// territory check, and its only site: SQLite's RETURNING could not bring
// them back.
func (tx *Tx) addPlaceFacts(ctx context.Context, got []*redeemTaken, items []*redeemItem, places string) error {
	if !slices.ContainsFunc(got, func(t *redeemTaken) bool { return t != nil }) {
		return nil
	}
	type facts struct{ commune, onlySite string }
	byPlace := map[string]facts{}
	cs, err := tx.query(ctx, redeemSQLitePlaces, places)
	if err != nil {
		return err
	}
	defer cs.Close()
	for cs.Next() {
		var id string
		var f facts
		if err := cs.Scan(&id, &f.commune, &f.onlySite); err != nil {
			return err
		}
		byPlace[id] = f
	}
	if err := cs.Err(); err != nil {
		return err
	}
	for i, t := range got {
		if t != nil {
			f := byPlace[items[i].actor.OrganisationID]
			t.commune, t.onlySite = f.commune, f.onlySite
		}
	}
	return nil
}

// jsonText is v as the JSON text parameter a statement reads with
// jsonb_each.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
