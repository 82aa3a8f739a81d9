package api_test

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"passnum"
	"passnum/store/storetest"
)

// The national standard's own files, next to the module.
const (
	odSchemaFile  = "../testdata/lieux-mediation-numerique-schema.json"
	odExampleFile = "../testdata/lieux-mediation-numerique-exemple-valide.csv"
	odCSV         = "/opendata/lieux-mediation-numerique.csv"
	odJSON        = "/opendata/lieux-mediation-numerique.json"
)

// odDB reaches the test database directly: to add the sites of place
// organisations, and to see what an import must not touch.
type odDB struct {
	db *sql.DB
	pg bool
}

func openODDB(t *testing.T, u string) *odDB {
	t.Helper()
	var db *sql.DB
	var err error
	path, sqlite := strings.CutPrefix(u, "sqlite:")
	if sqlite {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", u)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &odDB{db: db, pg: !sqlite}
}

func (r *odDB) q(query string) string {
	if !r.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *odDB) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := r.db.Exec(r.q(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (r *odDB) int(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := r.db.QueryRow(r.q(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// eachOpenData runs fn on both engines with direct access to the database
// and a way to open another, empty one.
func eachOpenData(t *testing.T, fn func(t *testing.T, e *env, db *odDB, fresh func() *env)) {
	t.Helper()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, u := eng.Open(t, clock)
			fresh := func() *env {
				s2, _ := eng.Open(t, clock)
				return newEnv(t, s2, clock)
			}
			fn(t, newEnv(t, s, clock), openODDB(t, u), fresh)
		})
	}
}

var odHeader = strings.Join(passnum.OpenDataFields, ",")

// odRow writes a CSV line from column values; the other columns are empty.
func odRow(values map[string]string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rec := make([]string, len(passnum.OpenDataFields))
	for i, f := range passnum.OpenDataFields {
		rec[i] = values[f]
	}
	w.Write(rec)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func odFile(rows ...map[string]string) string {
	lines := []string{odHeader}
	for _, r := range rows {
		lines = append(lines, odRow(r))
	}
	return strings.Join(lines, "\n") + "\n"
}

func odWith(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// Directory entries with everything the format has to carry: several
// values, accents, commas, quotes, a description on several lines.
var (
	odAtelier = map[string]string{
		"id":                              "bfc-atelier",
		"pivot":                           "55208131700018",
		"nom":                             `L'Atelier « numérique », dit "le garage"`,
		"commune":                         "Besançon",
		"code_postal":                     "25000",
		"code_insee":                      "25056",
		"adresse":                         "12, rue de la République",
		"complement_adresse":              `Bâtiment B, 2e étage ("le grenier")`,
		"latitude":                        "47.2378",
		"longitude":                       "6.0241",
		"typologie":                       "ASSO|TIERS_LIEUX",
		"telephone":                       "+33381878000",
		"courriels":                       "contact@atelier.fr|formation@atelier.fr",
		"site_web":                        "https://atelier.fr|https://www.facebook.com/atelier",
		"horaires":                        `Mo-Fr 09:00-12:00,14:00-18:30; Sa 10:00-12:00 "sur rendez-vous"; PH off`,
		"presentation_resume":             "Ateliers, prêts de matériel, accompagnement.",
		"presentation_detail":             "Première ligne ; virgules, « guillemets »\net \"doubles\" sur la seconde.",
		"source":                          "Réseau Arnia",
		"itinerance":                      "Fixe",
		"structure_parente":               "Ville de Besançon",
		"date_maj":                        "2026-02-01",
		"services":                        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien|Compréhension du monde numérique",
		"publics_specifiquement_adresses": "Jeunes|Étudiants",
		"prise_en_charge_specifique":      "Surdité|Langues étrangères (anglais)",
		"frais_a_charge":                  "Gratuit|Payant",
		"dispositif_programmes_nationaux": "Conseillers numériques|France Services",
		"formations_labels":               "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
		"autres_formations_labels":        "Label « Bien vieillir »",
		"modalites_acces":                 "Se présenter|Téléphoner",
		"modalites_accompagnement":        "Accompagnement individuel|Dans un atelier collectif",
		"fiche_acces_libre":               "https://acceslibre.beta.gouv.fr/app/25-besancon/a/atelier/",
		"prise_rdv":                       "https://www.rdv-solidarites.fr/",
	}
	odBus = map[string]string{
		"id": "bfc-bus", "pivot": "W251001234", "nom": "Bus numérique du Jura", "commune": "Saint-Claude", "code_postal": "39200",
		"adresse": "Place du 9 Avril 1944", "itinerance": "Itinérant", "date_maj": "2026-02-02", "frais_a_charge": "Gratuit",
		"services": "Accès internet et matériel informatique",
	}
	odDijon = map[string]string{
		"id": "bfc-dijon", "pivot": "434933123", "nom": "Espace public numérique", "commune": "Dijon", "code_postal": "21000",
		"code_insee": "21231", "adresse": "Place de la Libération", "date_maj": "2026-02-03", "latitude": "47.3216", "longitude": "5.0415",
	}
)

// odSeed imports the directory entries and adds two sites of place
// organisations: one labelled (the env's place), one pending.
func odSeed(t *testing.T, e *env, db *odDB) {
	t.Helper()
	r := e.do("POST", "/opendata/imports", e.operator, odFile(odAtelier, odBus, odDijon), "Content-Type", "text/csv")
	e.expect(r, 200, "")
	if r.Body["created"].(float64) != 3 || len(r.Body["rejected"].([]any)) != 0 {
		t.Fatalf("seed import: %s", r.Raw)
	}
	e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
	pending := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "Tiers-lieu La Fabrique", "siret": "35600000000048"})["id"].(string)
	now := time.Now().UnixMicro()
	add := func(orgID, id, name, commune, communeName, postcode, fees, hours string, lat, lng float64) {
		// The stored pivot is left empty: a place's sites publish the
		// organisation's SIRET.
		db.exec(t, `INSERT INTO sites (id, organisation_id, opendata_id, pivot, name, commune_insee, commune_name, postcode, address,
			latitude, longitude, services, fees, opening_hours, updated_on, created_at, updated_at)
			VALUES (?, ?, ?, '', ?, ?, ?, ?, '27 rue de la République', ?, ?, 'Maîtrise des outils numériques du quotidien', ?, ?, '2026-03-01', ?, ?)`,
			id, orgID, "passnum-"+id, name, commune, communeName, postcode, lat, lng, fees, hours, now, now)
	}
	add(e.placeID, passnum.NewID(time.Now()), "Médiathèque Pierre-Bayle", "25056", "Besançon", "25000", "Payant", "Tu-Sa 10:00-18:00", 47.2386, 6.0226)
	add(e.placeID, passnum.NewID(time.Now()), "Médiathèque Pierre-Bayle, annexe de Planoise", "25056", "Besançon", "25000", "", "", 47.2211, 5.9717)
	add(pending, passnum.NewID(time.Now()), "Tiers-lieu La Fabrique", "71076", "Chalon-sur-Saône", "71100", "Gratuit", "", 46.7806, 4.8539)
}

func odExport(t *testing.T, e *env, query string) string {
	t.Helper()
	r := e.do("GET", odCSV+query, "", nil)
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Raw)
	}
	return string(r.Raw)
}

func odReadCSV(t *testing.T, s string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, s)
	}
	return recs
}

func odWithoutDateMaj(t *testing.T, s string) [][]string {
	t.Helper()
	recs := odReadCSV(t, s)
	col := slices.Index(passnum.OpenDataFields, "date_maj")
	for _, r := range recs[1:] {
		r[col] = ""
	}
	return recs
}

func TestOpenDataRoundTrip(t *testing.T) {
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, fresh func() *env) {
		odSeed(t, e, db)
		first := odExport(t, e, "?scope=all")
		// The pending place's site is not public.
		if n := len(odReadCSV(t, first)); n != 6 {
			t.Fatalf("%d lines exported, want a header and 5 sites:\n%s", n, first)
		}
		other := fresh()
		other.clock.Advance(72 * time.Hour) // imported three days later
		r := other.do("POST", "/opendata/imports", other.operator, first, "Content-Type", "text/csv")
		other.expect(r, 200, "")
		if r.Body["created"].(float64) != 5 || len(r.Body["rejected"].([]any)) != 0 {
			t.Fatalf("import of the export: %s", r.Raw)
		}
		second := odExport(t, other, "?scope=all")
		if a, b := odWithoutDateMaj(t, first), odWithoutDateMaj(t, second); !slices.EqualFunc(a, b, slices.Equal) {
			t.Fatalf("the round trip changed the file:\n%s\n---\n%s", first, second)
		}
		// date_maj is the day each site was last updated here.
		col := slices.Index(passnum.OpenDataFields, "date_maj")
		for _, rec := range odReadCSV(t, second)[1:] {
			if rec[col] != "2026-03-13" {
				t.Fatalf("date_maj %q, want the day of the import", rec[col])
			}
		}
	})
}

// odSchemaField is what the test reads of the schema.
type odSchemaField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Constraints struct {
		Required  bool     `json:"required"`
		Pattern   string   `json:"pattern"`
		MaxLength int      `json:"maxLength"`
		Enum      []string `json:"enum"`
	} `json:"constraints"`
}

func odLoadSchema(t *testing.T) []odSchemaField {
	t.Helper()
	b, err := os.ReadFile(odSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Fields []odSchemaField `json:"fields"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Fields
}

// odCheckSchema validates an exported CSV with the schema file itself.
func odCheckSchema(t *testing.T, export string, fields []odSchemaField) {
	t.Helper()
	if !utf8.ValidString(export) {
		t.Fatal("the export is not UTF-8")
	}
	recs := odReadCSV(t, export)
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(recs[0], names) {
		t.Fatalf("header %v\nwant   %v", recs[0], names)
	}
	patterns := make([]*regexp.Regexp, len(fields))
	for i, f := range fields {
		if f.Constraints.Pattern != "" {
			// Table Schema patterns match the whole value.
			patterns[i] = regexp.MustCompile(`^(?:` + f.Constraints.Pattern + `)$`)
		}
	}
	for n, rec := range recs[1:] {
		for i, f := range fields {
			v := rec[i]
			where := fmt.Sprintf("row %d (%s) %s=%q", n+2, rec[0], f.Name, v)
			if v == "" {
				if f.Constraints.Required {
					t.Errorf("%s: required", where)
				}
				continue
			}
			if patterns[i] != nil && !patterns[i].MatchString(v) {
				t.Errorf("%s: does not match %s", where, f.Constraints.Pattern)
			}
			if len(f.Constraints.Enum) > 0 && !slices.Contains(f.Constraints.Enum, v) {
				t.Errorf("%s: not in %v", where, f.Constraints.Enum)
			}
			if m := f.Constraints.MaxLength; m > 0 && utf8.RuneCountInString(v) > m {
				t.Errorf("%s: longer than %d", where, m)
			}
			switch f.Type {
			case "number":
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					t.Errorf("%s: not a number", where)
				}
			case "date":
				if _, err := time.Parse("2006-01-02", v); err != nil {
					t.Errorf("%s: not a date", where)
				}
			}
		}
	}
}

func TestOpenDataExportMatchesSchema(t *testing.T) {
	fields := odLoadSchema(t)
	if len(fields) != len(passnum.OpenDataFields) {
		t.Fatalf("the schema has %d fields, the code %d", len(fields), len(passnum.OpenDataFields))
	}
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		// An empty directory is a header alone.
		odCheckSchema(t, odExport(t, e, "?scope=all"), fields)
		odSeed(t, e, db)
		// The standard's example too, wrong coordinates and all.
		example, err := os.ReadFile(odExampleFile)
		if err != nil {
			t.Fatal(err)
		}
		e.expect(e.do("POST", "/opendata/imports", e.operator, example, "Content-Type", "text/csv"), 200, "")
		all := odExport(t, e, "?scope=all")
		if n := len(odReadCSV(t, all)); n != 7 {
			t.Fatalf("%d lines", n)
		}
		odCheckSchema(t, all, fields)
		odCheckSchema(t, odExport(t, e, ""), fields)
	})
}

func TestOpenDataExampleFile(t *testing.T) {
	example, err := os.ReadFile(odExampleFile)
	if err != nil {
		t.Fatal(err)
	}
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		r := e.do("POST", "/opendata/imports", e.operator, example, "Content-Type", "text/csv")
		e.expect(r, 200, "")
		var rep passnum.ImportReport
		if err := json.Unmarshal(r.Raw, &rep); err != nil {
			t.Fatal(err)
		}
		// Imported, with both problems reported on its row: Reims is
		// outside Bourgogne-Franche-Comté, and the coordinates are in
		// Aix-en-Provence.
		if rep.Created != 1 || len(rep.Rejected) != 0 || len(rep.Warnings) != 2 {
			t.Fatalf("%+v", rep)
		}
		terr, far := rep.Warnings[0], rep.Warnings[1]
		if terr.Line != 2 || terr.ID != "structure-1" || terr.Field != "code_insee" || !strings.Contains(terr.Reason, "hors du territoire des programmes (Bourgogne-Franche-Comté)") {
			t.Fatalf("territory warning: %+v", terr)
		}
		if far.Line != 2 || far.Field != "latitude" || !strings.Contains(far.Reason, "km du centre de Reims") {
			t.Fatalf("coordinates warning: %+v", far)
		}
		all := odReadCSV(t, odExport(t, e, "?scope=all"))
		if len(all) != 2 || all[1][0] != "structure-1" || all[1][5] != "51454" {
			t.Fatalf("export: %v", all)
		}
		// Not labelled: the default export does not list it.
		if n := len(odReadCSV(t, odExport(t, e, ""))); n != 1 {
			t.Fatalf("an imported place is listed as accepting the pass")
		}
	})
}

// odState is what an import that is refused must leave untouched.
func odState(t *testing.T, e *env, db *odDB) string {
	t.Helper()
	return fmt.Sprintf("%s|audit=%d|sites=%d|updated=%d", odExport(t, e, "?scope=all"),
		db.int(t, `SELECT COUNT(*) FROM audit_log`), db.int(t, `SELECT COUNT(*) FROM sites`), db.int(t, `SELECT COALESCE(SUM(updated_at), 0) FROM sites`))
}

func TestOpenDataBadFiles(t *testing.T) {
	latin1 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b
	}
	// Each bad row carries the id of a stored site: refusing it must leave
	// that site as it was.
	bad := func(kv ...string) string { return odFile(odWith(odAtelier, kv...)) }
	cases := []struct {
		name         string
		body         any
		status       int
		code         string
		detail       string // of a file refused as a whole
		field, cause string // of a rejected row
	}{
		{"latin-1", latin1(bad("nom", "Médiathèque éphémère")), 422, passnum.EINVALIDFILE, "pas encodé en UTF-8", "", ""},
		{"missing column", strings.Replace(bad(), "pivot,", "", 1), 422, passnum.EINVALIDFILE, "obligatoire absente de l'en-tête : pivot", "", ""},
		{"bad SIRET", bad("pivot", "55208131700019"), 200, "", "", "pivot", "clé de contrôle"},
		{"unknown commune", bad("code_insee", "25999", "nom", "Autre nom"), 200, "", "", "code_insee", "aucune commune ne porte le code INSEE 25999"},
		{"coordinates outside France", bad("latitude", "40.4168", "longitude", "-3.7038"), 200, "", "", "latitude", "ne sont pas en France"},
		{"unparsable hours", bad("horaires", "Lundi au vendredi 9h-12h"), 200, "", "", "horaires", "format OpenStreetMap"},
		{"not a CSV at all", []byte("PK\x03\x04 classeur"), 422, passnum.EINVALIDFILE, "classeur", "", ""},
		{"JSON that is not an array", `{"id": "x"}`, 422, passnum.EINVALIDFILE, "tableau JSON", "", ""},
	}
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		odSeed(t, e, db)
		before := odState(t, e, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ct := "text/csv; charset=utf-8"
				if strings.HasPrefix(c.name, "JSON") {
					ct = "application/json"
				}
				r := e.do("POST", "/opendata/imports", e.operator, c.body, "Content-Type", ct)
				e.expect(r, c.status, c.code)
				if c.status == 422 {
					if d := r.Body["detail"].(string); !strings.Contains(d, c.detail) {
						t.Fatalf("detail %q does not say %q", d, c.detail)
					}
				} else {
					var rep passnum.ImportReport
					json.Unmarshal(r.Raw, &rep)
					if rep.Created+rep.Updated+rep.Unchanged != 0 || len(rep.Rejected) == 0 {
						t.Fatalf("%+v", rep)
					}
					got := rep.Rejected[0]
					if got.Line != 2 || got.ID != "bfc-atelier" || got.Field != c.field || !strings.Contains(got.Reason, c.cause) {
						t.Fatalf("rejected %+v, want line 2, %s, %q", rep.Rejected, c.field, c.cause)
					}
				}
				if after := odState(t, e, db); after != before {
					t.Fatalf("the database changed:\n%s\n---\n%s", before, after)
				}
			})
		}
	})
}

func TestOpenDataImportTwice(t *testing.T) {
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		odSeed(t, e, db)
		file := odExport(t, e, "?scope=all") // the directory and the places' own sites
		before := odState(t, e, db)
		e.clock.Advance(48 * time.Hour)
		for i := 0; i < 2; i++ {
			r := e.do("POST", "/opendata/imports", e.operator, file, "Content-Type", "text/csv")
			e.expect(r, 200, "")
			if r.Body["unchanged"].(float64) != 5 || r.Body["created"].(float64) != 0 || r.Body["updated"].(float64) != 0 {
				t.Fatalf("import %d: %s", i+1, r.Raw)
			}
			if after := odState(t, e, db); after != before {
				t.Fatalf("an import that changes nothing moved something:\n%s\n---\n%s", before, after)
			}
		}
		// The same again as JSON, from the JSON export.
		j := e.do("GET", odJSON+"?scope=all", "", nil)
		e.expect(j, 200, "")
		r := e.do("POST", "/opendata/imports", e.operator, j.Raw, "Content-Type", "application/json")
		e.expect(r, 200, "")
		if r.Body["unchanged"].(float64) != 5 {
			t.Fatalf("JSON import: %s", r.Raw)
		}
		if after := odState(t, e, db); after != before {
			t.Fatal("the JSON import moved something")
		}
	})
}

func TestOpenDataExportScopes(t *testing.T) {
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		odSeed(t, e, db)
		r := e.do("GET", odCSV, "", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			r.Header.Get("Content-Disposition") != `attachment; filename="lieux-mediation-numerique.csv"` {
			t.Fatalf("%d %v", r.Status, r.Header)
		}
		labelled := odReadCSV(t, string(r.Raw))
		if len(labelled) != 3 {
			t.Fatalf("default scope: %v", labelled)
		}
		col := func(name string) int { return slices.Index(passnum.OpenDataFields, name) }
		for _, rec := range labelled[1:] {
			if rec[col("pivot")] != "73282932000074" || !strings.HasPrefix(rec[col("id")], "passnum-") {
				t.Fatalf("a place's site publishes its SIRET: %v", rec)
			}
			if !slices.Contains(strings.Split(rec[col("frais_a_charge")], "|"), "Gratuit sous condition") {
				t.Fatalf("a labelled place accepts the pass: %v", rec)
			}
			if rec[col("code_insee")] != "25056" || rec[col("date_maj")] != "2026-03-01" {
				t.Fatalf("%v", rec)
			}
		}
		all := odReadCSV(t, odExport(t, e, "?scope=all"))
		byID := map[string][]string{}
		for _, rec := range all[1:] {
			byID[rec[0]] = rec
		}
		// The whole public directory: imported entries and labelled
		// places, never a pending application.
		if len(byID) != 5 || byID["bfc-atelier"][col("frais_a_charge")] != "Gratuit|Payant" || byID["bfc-bus"][col("code_insee")] != "39478" {
			t.Fatalf("scope=all: %v", all)
		}
		for _, rec := range all[1:] {
			if rec[col("nom")] == "Tiers-lieu La Fabrique" || rec[col("pivot")] == "35600000000048" {
				t.Fatalf("a pending place is published: %v", rec)
			}
		}
		// Sorted by id, the same on both engines.
		ids := make([]string, 0, len(all)-1)
		for _, rec := range all[1:] {
			ids = append(ids, rec[0])
		}
		if !slices.IsSorted(ids) {
			t.Fatalf("order %v", ids)
		}

		j := e.do("GET", odJSON+"?scope=all", "", nil)
		e.expect(j, 200, "")
		var rows []map[string]any
		if err := json.Unmarshal(j.Raw, &rows); err != nil || len(rows) != 5 {
			t.Fatalf("%v %s", err, j.Raw)
		}
		if !bytes.HasPrefix(j.Raw, []byte(`[{"id":"bfc-atelier","pivot":"55208131700018","nom":`)) {
			t.Fatalf("JSON keys in the schema's order: %.120s", j.Raw)
		}
		if rows[0]["latitude"].(float64) != 47.2378 || rows[0]["services"] != odAtelier["services"] || rows[1]["latitude"] != nil {
			t.Fatalf("%v", rows[:2])
		}
		e.expect(e.do("GET", odCSV+"?scope=tout", "", nil), 422, passnum.EINVALID)
		e.expect(e.do("GET", odJSON+"?scope=tout", "", nil), 422, passnum.EINVALID)
	})
}

func TestOpenDataImportRules(t *testing.T) {
	eachOpenData(t, func(t *testing.T, e *env, db *odDB, _ func() *env) {
		file := odFile(odAtelier)
		e.expect(e.do("POST", "/opendata/imports", "", file, "Content-Type", "text/csv"), 401, passnum.EUNAUTHENTICATED)
		e.expect(e.do("POST", "/opendata/imports", e.place, file, "Content-Type", "text/csv"), 403, passnum.EFORBIDDEN)
		odSeed(t, e, db)
		e.clock.Advance(24 * time.Hour)

		// A change to one entry updates it alone, and is audited with the
		// names of the columns, never their values.
		changed := odWith(odAtelier, "horaires", "Mo-Sa 09:00-19:00", "telephone", "03 81 00 00 00")
		r := e.do("POST", "/opendata/imports", e.operator, odFile(changed, odBus, odDijon), "Content-Type", "text/csv")
		e.expect(r, 200, "")
		if r.Body["updated"].(float64) != 1 || r.Body["unchanged"].(float64) != 2 {
			t.Fatalf("%s", r.Raw)
		}
		a := e.do("GET", "/audit?object_type=site", e.operator, nil)
		last := a.Body["items"].([]any)[0].(map[string]any)
		if last["action"] != "site.import_update" || !strings.Contains(last["details"].(string), `"fields":["telephone","horaires"]`) ||
			strings.Contains(last["details"].(string), "09:00") {
			t.Fatalf("audit: %v", last)
		}
		atelier := odReadCSV(t, odExport(t, e, "?scope=all"))[1]
		if atelier[11] != "+33381000000" || atelier[14] != "Mo-Sa 09:00-19:00" || atelier[20] != "2026-03-11" {
			t.Fatalf("updated row: %v", atelier)
		}

		// A file without some columns leaves them as they are.
		partial := "id,pivot,nom,commune,code_postal,adresse,date_maj\n" +
			"bfc-atelier,55208131700018,L'Atelier,Besançon,25000,\"12, rue de la République\",2026-03-01\n"
		r = e.do("POST", "/opendata/imports", e.operator, partial, "Content-Type", "text/csv")
		e.expect(r, 200, "")
		atelier = odReadCSV(t, odExport(t, e, "?scope=all"))[1]
		if r.Body["updated"].(float64) != 1 || atelier[2] != "L'Atelier" || atelier[14] != "Mo-Sa 09:00-19:00" || atelier[21] != odAtelier["services"] {
			t.Fatalf("%s\n%v", r.Raw, atelier)
		}

		// An unknown id with the pivot of exactly one entry updates that
		// entry, which takes the new id.
		moved := odWith(odDijon, "id", "dijon-2026", "nom", "EPN de Dijon")
		r = e.do("POST", "/opendata/imports", e.operator, odFile(moved), "Content-Type", "text/csv")
		e.expect(r, 200, "")
		if r.Body["updated"].(float64) != 1 || r.Body["created"].(float64) != 0 {
			t.Fatalf("pivot match: %s", r.Raw)
		}
		if n := db.int(t, `SELECT COUNT(*) FROM sites WHERE opendata_id IN ('bfc-dijon', 'dijon-2026')`); n != 1 {
			t.Fatalf("%d sites", n)
		}
		// Two new rows sharing a pivot are two new sites.
		r = e.do("POST", "/opendata/imports", e.operator, odFile(odWith(odBus, "id", "bus-2", "pivot", "W391000001"), odWith(odBus, "id", "bus-3", "pivot", "W391000001")), "Content-Type", "text/csv")
		if r.Body["created"].(float64) != 2 {
			t.Fatalf("%s", r.Raw)
		}

		// A place's own site is not the import's to change.
		all := odReadCSV(t, odExport(t, e, ""))
		mine := map[string]string{}
		for i, f := range passnum.OpenDataFields {
			mine[f] = all[1][i]
		}
		before := odState(t, e, db)
		r = e.do("POST", "/opendata/imports", e.operator, odFile(odWith(mine, "nom", "Nom changé par import")), "Content-Type", "text/csv")
		e.expect(r, 200, "")
		rej := r.Body["rejected"].([]any)
		if len(rej) != 1 || rej[0].(map[string]any)["field"] != "id" || !strings.Contains(rej[0].(map[string]any)["reason"].(string), "lieu inscrit sur passnum") {
			t.Fatalf("%s", r.Raw)
		}
		if odState(t, e, db) != before {
			t.Fatal("a place's site was changed by an import")
		}
		// Unchanged, it is simply unchanged.
		r = e.do("POST", "/opendata/imports", e.operator, odFile(mine), "Content-Type", "text/csv")
		if r.Body["unchanged"].(float64) != 1 || len(r.Body["rejected"].([]any)) != 0 {
			t.Fatalf("%s", r.Raw)
		}

		// Every import that changed something is in the audit trail, with
		// its counts.
		imports := e.do("GET", "/audit?object_type=site_import", e.operator, nil).Body["items"].([]any)
		if len(imports) != 5 || !strings.Contains(imports[0].(map[string]any)["details"].(string), `"created":2`) {
			t.Fatalf("%v", imports)
		}
	})
}
