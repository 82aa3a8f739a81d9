package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"passnum"
)

// The directory's open data: every site as one row of the national
// standard, for the export, and the import of such rows as directory
// entries (sites without an organisation).

// SiteScope says which sites an export lists.
type SiteScope string

const (
	// SitesLabelled lists the sites of labelled places: those that accept
	// the pass. The default.
	SitesLabelled SiteScope = "labelled"
	// SitesAll lists the whole public directory: the labelled places'
	// sites and the entries imported from open data (never the sites of a
	// place that is not labelled).
	SitesAll SiteScope = "all"
)

// ParseSiteScope reads ?scope=; empty is SitesLabelled.
func ParseSiteScope(s string) (SiteScope, error) {
	switch SiteScope(strings.TrimSpace(s)) {
	case "", SitesLabelled:
		return SitesLabelled, nil
	case SitesAll:
		return SitesAll, nil
	}
	return "", passnum.Invalid(passnum.FieldError{Field: "scope", Detail: "labelled (par défaut : les lieux labellisés, qui acceptent le pass) ou all (tout l'annuaire), reçu « " + s + " »"})
}

// siteOpenDataColumns maps each column of the sites table to its column in
// the standard, in the standard's order.
var siteOpenDataColumns = []struct{ col, field string }{
	{"opendata_id", "id"}, {"pivot", "pivot"}, {"name", "nom"}, {"commune_name", "commune"}, {"postcode", "code_postal"},
	{"commune_insee", "code_insee"}, {"address", "adresse"}, {"address_complement", "complement_adresse"},
	{"latitude", "latitude"}, {"longitude", "longitude"}, {"typology", "typologie"}, {"phone", "telephone"},
	{"emails", "courriels"}, {"website", "site_web"}, {"opening_hours", "horaires"}, {"summary", "presentation_resume"},
	{"description", "presentation_detail"}, {"source", "source"}, {"itinerance", "itinerance"},
	{"parent_structure", "structure_parente"}, {"updated_on", "date_maj"}, {"services", "services"},
	{"publics", "publics_specifiquement_adresses"}, {"specific_support", "prise_en_charge_specifique"}, {"fees", "frais_a_charge"},
	{"national_programmes", "dispositif_programmes_nationaux"}, {"labels", "formations_labels"},
	{"other_labels", "autres_formations_labels"}, {"access_modes", "modalites_acces"},
	{"support_modes", "modalites_accompagnement"}, {"accessibility_url", "fiche_acces_libre"}, {"booking_url", "prise_rdv"},
}

var siteRecordSelect = func() string {
	cols := []string{"s.id", "COALESCE(s.organisation_id, '')", "COALESCE(o.status, '')", "COALESCE(o.siret, '')"}
	for _, c := range siteOpenDataColumns {
		cols = append(cols, "s."+c.col)
	}
	return `SELECT ` + strings.Join(cols, ", ") + ` FROM sites s LEFT JOIN organisations o ON o.id = s.organisation_id`
}()

// scanSiteRecord reads a site as the standard's row. A place's sites carry
// its SIRET as pivot, whatever was stored.
func scanSiteRecord(rows *sql.Rows) (passnum.SiteRecord, error) {
	var r passnum.SiteRecord
	var status, siret string
	text := make([]string, len(siteOpenDataColumns))
	var lat, lng sql.NullFloat64
	dest := []any{&r.SiteID, &r.OrganisationID, &status, &siret}
	for i, c := range siteOpenDataColumns {
		switch c.field {
		case "latitude":
			dest = append(dest, &lat)
		case "longitude":
			dest = append(dest, &lng)
		default:
			dest = append(dest, &text[i])
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	for i, c := range siteOpenDataColumns {
		if c.field != "latitude" && c.field != "longitude" {
			r.Set(c.field, text[i])
		}
	}
	if lat.Valid && lng.Valid {
		r.Latitude, r.Longitude = &lat.Float64, &lng.Float64
	}
	r.Labelled = passnum.OrgStatus(status) == passnum.OrgLabelled
	if siret != "" {
		r.Pivot = siret
	}
	return r, nil
}

func (tx *Tx) siteRecords(ctx context.Context, where string, args ...any) ([]passnum.SiteRecord, error) {
	// Records are big: growing the slice would copy them again and again.
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM sites s LEFT JOIN organisations o ON o.id = s.organisation_id`+where, args...).Scan(&n); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, siteRecordSelect+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]passnum.SiteRecord, 0, n)
	for rows.Next() {
		r, err := scanSiteRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportSites lists the sites as the directory publishes them, sorted by
// their open-data id (byte order, the same on both engines): a labelled
// place's sites are "Gratuit sous condition", since they accept the pass.
func (tx *Tx) ExportSites(ctx context.Context, scope SiteScope) ([]passnum.SiteRecord, error) {
	// The whole directory is the public part of it: imported entries and
	// labelled places, never an application pending or refused, nor a
	// place suspended or withdrawn.
	where := ` WHERE ` + publicSiteSQL
	if scope != SitesAll {
		where = ` WHERE o.kind = 'place' AND o.status = 'labelled'`
	}
	recs, err := tx.siteRecords(ctx, where)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		recs[i] = recs[i].Published()
	}
	slices.SortFunc(recs, func(a, b passnum.SiteRecord) int { return strings.Compare(a.OpenDataID, b.OpenDataID) })
	return recs, nil
}

// SiteImport is an open-data import: the rows read from a file, and what
// reading it already found wrong.
type SiteImport struct {
	Rows   []passnum.SiteImportRow
	Report passnum.ImportReport
	// Channel says how the file came ("api", "cli"), for the audit trail.
	Channel string
	// Progress, when set, is told how many rows have been handled.
	Progress func(done, total int)
}

// ImportSites imports directory entries in one transaction: all the
// accepted rows, or nothing.
func (s *Store) ImportSites(ctx context.Context, actor passnum.Actor, imp SiteImport) (passnum.ImportReport, error) {
	var rep passnum.ImportReport
	err := s.Write(ctx, func(tx *Tx) error {
		var err error
		rep, err = tx.ImportSites(ctx, actor, imp)
		return err
	})
	return rep, err
}

const (
	siteInsertBatch  = 200
	auditInsertBatch = 500
)

// ImportSites upserts the rows as directory entries: a row updates the site
// with its open-data id, else the one site with its pivot (when no other
// row or site makes that ambiguous), else it is a new site. A row equal to
// what is stored changes nothing, not even the update day or the audit
// trail, so that importing a file twice is harmless. The sites of place
// organisations are theirs to change: a row that would change one is
// rejected.
func (tx *Tx) ImportSites(ctx context.Context, actor passnum.Actor, imp SiteImport) (passnum.ImportReport, error) {
	// Fresh slices: a write may be run again (PostgreSQL retries).
	rep := passnum.ImportReport{
		Rejected: slices.Clone(imp.Report.Rejected),
		Warnings: slices.Clone(imp.Report.Warnings),
	}
	creates, updates, err := tx.planSiteImport(ctx, imp, &rep)
	if err != nil {
		return rep, err
	}
	// Progress counts the rows settled: those that need no write first.
	settled := len(imp.Rows) - len(creates) - len(updates)
	progress := func(n int) {
		if imp.Progress != nil {
			settled += n
			imp.Progress(settled, len(imp.Rows))
		}
	}
	progress(0)
	if err := tx.insertSites(ctx, creates, progress); err != nil {
		return rep, err
	}
	if err := tx.updateSites(ctx, updates, progress); err != nil {
		return rep, err
	}
	rep.Created, rep.Updated = len(creates), len(updates)
	rep.SortIssues()
	if rep.Created+rep.Updated == 0 {
		return rep, nil // nothing changed: nothing to record
	}
	return rep, tx.auditSiteImport(ctx, actor, imp, rep, creates, updates)
}

// siteChange is one row of an import that writes: a site to create or to
// update.
type siteChange struct {
	rec    passnum.SiteRecord
	line   int
	fields []string // for an update
}

// planSiteImport matches each row with what is stored and sorts the rows
// into sites to create and sites to update; the rows left unchanged, the
// rejected ones and the warnings go to rep.
func (tx *Tx) planSiteImport(ctx context.Context, imp SiteImport, rep *passnum.ImportReport) (creates, updates []*siteChange, err error) {
	existing, err := tx.siteRecords(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*passnum.SiteRecord, len(existing))
	byPivot := map[string][]*passnum.SiteRecord{}
	for i := range existing {
		e := &existing[i]
		byID[e.OpenDataID] = e
		byPivot[e.Pivot] = append(byPivot[e.Pivot], e)
	}
	inFile := make(map[string]bool, len(imp.Rows))
	newByPivot := map[string]int{}
	for _, row := range imp.Rows {
		inFile[row.Record.OpenDataID] = true
		if byID[row.Record.OpenDataID] == nil {
			newByPivot[row.Record.Pivot]++
		}
	}
	terr, err := tx.directoryTerritory(ctx)
	if err != nil {
		return nil, nil, err
	}

	today := tx.Today()
	for _, row := range imp.Rows {
		rec := row.Record
		old := byID[rec.OpenDataID]
		byPivotMatch := false
		if old == nil && newByPivot[rec.Pivot] == 1 {
			if cands := byPivot[rec.Pivot]; len(cands) == 1 && !inFile[cands[0].OpenDataID] {
				old, byPivotMatch = cands[0], true
			}
		}
		if old != nil {
			rec.KeepAbsent(old, row.Columns)
			published := old.Published()
			switch {
			case rec.SameOpenData(&published):
				rep.Unchanged++
			case old.OrganisationID != "":
				field, how := "id", "porte l'identifiant"
				if byPivotMatch {
					field, how = "pivot", "a le SIRET"
				}
				rep.Rejected = append(rep.Rejected, passnum.ImportIssue{Line: row.Line, ID: rec.OpenDataID, Field: field,
					Reason: "cette ligne " + how + " d'un lieu inscrit sur passnum (" + old.OpenDataID + ") : ce lieu tient lui-même sa fiche à jour depuis son compte, l'import ne la modifie pas"})
				continue
			default:
				rec.SiteID = old.SiteID
				rec.UpdatedOn = today
				updates = append(updates, &siteChange{rec: rec, line: row.Line, fields: rec.ChangedFields(old)})
			}
		} else {
			rec.SiteID = passnum.NewID(tx.now)
			rec.UpdatedOn = today
			creates = append(creates, &siteChange{rec: rec, line: row.Line})
		}
		if !passnum.InTerritory(terr, rec.CommuneINSEE) {
			rep.Warnings = append(rep.Warnings, passnum.ImportIssue{Line: row.Line, ID: rec.OpenDataID, Field: "code_insee",
				Reason: rec.CommuneName + " (" + rec.CommuneINSEE + ") est hors du territoire des programmes (" + passnum.TerritoryName(terr) +
					") : le lieu est importé dans l'annuaire, mais ne pourra pas y encaisser de pass"})
		}
	}
	return creates, updates, nil
}

// insertSites writes the new sites, siteInsertBatch rows a statement.
func (tx *Tx) insertSites(ctx context.Context, creates []*siteChange, progress func(int)) error {
	cols := []string{"id"}
	for _, c := range siteOpenDataColumns {
		cols = append(cols, c.col)
	}
	cols = append(cols, "created_at", "updated_at")
	rowMarks := "(" + placeholders(len(cols)) + ")"
	for start := 0; start < len(creates); start += siteInsertBatch {
		batch := creates[start:min(start+siteInsertBatch, len(creates))]
		marks := make([]string, len(batch))
		args := make([]any, 0, len(batch)*len(cols))
		for i := range batch {
			marks[i] = rowMarks
			args = append(args, batch[i].rec.SiteID)
			args = append(args, siteColumnValues(&batch[i].rec)...)
			args = append(args, micros(tx.now), micros(tx.now))
		}
		if _, err := tx.exec(ctx, `INSERT INTO sites (`+strings.Join(cols, ", ")+`) VALUES `+strings.Join(marks, ", "), args...); err != nil {
			if tx.s.dialect.uniqueViolation(err) {
				return importRace()
			}
			return err
		}
		progress(len(batch))
	}
	return nil
}

// updateSites rewrites the directory entries that changed.
func (tx *Tx) updateSites(ctx context.Context, updates []*siteChange, progress func(int)) error {
	sets := make([]string, 0, len(siteOpenDataColumns)+1)
	for _, c := range siteOpenDataColumns {
		sets = append(sets, c.col+" = ?")
	}
	sets = append(sets, "updated_at = ?")
	update := `UPDATE sites SET ` + strings.Join(sets, ", ") + ` WHERE id = ? AND organisation_id IS NULL`
	for i := range updates {
		args := append(siteColumnValues(&updates[i].rec), micros(tx.now), updates[i].rec.SiteID)
		res, err := tx.exec(ctx, update, args...)
		if err != nil {
			if tx.s.dialect.uniqueViolation(err) {
				return importRace()
			}
			return err
		}
		// The condition is the guard: a directory entry that became a
		// place's site meanwhile is not overwritten.
		if n, _ := res.RowsAffected(); n != 1 {
			return importRace()
		}
		progress(1)
	}
	return nil
}

// auditSiteImport records the import: one entry per site created or
// updated, and one for the import itself.
func (tx *Tx) auditSiteImport(ctx context.Context, actor passnum.Actor, imp SiteImport, rep passnum.ImportReport, creates, updates []*siteChange) error {
	importID := passnum.NewID(tx.now)
	entries := make([]siteAuditEntry, 0, len(creates)+len(updates))
	for _, c := range creates {
		entries = append(entries, siteAuditEntry{action: "site.import_create", siteID: c.rec.SiteID,
			details: map[string]any{"import_id": importID, "line": c.line}})
	}
	for _, c := range updates {
		entries = append(entries, siteAuditEntry{action: "site.import_update", siteID: c.rec.SiteID,
			details: map[string]any{"import_id": importID, "line": c.line, "fields": c.fields}})
	}
	if err := tx.auditSites(ctx, actor, entries); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "sites.import", "site_import", importID, "", map[string]any{
		"channel": imp.Channel, "created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged, "rejected_rows": rep.RejectedRows(),
	})
}

func importRace() error {
	return passnum.Errorf(passnum.ECONFLICT, "L'annuaire a changé pendant l'import (un autre import, ou un lieu qui s'est inscrit) : rien n'a été importé ; relancez l'import, il ne changera que ce qui reste à changer.")
}

// siteColumnValues returns a record's values for siteOpenDataColumns.
func siteColumnValues(r *passnum.SiteRecord) []any {
	out := make([]any, len(siteOpenDataColumns))
	for i, c := range siteOpenDataColumns {
		switch c.field {
		case "latitude":
			out[i] = floatOrNil(r.Latitude)
		case "longitude":
			out[i] = floatOrNil(r.Longitude)
		default:
			out[i] = r.Value(c.field)
		}
	}
	return out
}

func floatOrNil(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// directoryTerritory is where the programmes run: the union of their
// territories, or the default one before any programme exists.
func (tx *Tx) directoryTerritory(ctx context.Context) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT territory FROM programmes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		for _, c := range strings.Split(t, ",") {
			if c != "" && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return passnum.DefaultTerritory, nil
	}
	slices.Sort(out)
	return out, nil
}

type siteAuditEntry struct {
	action, siteID string
	details        map[string]any
}

// auditSites writes one audit entry per imported site, in few statements:
// an import of thousands of places must not cost thousands of round trips.
// Details hold ids, line numbers and column names, never values.
func (tx *Tx) auditSites(ctx context.Context, actor passnum.Actor, entries []siteAuditEntry) error {
	const cols = 10
	for start := 0; start < len(entries); start += auditInsertBatch {
		batch := entries[start:min(start+auditInsertBatch, len(entries))]
		marks := make([]string, len(batch))
		args := make([]any, 0, len(batch)*cols)
		for i, e := range batch {
			marks[i] = "(" + placeholders(cols) + ")"
			d, err := json.Marshal(e.details)
			if err != nil {
				return err
			}
			args = append(args, passnum.NewID(tx.now), micros(tx.now), actor.OrganisationID, actor.Kind, actor.ID, e.action, "site", e.siteID, "", string(d))
		}
		if _, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details) VALUES `+
			strings.Join(marks, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}
