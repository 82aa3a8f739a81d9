package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"passnum"
)

// AuditLine is an audit entry as people read it: who and what by name,
// resolved when it is shown. The stored entry keeps ids only, so that
// erasing a person or an organisation never breaks the trail: a name that
// is gone is simply not shown.
type AuditLine struct {
	passnum.AuditEntry
	// ActionLabel is the action in French words ("Pass encaissé").
	ActionLabel string
	// ObjectTypeLabel and ActorKindLabel name the kinds in French.
	ObjectTypeLabel string
	ActorKindLabel  string
	// ActorName is the person's name (their address when they gave no
	// name) or the API key's name.
	ActorName string
	// OrganisationName is the organisation that acted.
	OrganisationName string
	// ObjectName is what the object is called: a programme's or a place's
	// name, a training's title, a booklet's number… A young person is
	// named by their initials only.
	ObjectName string
}

// DescribeAudit resolves the names of a page of audit entries, a few
// queries for the whole page.
func (tx *Tx) DescribeAudit(ctx context.Context, entries []passnum.AuditEntry) ([]AuditLine, error) {
	ids := map[string][]string{}
	add := func(kind, id string) {
		if id != "" {
			ids[kind] = append(ids[kind], id)
		}
	}
	for _, e := range entries {
		add("organisation", e.OrganisationID)
		switch e.ActorKind {
		case "user":
			add("user", e.ActorID)
		case "key":
			add("api_key", e.ActorID)
		}
		add(e.ObjectType, e.ObjectID)
	}
	names := map[string]map[string]string{}
	for kind, list := range ids {
		q, ok := auditNameQueries[kind]
		if !ok {
			continue
		}
		m, err := tx.namesOf(ctx, q, list)
		if err != nil {
			return nil, err
		}
		names[kind] = m
	}
	out := make([]AuditLine, len(entries))
	for i, e := range entries {
		l := AuditLine{AuditEntry: e, ActionLabel: passnum.AuditActionLabel(e.Action), ObjectTypeLabel: passnum.AuditObjectTypeLabel(e.ObjectType),
			ActorKindLabel: passnum.AuditActorKindLabel(e.ActorKind), OrganisationName: names["organisation"][e.OrganisationID]}
		switch e.ActorKind {
		case "user":
			l.ActorName = names["user"][e.ActorID]
		case "key":
			l.ActorName = names["api_key"][e.ActorID]
		}
		l.ObjectName = names[e.ObjectType][e.ObjectID]
		if e.ObjectType == "beneficiary" && l.ObjectName != "" {
			first, last, _ := strings.Cut(l.ObjectName, "|")
			l.ObjectName = "Bénéficiaire " + initial(first) + initial(last)
		}
		out[i] = l
	}
	return out, nil
}

// initial is "L. " for "Léa".
func initial(s string) string {
	s = strings.TrimSpace(s)
	r, _ := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return ""
	}
	return strings.ToUpper(string(r)) + ". "
}

// auditNameQueries read the readable name of each kind of object, for ids
// listed in place of "(…)". A young person's name is read to make their
// initials only.
var auditNameQueries = map[string]string{
	"organisation": `SELECT id, name FROM organisations WHERE id IN (…)`,
	"programme":    `SELECT id, name FROM programmes WHERE id IN (…)`,
	"user":         `SELECT id, CASE WHEN name <> '' THEN name ELSE email END FROM users WHERE id IN (…)`,
	"api_key":      `SELECT id, 'Clé « ' || name || ' »' FROM api_keys WHERE id IN (…)`,
	"bank_account": `SELECT b.id, 'Coordonnées bancaires de ' || o.name FROM bank_accounts b JOIN organisations o ON o.id = b.organisation_id WHERE b.id IN (…)`,
	"beneficiary":  `SELECT id, first_name || '|' || last_name FROM beneficiaries WHERE id IN (…)`,
	"booklet":      `SELECT b.id, 'Carnet n° ' || b.id || ' (' || p.name || ')' FROM booklets b JOIN programmes p ON p.id = b.programme_id WHERE b.id IN (…)`,
	"redemption":   `SELECT r.id, 'Encaissement par ' || o.name FROM redemptions r JOIN organisations o ON o.id = r.place_id WHERE r.id IN (…)`,
	"training":     `SELECT id, title FROM trainings WHERE id IN (…)`,
	"session":      `SELECT s.id, 'Séance de « ' || t.title || ' »' FROM sessions s JOIN trainings t ON t.id = s.training_id WHERE s.id IN (…)`,
	"booking":      `SELECT b.id, 'Réservation : « ' || t.title || ' »' FROM bookings b JOIN sessions s ON s.id = b.session_id JOIN trainings t ON t.id = s.training_id WHERE b.id IN (…)`,
	"site":         `SELECT id, name FROM sites WHERE id IN (…)`,
}

func (tx *Tx) namesOf(ctx context.Context, q string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]bool{}
	var args []any
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	rows, err := tx.query(ctx, strings.Replace(q, "(…)", "("+placeholders(len(args))+")", 1), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
