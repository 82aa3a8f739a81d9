package api

import (
	"context"
	"net/http"

	"passnum"
	"passnum/sheet"
	"passnum/store"
)

// exportActivities streams the anonymous activity records of the
// redemptions as CSV: the operator's covers every place, a place's only
// its own.
func exportActivities(c *call) (func(*store.Tx) (any, error), error) {
	q := c.r.URL.Query()
	var f fields
	filter := store.ActivityFilter{PlaceID: c.ownFilter()}
	if v := q.Get("from"); v != "" {
		filter.From = f.date("from", &v, false)
	}
	if v := q.Get("to"); v != "" {
		filter.To = f.date("to", &v, false)
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && filter.To.Before(filter.From) {
		f.Add("to", "la date de fin ("+filter.To.String()+") précède la date de début ("+filter.From.String()+") : inversez-les")
	}
	if v := q.Get("place_id"); v != "" {
		switch {
		case !c.isOperator() && v != c.actor.OrganisationID:
			return nil, passnum.Errorf(passnum.EFORBIDDEN, "Un lieu n'exporte que ses propres activités : retirez le paramètre place_id.")
		case !passnum.ValidID(v):
			f.Add("place_id", "identifiant de lieu inconnu")
		default:
			filter.PlaceID = v
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return &activityCSV{ctx: c.ctx(), tx: tx, filter: filter}, nil
	}, nil
}

// activityCSV writes the export while the rows are read, inside the read
// transaction.
type activityCSV struct {
	ctx    context.Context
	tx     *store.Tx
	filter store.ActivityFilter
}

// flushEvery bounds what is buffered before it goes to the client.
const flushEvery = 500

func (a *activityCSV) stream(w http.ResponseWriter) (started bool, err error) {
	var out *sheet.CSV
	begin := func() error {
		if started {
			return nil
		}
		started = true
		h := w.Header()
		h.Set("Content-Type", sheet.ContentType)
		h.Set("Content-Disposition", `attachment; filename="activites.csv"`)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		out, err = sheet.NewCSV(w, sheet.RFC4180, store.ActivityHeader...)
		return err
	}
	n := 0
	err = a.tx.Activities(a.ctx, a.filter, func(act store.Activity) error {
		if err := begin(); err != nil {
			return err
		}
		if err := out.Write(sheet.Texts(act.Record()...)...); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			return out.Flush()
		}
		return nil
	})
	if err == nil {
		err = begin() // an empty export still has its header
	}
	if err != nil {
		return started, err
	}
	return true, out.Close()
}
