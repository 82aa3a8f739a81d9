package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"passnum"
)

// MaxBodyBytes caps JSON request bodies.
const MaxBodyBytes = 1 << 20

// readBody reads at most MaxBodyBytes; more is "too_large".
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if limit <= 0 {
		limit = MaxBodyBytes
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, passnum.Errorf(passnum.ETOOLARGE, "Le corps de la requête dépasse %d Mio : envoyez moins de données à la fois.", limit>>20)
	}
	if err != nil {
		return nil, passnum.Errorf(passnum.EMALFORMED, "Le corps de la requête n'a pas pu être lu : renvoyez-la.")
	}
	return b, nil
}

// checkContentType refuses a body sent without the media type its route
// reads: application/json, or one of the route's Consumes. A request
// without a body needs none.
func checkContentType(r *http.Request, rt *route, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	allowed := rt.Consumes
	if len(allowed) == 0 {
		allowed = []string{"application/json"}
	}
	got := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(got)
	if err == nil && slices.Contains(allowed, mt) {
		return nil
	}
	if got == "" {
		got = "aucun"
	}
	return passnum.Errorf(passnum.EUNSUPPORTEDMEDIA, "Type de contenu « %s » non pris en charge : envoyez le corps avec l'en-tête « Content-Type: %s ».", got, strings.Join(allowed, " » ou « "))
}

// checkQuery refuses a NUL character in the query string, which no filter
// needs and PostgreSQL cannot compare.
func checkQuery(r *http.Request) error {
	for name, vs := range r.URL.Query() {
		for _, v := range vs {
			if passnum.HasNUL(v) || passnum.HasNUL(name) {
				return passnum.Invalid(passnum.FieldError{Field: name, Detail: "caractère nul (U+0000) interdit dans les paramètres de l'adresse"})
			}
		}
	}
	return nil
}

// decodeStrict reads one JSON object into dst: unknown fields, wrong types
// and trailing data are refused with the name of the field at fault, and so
// are what encoding/json would let through: a key given twice, a key that
// matches a field only when case is ignored, a NUL character in a string.
// An empty body reads as {} so that optional bodies may be left out.
func decodeStrict(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return passnum.Errorf(passnum.EMALFORMED, "Le corps de la requête doit être un objet JSON ({…}).")
	}
	if err := checkKeys(body, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return passnum.Errorf(passnum.EMALFORMED, "Le corps de la requête contient des données après l'objet JSON : envoyez un seul objet.")
	}
	return nil
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(corps)"
		}
		return passnum.Invalid(passnum.FieldError{Field: field, Detail: "type attendu : " + jsonTypeName(te.Type.Kind().String()) + ", reçu : " + te.Value})
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return passnum.Invalid(passnum.FieldError{Field: strings.Trim(f, `"`), Detail: "champ inconnu : retirez-le ou vérifiez son orthographe"})
	}
	var fe *fieldDecodeError
	if errors.As(err, &fe) {
		return passnum.Invalid(passnum.FieldError{Field: fe.field, Detail: fe.detail})
	}
	return passnum.Errorf(passnum.EMALFORMED, "Le corps de la requête n'est pas un JSON valide : vérifiez la syntaxe (guillemets, virgules, accolades).")
}

type fieldDecodeError struct{ field, detail string }

func (e *fieldDecodeError) Error() string { return e.field + ": " + e.detail }

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "nombre entier"
	case strings.HasPrefix(kind, "float"):
		return "nombre"
	case kind == "bool":
		return "booléen (true ou false)"
	case kind == "string":
		return "chaîne de caractères"
	case kind == "slice":
		return "liste"
	case kind == "struct", kind == "map":
		return "objet"
	}
	return kind
}

// fields collects validation failures of a request, field by field.
type fields struct{ passnum.FieldErrors }

func (f *fields) required(name string, present bool) bool {
	if !present {
		f.Add(name, "champ obligatoire")
	}
	return present
}

// date parses a required or optional YYYY-MM-DD field.
func (f *fields) date(name string, v *string, required bool) passnum.Date {
	if v == nil {
		if required {
			f.Add(name, "champ obligatoire (date AAAA-MM-JJ)")
		}
		return passnum.Date{}
	}
	d, err := passnum.ParseDate(*v)
	if err != nil {
		f.Add(name, err.Error())
	}
	return d
}

func (f *fields) id(name string, v *string) string {
	if !f.required(name, v != nil) {
		return ""
	}
	if !passnum.ValidID(*v) {
		f.Add(name, "identifiant inconnu")
	}
	return *v
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// checkKeys walks the body token by token beside the type it will be
// decoded into. A syntax error is left to the decoder, which words it.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := walkJSON(dec, t, "")
	if _, ok := err.(*passnum.Error); ok {
		return err
	}
	return nil
}

// walkJSON reads one value; t is the Go type it goes into, nil when
// unknown (an unknown field's value, an any).
func walkJSON(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case string:
		if passnum.HasNUL(v) {
			return passnum.Invalid(passnum.FieldError{Field: fieldPath(path), Detail: "caractère nul (U+0000) interdit : retirez-le"})
		}
	case json.Delim:
		switch v {
		case '{':
			return walkObject(dec, t, path)
		case '[':
			var elem reflect.Type
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				elem = t.Elem()
			}
			for dec.More() {
				if err := walkJSON(dec, elem, path); err != nil {
					return err
				}
			}
			_, err := dec.Token() // ]
			return err
		}
	}
	return nil
}

func walkObject(dec *json.Decoder, t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = jsonFields(t)
	}
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Map {
		elem = t.Elem()
	}
	seen := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		name := joinPath(path, key)
		if passnum.HasNUL(key) {
			return passnum.Invalid(passnum.FieldError{Field: fieldPath(path), Detail: "caractère nul (U+0000) interdit dans un nom de champ"})
		}
		folded := strings.ToLower(key)
		if first, dup := seen[folded]; dup {
			detail := "champ en double : donnez-le une seule fois"
			if first != key {
				detail = "champ en double (« " + first + " » et « " + key + " » ne diffèrent que par la casse) : donnez-le une seule fois, en minuscules"
			}
			return passnum.Invalid(passnum.FieldError{Field: name, Detail: detail})
		}
		seen[folded] = key
		next := elem
		if fields != nil {
			ft, exact := fields[key]
			if !exact {
				for fname := range fields {
					if strings.EqualFold(fname, key) {
						return passnum.Invalid(passnum.FieldError{Field: name, Detail: "champ inconnu : les noms de champ respectent la casse, écrivez « " + fname + " »"})
					}
				}
			}
			next = ft // nil for an unknown field, which the decoder names
		}
		if err := walkJSON(dec, next, name); err != nil {
			return err
		}
	}
	_, err := dec.Token() // }
	return err
}

// jsonFields maps the JSON names of a struct's fields, those of embedded
// structs included, to their types, as encoding/json names them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, taken := out[k]; !taken {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldPath(path string) string {
	if path == "" {
		return "(corps)"
	}
	return path
}
