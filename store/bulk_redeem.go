package store

import (
	"context"
	"strings"
	"time"

	"passnum"
)

// BulkRedeemRow is one pass a place redeems for a service at At (zero:
// the transaction's instant).
type BulkRedeemRow struct {
	Place   passnum.Actor
	Code    string
	Service string
	At      time.Time
}

// bulkPass is what the deciding UPDATE brings back of a pass.
type bulkPass struct{ id, programme string }

// BulkRedeem redeems the rows' passes as Redeem would one by one: each
// pass assigned, its programme open on the row's Paris day, the place
// labelled and in the programme's territory; then the redemption, its
// ledger entry and its audit entry. The booklets' used passes and first
// use are left to RebuildBookletUses at the load's end, and the
// statistics' counters to RebuildStats. Any refusal fails the whole call.
func (tx *Tx) BulkRedeem(ctx context.Context, rows []BulkRedeemRow) error {
	places, err := tx.bulkPlaces(ctx, rows)
	if err != nil {
		return err
	}
	passes, err := tx.takeBulkPasses(ctx, rows)
	if err != nil {
		return err
	}
	progs := map[string]passnum.Programme{}
	var reds, ledger [][]any
	var entries []bulkAudit
	for i := range rows {
		r := &rows[i]
		if r.At.IsZero() {
			r.At = tx.now
		}
		ps := passes[r.Code]
		p, ok := progs[ps.programme]
		if !ok {
			if p, err = tx.programmeSettings(ctx, ps.programme); err != nil {
				return err
			}
			progs[ps.programme] = p
		}
		if day := passnum.ParisDate(r.At); day.Before(p.ValidFrom) || day.After(p.LastRedeemDay()) {
			return passnum.Errorf(passnum.EPROGRAMMECLOSED, "Le pass %s ne peut pas être encaissé le %s : le programme n'est pas ouvert ce jour-là.", r.Code, frDate(day))
		}
		place := places[r.Place.OrganisationID]
		if err := passnum.RedeemOutsideTerritory(strings.Join(p.Territory, ","), place.commune); err != nil {
			return err
		}
		if !passnum.ValidService(r.Service) {
			return passnum.Invalid(passnum.FieldError{Field: "service", Detail: "service inconnu : choisissez un service du référentiel national"})
		}
		id := passnum.NewID(r.At)
		reds = append(reds, []any{id, ps.id, ps.programme, r.Place.OrganisationID, nullString(place.onlySite), r.Service, p.FaceValueCents, micros(r.At), r.Place.Kind, r.Place.ID})
		ledger = append(ledger, []any{passnum.NewID(r.At), id, ps.programme, r.Place.OrganisationID, p.FaceValueCents, micros(r.At)})
		entries = append(entries, bulkAudit{r.At, r.Place, "pass.redeem", "redemption", id, map[string]any{"pass_id": ps.id}})
	}
	return tx.writeBulkRedemptions(ctx, reds, ledger, entries)
}

// writeBulkRedemptions writes the redemptions and their ledger and audit
// entries.
func (tx *Tx) writeBulkRedemptions(ctx context.Context, reds, ledger [][]any, entries []bulkAudit) error {
	if err := tx.execRows(ctx, `redemptions (id, pass_id, programme_id, place_id, site_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`, "", reds); err != nil {
		return err
	}
	if err := tx.execRows(ctx, `ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at) VALUES `,
		`(?, ?, ?, ?, 'redemption', ?, ?)`, "", ledger); err != nil {
		return err
	}
	return tx.insertAudit(ctx, entries)
}

// bulkPlace is what a redemption needs of its place: its commune, for the
// territory, and its only site, where a redemption naming none is
// recorded (redeem_decide.go).
type bulkPlace struct{ commune, onlySite string }

// bulkPlaces checks that the rows' places are labelled places and returns
// their communes and only sites.
func (tx *Tx) bulkPlaces(ctx context.Context, rows []BulkRedeemRow) (map[string]bulkPlace, error) {
	communes := map[string]bulkPlace{}
	var ids []string
	for _, r := range rows {
		if _, ok := communes[r.Place.OrganisationID]; !ok {
			communes[r.Place.OrganisationID] = bulkPlace{}
			ids = append(ids, r.Place.OrganisationID)
		}
	}
	labelled := 0
	for lo := 0; lo < len(ids); lo += bulkRows {
		part := ids[lo:min(lo+bulkRows, len(ids))]
		rs, err := tx.q.QueryContext(ctx, tx.s.dialect.rebind(`SELECT id, COALESCE(commune_insee, ''), `+placeOnlySite("organisations.id")+` FROM organisations
			WHERE kind = 'place' AND status = 'labelled' AND id IN (`+placeholders(len(part))+`)`), anys(part)...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id string
			var p bulkPlace
			if err := rs.Scan(&id, &p.commune, &p.onlySite); err != nil {
				rs.Close()
				return nil, err
			}
			communes[id] = p
			labelled++
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	if labelled != len(ids) {
		return nil, passnum.RedeemPlaceNotLabelled()
	}
	return communes, nil
}

// takeBulkPasses redeems the rows' passes, each by the conditional UPDATE
// Redeem uses (only an assigned pass changes), and returns them by code.
// A code not brought back (unknown, not assigned, or twice in the rows)
// fails the call.
func (tx *Tx) takeBulkPasses(ctx context.Context, rows []BulkRedeemRow) (map[string]bulkPass, error) {
	out := make(map[string]bulkPass, len(rows))
	for lo := 0; lo < len(rows); lo += bulkRows {
		part := rows[lo:min(lo+bulkRows, len(rows))]
		codes := make([]any, len(part))
		for i, r := range part {
			codes[i] = r.Code
		}
		rs, err := tx.q.QueryContext(ctx, tx.s.dialect.rebind(tx.s.dialect.bulkUpdate(tx.alone)+`passes SET status = 'redeemed' WHERE status = 'assigned' AND code IN (`+placeholders(len(part))+`)
			RETURNING code, id, programme_id`), codes...)
		if err != nil {
			return nil, err
		}
		n := 0
		for rs.Next() {
			var code string
			var p bulkPass
			if err := rs.Scan(&code, &p.id, &p.programme); err != nil {
				rs.Close()
				return nil, err
			}
			out[code] = p
			n++
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
		if n != len(part) {
			return nil, passnum.Errorf(passnum.ECONFLICT, "Des pass ne peuvent pas être encaissés (inconnus, non remis, déjà encaissés ou en double) : rien n'a été encaissé.")
		}
	}
	return out, nil
}
