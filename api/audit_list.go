package api

import (
	"passnum/store"
)

func listAudit(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	f := store.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Page: p}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListAudit(c.ctx(), f)
		return newList(items, next), err
	}, nil
}
