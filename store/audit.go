package store

import (
	"context"
	"encoding/json"
	"time"

	"passnum"
)

// audit records a state change in the same transaction as the change.
// details must hold ids and codes of rules, never personal data.
func (tx *Tx) audit(ctx context.Context, actor passnum.Actor, action, objectType, objectID, reason string, details map[string]any) error {
	var d string
	if len(details) > 0 {
		b, err := json.Marshal(details)
		if err != nil {
			return err
		}
		d = string(b)
	}
	_, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		passnum.NewID(tx.now), micros(tx.now), actor.OrganisationID, actor.Kind, actor.ID, action, objectType, objectID, reason, d)
	return err
}

// AuditFilter narrows the audit trail.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	// OrganisationID and ActorID narrow to who acted; Action to one action
	// ("place.labelled"); From and Until (either may be zero) to a period,
	// Until excluded.
	OrganisationID string
	ActorID        string
	Action         string
	From, Until    time.Time
	Page           Page
}

// ListAudit returns audit entries, newest first.
func (tx *Tx) ListAudit(ctx context.Context, f AuditFilter) ([]passnum.AuditEntry, string, error) {
	q := `SELECT id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details FROM audit_log WHERE 1=1`
	var args []any
	if f.ObjectType != "" {
		q += ` AND object_type = ?`
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		q += ` AND object_id = ?`
		args = append(args, f.ObjectID)
	}
	if f.OrganisationID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	if f.ActorID != "" {
		q += ` AND actor_id = ?`
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		q += ` AND at >= ?`
		args = append(args, micros(f.From))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, micros(f.Until))
	}
	q, args = f.Page.apply(q, args, "at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.AuditEntry
	var keys []int64
	for rows.Next() {
		var e passnum.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.OrganisationID, &e.ActorKind, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.Reason, &e.Details); err != nil {
			return nil, "", err
		}
		e.At = fromMicros(at)
		out = append(out, e)
		keys = append(keys, at)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, f.Page, func(i int) (int64, string) { return keys[i], out[i].ID })
	return out, next, nil
}
