package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"passnum"
	"passnum/territory"
)

const placeSiteColumns = `id, COALESCE(organisation_id, ''), opendata_id, pivot, name, address, address_complement, commune_insee, commune_name, postcode,
	latitude, longitude, opening_hours, phone, emails, website, accessibility_url, services, publics, specific_support, fees, updated_on, created_at, updated_at`

func scanPlaceSite(sc interface{ Scan(...any) error }) (passnum.Site, error) {
	var s passnum.Site
	var lat, lng sql.NullFloat64
	var services, publics, support, fees string
	var created, updated int64
	err := sc.Scan(&s.ID, &s.OrganisationID, &s.OpenDataID, &s.Pivot, &s.Name, &s.Address, &s.AddressComplement, &s.CommuneINSEE, &s.CommuneName, &s.Postcode,
		&lat, &lng, &s.OpeningHours, &s.Phone, &s.Email, &s.Website, &s.AccessibilityURL, &services, &publics, &support, &fees, &s.UpdatedOn, &created, &updated)
	if lat.Valid && lng.Valid {
		s.Latitude, s.Longitude = &lat.Float64, &lng.Float64
	}
	s.Services, s.Publics, s.SpecificSupport, s.Fees = splitSiteValues(services), splitSiteValues(publics), splitSiteValues(support), splitSiteValues(fees)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, err
}

// splitSiteValues reads a multi-valued open-data field, kept joined by "|".
func splitSiteValues(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, "|")
}

func joinSiteValues(vs []string) string { return strings.Join(vs, "|") }

func optionalCoordinate(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// lookupPlaceOrganisation returns a place organisation; any other kind is "not
// found", as a place's routes know nothing else.
func (tx *Tx) lookupPlaceOrganisation(ctx context.Context, id string) (passnum.Organisation, error) {
	o, err := tx.Organisation(ctx, id)
	if err == nil && o.Kind != passnum.RolePlace {
		return o, notFound("lieu")
	}
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return o, notFound("lieu")
	}
	return o, err
}

// CreateSite adds a site ("point de présence") to a place. It is one row of
// the open-data export, identified there as passnum-<site id> and sharing
// the organisation's SIRET as its pivot.
func (tx *Tx) CreateSite(ctx context.Context, actor passnum.Actor, orgID string, n passnum.NewSite) (passnum.Site, error) {
	if err := n.Validate("").Err(); err != nil {
		return passnum.Site{}, err
	}
	o, err := tx.lookupPlaceOrganisation(ctx, orgID)
	if err != nil {
		return passnum.Site{}, err
	}
	return tx.createSite(ctx, actor, o, n)
}

// createSite inserts a validated site.
func (tx *Tx) createSite(ctx context.Context, actor passnum.Actor, o passnum.Organisation, n passnum.NewSite) (passnum.Site, error) {
	if n.Name == "" {
		n.Name = o.Name
	}
	c, _ := territory.LookupCommune(n.CommuneINSEE)
	id := passnum.NewID(tx.now)
	fees := []string{passnum.FeesPassAccepted}
	_, err := tx.exec(ctx, `INSERT INTO sites (id, organisation_id, opendata_id, pivot, name, commune_insee, commune_name, postcode, address, address_complement,
			latitude, longitude, phone, emails, website, opening_hours, services, publics, specific_support, fees, accessibility_url, updated_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, o.ID, "passnum-"+id, o.SIRET, n.Name, n.CommuneINSEE, c.Name, n.Postcode, n.Address, n.AddressComplement,
		optionalCoordinate(n.Latitude), optionalCoordinate(n.Longitude), n.Phone, n.Email, n.Website, n.OpeningHours,
		joinSiteValues(n.Services), joinSiteValues(n.Publics), joinSiteValues(n.SpecificSupport), joinSiteValues(fees), n.AccessibilityURL,
		tx.Today().String(), micros(tx.now), micros(tx.now))
	if err != nil {
		return passnum.Site{}, err
	}
	if err := tx.audit(ctx, actor, "site.create", "site", id, "", map[string]any{"organisation_id": o.ID}); err != nil {
		return passnum.Site{}, err
	}
	return tx.Site(ctx, id, "")
}

// Site returns one site; orgID, when set, must own it (a place never sees
// another place's sites).
func (tx *Tx) Site(ctx context.Context, id, orgID string) (passnum.Site, error) {
	q := `SELECT ` + placeSiteColumns + ` FROM sites WHERE id = ?`
	args := []any{id}
	if orgID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, orgID)
	}
	s, err := scanPlaceSite(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("site")
	}
	return s, err
}

// PlaceSites lists a place's sites in the order they were opened, the
// first declared (with the application) first.
func (tx *Tx) PlaceSites(ctx context.Context, orgID string) ([]passnum.Site, error) {
	if _, err := tx.lookupPlaceOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+placeSiteColumns+` FROM sites WHERE organisation_id = ? ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.Site{}
	for rows.Next() {
		s, err := scanPlaceSite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateSite changes the fields of a site that the update sets; the whole
// site is validated again as it will be. orgID, when set, must own the site.
func (tx *Tx) UpdateSite(ctx context.Context, actor passnum.Actor, id, orgID string, u passnum.SiteUpdate) (passnum.Site, error) {
	s, err := tx.Site(ctx, id, orgID)
	if err != nil {
		return s, err
	}
	n, changed := u.Apply(s)
	if err := n.Validate("").Err(); err != nil {
		return s, err
	}
	if n.Name == "" {
		n.Name = s.Name // a site always has a name: clearing it keeps the one it had
	}
	if len(changed) == 0 {
		return s, nil
	}
	c, _ := territory.LookupCommune(n.CommuneINSEE)
	if _, err := tx.exec(ctx, `UPDATE sites SET name = ?, address = ?, address_complement = ?, commune_insee = ?, commune_name = ?, postcode = ?,
			latitude = ?, longitude = ?, opening_hours = ?, phone = ?, emails = ?, website = ?, accessibility_url = ?,
			services = ?, publics = ?, specific_support = ?, updated_on = ?, updated_at = ?
		WHERE id = ?`,
		n.Name, n.Address, n.AddressComplement, n.CommuneINSEE, c.Name, n.Postcode,
		optionalCoordinate(n.Latitude), optionalCoordinate(n.Longitude), n.OpeningHours, n.Phone, n.Email, n.Website, n.AccessibilityURL,
		joinSiteValues(n.Services), joinSiteValues(n.Publics), joinSiteValues(n.SpecificSupport), tx.Today().String(), micros(tx.now), id); err != nil {
		return s, err
	}
	if err := tx.audit(ctx, actor, "site.update", "site", id, "", map[string]any{"organisation_id": s.OrganisationID, "fields": changed}); err != nil {
		return s, err
	}
	return tx.Site(ctx, id, "")
}
