package api

import (
	"passnum/store"
)

// listAudit answers the audit trail with who and what by name, resolved at
// read time: the stored entries keep ids only.
func listAudit(c *call) (func(*store.Tx) (any, error), error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	f := store.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Action: q.Get("action"), Page: p}
	return func(tx *store.Tx) (any, error) {
		items, next, err := tx.ListAudit(c.ctx(), f)
		if err != nil {
			return nil, err
		}
		lines, err := tx.DescribeAudit(c.ctx(), items)
		return newList(answers(lines, auditLineAnswer), next), err
	}, nil
}
