package api

import (
	"time"

	"passnum"
	"passnum/store"
)

// listTrainingSessions lists a training's scheduled sessions, soonest
// first, with their seats left: upcoming ones by default, or those starting
// between ?from= and ?to=.
func listTrainingSessions(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	var f fields
	w := store.SessionWindow{From: f.sessionBound("from", q.Get("from"), false), To: f.sessionBound("to", q.Get("to"), true)}
	if !w.From.IsZero() && !w.To.IsZero() && !w.To.After(w.From) {
		f.Add("to", "la fin de la période doit suivre son début (from)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListPublicSessions(c.ctx(), id, w, p)
		return newList(items, next), err
	}, nil
}

// sessionBound reads a period bound: a Paris day (AAAA-MM-JJ, the whole day
// included) or an RFC 3339 instant. Empty is no bound.
func (f *fields) sessionBound(name, v string, end bool) time.Time {
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	d, err := passnum.ParseDate(v)
	if err != nil {
		f.Add(name, "jour AAAA-MM-JJ ou date et heure avec décalage horaire (2026-04-02T14:00:00+02:00) attendu")
		return time.Time{}
	}
	if end {
		d = d.AddDays(1)
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, passnum.Paris)
}

func getSession(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) { return tx.PublicSession(c.ctx(), id) }, nil
}
