package api

import (
	"context"
	"net/http"

	"passnum"
	"passnum/sheet"
	"passnum/store"
)

// exportActivities streams the activity records of the redemptions as
// CSV: the operator's covers every place, a place's only its own. The
// export is anonymous (week, département, age band) unless the operator
// asks for the pseudonymous one (day, commune, birth year).
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
	precise := false
	switch q.Get("precision") {
	case "", "anonymous":
	case "pseudonymous":
		if !c.isOperator() {
			return nil, passnum.Errorf(passnum.EFORBIDDEN, "L'export pseudonyme (jour, commune et année de naissance) est réservé à l'opérateur : retirez le paramètre precision pour l'export anonyme.")
		}
		precise = true
	default:
		f.Add("precision", "anonymous (par défaut) ou pseudonymous")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return &activityCSV{ctx: c.ctx(), tx: tx, filter: filter, precise: precise}, nil
	}, nil
}

// activityCSV writes the export while the rows are read, inside the read
// transaction.
type activityCSV struct {
	ctx    context.Context
	tx     *store.Tx
	filter store.ActivityFilter
	// precise: the operator's pseudonymous export.
	precise bool
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
		name, header := "activites-anonymes.csv", store.ActivityHeaderCoarse
		if a.precise {
			name, header = "activites-pseudonymes.csv", store.ActivityHeader
		}
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		out, err = sheet.NewCSV(w, sheet.RFC4180, header...)
		return err
	}
	n := 0
	err = a.tx.Activities(a.ctx, a.filter, func(act store.Activity) error {
		if err := begin(); err != nil {
			return err
		}
		rec := act.CoarseRecord()
		if a.precise {
			rec = act.Record()
		}
		if err := out.Write(sheet.Texts(rec...)...); err != nil {
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
