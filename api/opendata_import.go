package api

import (
	"mime"

	"passnum/opendata"
	"passnum/store"
)

// importOpenData reads and checks the whole file before any transaction;
// the accepted rows are then written in one.
func importOpenData(c *call) (func(*store.Tx) (any, error), error) {
	mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	f, err := opendata.Read(c.body, mt == "application/json", nil)
	if err != nil {
		return nil, err
	}
	imp := store.SiteImport{Rows: f.Rows, Report: f.Report, Channel: "api"}
	return func(tx *store.Tx) (any, error) {
		return tx.ImportSites(c.ctx(), c.actor, imp)
	}, nil
}
