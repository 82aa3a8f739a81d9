package api

import (
	"errors"
	"strconv"
	"strings"

	"passnum"
	"passnum/store"
)

// placesNear answers "where can I be trained near here?": public, light
// enough to run at each keystroke.
func placesNear(c *call) (func(*store.Tx) (any, error), error) {
	q := c.r.URL.Query()
	var f fields
	nq := store.NearQuery{Service: strings.TrimSpace(q.Get("service"))}
	if v := q.Get("radius_km"); v != "" {
		r, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || !(r >= 1 && r <= store.MaxRadiusKm) {
			f.Add("radius_km", "rayon en kilomètres attendu, de 1 à "+strconv.Itoa(store.MaxRadiusKm)+" (par exemple radius_km=30)")
		} else {
			nq.RadiusKm = r
		}
	}
	nq.WithinWeeks = nearQueryInt(&f, q.Get("within_weeks"), "within_weeks", "nombre de semaines attendu, de 1 à "+strconv.Itoa(store.MaxWithinWeeks)+" (par exemple within_weeks=4)")
	nq.Limit = nearQueryInt(&f, q.Get("limit"), "limit", "nombre de lieux attendu, de 1 à "+strconv.Itoa(store.MaxNearLimit))
	if err := nq.Validate(); err != nil {
		var pe *passnum.Error
		if !errors.As(err, &pe) {
			return nil, err
		}
		f.FieldErrors = append(f.FieldErrors, pe.Fields...)
	}
	origin, err := passnum.ResolveOrigin(q.Get("commune"), q.Get("postcode"))
	if err != nil {
		var pe *passnum.Error
		// Alone, the error keeps its suggestions of communes.
		if len(f.FieldErrors) == 0 || !errors.As(err, &pe) {
			return nil, err
		}
		f.FieldErrors = append(pe.Fields, f.FieldErrors...)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	nq.Latitude, nq.Longitude = origin.Latitude, origin.Longitude
	return func(tx *store.Tx) (any, error) {
		items, err := tx.SitesNear(c.ctx(), nq)
		if err != nil {
			return nil, err
		}
		return NearResult{Origin: origin, RadiusKm: nq.RadiusKm, Service: nq.Service, WithinWeeks: nq.WithinWeeks, Items: answers(items, nearSiteAnswer)}, nil
	}, nil
}

// nearQueryInt reads an optional whole number from the query string; 0 when
// absent, and a field error when it is not a positive number.
func nearQueryInt(f *fields, v, name, detail string) int {
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		f.Add(name, detail)
		return 0
	}
	return n
}

// NearResult is the answer to a search.
type NearResult struct {
	Origin      passnum.SearchOrigin `json:"origin"`
	RadiusKm    float64              `json:"radius_km"`
	Service     string               `json:"service,omitempty"`
	WithinWeeks int                  `json:"within_weeks,omitempty"`
	Items       []NearSite           `json:"items" doc:"sites du plus proche au plus éloigné"`
}
