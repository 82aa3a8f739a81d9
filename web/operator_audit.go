package web

import (
	"net/http"
	"sort"
	"time"

	"passnum"
	"passnum/store"
)

// opAuditView is the audit trail with its filters.
type opAuditView struct {
	Entries       []opAuditLine
	Next, First   string
	TypeOptions   []option
	ActionOptions []option
	OrgOptions    []option
	Filtered      bool
}

// opAuditLine is one entry, with who and what by name (resolved at
// display time: the stored entry keeps ids only).
type opAuditLine struct {
	store.AuditLine
	// ObjectURL leads to the object's page when it has one.
	ObjectURL string
}

// opAuditFields are the filters of the audit page (all ids or codes, never
// personal data, so they may sit in the address).
var opAuditFields = []string{"object_type", "object_id", "organisation_id", "actor_id", "action", "du", "au"}

func operatorAudit(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	query := q.r.URL.Query()
	f := &form{Values: query, Errors: map[string]string{}}
	filter, fe := opAuditFilter(f, p)
	v := opAuditView{TypeOptions: opObjectTypeOptions(), ActionOptions: opActionOptions()}
	for _, name := range opAuditFields {
		if f.Get(name) != "" {
			v.Filtered = true
		}
	}
	status := http.StatusOK
	if err := fe.Err(); err != nil {
		f.Fail(err)
		status = http.StatusUnprocessableEntity
	}
	var next string
	if err := q.view(func(tx *store.Tx) error {
		orgs, _, err := tx.ListOrganisations(q.ctx(), "", "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		names := map[string]string{}
		v.OrgOptions = []option{{"", "Toutes"}}
		for _, o := range orgs {
			names[o.ID] = o.Name
			v.OrgOptions = append(v.OrgOptions, option{o.ID, o.Name})
		}
		if status != http.StatusOK {
			return nil
		}
		entries, n, err := tx.ListAudit(q.ctx(), filter)
		if err != nil {
			return err
		}
		next = n
		lines, err := tx.DescribeAudit(q.ctx(), entries)
		if err != nil {
			return err
		}
		for _, l := range lines {
			v.Entries = append(v.Entries, opAuditLineOf(l))
		}
		return nil
	}); err != nil {
		return err
	}
	v.Next = opNextURL("/operateur/journal", query, next)
	v.First = opFirstURL("/operateur/journal", query)
	return q.render(status, "operator/audit", "Journal des opérations", v, f)
}

// opAuditFilter reads the journal's filters from its form: the ids and
// the action at most 100 characters, the period as French dates ("du"
// from the day's start, "au" to its end, in Paris).
func opAuditFilter(f *form, p store.Page) (store.AuditFilter, passnum.FieldErrors) {
	filter := store.AuditFilter{ObjectType: f.Get("object_type"), ObjectID: f.Get("object_id"), OrganisationID: f.Get("organisation_id"),
		ActorID: f.Get("actor_id"), Action: f.Get("action"), Page: p}
	var fe passnum.FieldErrors
	for _, name := range []string{"object_id", "organisation_id", "actor_id", "action", "object_type"} {
		if len(f.Get(name)) > 100 {
			fe.Add(name, "100 caractères au plus")
		}
	}
	if s := f.Get("du"); s != "" {
		if d, err := parseFrenchDate("du", s); err != nil {
			fe = append(fe, err.(*passnum.Error).Fields...)
		} else {
			filter.From = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, passnum.Paris)
		}
	}
	if s := f.Get("au"); s != "" {
		if d, err := parseFrenchDate("au", s); err != nil {
			fe = append(fe, err.(*passnum.Error).Fields...)
		} else {
			filter.Until = d.EndInstant()
		}
	}
	return filter, fe
}

// opAuditLineOf links an entry's object to its page when it has one.
func opAuditLineOf(l store.AuditLine) opAuditLine {
	line := opAuditLine{AuditLine: l}
	switch l.ObjectType {
	case "organisation":
		line.ObjectURL = "/operateur/organisations/" + l.ObjectID
	case "programme":
		line.ObjectURL = "/operateur/programmes/" + l.ObjectID
	}
	return line
}

func opActionOptions() []option {
	out := []option{{"", "Toutes"}}
	keys := make([]string, 0, len(passnum.AuditActions))
	for k := range passnum.AuditActions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return passnum.AuditActions[keys[i]] < passnum.AuditActions[keys[j]] })
	for _, k := range keys {
		out = append(out, option{k, passnum.AuditActions[k]})
	}
	return out
}

func opObjectTypeOptions() []option {
	out := []option{{"", "Tous"}}
	keys := make([]string, 0, len(passnum.AuditObjectTypes))
	for k := range passnum.AuditObjectTypes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return passnum.AuditObjectTypes[keys[i]] < passnum.AuditObjectTypes[keys[j]] })
	for _, k := range keys {
		out = append(out, option{k, passnum.AuditObjectTypes[k]})
	}
	return out
}
