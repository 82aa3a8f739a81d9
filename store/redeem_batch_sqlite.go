package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"passnum"
)

// Group redemption on SQLite: the batch is one Store.Write, so it goes
// through the single writer (under a savepoint when it shares the writer's
// commit with other writes) and costs it a fixed handful of statements
// whatever its size. Each statement's text is fixed, its rows passed as one
// JSON text parameter read with json_each: the writer's statement cache
// keeps them prepared like every other. The JSON is built with what can be
// known before the write off the writer's path (in the batcher's
// goroutine), and finished inside it with what the UPDATE returns.

// redeemSQLiteUpdate is RedeemTraining's deciding UPDATE for many rows, the
// rows being {"c": code, "p": place id}. SQLite's RETURNING may not name
// the FROM rows, only the updated table: each pass comes back with its
// code (distinct within a batch), and the places' communes are read apart.
const redeemSQLiteUpdate = `UPDATE passes SET status = 'redeemed'
	FROM (SELECT value ->> 'c' AS code, value ->> 'p' AS place_id FROM jsonb_each(?)) AS v
	WHERE passes.code = v.code AND passes.status = 'assigned'
	  AND passes.programme_id IN (SELECT id FROM programmes WHERE valid_from <= ? AND last_redeem_day >= ?)
	  AND EXISTS (SELECT 1 FROM organisations WHERE organisations.id = v.place_id AND kind = 'place' AND status = 'labelled')
	RETURNING passes.code, passes.id, passes.programme_id,
	  (SELECT face_value_cents FROM programmes WHERE programmes.id = passes.programme_id),
	  (SELECT territory FROM programmes WHERE programmes.id = passes.programme_id)`

// redeemSQLiteCommunes reads the batch's places' communes (a JSON array of
// distinct ids), for the territory check.
const redeemSQLiteCommunes = `SELECT id, COALESCE(commune_insee, '') FROM organisations WHERE id IN (SELECT value FROM jsonb_each(?))`

// redeemSQLiteUndo gives back the passes (a JSON array of ids) of a place
// outside their programme's territory, taken by the UPDATE above in this
// write.
const redeemSQLiteUndo = `UPDATE passes SET status = 'assigned' WHERE id IN (SELECT value FROM jsonb_each(?)) AND status = 'redeemed'`

// The three INSERTs read the same JSON array, one object per redemption:
// r redemption id, l ledger entry id, a audit entry id, ps pass id,
// pg programme id, m amount in cents, d audit details; p place id,
// s service, k and i the actor's kind and id. Each is written without
// its "INSERT INTO ": see redeemSQLiteInserts.
const redeemSQLiteRedemptions = `redemptions (id, pass_id, programme_id, place_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
	SELECT value ->> 'r', value ->> 'ps', value ->> 'pg', value ->> 'p', value ->> 's', value ->> 'm', ?, 'active', value ->> 'k', value ->> 'i'
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
	// Off the writer's path: the UPDATE's rows, the places, and each
	// request's own part of its INSERT row.
	ord := make(map[string]int, n)
	rows := []byte{'['}
	var places []byte
	seenPlace := map[string]bool{}
	own := make([][]byte, n)
	for i, it := range items {
		ord[it.req.Code] = i
		if i > 0 {
			rows = append(rows, ',')
		}
		rows = append(rows, `{"c":`...)
		rows = appendJSONString(rows, it.req.Code)
		rows = append(rows, `,"p":`...)
		rows = appendJSONString(rows, it.actor.OrganisationID)
		rows = append(rows, '}')
		if p := it.actor.OrganisationID; !seenPlace[p] {
			seenPlace[p] = true
			if places == nil {
				places = append(places, '[')
			} else {
				places = append(places, ',')
			}
			places = appendJSONString(places, p)
		}
		var o []byte
		o = append(o, `,"p":`...)
		o = appendJSONString(o, it.actor.OrganisationID)
		o = append(o, `,"s":`...)
		o = appendJSONString(o, it.req.Service)
		o = append(o, `,"k":`...)
		o = appendJSONString(o, it.actor.Kind)
		o = append(o, `,"i":`...)
		o = appendJSONString(o, it.actor.ID)
		o = append(o, '}')
		own[i] = o
	}
	rows = append(rows, ']')
	places = append(places, ']')
	rowsText, placesText := string(rows), string(places)

	ran := false
	err = b.s.Write(ctx, func(tx *Tx) error {
		ran = false
		results = make([]redeemResult, n)
		type taken struct {
			passID, programmeID string
			amount              int64
			territory           string
		}
		got := make([]*taken, n)
		today := tx.Today().String()
		rs, err := tx.query(ctx, redeemSQLiteUpdate, rowsText, today, today)
		if err != nil {
			return err
		}
		count := 0
		for rs.Next() {
			var code string
			var t taken
			if err := rs.Scan(&code, &t.passID, &t.programmeID, &t.amount, &t.territory); err != nil {
				rs.Close()
				return err
			}
			i, ok := ord[code]
			if !ok || got[i] != nil {
				rs.Close()
				return errors.New("group redemption: unexpected row from the UPDATE")
			}
			got[i] = &t
			count++
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		if count > 0 {
			communes := map[string]string{}
			cs, err := tx.query(ctx, redeemSQLiteCommunes, placesText)
			if err != nil {
				return err
			}
			for cs.Next() {
				var id, commune string
				if err := cs.Scan(&id, &commune); err != nil {
					cs.Close()
					return err
				}
				communes[id] = commune
			}
			cs.Close()
			if err := cs.Err(); err != nil {
				return err
			}
			var undo []byte
			for i, t := range got {
				if t == nil {
					continue
				}
				if tc := strings.Split(t.territory, ","); communes[items[i].actor.OrganisationID] != "" && !passnum.InTerritory(tc, communes[items[i].actor.OrganisationID]) {
					results[i].err = outsideTerritory(tc)
					if undo == nil {
						undo = append(undo, '[')
					} else {
						undo = append(undo, ',')
					}
					undo = appendJSONString(undo, t.passID)
				}
			}
			if undo != nil {
				undo = append(undo, ']')
				if _, err := tx.exec(ctx, redeemSQLiteUndo, string(undo)); err != nil {
					return err
				}
			}
		}
		now := tx.now
		var ins []byte
		var redIDs []string
		for i, it := range items {
			t := got[i]
			switch {
			case t == nil:
				results[i].alone = true // refused: RedeemTraining says why
				continue
			case results[i].err != nil:
				continue // outside the territory
			}
			red := passnum.Redemption{ID: passnum.NewID(now), Code: it.req.Code, ProgrammeID: t.programmeID, PlaceID: it.actor.OrganisationID,
				Service: it.req.Service, RedeemedAt: now, AmountCents: t.amount, Status: passnum.RedemptionActive}
			d, err := auditDetailsPass(t.passID)
			if err != nil {
				return err
			}
			if ins == nil {
				ins = append(ins, '[')
			} else {
				ins = append(ins, ',')
			}
			ins = append(ins, `{"r":`...)
			ins = appendJSONString(ins, red.ID)
			ins = append(ins, `,"l":`...)
			ins = appendJSONString(ins, passnum.NewID(now))
			ins = append(ins, `,"a":`...)
			ins = appendJSONString(ins, passnum.NewID(now))
			ins = append(ins, `,"ps":`...)
			ins = appendJSONString(ins, t.passID)
			ins = append(ins, `,"pg":`...)
			ins = appendJSONString(ins, t.programmeID)
			ins = append(ins, `,"m":`...)
			ins = strconv.AppendInt(ins, t.amount, 10)
			ins = append(ins, `,"d":`...)
			ins = appendJSONString(ins, d)
			ins = append(ins, own[i]...)
			results[i].out = Redeemed{Redemptions: []passnum.Redemption{red}}
			redIDs = append(redIDs, red.ID)
		}
		if ins != nil {
			ins = append(ins, ']')
			text, at := string(ins), micros(now)
			inserts := redeemSQLiteInserts[0]
			if tx.alone {
				inserts = redeemSQLiteInserts[1]
			}
			for _, q := range inserts {
				if _, err := tx.exec(ctx, q, at, text); err != nil {
					return err
				}
			}
		}
		if err := tx.usesChanged(ctx, redIDs, passnum.ParisMonth(now), +1); err != nil {
			return err
		}
		ran = true
		return nil
	})
	if err != nil {
		return nil, ran, err
	}
	return results, false, nil
}

// auditDetailsPass is the details RedeemTraining's audit entry carries for
// a pass redeemed alone, byte for byte.
func auditDetailsPass(passID string) (string, error) {
	if passnum.ValidID(passID) { // nothing to escape
		return `{"pass_id":"` + passID + `"}`, nil
	}
	d, err := json.Marshal(map[string]any{"pass_id": passID})
	return string(d), err
}

// appendJSONString appends s as a JSON string. It escapes what JSON
// requires (quotes, backslashes, control characters) and keeps the rest
// as UTF-8; invalid UTF-8 is left to encoding/json, which replaces it.
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
