// Package opendata reads and writes the national open-data standard for
// digital mediation places ("lieux de médiation numérique", LaMednum,
// schema 1.0.2) as CSV and JSON: every column in the schema's order,
// multi-valued columns joined by "|", UTF-8.
//
// Reading checks the file as a whole first (encoding, header): a file that
// fails there is refused with one reason. Then each row is checked on its
// own and reported with its line number, so that one bad row never stops
// the others.
package opendata

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"passnum"
	"passnum/sheet"
)

// SchemaVersion is the version of the standard written and read.
const SchemaVersion = "1.0.2"

// MaxFileBytes caps an imported file.
const MaxFileBytes = 50 << 20

// FileName is the name of the published export, without its extension.
const FileName = "lieux-mediation-numerique"

// File is what reading an import file gives: the rows that can be
// imported, and a report of the rows that cannot and of warnings.
type File struct {
	Rows   []passnum.SiteImportRow
	Report passnum.ImportReport
	// Records counts the data rows read, accepted or not.
	Records int
}

// Progress is told how much of the file has been read, in bytes.
type Progress func(done, total int64)

func refuse(format string, args ...any) error {
	return &passnum.Error{Code: passnum.EINVALIDFILE, Message: "Fichier refusé : " + fmt.Sprintf(format, args...)}
}

// checkEncoding refuses what is not UTF-8 text, naming the likely cause, and
// strips a byte order mark.
func checkEncoding(data []byte) ([]byte, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, refuse("le fichier est vide.")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, refuse("c'est un classeur (xlsx ou ods), pas un fichier CSV : enregistrez-le au format « CSV UTF-8 (délimité par des virgules) » puis importez ce fichier.")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, refuse("le fichier est encodé en UTF-16 ; le standard demande de l'UTF-8 : enregistrez-le au format « CSV UTF-8 » puis importez-le à nouveau.")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, refuse("le fichier contient des données binaires (ligne %d) : ce n'est pas un fichier texte CSV ou JSON.", lineOf(data, i))
	}
	if !utf8.Valid(data) {
		i := firstInvalidUTF8(data)
		return nil, refuse("le fichier n'est pas encodé en UTF-8 (octet 0x%02X ligne %d) ; il semble enregistré en Latin-1 ou Windows-1252. "+
			"Enregistrez-le au format « CSV UTF-8 » (dans Excel : Enregistrer sous, CSV UTF-8) puis importez-le à nouveau : rien n'a été importé.", data[i], lineOf(data, i))
	}
	return data, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// lineOf returns the 1-based line of byte offset i.
func lineOf(b []byte, i int) int { return 1 + bytes.Count(b[:i], []byte("\n")) }

// rowReader builds rows and their report, whatever the format.
type rowReader struct {
	f       File
	seenIDs map[string]int
}

func (rr *rowReader) reject(line int, id, field, reason string) {
	rr.f.Report.Rejected = append(rr.f.Report.Rejected, passnum.ImportIssue{Line: line, ID: id, Field: field, Reason: reason})
}

func (rr *rowReader) warn(line int, id, field, reason string) {
	rr.f.Report.Warnings = append(rr.f.Report.Warnings, passnum.ImportIssue{Line: line, ID: id, Field: field, Reason: reason})
}

// row checks one record read from the file: problems found while reading
// its values come first, then those of the record as a whole.
func (rr *rowReader) row(line int, rec passnum.SiteRecord, readProblems passnum.FieldErrors, columns map[string]bool) {
	rr.f.Records++
	problems, warnings := rec.Check()
	seen := map[string]bool{}
	for _, p := range readProblems {
		seen[p.Field] = true
	}
	for _, p := range problems {
		if !seen[p.Field] {
			readProblems = append(readProblems, p)
			seen[p.Field] = true
		}
	}
	id := rec.OpenDataID
	if id != "" {
		if first, dup := rr.seenIDs[id]; dup {
			readProblems.Add("id", "l'identifiant « "+id+" » est déjà celui de la ligne "+strconv.Itoa(first)+" : chaque lieu a un id unique dans le fichier")
		} else {
			rr.seenIDs[id] = line
		}
	}
	if len(readProblems) > 0 {
		for _, p := range readProblems {
			rr.reject(line, id, p.Field, p.Detail)
		}
		return
	}
	for _, w := range warnings {
		rr.warn(line, id, w.Field, w.Detail)
	}
	rr.f.Rows = append(rr.f.Rows, passnum.SiteImportRow{Line: line, Record: rec, Columns: columns})
}

func (rr *rowReader) done() *File {
	rr.f.Report.SortIssues()
	return &rr.f
}

// ReadCSV reads a CSV file of the standard. The error, if any, refuses the
// file as a whole (code invalid_file); row problems are in the report.
func ReadCSV(data []byte, progress Progress) (*File, error) {
	data, err := checkEncoding(data)
	if err != nil {
		return nil, err
	}
	total := int64(len(data))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, refuse("la première ligne (l'en-tête des colonnes) est illisible : %s.", csvProblem(err))
	}
	if len(header) == 1 && strings.Count(header[0], ";") > 0 {
		return nil, refuse("les colonnes sont séparées par des points-virgules ; le standard demande des virgules : enregistrez le fichier au format « CSV UTF-8 (délimité par des virgules) ».")
	}
	rr := &rowReader{seenIDs: map[string]int{}}
	// One row per line at most: growing the slice of big rows costs more
	// than a generous first guess.
	rr.f.Rows = make([]passnum.SiteImportRow, 0, bytes.Count(data, []byte("\n")))
	index, columns, err := rr.readHeader(header)
	if err != nil {
		return nil, err
	}
	// The commune's code is always resolved, from the name and postcode
	// when the file has no code_insee column.
	columns["code_insee"] = true

	if err := rr.readRows(r, header, index, columns, progress, total); err != nil {
		return nil, err
	}
	if progress != nil {
		progress(total, total)
	}
	return rr.done(), nil
}

// readHeader maps each column to the standard's name ("" for a column
// the standard does not know, which is ignored with a warning) and refuses
// a header that repeats a column or misses a required one.
func (rr *rowReader) readHeader(header []string) (index []string, columns map[string]bool, err error) {
	index = make([]string, len(header)) // column position → standard name ("" when ignored)
	columns = map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case columns[name]:
			return nil, nil, refuse("la colonne « %s » figure deux fois dans l'en-tête : gardez-en une seule.", name)
		case passnum.IsOpenDataField(name):
			columns[name] = true
			index[i] = name
		case name != "":
			rr.warn(1, "", h, "colonne inconnue du standard : elle est ignorée")
		}
	}
	var missing []string
	for _, name := range passnum.OpenDataRequired {
		if !columns[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		s := ""
		if len(missing) > 1 {
			s = "s"
		}
		return nil, nil, refuse("colonne%s obligatoire%s absente%s de l'en-tête : %s. La première ligne doit nommer les colonnes du standard des lieux de médiation numérique (%s), "+
			"séparées par des virgules ; rien n'a été importé.", s, s, s, strings.Join(missing, ", "), strings.Join(passnum.OpenDataFields, ","))
	}
	return index, columns, nil
}

// readRows reads the records after the header: a record that cannot be a
// row is rejected with its line and why, a blank one skipped; a file that
// stops being CSV is refused whole.
func (rr *rowReader) readRows(r *csv.Reader, header, index []string, columns map[string]bool, progress Progress, total int64) error {
	lastReport := int64(0)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if err != nil {
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) {
				rr.f.Records++
				rr.reject(pe.StartLine, "", "", "guillemet au milieu d'un champ (colonne "+strconv.Itoa(pe.Column)+") : entourez le champ de guillemets et doublez ceux qu'il contient (\"\")")
				continue
			}
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return refuse("le fichier n'est pas un CSV lisible à partir de la ligne %d : %s ; rien n'a été importé.", line, csvProblem(err))
		}
		line, _ := r.FieldPos(0)
		if progress != nil {
			if off := r.InputOffset(); off-lastReport >= 64<<10 {
				lastReport = off
				progress(off, total)
			}
		}
		if len(rec) != len(header) {
			rr.f.Records++
			rr.reject(line, "", "", fmt.Sprintf("%d valeurs au lieu de %d (une par colonne de l'en-tête) : vérifiez les virgules, et les guillemets autour des textes qui en contiennent", len(rec), len(header)))
			continue
		}
		if blank(rec) {
			rr.warn(line, "", "", "ligne vide : ignorée")
			continue
		}
		var site passnum.SiteRecord
		var problems passnum.FieldErrors
		for i, name := range index {
			if name == "" {
				continue
			}
			if msg := site.Set(name, rec[i]); msg != "" {
				problems.Add(name, msg)
			}
		}
		rr.row(line, site, problems, columns)
	}
	return nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			return fmt.Sprintf("guillemet mal fermé ligne %d, colonne %d (un texte entre guillemets doit se terminer par un guillemet suivi d'une virgule ou d'une fin de ligne ; les guillemets du texte sont doublés)", pe.Line, pe.Column)
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return fmt.Sprintf("guillemet au milieu d'un champ ligne %d, colonne %d", pe.Line, pe.Column)
		}
		return fmt.Sprintf("ligne %d : %v", pe.Line, pe.Err)
	}
	if err == io.EOF {
		return "le fichier est vide"
	}
	return err.Error()
}

// ReadJSON reads a JSON array of objects named by the standard's columns,
// as WriteJSON writes it. Values are text; numbers, null and arrays of
// texts (joined by "|") are accepted too.
func ReadJSON(data []byte, progress Progress) (*File, error) {
	data, err := checkEncoding(data)
	if err != nil {
		return nil, err
	}
	total := int64(len(data))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, refuse("un tableau JSON d'objets est attendu ([{\"id\": …, \"pivot\": …}, …]).")
	}
	rr := &rowReader{seenIDs: map[string]int{}}
	unknown := map[string]bool{}
	line, counted := 1, 0
	lastReport := int64(0)
	for dec.More() {
		start := int(dec.InputOffset())
		for start < len(data) && strings.IndexByte(" \t\r\n,", data[start]) >= 0 {
			start++
		}
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				rr.f.Records++
				rr.reject(line, "", "", "un objet JSON ({…}) est attendu pour chaque lieu")
				continue
			}
			return nil, refuse("le JSON est invalide à partir de la ligne %d : vérifiez la syntaxe (guillemets, virgules, accolades) ; rien n'a été importé.", line)
		}
		if progress != nil {
			if off := dec.InputOffset(); off-lastReport >= 64<<10 {
				lastReport = off
				progress(off, total)
			}
		}
		var site passnum.SiteRecord
		var problems passnum.FieldErrors
		columns := map[string]bool{"code_insee": true}
		for k, raw := range obj {
			if !passnum.IsOpenDataField(k) {
				if !unknown[k] {
					unknown[k] = true
					rr.warn(line, "", k, "champ inconnu du standard : il est ignoré")
				}
				continue
			}
			columns[k] = true
			v, ok := jsonText(raw)
			if !ok {
				problems.Add(k, "texte attendu (ou nombre, ou liste de textes)")
				continue
			}
			if msg := site.Set(k, v); msg != "" {
				problems.Add(k, msg)
			}
		}
		rr.row(line, site, sortedByColumn(problems), columns)
	}
	if _, err := dec.Token(); err != nil {
		return nil, refuse("le tableau JSON n'est pas fermé (« ] » attendu) ; rien n'a été importé.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, refuse("des données suivent le tableau JSON : envoyez un seul tableau ; rien n'a été importé.")
	}
	if progress != nil {
		progress(total, total)
	}
	return rr.done(), nil
}

func jsonText(raw json.RawMessage) (string, bool) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", false
	}
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "|"), true
	}
	return "", false
}

func sortedByColumn(fe passnum.FieldErrors) passnum.FieldErrors {
	pos := map[string]int{}
	for i, f := range passnum.OpenDataFields {
		pos[f] = i
	}
	out := append(passnum.FieldErrors(nil), fe...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && pos[out[j].Field] < pos[out[j-1].Field]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Read reads a file in either format: JSON when asJSON, CSV otherwise.
func Read(data []byte, asJSON bool, progress Progress) (*File, error) {
	if asJSON {
		return ReadJSON(data, progress)
	}
	return ReadCSV(data, progress)
}

// WriteCSV writes the records as the standard's CSV: the header, then one
// row per record, every column in the schema's order.
// Cells that a spreadsheet would run as a formula are neutralised (see
// package sheet).
func WriteCSV(w io.Writer, recs []passnum.SiteRecord) error {
	cw, err := sheet.NewCSV(w, sheet.Open, passnum.OpenDataFields...)
	if err != nil {
		return err
	}
	row := make([]sheet.Cell, len(passnum.OpenDataFields))
	for i := range recs {
		for j, f := range passnum.OpenDataFields {
			row[j] = sheet.Text(recs[i].Value(f))
		}
		if err := cw.Write(row...); err != nil {
			return err
		}
	}
	return cw.Close()
}

// JSONRow is one record in the JSON export: the standard's columns in its
// order, texts as in the CSV (multi-valued ones joined by "|"), the
// coordinates as numbers.
type JSONRow struct {
	ID                            string   `json:"id" doc:"identifiant unique du lieu"`
	Pivot                         string   `json:"pivot" doc:"SIRET (ou SIREN, RNA) de la structure"`
	Nom                           string   `json:"nom"`
	Commune                       string   `json:"commune"`
	CodePostal                    string   `json:"code_postal"`
	CodeINSEE                     string   `json:"code_insee"`
	Adresse                       string   `json:"adresse"`
	ComplementAdresse             string   `json:"complement_adresse"`
	Latitude                      *float64 `json:"latitude" doc:"WGS84"`
	Longitude                     *float64 `json:"longitude" doc:"WGS84"`
	Typologie                     string   `json:"typologie"`
	Telephone                     string   `json:"telephone"`
	Courriels                     string   `json:"courriels"`
	SiteWeb                       string   `json:"site_web"`
	Horaires                      string   `json:"horaires" doc:"format OpenStreetMap opening_hours"`
	PresentationResume            string   `json:"presentation_resume"`
	PresentationDetail            string   `json:"presentation_detail"`
	Source                        string   `json:"source"`
	Itinerance                    string   `json:"itinerance"`
	StructureParente              string   `json:"structure_parente"`
	DateMaj                       string   `json:"date_maj" doc:"date de mise à jour, AAAA-MM-JJ"`
	Services                      string   `json:"services" doc:"services du référentiel national, séparés par |"`
	PublicsSpecifiquementAdresses string   `json:"publics_specifiquement_adresses"`
	PriseEnChargeSpecifique       string   `json:"prise_en_charge_specifique"`
	FraisACharge                  string   `json:"frais_a_charge" doc:"un lieu qui accepte le pass est « Gratuit sous condition »"`
	DispositifProgrammesNationaux string   `json:"dispositif_programmes_nationaux"`
	FormationsLabels              string   `json:"formations_labels"`
	AutresFormationsLabels        string   `json:"autres_formations_labels"`
	ModalitesAcces                string   `json:"modalites_acces"`
	ModalitesAccompagnement       string   `json:"modalites_accompagnement"`
	FicheAccesLibre               string   `json:"fiche_acces_libre"`
	PriseRdv                      string   `json:"prise_rdv"`
}

// Row returns the JSON form of a record.
func Row(r passnum.SiteRecord) JSONRow {
	return JSONRow{
		ID: r.OpenDataID, Pivot: r.Pivot, Nom: r.Name, Commune: r.CommuneName, CodePostal: r.Postcode, CodeINSEE: r.CommuneINSEE,
		Adresse: r.Address, ComplementAdresse: r.AddressComplement, Latitude: r.Latitude, Longitude: r.Longitude,
		Typologie: r.Value("typologie"), Telephone: r.Phone, Courriels: r.Value("courriels"), SiteWeb: r.Value("site_web"),
		Horaires: r.OpeningHours, PresentationResume: r.Summary, PresentationDetail: r.Description, Source: r.Source,
		Itinerance: r.Value("itinerance"), StructureParente: r.ParentStructure, DateMaj: r.Value("date_maj"),
		Services: r.Value("services"), PublicsSpecifiquementAdresses: r.Value("publics_specifiquement_adresses"),
		PriseEnChargeSpecifique: r.Value("prise_en_charge_specifique"), FraisACharge: r.Value("frais_a_charge"),
		DispositifProgrammesNationaux: r.Value("dispositif_programmes_nationaux"), FormationsLabels: r.Value("formations_labels"),
		AutresFormationsLabels: r.OtherLabels, ModalitesAcces: r.Value("modalites_acces"), ModalitesAccompagnement: r.Value("modalites_accompagnement"),
		FicheAccesLibre: r.AccessibilityURL, PriseRdv: r.BookingURL,
	}
}

// Rows returns the JSON form of records; never nil, so that an empty
// export is [].
func Rows(recs []passnum.SiteRecord) []JSONRow {
	out := make([]JSONRow, len(recs))
	for i := range recs {
		out[i] = Row(recs[i])
	}
	return out
}

// WriteJSON writes the records as a JSON array, one object per line.
func WriteJSON(w io.Writer, recs []passnum.SiteRecord) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteString("[")
	for i := range recs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if err := enc.Encode(Row(recs[i])); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline: the separator comes first
	}
	b.WriteString("\n]\n")
	_, err := w.Write(b.Bytes())
	return err
}
