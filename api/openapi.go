package api

import (
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"passnum"
	"passnum/store"
)

// The OpenAPI document is built from the route table and the Go types of
// each request and answer, so it cannot drift from the code.

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
)

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() map[string]any {
	openAPIOnce.Do(func() { openAPIDoc = buildOpenAPI() })
	return openAPIDoc
}

func openAPIDocument(c *call) (func(*store.Tx) (any, error), error) {
	return func(*store.Tx) (any, error) { return OpenAPI(), nil }, nil
}

func buildOpenAPI() map[string]any {
	schemas := map[string]any{}
	g := &schemaGen{defs: schemas}
	paths := map[string]any{}
	for _, rt := range routes {
		item, _ := paths[rt.fullPath()].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.fullPath()] = item
		}
		item[strings.ToLower(rt.Method)] = g.operation(rt)
	}
	// The Problem schema is registered by its first use; generating it
	// again here would overwrite it with a reference to itself.
	g.schema(reflect.TypeOf(Problem{}))
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "API passnum v1",
			"version":     "1.0.0",
			"description": "API du Pass numérique : programmes, carnets, bénéficiaires, encaissements. Authentification par clé d'API (Authorization: Bearer <clé>) ; erreurs au format RFC 9457 (application/problem+json) avec un membre « code » stable.",
		},
		"servers":    []any{map[string]any{"url": Prefix}},
		"paths":      relativePaths(paths),
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

// operation is one route's operation: its parameters, body, security,
// roles (x-roles) and answers, errors included.
func (g *schemaGen) operation(rt *route) map[string]any {
	op := map[string]any{
		"summary":     rt.Summary,
		"operationId": operationID(rt),
	}
	if params := operationParameters(rt); len(params) > 0 {
		op["parameters"] = params
	}
	if body := g.requestBody(rt); body != nil {
		op["requestBody"] = body
	}
	codes := append([]string{}, rt.Errors...)
	if len(rt.Roles) > 0 {
		op["security"] = []any{map[string]any{"bearer": []any{}}}
		codes = append(codes, passnum.EUNAUTHENTICATED, passnum.EFORBIDDEN)
		roles := make([]string, len(rt.Roles))
		for i, r := range rt.Roles {
			roles[i] = string(r)
		}
		op["x-roles"] = roles
	} else {
		op["security"] = []any{}
	}
	if rt.Method == "POST" {
		codes = append(codes, passnum.EMALFORMED, passnum.ETOOLARGE, passnum.EUNSUPPORTEDMEDIA, passnum.EIDEMPOTENCYMISMATCH, passnum.EINVALID)
	}
	codes = append(codes, passnum.EUNAVAILABLE)
	op["responses"] = g.responses(rt, codes)
	return op
}

// operationParameters are a route's path, paging, query and
// Idempotency-Key parameters.
func operationParameters(rt *route) []any {
	var params []any
	for _, seg := range strings.Split(rt.Path, "/") {
		if strings.HasPrefix(seg, "{") {
			name := strings.Trim(seg, "{}")
			desc := "identifiant (26 caractères)"
			if name == "code" {
				desc = "code du pass ; la casse, les espaces et les tirets sont tolérés"
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "description": desc, "schema": map[string]any{"type": "string"}})
		}
	}
	if rt.Method == "GET" && rt.Response != nil && isList(reflect.TypeOf(rt.Response)) {
		params = append(params,
			map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": store.MaxPageSize, "default": store.DefaultPageSize}},
			map[string]any{"name": "cursor", "in": "query", "description": "valeur « next » de la page précédente", "schema": map[string]any{"type": "string"}})
	}
	for _, q := range rt.Query {
		sch := map[string]any{"type": "string"}
		switch q.Type {
		case "integer":
			sch = map[string]any{"type": "integer"}
		case "date":
			sch = map[string]any{"type": "string", "format": "date"}
		}
		if len(q.Enum) > 0 {
			sch["enum"] = q.Enum
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Doc, "schema": sch})
	}
	if rt.Method == "POST" {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "rejouer la même requête avec la même clé renvoie la première réponse ; la même clé avec un autre corps est refusée (422 idempotency_mismatch)",
			"schema":      map[string]any{"type": "string", "maxLength": 255}})
	}
	return params
}

// requestBody is what a route accepts, nil for none.
func (g *schemaGen) requestBody(rt *route) map[string]any {
	if rt.Request != nil || len(rt.Consumes) > 0 {
		content := map[string]any{}
		if rt.Request != nil {
			content["application/json"] = map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}
		}
		for _, mt := range rt.Consumes {
			if _, done := content[mt]; !done {
				content[mt] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
		}
		return map[string]any{"required": true, "content": content}
	}
	return nil
}

// responses are a route's answers: its success (and alternative success)
// and its error codes grouped by HTTP status.
func (g *schemaGen) responses(rt *route, codes []string) map[string]any {
	responses := map[string]any{}
	ok := map[string]any{"description": http.StatusText(rt.Status)}
	if rt.Produces != "" {
		ok["content"] = map[string]any{rt.Produces: map[string]any{"schema": map[string]any{"type": "string"}}}
	} else if rt.Response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Response))}}
	}
	responses[strconv.Itoa(rt.Status)] = ok
	if rt.AltStatus != 0 {
		alt := map[string]any{"description": rt.AltDoc}
		if c, has := ok["content"]; has {
			alt["content"] = c
		}
		responses[strconv.Itoa(rt.AltStatus)] = alt
	}
	byStatus := map[int][]string{}
	for _, code := range codes {
		st := StatusOf(code)
		if !containsString(byStatus[st], code) {
			byStatus[st] = append(byStatus[st], code)
		}
	}
	for st, cs := range byStatus {
		sort.Strings(cs)
		responses[strconv.Itoa(st)] = map[string]any{
			"description": "codes : " + strings.Join(cs, ", "),
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
		}
	}
	return responses
}

// relativePaths writes paths relative to the server URL, as OpenAPI wants.
func relativePaths(paths map[string]any) map[string]any {
	out := make(map[string]any, len(paths))
	for p, v := range paths {
		out[strings.TrimPrefix(p, Prefix)] = v
	}
	return out
}

func operationID(rt *route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(rt.Path, "/") {
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// isList reports whether an answer is a page of a list: items and the
// cursor of the next page.
func isList(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	_, items := t.FieldByName("Items")
	_, next := t.FieldByName("Next")
	return items && next
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

type schemaGen struct{ defs map[string]any }

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(passnum.Date{})
	roleType = reflect.TypeOf(passnum.Role(""))
)

// schema is t's JSON schema; a pointer to a scalar may be null (a figure
// statistical secrecy hides, a date not yet set), and says so.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	s := g.valueSchema(t)
	if typ, ok := s["type"].(string); ok && nullable {
		s["type"] = []string{typ, "null"}
	}
	return s
}

func (g *schemaGen) valueSchema(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case dateType:
		return map[string]any{"type": "string", "format": "date"}
	case roleType:
		return map[string]any{"type": "string", "enum": []string{"operator", "funder", "distributor", "place"}}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map, reflect.Interface:
		return map[string]any{"type": "object"}
	case reflect.Struct:
		name := schemaName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// fieldBounds are the largest values of the fields whose tag names them
// (bound:"booklets"), from the rule the store applies.
var fieldBounds = map[string]int64{"booklets": passnum.MaxIssuanceBooklets}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			// Embedded structs are flattened by encoding/json: so here.
			inner := g.object(f.Type)
			for k, v := range inner["properties"].(map[string]any) {
				props[k] = v
			}
			if req, ok := inner["required"].([]string); ok {
				required = append(required, req...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if doc := f.Tag.Get("doc"); doc != "" || f.Tag.Get("enum") != "" || f.Tag.Get("format") != "" || f.Tag.Get("bound") != "" {
			s = map[string]any{"allOf": []any{s}}
			if doc != "" {
				s["description"] = doc
			}
			if e := f.Tag.Get("enum"); e != "" {
				s["enum"] = strings.Split(e, ",")
			}
			if fm := f.Tag.Get("format"); fm != "" {
				s["format"] = fm
			}
			if b := f.Tag.Get("bound"); b != "" {
				s["minimum"], s["maximum"] = 1, fieldBounds[b]
			}
		}
		props[name] = s
		if f.Tag.Get("api") == "required" {
			required = append(required, name)
		}
	}
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func schemaName(t reflect.Type) string {
	n := t.Name()
	n = strings.NewReplacer("[", "Of", "]", "", "passnum/store.", "", "passnum/api.", "", "passnum.", "", ".", "", "*", "", "/", "").Replace(n)
	if n == "" {
		return "Anonymous"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}
