package api

import (
	"bytes"
	"net/http"

	"passnum"
	"passnum/opendata"
	"passnum/store"
)

func exportScope(c *call) (store.SiteScope, error) {
	return store.ParseSiteScope(c.r.URL.Query().Get("scope"))
}

func exportOpenDataCSV(c *call) (func(*store.Tx) (any, error), error) {
	scope, err := exportScope(c)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		recs, err := tx.ExportSites(c.ctx(), scope)
		return openDataCSV(recs), err
	}, nil
}

func exportOpenDataJSON(c *call) (func(*store.Tx) (any, error), error) {
	scope, err := exportScope(c)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		recs, err := tx.ExportSites(c.ctx(), scope)
		return opendata.Rows(recs), err
	}, nil
}

// openDataCSV is the CSV export, written as a file rather than JSON.
type openDataCSV []passnum.SiteRecord

func (o openDataCSV) stream(w http.ResponseWriter) (bool, error) {
	var b bytes.Buffer
	if err := opendata.WriteCSV(&b, o); err != nil {
		return false, err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+opendata.FileName+`.csv"`)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b.Bytes())
	return true, err
}
