package store

import (
	"context"

	"passnum"
)

// How a redemption is decided, once for every path.
//
// A pass is redeemed by one conditional UPDATE: the pass is assigned, its
// programme open on the Paris day and the place labelled now. Of any
// number of concurrent attempts on one pass exactly one gets its row back;
// the others get nothing and ask whyNotRedeemable. The single path
// (RedeemTraining) runs it for one code; the group paths
// (redeem_batch.go, redeem_batch_sqlite.go) for many codes at once, their
// rows coming from engine-specific parameters. The three statements below
// are the same text built by redeemRows.update, so that the rule cannot
// drift between them; the territory rule, checked in Go on what comes
// back, is passnum.RedeemOutsideTerritory on every path, and every refusal
// is worded by passnum.RedeemRefusal.
//
// Where the training took place is decided here too, for every path and
// so for the pages and the API alike: the site named, else the session's,
// else the place's only site when it has exactly one (placeOnlySite);
// a place with several sites and none named records none.

// redeemRows says where the deciding UPDATE finds the codes and places it
// redeems, and how each row comes back.
type redeemRows struct {
	with  string // a WITH clause the FROM clause may name, or ""
	from  string // a FROM clause naming the batch's rows v, or "" for one pass
	code  string // the code's expression
	place string // the place id's expression
	today string // the Paris day's expression, used twice
	key   string // what identifies a batch's row in RETURNING, comma included
	// placeFacts brings back the place's commune and only site: these
	// expressions, or "" for none (SQLite's RETURNING may not name v).
	placeFacts string
}

// placeFactsOf are the place's commune and only site, read for each row.
func placeFactsOf(place string) string {
	return `(SELECT COALESCE(commune_insee, '') FROM organisations WHERE organisations.id = ` + place + `),
	  ` + placeOnlySite(place)
}

// placeOnlySite is the id of the only site of the place whose id is the
// expression place, or ” when it has none or several: the site a
// redemption is recorded at when the request names neither a site nor a
// session (sites_organisation serves it).
func placeOnlySite(place string) string {
	return `COALESCE((SELECT MIN(sites.id) FROM sites WHERE sites.organisation_id = ` + place + ` HAVING COUNT(*) = 1), '')`
}

// update is the deciding statement. It brings back, after key, what the
// checks in Go and the rows written need: pass id, programme id, booklet
// id, face value, the programme's territory and, with placeFacts, the
// place's commune and its only site.
func (r redeemRows) update() string {
	q := r.with + `UPDATE passes SET status = 'redeemed'` + r.from + `
	WHERE passes.code = ` + r.code + ` AND passes.status = 'assigned'
	  AND passes.programme_id IN (SELECT id FROM programmes WHERE valid_from <= ` + r.today + ` AND last_redeem_day >= ` + r.today + `)
	  AND EXISTS (SELECT 1 FROM organisations WHERE organisations.id = ` + r.place + ` AND kind = 'place' AND status = 'labelled')
	RETURNING ` + r.key + `passes.id, passes.programme_id, passes.booklet_id,
	  (SELECT face_value_cents FROM programmes WHERE programmes.id = passes.programme_id),
	  (SELECT territory FROM programmes WHERE programmes.id = passes.programme_id)`
	if r.placeFacts != "" {
		q += `,
	  ` + r.placeFacts
	}
	return q
}

var (
	// redeemOneUpdate decides one pass. Arguments: code, today, today,
	// then the place id three times.
	redeemOneUpdate = redeemRows{code: "?", place: "?", today: "?", placeFacts: placeFactsOf("?")}.update()

	// redeemBatchUpdate decides a batch on PostgreSQL, its rows passed as
	// arrays: $1 codes, $2 place ids, $3 positions in the batch, $4 today.
	// Each row comes back with its position. The places' communes and
	// only sites are read once per place of the batch (pf), not per row.
	redeemBatchUpdate = redeemRows{
		with: `WITH pf AS MATERIALIZED (SELECT o.id, COALESCE(o.commune_insee, '') AS commune, ` + placeOnlySite("o.id") + ` AS only_site
		FROM organisations o WHERE o.id = ANY($2::text[]))
	`,
		from: `
	FROM unnest($1::text[], $2::text[], $3::int4[]) AS v(code, place_id, ord) JOIN pf ON pf.id = v.place_id`,
		code: "v.code", place: "v.place_id", today: "$4::text", key: "v.ord, ", placeFacts: "pf.commune, pf.only_site",
	}.update()

	// redeemSQLiteUpdate decides a batch on SQLite, its rows passed as one
	// JSON array of {"c": code, "p": place id}, then today twice. Each row
	// comes back with its code (distinct within a batch); the places'
	// communes and only sites are read apart (redeemSQLitePlaces).
	redeemSQLiteUpdate = redeemRows{
		from: `
	FROM (SELECT value ->> 'c' AS code, value ->> 'p' AS place_id FROM jsonb_each(?)) AS v`,
		code: "v.code", place: "v.place_id", today: "?", key: "passes.code, ",
	}.update()
)

// whyNotRedeemable explains a refused redemption: read only after the
// deciding UPDATE refused, so it never decides anything. The place is
// checked first: a place that may not redeem hears that, whatever the pass.
func (tx *Tx) whyNotRedeemable(ctx context.Context, placeID, code string) error {
	if err := tx.PlaceLabelled(ctx, placeID); err != nil {
		return err
	}
	ps, err := tx.Pass(ctx, code)
	if err != nil {
		return err
	}
	if why := passnum.RedeemRefusal(ps); why != nil {
		return why
	}
	// Assigned, but the programme's window is not open yet.
	return passnum.RedeemNotOpen()
}
