package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
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

// decodeStrict reads one JSON object into dst: unknown fields, wrong types
// and trailing data are refused with the name of the field at fault. An
// empty body reads as {} so that optional bodies may be left out.
func decodeStrict(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return passnum.Errorf(passnum.EMALFORMED, "Le corps de la requête doit être un objet JSON ({…}).")
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
