package opendata_test

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"passnum"
	"passnum/opendata"
)

// The standard's own files, next to the module.
const (
	schemaFile  = "../testdata/lieux-mediation-numerique-schema.json"
	exampleFile = "../testdata/lieux-mediation-numerique-exemple-valide.csv"
)

var header = strings.Join(passnum.OpenDataFields, ",")

// row builds a CSV line from column values, every other column empty.
func row(values map[string]string) string {
	out := make([]string, len(passnum.OpenDataFields))
	for i, f := range passnum.OpenDataFields {
		v := values[f]
		if strings.ContainsAny(v, ",\"\n") {
			v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		out[i] = v
	}
	return strings.Join(out, ",")
}

func minimal(id string) map[string]string {
	return map[string]string{"id": id, "pivot": "73282932000074", "nom": "Médiathèque", "commune": "Besançon",
		"code_postal": "25000", "adresse": "27 rue de la République", "date_maj": "2026-03-01"}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func issues(is []passnum.ImportIssue) []string {
	var out []string
	for _, i := range is {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%02d %s", i.Line, i.Field)))
	}
	return out
}

func TestReadExampleFile(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := opendata.ReadCSV(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Records != 1 || len(f.Rows) != 1 || len(f.Report.Rejected) != 0 {
		t.Fatalf("records %d, rows %d, rejected %v", f.Records, len(f.Rows), f.Report.Rejected)
	}
	// Its coordinates are in Aix-en-Provence, its commune is Reims.
	if got := issues(f.Report.Warnings); !slices.Equal(got, []string{"02 latitude"}) {
		t.Fatalf("warnings %v", f.Report.Warnings)
	}
	r := f.Rows[0]
	if r.Line != 2 || r.Record.OpenDataID != "structure-1" || r.Record.CommuneINSEE != "51454" || len(r.Record.Services) != 3 ||
		r.Record.Value("formations_labels") != "Formé à « Mon Espace Santé »|Arnia/MedNum BFC (Bourgogne-Franche-Comté)" {
		t.Fatalf("row %+v", r)
	}
}

func TestWriteThenRead(t *testing.T) {
	lat, lng := 47.2378, 6.0241
	recs := []passnum.SiteRecord{{
		OpenDataID: "bfc-1", Pivot: "73282932000074", Name: `L'Atelier « numérique », dit "le garage"`, CommuneName: "Besançon",
		Postcode: "25000", CommuneINSEE: "25056", Address: "12, rue de la République", Latitude: &lat, Longitude: &lng,
		Typology: []string{"ASSO", "TIERS_LIEUX"}, Phone: "+33381878000", Emails: []string{"a@atelier.fr", "b@atelier.fr"},
		OpeningHours: `Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00 "sur rendez-vous"`, Summary: "Ateliers, prêts, accompagnement",
		Description: "Première ligne ;\nseconde ligne, avec « guillemets » et \"doubles\".", UpdatedOn: passnum.MustDate("2026-03-01"),
		Services: []string{"Aide aux démarches administratives", "Loisirs et créations numériques"}, Fees: []string{"Gratuit", "Payant"},
		Labels: []string{"Arnia/MedNum BFC (Bourgogne-Franche-Comté)"}, SupportModes: []string{"À distance"},
	}, {
		OpenDataID: "bfc-2", Pivot: "W251001234", Name: "Bus numérique", CommuneName: "Dijon", Postcode: "21000", CommuneINSEE: "21231",
		Address: "Place de la Libération", Itinerance: []string{"Itinérant"}, UpdatedOn: passnum.MustDate("2026-03-02"),
	}}
	var csvOut, jsonOut bytes.Buffer
	if err := opendata.WriteCSV(&csvOut, recs); err != nil {
		t.Fatal(err)
	}
	if err := opendata.WriteJSON(&jsonOut, recs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csvOut.String(), header+"\n") {
		t.Fatalf("header: %q", strings.SplitN(csvOut.String(), "\n", 2)[0])
	}
	for name, read := range map[string]func() (*opendata.File, error){
		"csv":  func() (*opendata.File, error) { return opendata.ReadCSV(csvOut.Bytes(), nil) },
		"json": func() (*opendata.File, error) { return opendata.ReadJSON(jsonOut.Bytes(), nil) },
	} {
		t.Run(name, func(t *testing.T) {
			f, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Rows) != 2 || len(f.Report.Rejected) > 0 || len(f.Report.Warnings) > 0 {
				t.Fatalf("rows %d, report %+v", len(f.Rows), f.Report)
			}
			for i, r := range f.Rows {
				for _, field := range passnum.OpenDataFields {
					if got, want := r.Record.Value(field), recs[i].Value(field); got != want {
						t.Errorf("row %d %s: %q, want %q", i, field, got, want)
					}
				}
			}
			if f.Rows[1].Line <= 3 && name == "csv" {
				t.Fatalf("the second record starts after the multi-line description, not on line %d", f.Rows[1].Line)
			}
		})
	}
}

func latin1(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

func TestFilesRefusedAsAWhole(t *testing.T) {
	good := header + "\n" + row(minimal("a")) + "\n"
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", []byte("  \n"), "vide"},
		{"latin-1", latin1(header + "\n" + row(with(minimal("a"), "nom", "Médiathèque"))), "pas encodé en UTF-8 (octet 0xE9 ligne 2)"},
		{"utf-16", append([]byte{0xFF, 0xFE}, "i\x00d\x00"...), "UTF-16"},
		{"spreadsheet", []byte("PK\x03\x04\x14\x00"), "classeur"},
		{"binary", []byte("id,pivot\n\x00\x01"), "binaires (ligne 2)"},
		{"semicolons", []byte(strings.ReplaceAll(good, ",", ";")), "points-virgules"},
		{"missing columns", []byte(strings.Replace(strings.Replace(good, "pivot,", "", 1), "date_maj,", "", 1)), "colonnes obligatoires absentes de l'en-tête : pivot, date_maj"},
		{"twice the same column", []byte("id,pivot,nom,commune,code_postal,adresse,date_maj,nom\n"), "« nom » figure deux fois"},
		{"unterminated quote", []byte(good + `"b,73282932000074,"Médiathèque` + "\n"), "guillemet mal fermé"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := opendata.ReadCSV(c.data, nil)
			if err == nil {
				t.Fatalf("accepted: %+v", f)
			}
			if passnum.ErrorCode(err) != passnum.EINVALIDFILE || !strings.Contains(passnum.ErrorMessage(err), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, err := opendata.ReadCSV([]byte("\xEF\xBB\xBF"+good), nil); err != nil {
		t.Fatalf("a UTF-8 byte order mark is harmless: %v", err)
	}
}

func TestRowsReportedOneByOne(t *testing.T) {
	data := strings.Join([]string{
		header + ",remarque",
		row(minimal("ok-1")) + ",",
		row(with(minimal("bad-siret"), "pivot", "73282932000075")) + ",",
		row(with(minimal("multi"), "presentation_detail", "deux\nlignes")) + ",",
		row(with(minimal("bad-commune"), "code_insee", "25000", "latitude", "40.4168", "longitude", "-3.7038")) + ",",
		"too,few,values",
		strings.Replace(row(minimal("bare")), "Médiathèque", `La "Fabrique"`, 1) + ",",
		row(minimal("ok-1")) + ",",
		"",
		strings.Repeat(",", len(passnum.OpenDataFields)),
		row(with(minimal("hours"), "horaires", "Lundi 9h-12h")) + ",",
		row(with(minimal("ok-2"), "commune", "", "code_postal", "")) + ",",
	}, "\n")
	f, err := opendata.ReadCSV([]byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 || f.Rows[0].Line != 2 || f.Rows[1].Line != 4 {
		t.Fatalf("accepted rows: %+v", f.Rows)
	}
	want := []string{"03 pivot", "06 code_insee", "06 latitude", "07", "08", "09 id", "12 horaires", "13 commune", "13 code_postal"}
	if got := issues(f.Report.Rejected); !slices.Equal(got, want) {
		t.Fatalf("rejected %v, want %v\n%+v", got, want, f.Report.Rejected)
	}
	if got := issues(f.Report.Warnings); !slices.Equal(got, []string{"01 remarque", "11"}) {
		t.Fatalf("warnings %v", f.Report.Warnings)
	}
	if f.Records != 9 {
		t.Fatalf("records %d", f.Records)
	}
	for _, i := range f.Report.Rejected {
		if i.Reason == "" {
			t.Fatalf("no reason: %+v", i)
		}
	}
	if r := f.Report.Rejected[5]; !strings.Contains(r.Reason, "ligne 2") || r.ID != "ok-1" {
		t.Fatalf("duplicate id: %+v", r)
	}
}

func TestMissingOptionalColumns(t *testing.T) {
	data := "id,pivot,nom,commune,code_postal,adresse,date_maj\nx,73282932000074,M,Besançon,25000,1 rue,2026-03-01\n"
	f, err := opendata.ReadCSV([]byte(data), nil)
	if err != nil || len(f.Rows) != 1 {
		t.Fatalf("%v %+v", err, f)
	}
	cols := f.Rows[0].Columns
	if !cols["nom"] || cols["horaires"] || !cols["code_insee"] || f.Rows[0].Record.CommuneINSEE != "25056" {
		t.Fatalf("columns %v, commune %q", cols, f.Rows[0].Record.CommuneINSEE)
	}
}

func TestReadJSON(t *testing.T) {
	data := `[
  {"id": "j-1", "pivot": "73282932000074", "nom": "Médiathèque", "commune": "Besançon", "code_postal": "25000",
   "adresse": "1 rue", "date_maj": "2026-03-01", "latitude": 47.2378, "longitude": 6.0241,
   "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"], "horaires": null, "couleur": "bleu"},
  "pas un objet",
  {"id": "j-3", "pivot": 12345, "nom": "X", "commune": "Besançon", "code_postal": "25000", "adresse": "1 rue", "date_maj": "2026-03-01"},
  {"id": "j-4", "pivot": "73282932000074", "nom": {"x": 1}, "commune": "Besançon", "code_postal": "25000", "adresse": "1 rue", "date_maj": "2026-03-01"}
]`
	f, err := opendata.ReadJSON([]byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1 || f.Rows[0].Line != 2 || f.Rows[0].Record.Value("services") != "Aide aux démarches administratives|Loisirs et créations numériques" ||
		f.Rows[0].Record.Value("latitude") != "47.2378" || f.Rows[0].Columns["presentation_detail"] || !f.Rows[0].Columns["horaires"] {
		t.Fatalf("rows %+v", f.Rows)
	}
	if got := issues(f.Report.Rejected); !slices.Equal(got, []string{"05", "06 pivot", "07 nom"}) {
		t.Fatalf("rejected %v", f.Report.Rejected)
	}
	if got := issues(f.Report.Warnings); !slices.Equal(got, []string{"02 couleur"}) {
		t.Fatalf("warnings %v", f.Report.Warnings)
	}
	for _, bad := range []string{`{"id": 1}`, `[{"id": "a"`, `[] []`, `[{"id": "a",}]`} {
		if _, err := opendata.ReadJSON([]byte(bad), nil); passnum.ErrorCode(err) != passnum.EINVALIDFILE {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 0; i < 3000; i++ {
		b.WriteString(row(minimal(fmt.Sprintf("p-%d", i))) + "\n")
	}
	var calls int
	var last int64
	f, err := opendata.ReadCSV([]byte(b.String()), func(done, total int64) {
		if done < last || done > total {
			t.Fatalf("progress %d/%d after %d", done, total, last)
		}
		calls++
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last != int64(b.Len()) || len(f.Rows) != 3000 {
		t.Fatalf("%d calls, last %d of %d, %d rows, %v", calls, last, b.Len(), len(f.Rows), f.Report.Rejected[:min(3, len(f.Report.Rejected))])
	}
}
