package store

import (
	"context"
	"database/sql"

	"passnum"
)

// The downloads of the pages: each walks its rows in one read
// transaction and hands them one at a time to fn, which writes them out,
// so that a long list is streamed rather than held in memory.

// PlaceRedemptionRow is one redemption of a place as its download shows
// it: no pass code, no young person.
type PlaceRedemptionRow struct {
	ID            string
	RedeemedAt    int64
	Service       string
	SiteName      string
	TrainingTitle string
	AmountCents   int64
	Status        passnum.RedemptionStatus
	Settled       bool
}

// EachPlaceRedemption walks a place's redemptions, oldest first.
func (tx *Tx) EachPlaceRedemption(ctx context.Context, placeID string, fn func(PlaceRedemptionRow) error) error {
	rows, err := tx.query(ctx, `SELECT r.id, r.redeemed_at, r.service, COALESCE(s.name, ''), COALESCE(t.title, ''), r.amount_cents, r.status, r.settlement_id
		FROM redemptions r LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN sessions se ON se.id = r.session_id LEFT JOIN trainings t ON t.id = se.training_id
		WHERE r.place_id = ? ORDER BY r.redeemed_at, r.id`, placeID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r PlaceRedemptionRow
		var settlement sql.NullString
		if err := rows.Scan(&r.ID, &r.RedeemedAt, &r.Service, &r.SiteName, &r.TrainingTitle, &r.AmountCents, &r.Status, &settlement); err != nil {
			return err
		}
		r.Settled = settlement.Valid && settlement.String != ""
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AgencyBookletRow is one booklet an agency handed out, with its young
// person and how far its passes went.
type AgencyBookletRow struct {
	ID, ProgrammeName, FirstName, LastName string
	Status                                 passnum.BookletStatus
	HandedOutAt                            sql.NullInt64
	ValidUntil                             passnum.Date
	Used, Left, Total                      int64
}

// EachAgencyBooklet walks the booklets an agency handed out, newest first.
func (tx *Tx) EachAgencyBooklet(ctx context.Context, distributorID string, fn func(AgencyBookletRow) error) error {
	rows, err := tx.query(ctx, `SELECT bk.id, p.name, b.first_name, b.last_name, bk.status, bk.handed_out_at, p.valid_until,
			CAST(SUM(CASE WHEN ps.status = 'redeemed' THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN ps.status = 'assigned' THEN 1 ELSE 0 END) AS BIGINT),
			CAST(COUNT(ps.id) AS BIGINT)
		FROM booklets bk JOIN programmes p ON p.id = bk.programme_id JOIN beneficiaries b ON b.id = bk.beneficiary_id
		LEFT JOIN passes ps ON ps.booklet_id = bk.id
		WHERE bk.distributor_id = ? AND bk.status IN ('handed_out', 'blocked')
		GROUP BY bk.id, p.name, b.first_name, b.last_name, bk.status, bk.handed_out_at, p.valid_until
		ORDER BY bk.handed_out_at DESC, bk.id DESC`, distributorID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r AgencyBookletRow
		if err := rows.Scan(&r.ID, &r.ProgrammeName, &r.FirstName, &r.LastName, &r.Status, &r.HandedOutAt, &r.ValidUntil, &r.Used, &r.Left, &r.Total); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachBeneficiary walks an agency's young people with their pass counts,
// newest first, a page of summaries at a time.
func (tx *Tx) EachBeneficiary(ctx context.Context, distributorID string, fn func(BeneficiarySummary) error) error {
	p := Page{Limit: MaxPageSize}
	for {
		list, next, err := tx.SearchBeneficiaries(ctx, distributorID, "", p)
		if err != nil {
			return err
		}
		for _, b := range list {
			if err := fn(b); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		if p, err = NewPage(MaxPageSize, next); err != nil {
			return err
		}
	}
}

// EachOrganisation walks every organisation, by kind then name.
func (tx *Tx) EachOrganisation(ctx context.Context, fn func(passnum.Organisation) error) error {
	rows, err := tx.query(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY kind, name, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PlaceSiteRow is a place with one of its sites (none: empty site fields)
// and its application's contact.
type PlaceSiteRow struct {
	Organisation                                                  passnum.Organisation
	ContactEmail, SiteName, Address, Postcode, CommuneName, Phone string
}

// EachPlaceSite walks the places, one row per site, by name.
func (tx *Tx) EachPlaceSite(ctx context.Context, fn func(PlaceSiteRow) error) error {
	rows, err := tx.query(ctx, `SELECT o.id, o.kind, o.name, COALESCE(o.siret, ''), COALESCE(o.commune_insee, ''), o.status, o.created_at,
			COALESCE(pp.contact_email, ''), COALESCE(s.name, ''), COALESCE(s.address, ''), COALESCE(s.postcode, ''), COALESCE(s.commune_name, ''), COALESCE(s.phone, '')
		FROM organisations o LEFT JOIN place_profiles pp ON pp.organisation_id = o.id LEFT JOIN sites s ON s.organisation_id = o.id
		WHERE o.kind = 'place' ORDER BY o.name, o.id, s.name, s.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r PlaceSiteRow
		var created int64
		o := &r.Organisation
		if err := rows.Scan(&o.ID, &o.Kind, &o.Name, &o.SIRET, &o.CommuneINSEE, &o.Status, &created, &r.ContactEmail, &r.SiteName, &r.Address, &r.Postcode, &r.CommuneName, &r.Phone); err != nil {
			return err
		}
		o.CreatedAt = fromMicros(created)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
