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
	"passnum/store"
)

// templates holds one template set per page: the layout and partials,
// plus the page's own file, which defines "content".
type templates struct {
	pages map[string]*template.Template
}

// templateFuncs is the one map of the functions templates call, built
// once from the part each area of the site declares beside its pages
// (operatorFuncs, distributorFuncs…). A name declared twice is refused.
func templateFuncs() (template.FuncMap, error) {
	all := template.FuncMap{}
	for _, part := range []template.FuncMap{commonFuncs, operatorFuncs, distributorFuncs, placeFuncs, placeSearchFuncs} {
		for name, fn := range part {
			if _, dup := all[name]; dup {
				return nil, fmt.Errorf("web: template function %q declared twice", name)
			}
			all[name] = fn
		}
	}
	return all, nil
}

// commonFuncs are the helpers of every page: French formats (the
// domain's, so that the pages, the printed booklet and the e-mails write
// numbers, money and plurals alike), form fields, labels.
var commonFuncs = template.FuncMap{
	"date":     frDate,
	"datetime": frDateTime,
	"euros":    euros,
	// What statistical secrecy hides reads as (passnum.MaskedFigure…).
	"maskedFigure": func() string { return passnum.MaskedFigure },
	"secrecyNote":  func() string { return passnum.SecrecyNote },
	// secretCount is a count statistical secrecy may hide (nil), which
	// may count 5 or more when hidden for another: "secret".
	"secretCount": func(n *int64) string {
		if n == nil {
			return passnum.MaskedFigure
		}
		return passnum.FormatCount(*n)
	},
	// count writes a number the French way: 2 750.
	"count": func(n any) string {
		if v, ok := toInt64(n); ok {
			return passnum.FormatCount(v)
		}
		return fmt.Sprint(n)
	},
	// countOf writes a number and its noun: 30 carnets, 1 carnet.
	"countOf": func(n any, one, many string) (string, error) {
		v, ok := toInt64(n)
		if !ok {
			return "", fmt.Errorf("countOf: %T is not a whole number", n)
		}
		return passnum.CountOf(v, one, many), nil
	},
	// plural picks the word alone: {{plural .N "remis" "remis"}}.
	"plural": func(n any, one, many string) (string, error) {
		v, ok := toInt64(n)
		if !ok {
			return "", fmt.Errorf("plural: %T is not a whole number", n)
		}
		return passnum.Plural(v, one, many), nil
	},
	"de":            passnum.De,
	"phone":         passnum.FormatPhone,
	"commune":       passnum.CommuneLabel,
	"hours":         passnum.FrenchHours,
	"territory":     passnum.TerritoryName,
	"hoursForm":     newHoursForm,
	"role":          passnum.Role.Label,
	"field":         newField,
	"orgStatus":     passnum.OrgStatus.Label,
	"passStatus":    passnum.PassStatus.Label,
	"sessionStatus": passnum.SessionStatus.Label,
	"code":          passnum.FormatPassCode,
	"add":           func(a, b int) int { return a + b },
	"checkGroup": func(f *form, name, legend, hint string, values []string, required bool) checkGroup {
		return checkGroup{Form: f, Name: name, Legend: legend, Hint: hint, Values: values, Required: required}
	},
}

// toInt64 reads the whole numbers templates hand to count and plural.
func toInt64(n any) (int64, bool) {
	switch x := n.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case *int64: // optional figures (a budget not yet set is nil)
		if x != nil {
			return *x, true
		}
	}
	return 0, false
}

func parseTemplates() (*templates, error) {
	funcs, err := templateFuncs()
	if err != nil {
		return nil, err
	}
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
	// Site is the installation's identity: the programme's name and the
	// funders' logos of the header.
	Site passnum.SiteIdentity
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
	v.Site = q.siteIdentity()
	if v.Form == nil {
		v.Form = &form{Values: url.Values{}}
	}
	return q.s.tmpl.write(q.w, status, name, v)
}

// siteIdentity reads the identity the header shows; a page is still
// drawn, under the default name, when it cannot be read.
func (q *request) siteIdentity() passnum.SiteIdentity {
	var id passnum.SiteIdentity
	err := q.view(func(tx *store.Tx) error {
		var err error
		id, err = tx.SiteIdentity(q.ctx())
		return err
	})
	if err != nil {
		q.s.log.Warn("site identity unreadable", "err", err)
		return passnum.SiteIdentity{Name: passnum.DefaultSiteName}
	}
	return id
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
	if bytes.Contains(buf.Bytes(), []byte(pendingLabels)) {
		// A form's error summary came before its fields: draw the page
		// again, now that the fields have told their labels.
		buf.Reset()
		if err := tp.ExecuteTemplate(&buf, "layout", v); err != nil {
			return err
		}
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
			{Href: "/operateur/personnes", Label: "Personnes"}, {Href: "/operateur/journal", Label: "Journal"}, {Href: "/operateur/identite", Label: "Identité du site"},
			{Href: "/operateur/jeunes", Label: "Jeunes"}}
	case u.Role == passnum.RoleFunder:
		items = []navItem{{Href: "/financeur", Label: "Consommation"}}
	case u.Role == passnum.RoleDistributor:
		items = []navItem{{Href: "/distributeur", Label: "Bénéficiaires"}, {Href: "/distributeur/inscrire", Label: "Inscrire un jeune"}, {Href: "/distributeur/stock", Label: "Stock de carnets"}}
	case u.Role == passnum.RolePlace:
		items = []navItem{{Href: "/lieu", Label: "Encaisser un pass"}, {Href: "/lieu/encaissements", Label: "Encaissements"},
			{Href: "/lieu/remboursements", Label: "Remboursements"}, {Href: "/lieu/formations", Label: "Formations"}, {Href: "/lieu/equipe", Label: "Équipe"}, {Href: "/lieu/sites", Label: "Sites"}, {Href: "/lieu/label", Label: "Label"}}
		if u.OrganisationStatus != passnum.OrgLabelled {
			items = []navItem{{Href: "/lieu/label", Label: "Label"}, {Href: "/lieu/remboursements", Label: "Remboursements"}, {Href: "/lieu/equipe", Label: "Équipe"}, {Href: "/lieu/sites", Label: "Sites"}}
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
	// labels are the fields' labels as the page draws them, so that the
	// summary above the form names each field the way the person sees it,
	// never by its key.
	labels    map[string]fieldLabel
	summaries int
}

type fieldLabel struct {
	Label, ID string
	order     int
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
	if pe.Code == passnum.EINVALID && len(pe.Fields) > 0 {
		// The domain's message names fields by their keys ("service :
		// choisissez…"): the summary names them by their labels instead.
		f.Message = ""
	}
	return true
}

// Failed says whether anything is wrong.
func (f *form) Failed() bool { return f.Message != "" || len(f.Errors) > 0 }

// Note records a field's label as the page draws it; the field partials
// call it. It writes nothing.
func (f *form) Note(name, label, id string) string {
	if f == nil {
		return ""
	}
	if f.labels == nil {
		f.labels = map[string]fieldLabel{}
	}
	if _, seen := f.labels[name]; !seen {
		f.labels[name] = fieldLabel{Label: strings.TrimSpace(label), ID: id, order: len(f.labels)}
	}
	return ""
}

// formSummary is the list of errors above a form.
type formSummary struct {
	Items []summaryItem
	// Pending says that some field was not drawn yet when the summary was:
	// the page is drawn once more, its labels then known (see write).
	Pending bool
}

type summaryItem struct {
	Label, ID, Error string
	order            int
}

// Summary lists the form's errors, each with its field's label and a link
// to it, in the order the fields are drawn; an error whose field the page
// does not draw is said alone, last.
func (f *form) Summary() formSummary {
	f.summaries++
	var s formSummary
	for name, msg := range f.Errors {
		l, ok := f.labels[name]
		if !ok {
			s.Pending = f.summaries == 1
			l = fieldLabel{order: len(f.labels)}
		}
		s.Items = append(s.Items, summaryItem{Label: l.Label, ID: l.ID, Error: msg, order: l.order})
	}
	slices.SortFunc(s.Items, func(a, b summaryItem) int {
		if a.order != b.order {
			return a.order - b.order
		}
		return strings.Compare(a.Error, b.Error)
	})
	return s
}

// pendingLabels marks a page drawn before the labels of its failed form.
const pendingLabels = "data-labels-pending"

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
	if c, ok := toInt64(v); ok {
		return passnum.FormatEuros(c)
	}
	return fmt.Sprint(v)
}

// parseFrenchDate reads a date field as people type it in France (see
// passnum.ParseFrenchDate: 14/04/2007, 14042007, 2007-04-14…); the error
// is the field's.
func parseFrenchDate(field, s string) (passnum.Date, error) {
	d, err := passnum.ParseFrenchDate(s)
	if err != nil {
		return passnum.Date{}, passnum.Invalid(passnum.FieldError{Field: field, Detail: err.Error()})
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
