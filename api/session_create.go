package api

import (
	"time"

	"passnum"
	"passnum/store"
)

type sessionRequest struct {
	SiteID   *string `json:"site_id" api:"required" doc:"site (point de présence) du lieu où la session a lieu"`
	StartsAt *string `json:"starts_at" api:"required" format:"date-time" doc:"début : date et heure avec leur décalage horaire, par exemple 2026-04-02T14:00:00+02:00"`
	EndsAt   *string `json:"ends_at" api:"required" format:"date-time" doc:"fin : date et heure avec leur décalage horaire"`
	Capacity *int    `json:"capacity" api:"required" doc:"nombre de places"`
}

func createSession(c *call) (func(*store.Tx) (any, error), error) {
	trainingID, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req sessionRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	f.required("site_id", req.SiteID != nil)
	starts := f.sessionTime("starts_at", req.StartsAt)
	ends := f.sessionTime("ends_at", req.EndsAt)
	f.required("capacity", req.Capacity != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	n := passnum.NewSession{SiteID: *req.SiteID, StartsAt: starts, EndsAt: ends, Capacity: *req.Capacity}
	return func(tx *store.Tx) (any, error) {
		return tx.CreateSession(c.ctx(), c.actor, trainingID, n)
	}, nil
}

// sessionTime parses a required RFC 3339 date and time.
func (f *fields) sessionTime(name string, v *string) time.Time {
	if !f.required(name, v != nil) {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		f.Add(name, "date et heure attendues avec leur décalage horaire, par exemple 2026-04-02T14:00:00+02:00")
	}
	return t
}
