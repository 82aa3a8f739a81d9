package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"passnum"
	"passnum/requestid"
)

// templates holds one template set per page: the layout and partials,
// plus the page's own file, which defines "content".
type templates struct {
	pages map[string]*template.Template
}

// funcs are the helpers templates use. Areas may add their own in an init
// function of their file.
var funcs = template.FuncMap{
	"date":       frDate,
	"datetime":   frDateTime,
	"euros":      euros,
	"role":       func(r passnum.Role) string { return roleFR(r) },
	"field":      newField,
	"orgStatus":  orgStatusFR,
	"passStatus": passStatusFR,
	"code":       passnum.FormatPassCode,
	"add":        func(a, b int) int { return a + b },
	"plural":     func(n int, one, many string) string { return map[bool]string{true: one, false: many}[n <= 1] },
	"checkGroup": func(f *form, name, legend, hint string, values []string, required bool) checkGroup {
		return checkGroup{Form: f, Name: name, Legend: legend, Hint: hint, Values: values, Required: required}
	},
}

func parseTemplates() (*templates, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || p == "templates/layout.html" || p == "templates/partials.html" {
			return err
		}
		c, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := c.ParseFS(templateFS, p); err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		t.pages[name] = c
		return nil
	})
	return t, err
}

// view is what every page's template receives.
type view struct {
	Title       string
	User        *passnum.User
	Beneficiary bool
	Flash       string
	Path        string
	Form        *form
	Data        any
	Tiles       tiles
	Nav         []navItem
	// RequestID names the request in the server's logs; error pages show
	// it, to be quoted when someone asks for help.
	RequestID string
}

type tiles struct{ URL, Attribution string }

type navItem struct {
	Href, Label string
	Current     bool
}

// render writes a page: name is its template ("distributor/beneficiaries").
func (q *request) render(status int, name, title string, data any, f *form) error {
	v := view{Title: title, User: q.user, Beneficiary: q.beneficiaryID != "", Flash: q.flash, Path: q.r.URL.Path, Form: f, Data: data,
		Tiles: tiles{q.s.cfg.TileURL, q.s.cfg.TileAttribution}, RequestID: requestid.From(q.ctx())}
	v.Nav = navFor(q.user, v.Beneficiary, v.Path)
	if v.Form == nil {
		v.Form = &form{Values: url.Values{}}
	}
	return q.s.tmpl.write(q.w, status, name, v)
}

func (t *templates) write(w http.ResponseWriter, status int, name string, v view) error {
	tp, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// renderError shows an error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, q *request, status int, title, message string) {
	if q == nil {
		q = &request{s: s, w: w, r: r}
	}
	if err := q.render(status, "error", title, message, nil); err != nil {
		s.log.ErrorContext(q.ctx(), "error page failed", "err", err)
		http.Error(w, message, status)
	}
}

// navFor is the menu of each kind of visitor.
func navFor(u *passnum.User, beneficiary bool, current string) []navItem {
	var items []navItem
	switch {
	case beneficiary:
		items = []navItem{{Href: "/mon-pass/espace", Label: "Mes pass"}, {Href: "/mon-pass/lieux", Label: "Lieux près de chez moi"}, {Href: "/confidentialite", Label: "Mes données"}}
	case u == nil:
		items = []navItem{{Href: "/lieux", Label: "Trouver un lieu"}, {Href: "/mon-pass", Label: "J'ai un pass"}, {Href: "/candidature", Label: "Devenir lieu labellisé"}}
	case u.Role == passnum.RoleOperator:
		items = []navItem{{Href: "/operateur", Label: "Tableau de bord"}, {Href: "/operateur/programmes", Label: "Programmes"},
			{Href: "/operateur/organisations", Label: "Organisations"}, {Href: "/operateur/labellisation", Label: "Labellisation"},
			{Href: "/operateur/personnes", Label: "Personnes"}, {Href: "/operateur/journal", Label: "Journal"}}
	case u.Role == passnum.RoleFunder:
		items = []navItem{{Href: "/financeur", Label: "Consommation"}}
	case u.Role == passnum.RoleDistributor:
		items = []navItem{{Href: "/distributeur", Label: "Bénéficiaires"}, {Href: "/distributeur/inscrire", Label: "Inscrire un jeune"}, {Href: "/distributeur/stock", Label: "Stock de carnets"}}
	case u.Role == passnum.RolePlace:
		items = []navItem{{Href: "/lieu", Label: "Encaisser un pass"}, {Href: "/lieu/encaissements", Label: "Encaissements"},
			{Href: "/lieu/formations", Label: "Formations"}, {Href: "/lieu/equipe", Label: "Équipe"}, {Href: "/lieu/sites", Label: "Sites"}, {Href: "/lieu/label", Label: "Label"}}
		if u.OrganisationStatus != passnum.OrgLabelled {
			items = []navItem{{Href: "/lieu/label", Label: "Label"}, {Href: "/lieu/equipe", Label: "Équipe"}, {Href: "/lieu/sites", Label: "Sites"}}
		}
	}
	if u != nil {
		items = append(items, navItem{Href: securityPath, Label: "Mon compte"})
	}
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}

// form is a submitted form: what was typed (shown again when something
// must be fixed) and what is wrong, field by field.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Message string
}

func newForm(r *http.Request) *form {
	v := r.PostForm
	if v == nil {
		v = url.Values{}
	}
	return &form{Values: v, Errors: map[string]string{}}
}

func (f *form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Fail records an error for the form. A domain error's field errors go
// next to their fields (names map form fields to the domain's field names
// when they differ); other domain errors become the form's message. It
// reports false for errors that are not the user's to fix.
func (f *form) Fail(err error, names ...string) bool {
	var pe *passnum.Error
	if !errors.As(err, &pe) {
		return false
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	rename := map[string]string{}
	for i := 0; i+1 < len(names); i += 2 {
		rename[names[i]] = names[i+1]
	}
	for _, fe := range pe.Fields {
		name := fe.Field
		if r, ok := rename[name]; ok {
			name = r
		}
		if _, seen := f.Errors[name]; !seen {
			f.Errors[name] = fe.Detail
		}
	}
	f.Message = pe.Message
	return true
}

// Failed says whether anything is wrong.
func (f *form) Failed() bool { return f.Message != "" || len(f.Errors) > 0 }

// field is what the "field" partial draws: a label, an input, a hint and
// the error next to it.
type field struct {
	Form                                      *form
	Name, Label, Type, Hint, Autocomplete, ID string
	Required                                  bool
	Options                                   []option
	Extra                                     map[string]string
}

type option struct{ Value, Label string }

func (f field) Value() string { return f.Form.Get(f.Name) }
func (f field) Error() string { return f.Form.Errors[f.Name] }

// newField builds a field: {{template "field" (field .Form "email" "Adresse électronique" "email" "autocomplete=email" "required")}}.
// Options: "required", "hint=…", "autocomplete=…", "id=…", "options=v1:Libellé 1|v2:Libellé 2", "attr:name=value".
func newField(f *form, name, label, typ string, opts ...string) field {
	fd := field{Form: f, Name: name, Label: label, Type: typ, ID: "f-" + name, Extra: map[string]string{}}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch {
		case k == "required":
			fd.Required = true
		case k == "hint":
			fd.Hint = v
		case k == "autocomplete":
			fd.Autocomplete = v
		case k == "id":
			fd.ID = v
		case k == "options":
			for _, pair := range strings.Split(v, "|") {
				val, lab, _ := strings.Cut(pair, ":")
				fd.Options = append(fd.Options, option{val, lab})
			}
		case strings.HasPrefix(k, "attr:"):
			fd.Extra[strings.TrimPrefix(k, "attr:")] = v
		}
	}
	return fd
}

// French formats.
func frDate(v any) string {
	switch d := v.(type) {
	case passnum.Date:
		if d.IsZero() {
			return ""
		}
		return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return d.In(passnum.Paris).Format("02/01/2006")
	case *time.Time:
		if d == nil {
			return ""
		}
		return frDate(*d)
	}
	return fmt.Sprint(v)
}

func frDateTime(v any) string {
	switch d := v.(type) {
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return d.In(passnum.Paris).Format("02/01/2006 à 15h04")
	case *time.Time:
		if d == nil {
			return ""
		}
		return frDateTime(*d)
	}
	return fmt.Sprint(v)
}

// euros writes cents the French way: "10 €", "12,50 €", "1 250 €".
func euros(v any) string {
	var c int64
	switch n := v.(type) {
	case int64:
		c = n
	case int:
		c = int64(n)
	default:
		return fmt.Sprint(v)
	}
	neg := c < 0
	if neg {
		c = -c
	}
	units := fmt.Sprint(c / 100)
	var b strings.Builder
	for i, r := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	s := b.String()
	if c%100 != 0 {
		s += fmt.Sprintf(",%02d", c%100)
	}
	if neg {
		s = "−" + s
	}
	return s + "\u00a0€"
}

func orgStatusFR(s string) string {
	switch s {
	case passnum.OrgActive:
		return "actif"
	case passnum.OrgPending:
		return "candidature à l'étude"
	case passnum.OrgLabelled:
		return "labellisé"
	case passnum.OrgSuspended:
		return "label suspendu"
	case passnum.OrgRefused:
		return "candidature refusée"
	case passnum.OrgWithdrawn:
		return "label retiré"
	}
	return s
}

func passStatusFR(s string) string {
	switch s {
	case passnum.PassRedeemed:
		return "utilisé"
	case passnum.PassBlocked:
		return "bloqué"
	case passnum.PassAssigned:
		return "disponible"
	case passnum.PassExpired:
		return "expiré"
	case passnum.PassUnassigned:
		return "non remis"
	}
	return s
}

// parseFrenchDate reads a date typed as people write it in France
// (31/12/2004, 31-12-2004, 31.12.2004) or as an ISO date (2004-12-31).
func parseFrenchDate(field, s string) (passnum.Date, error) {
	s = strings.TrimSpace(s)
	bad := passnum.Invalid(passnum.FieldError{Field: field, Detail: "date attendue au format JJ/MM/AAAA, par exemple 05/03/2006"})
	if s == "" {
		return passnum.Date{}, passnum.Invalid(passnum.FieldError{Field: field, Detail: "obligatoire, au format JJ/MM/AAAA"})
	}
	if d, err := passnum.ParseDate(s); err == nil {
		return d, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return passnum.Date{}, bad
	}
	d, err := passnum.ParseDate(fmt.Sprintf("%s-%02s-%02s", parts[2], parts[1], parts[0]))
	if err != nil {
		return passnum.Date{}, bad
	}
	return d, nil
}

// safeNext keeps a "return to" address on this site: a path, read the way
// a browser reads a link (WHATWG URL): spaces and controls around it
// dropped, tabs and line breaks anywhere removed, backslashes taken for
// slashes. What is left must be a path ("/…", never "//host" nor
// "scheme:"), which is then cleaned and written again with its characters
// escaped, so that the browser cannot read it as another site. Anything
// else is "": the person lands on their home page.
func safeNext(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, s)
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return ""
	}
	out := (&url.URL{Path: path.Clean("/" + u.Path), RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\\t\r\n") {
		return ""
	}
	return out
}

// checkGroup is what the "checks" partial draws: a group of checkboxes
// (services, publics, accessibility) with its legend, hint and error.
type checkGroup struct {
	Form               *form
	Name, Legend, Hint string
	Values             []string
	Required           bool
}

func (g checkGroup) ID() string                { return "f-" + strings.ReplaceAll(g.Name, ".", "-") }
func (g checkGroup) Error() string             { return g.Form.Errors[g.Name] }
func (g checkGroup) Checked(value string) bool { return slices.Contains(g.Form.Values[g.Name], value) }
