package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passnum"
	"passnum/api"
	"passnum/demo"
	"passnum/server"
	"passnum/store/storetest"
	"passnum/web"
)

// The one authorization walk: every address of the product, API routes and
// pages alike, with every kind of visitor (signed out, a young person, each
// staff role by key and by account), then each address an organisation may
// use with the ids of another organisation's objects. The doors are the
// route and page tables; what an id in an address designates is the table
// below, which must name every address with a parameter.

// kind is one kind of object an id in an address designates: how to find
// one (any), and how to find one that belongs to another organisation than
// the visitor's, by the visitor's role (foreign). A role missing from
// foreign sees such objects whoever they belong to (a place reads any
// programme; any distributor books any session).
type kind struct {
	any     string
	foreign map[passnum.Role]string
}

var (
	ownBeneficiary = kind{`SELECT id FROM beneficiaries`, map[passnum.Role]string{passnum.RoleDistributor: `SELECT id FROM beneficiaries WHERE distributor_id <> $1`}}
	ownBooklet     = kind{`SELECT id FROM booklets WHERE distributor_id IS NOT NULL`, map[passnum.Role]string{passnum.RoleDistributor: `SELECT id FROM booklets WHERE distributor_id IS NOT NULL AND distributor_id <> $1`}}
	ownRedemption  = kind{`SELECT id FROM redemptions`, map[passnum.Role]string{passnum.RolePlace: `SELECT id FROM redemptions WHERE place_id <> $1`}}
	ownPlace       = kind{`SELECT id FROM organisations WHERE kind = 'place'`, map[passnum.Role]string{passnum.RolePlace: `SELECT id FROM organisations WHERE kind = 'place' AND id <> $1`}}
	ownSite        = kind{`SELECT id FROM sites WHERE organisation_id IS NOT NULL`, map[passnum.Role]string{passnum.RolePlace: `SELECT id FROM sites WHERE organisation_id IS NOT NULL AND organisation_id <> $1`}}
	ownTraining    = kind{`SELECT id FROM trainings`, map[passnum.Role]string{passnum.RolePlace: `SELECT id FROM trainings WHERE organisation_id <> $1`}}
	ownSession     = kind{`SELECT id FROM sessions`, map[passnum.Role]string{passnum.RolePlace: `SELECT s.id FROM sessions s JOIN trainings t ON t.id = s.training_id WHERE t.organisation_id <> $1`}}
	ownBooking     = kind{`SELECT id FROM bookings`, map[passnum.Role]string{passnum.RoleDistributor: `SELECT b.id FROM bookings b JOIN beneficiaries p ON p.id = b.beneficiary_id WHERE p.distributor_id <> $1`}}
	ownUser        = kind{`SELECT id FROM users`, map[passnum.Role]string{passnum.RolePlace: `SELECT id FROM users WHERE organisation_id <> $1`}}
	ownProgramme   = kind{`SELECT id FROM programmes`, map[passnum.Role]string{passnum.RoleFunder: `SELECT id FROM programmes WHERE id NOT IN (SELECT programme_id FROM programme_funders WHERE organisation_id = $1)`}}
	ownSettlement  = kind{`SELECT id FROM settlements`, map[passnum.Role]string{
		passnum.RolePlace:  `SELECT id FROM settlements s WHERE NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.settlement_id = s.id AND l.place_id = $1)`,
		passnum.RoleFunder: `SELECT id FROM settlements WHERE programme_id NOT IN (SELECT programme_id FROM programme_funders WHERE organisation_id = $1)`,
	}}
	ownDistributor  = kind{`SELECT id FROM organisations WHERE kind = 'distributor'`, map[passnum.Role]string{passnum.RoleDistributor: `SELECT id FROM organisations WHERE kind = 'distributor' AND id <> $1`}}
	ownFunder       = kind{`SELECT id FROM organisations WHERE kind = 'funder'`, map[passnum.Role]string{passnum.RoleFunder: `SELECT id FROM organisations WHERE kind = 'funder' AND id <> $1`}}
	ownOrganisation = kind{`SELECT id FROM organisations`, map[passnum.Role]string{
		passnum.RolePlace:       `SELECT id FROM organisations WHERE kind = 'place' AND id <> $1`,
		passnum.RoleDistributor: `SELECT id FROM organisations WHERE kind = 'distributor' AND id <> $1`,
		passnum.RoleFunder:      `SELECT id FROM organisations WHERE kind = 'funder' AND id <> $1`,
	}}
	// Objects nobody owns, or that the address's roles all see.
	shared = kind{}
)

// designates is the table: for each address with parameters, what each
// parameter designates, in order. An address missing from it fails the
// walk: whoever adds one says here what its ids are.
var designates = map[string][]kind{
	"/api/v1/settlements/{id}/lines/{place_id}/statement.pdf":         {ownSettlement, ownPlace},
	"/api/v1/settlements/{id}/lines/{place_id}/statement.csv":         {ownSettlement, ownPlace},
	"/api/v1/settlements/{id}/accounting.csv":                         {ownSettlement},
	"/api/v1/settlements/{id}/accounting.xlsx":                        {ownSettlement},
	"/api/v1/settlements/{id}/funders/{org_id}/statement.pdf":         {ownSettlement, ownFunder},
	"/api/v1/settlements/{id}/funders/{org_id}/statement.csv":         {ownSettlement, ownFunder},
	"/api/v1/programmes/{id}/funders/{org_id}/statement.pdf":          {ownProgramme, ownFunder},
	"/api/v1/programmes/{id}/funders/{org_id}/statement.csv":          {ownProgramme, ownFunder},
	"/api/v1/programmes/{id}/funders/{org_id}/closing.pdf":            {ownProgramme, ownFunder},
	"/api/v1/distributors/{id}/dormant-booklets":                      {ownDistributor},
	"/api/v1/booklets/{id}/called":                                    {ownBooklet},
	"/api/v1/beneficiaries/{id}/data":                                 {ownBeneficiary},
	"/api/v1/beneficiaries/{id}/erase":                                {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/donnees":                        {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/donnees.json":                   {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/donnees.pdf":                    {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/effacer":                        {ownBeneficiary},
	"/api/v1/programmes/{id}/reminders":                               {ownProgramme},
	"/financeur/programmes/{id}/remboursements":                       {ownProgramme},
	"/remboursements/{id}/comptabilite.csv":                           {ownSettlement},
	"/remboursements/{id}/comptabilite.xlsx":                          {ownSettlement},
	"/remboursements/{id}/lieux/{place_id}/releve.pdf":                {ownSettlement, ownPlace},
	"/remboursements/{id}/lieux/{place_id}/releve.csv":                {ownSettlement, ownPlace},
	"/remboursements/{id}/financeurs/{org_id}/releve.pdf":             {ownSettlement, ownFunder},
	"/remboursements/{id}/financeurs/{org_id}/releve.csv":             {ownSettlement, ownFunder},
	"/programmes/{id}/financeurs/{org_id}/releve.pdf":                 {ownProgramme, ownFunder},
	"/programmes/{id}/financeurs/{org_id}/releve.csv":                 {ownProgramme, ownFunder},
	"/programmes/{id}/financeurs/{org_id}/cloture.pdf":                {ownProgramme, ownFunder},
	"/programmes/{id}/rapport-annuel.pdf":                             {ownProgramme},
	"/programmes/{id}/rapport-annuel.xlsx":                            {ownProgramme},
	"/api/v1/programmes/{id}/report.pdf":                              {ownProgramme},
	"/api/v1/programmes/{id}/report.xlsx":                             {ownProgramme},
	"/api/v1/organisations/{id}":                                      {ownOrganisation},
	"/api/v1/programmes/{id}":                                         {ownProgramme},
	"/api/v1/programmes/{id}/allocations":                             {shared},
	"/api/v1/programmes/{id}/stock":                                   {shared},
	"/api/v1/beneficiaries/{id}/record":                               {ownBeneficiary},
	"/api/v1/beneficiaries/{id}":                                      {ownBeneficiary},
	"/api/v1/beneficiaries/{id}/booklets":                             {ownBeneficiary},
	"/api/v1/booklets/{id}":                                           {ownBooklet},
	"/api/v1/booklets/{id}/block":                                     {ownBooklet},
	"/api/v1/booklets/{id}/replace":                                   {ownBooklet},
	"/api/v1/passes/{code}":                                           {shared},
	"/api/v1/passes/{code}/redeem":                                    {shared},
	"/api/v1/redemptions/{id}":                                        {ownRedemption},
	"/api/v1/redemptions/{id}/cancel":                                 {ownRedemption},
	"/api/v1/place-applications/{id}":                                 {ownPlace},
	"/api/v1/places/{id}/bank-accounts":                               {ownPlace},
	"/api/v1/places/{id}/sites":                                       {ownPlace},
	"/api/v1/sites/{id}":                                              {ownSite},
	"/api/v1/places/{id}/trainings":                                   {shared},
	"/api/v1/trainings/{id}":                                          {shared},
	"/api/v1/trainings/{id}/deactivate":                               {ownTraining},
	"/api/v1/trainings/{id}/sessions":                                 {ownTraining},
	"/api/v1/sessions/{id}":                                           {shared},
	"/api/v1/sessions/{id}/cancel":                                    {ownSession},
	"/api/v1/sessions/{id}/bookings":                                  {ownSession},
	"/api/v1/bookings/{id}/cancel":                                    {ownBooking},
	"/api/v1/beneficiaries/{id}/bookings":                             {ownBeneficiary},
	"/api/v1/settlements/{id}":                                        {ownSettlement},
	"/api/v1/settlements/{id}/sent":                                   {shared},
	"/api/v1/settlements/{id}/paid":                                   {shared},
	"/api/v1/redemptions/{id}/corrections":                            {shared},
	"/api/v1/programmes/{id}/corrections":                             {shared},
	"/api/v1/places/{id}/balance":                                     {ownPlace},
	"/api/v1/places/{id}/bank-accounts/{account_id}/iban":             {shared, shared},
	"/api/v1/programmes/{id}/funding":                                 {ownProgramme},
	"/api/v1/programmes/{id}/closing":                                 {ownProgramme},
	"/api/v1/programmes/{id}/stock-transfers":                         {shared},
	"/api/v1/programmes/{id}/expire":                                  {shared},
	"/api/v1/programmes/{id}/closing-statement":                       {ownProgramme},
	"/lien/{purpose}/{secret}":                                        {shared, shared},
	"/logos/{id}":                                                     {shared},
	"/lieux/{id}":                                                     {shared},
	"/mon-pass/qr/{file}":                                             {shared},
	"/candidature/brouillon/{secret}":                                 {shared},
	"/financeur/programmes/{id}":                                      {ownProgramme},
	"/financeur/programmes/{id}/tableau-de-bord":                      {ownProgramme},
	"/financeur/programmes/{id}/tableau-de-bord.csv":                  {ownProgramme},
	"/financeur/programmes/{id}/tableau-de-bord.xlsx":                 {ownProgramme},
	"/distributeur/beneficiaires/{id}":                                {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/carnets":                        {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/debloquer-acces":                {ownBeneficiary},
	"/distributeur/carnets/{id}":                                      {ownBooklet},
	"/distributeur/carnets/{id}/pdf":                                  {ownBooklet},
	"/distributeur/carnets/{id}/bloquer":                              {ownBooklet},
	"/distributeur/carnets/{id}/remplacer":                            {ownBooklet},
	"/distributeur/carnets/{id}/rappele":                              {ownBooklet},
	"/distributeur/beneficiaires/{id}/fiche":                          {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/seances":                        {ownBeneficiary},
	"/distributeur/beneficiaires/{id}/reservations/{booking}/annuler": {ownBeneficiary, ownBooking},
	"/lieu/encaissements/{id}/annuler":                                {ownRedemption},
	"/lieu/formations/{id}/desactiver":                                {ownTraining},
	"/lieu/formations/{id}/sessions":                                  {ownTraining},
	"/lieu/sessions/{id}":                                             {ownSession},
	"/lieu/sessions/{id}/annuler":                                     {ownSession},
	"/lieu/equipe/{id}/inviter":                                       {ownUser},
	"/lieu/equipe/{id}/desactiver":                                    {ownUser},
	"/lieu/equipe/{id}/reactiver":                                     {ownUser},
	"/lieu/sites/{id}":                                                {ownSite},
}

// bodies gives each POST route that validates its body before looking
// for the object a body it would accept with the visitor's own ids: the
// walk sends it with another organisation's ids, so that only the tenancy
// check stands between the visitor and the object, and it must answer
// 404. own runs a query ($1: the visitor's organisation) and gives its
// first value. Tried with another organisation's ids, every address
// answers 404 or 403, never 422 (an empty body refused proves nothing):
// a new route that validates first needs its body here.
var bodies = map[string]func(own func(query string) string) map[string]any{
	"/api/v1/beneficiaries/{id}/booklets": func(own func(string) string) map[string]any {
		return map[string]any{"programme_id": own(`SELECT programme_id FROM distributor_stock WHERE distributor_id = $1 AND available_booklets > 0`)}
	},
	"/api/v1/booklets/{id}/block":     withReason("carnet perdu"),
	"/api/v1/booklets/{id}/replace":   withReason("carnet perdu"),
	"/api/v1/redemptions/{id}/cancel": withReason("pass encaissé par erreur"),
	"/api/v1/trainings/{id}/sessions": func(own func(string) string) map[string]any {
		return map[string]any{"site_id": own(`SELECT id FROM sites WHERE organisation_id = $1`),
			"starts_at": "2026-04-02T14:00:00+02:00", "ends_at": "2026-04-02T16:00:00+02:00", "capacity": 8}
	},
}

// bodyIDs: POST routes whose body names an object the visitor must own.
// Sent with another organisation's object, each must answer as it does
// for an id that exists nowhere (same status, same words): refused, and
// telling nothing of the object. pathIDs and foreign are queries ($1: the
// visitor's organisation) for the path's ids and the foreign object.
var bodyIDs = []struct {
	role    passnum.Role
	path    string
	pathIDs []string
	foreign string
	body    func(id string) map[string]any
}{
	{passnum.RolePlace, "/api/v1/trainings/{id}/sessions", []string{`SELECT id FROM trainings WHERE organisation_id = $1`},
		`SELECT id FROM sites WHERE organisation_id IS NOT NULL AND organisation_id <> $1`,
		func(id string) map[string]any {
			return map[string]any{"site_id": id, "starts_at": "2026-04-02T14:00:00+02:00", "ends_at": "2026-04-02T16:00:00+02:00", "capacity": 8}
		}},
	{passnum.RolePlace, "/api/v1/passes/{code}/redeem", []string{`SELECT code FROM passes WHERE status = 'assigned' AND $1 <> ''`},
		`SELECT id FROM sites WHERE organisation_id IS NOT NULL AND organisation_id <> $1`,
		func(id string) map[string]any {
			return map[string]any{"service": "Maîtrise des outils numériques du quotidien", "site_id": id}
		}},
	{passnum.RolePlace, "/api/v1/passes/{code}/redeem", []string{`SELECT code FROM passes WHERE status = 'assigned' AND $1 <> ''`},
		`SELECT s.id FROM sessions s JOIN trainings t ON t.id = s.training_id WHERE t.organisation_id <> $1`,
		func(id string) map[string]any {
			return map[string]any{"service": "Maîtrise des outils numériques du quotidien", "session_id": id}
		}},
	{passnum.RoleDistributor, "/api/v1/sessions/{id}/bookings", []string{`SELECT id FROM sessions WHERE $1 <> ''`},
		`SELECT id FROM beneficiaries WHERE distributor_id <> $1`,
		func(id string) map[string]any { return map[string]any{"beneficiary_id": id} }},
}

func withReason(r string) func(func(string) string) map[string]any {
	return func(func(string) string) map[string]any { return map[string]any{"reason": r} }
}

// address is one route or page, as the walk sees it.
type address struct {
	method, path string
	api          bool
	// Who may use it.
	public, beneficiary, pendingFactor bool
	roles                              []passnum.Role
}

func addresses() []address {
	var out []address
	for _, r := range api.Routes() {
		out = append(out, address{method: r.Method, path: r.Path, api: true, public: len(r.Roles) == 0, roles: r.Roles})
	}
	for _, p := range web.Pages() {
		out = append(out, address{method: p.Method, path: p.Path, public: p.Public, beneficiary: p.Beneficiary, pendingFactor: p.PendingFactor, roles: p.Roles})
	}
	return out
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

// Every address with a parameter is in the table, but those only the
// operator uses (the operator sees every organisation's objects), and the
// table names no address that does not exist.
func TestEveryAddressDesignatesItsIds(t *testing.T) {
	known := map[string]bool{}
	for _, a := range addresses() {
		known[a.path] = true
		n := len(paramRE.FindAllString(strings.ReplaceAll(a.path, "{$}", ""), -1))
		kinds, ok := designates[a.path]
		operatorOnly := slices.Equal(a.roles, []passnum.Role{passnum.RoleOperator})
		switch {
		case !ok && n > 0 && !operatorOnly:
			t.Errorf("%s %s: not in the authorization table (server/access_test.go): say what each of its ids designates", a.method, a.path)
		case ok && len(kinds) != n:
			t.Errorf("%s %s: %d parameters, the table describes %d", a.method, a.path, n, len(kinds))
		}
	}
	for p := range designates {
		if !known[p] {
			t.Errorf("%s: in the authorization table but no route or page has it", p)
		}
	}
}

// visitor is one kind of visitor: signed out, a young person, or a staff
// role by its API key and its account.
type visitor struct {
	name        string
	role        passnum.Role
	beneficiary bool
	key         string
	client      *http.Client
}

var addrSeq atomic.Int64

func TestEveryAddressWithEveryVisitor(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, dbURL := e.Open(t, clock)
			sum, err := demo.Seed(context.Background(), s, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			h, err := server.New(s, slog.New(slog.DiscardHandler), web.Config{TrustedProxy: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			w := &walk{t: t, srv: srv}
			visitors := []*visitor{{name: "anonyme", client: w.client()}}
			ben := &visitor{name: "jeune", beneficiary: true, client: w.client()}
			birth := passnum.MustDate(sum.Beneficiary.BirthDate)
			if st, _, _ := w.send(ben, "POST", "/mon-pass", url.Values{"code": {sum.Beneficiary.PassCode},
				"birth_date": {fmt.Sprintf("%02d/%02d/%04d", birth.Day, birth.Month, birth.Year)}}); st != http.StatusSeeOther {
				t.Fatalf("the young person's sign-in answers %d", st)
			}
			visitors = append(visitors, ben)
			orgs := map[passnum.Role]string{}
			for _, role := range []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RoleDistributor, passnum.RolePlace} {
				k := sum.Keys[string(role)]
				v := &visitor{name: string(role), role: role, key: k.Secret, client: w.client()}
				if st, loc, _ := w.send(v, "POST", "/connexion", url.Values{"email": {k.Email}, "password": {demo.Password}}); st != http.StatusSeeOther || strings.HasPrefix(loc, "/connexion") {
					t.Fatalf("%s's sign-in answers %d → %s", role, st, loc)
				}
				orgs[role] = k.OrganisationID
				visitors = append(visitors, v)
			}

			w.fundedElsewhere(sum, clock.Now())

			// The doors: ids that exist nowhere.
			for _, a := range addresses() {
				if a.path == "/deconnexion" {
					continue // signing out is tried on its own
				}
				path := paramRE.ReplaceAllStringFunc(strings.ReplaceAll(a.path, "{$}", ""), func(m string) string {
					switch m {
					case "{code}":
						return passnum.NewPassCode()
					case "{purpose}":
						return "invite"
					}
					return passnum.NewID(clock.Now())
				})
				for _, v := range visitors {
					w.door(a, path, v)
				}
			}

			// The rooms: an organisation's own visitor, with the ids of
			// another organisation's objects, is told they do not exist.
			db := openRaw(t, e.Name, dbURL)
			tried := 0
			for _, a := range addresses() {
				kinds := designates[a.path]
				for _, v := range visitors {
					if v.role == "" || v.role == passnum.RoleOperator || !slices.Contains(a.roles, v.role) {
						continue
					}
					var ids []string
					foreign := false
					for _, k := range kinds {
						q, mine := k.foreign[v.role]
						if !mine {
							q = k.any
						}
						if q == "" {
							ids = nil
							break
						}
						var id string
						var args []any
						if mine {
							args = append(args, orgs[v.role])
						}
						if err := db.QueryRow(q+` ORDER BY 1 LIMIT 1`, args...).Scan(&id); err != nil {
							if err == sql.ErrNoRows {
								t.Errorf("%s %s: the demo holds no object to try as %s (%s)", a.method, a.path, v.role, q)
								ids = nil
								break
							}
							t.Fatal(err)
						}
						ids, foreign = append(ids, id), foreign || mine
					}
					if !foreign || len(ids) != len(kinds) {
						continue
					}
					i := 0
					path := paramRE.ReplaceAllStringFunc(a.path, func(string) string { i++; return ids[i-1] })
					var body []byte
					if bodyOf, ok := bodies[a.path]; ok {
						body, _ = json.Marshal(bodyOf(func(q string) string {
							var val string
							if err := db.QueryRow(q+` ORDER BY 1 LIMIT 1`, orgs[v.role]).Scan(&val); err != nil {
								t.Fatalf("%s %s: the body's %s: %v", a.method, a.path, q, err)
							}
							return val
						}))
					}
					tried++
					w.room(a, path, v, body)
				}
			}
			if tried < 40 {
				t.Errorf("only %d addresses tried with another organisation's ids", tried)
			}

			// Another organisation's ids in a body: answered exactly as
			// ids that exist nowhere.
			for _, c := range bodyIDs {
				v := visitors[slices.IndexFunc(visitors, func(v *visitor) bool { return v.role == c.role })]
				query := func(q string) string {
					var val string
					if err := db.QueryRow(q+` ORDER BY 1 LIMIT 1`, orgs[c.role]).Scan(&val); err != nil {
						t.Fatalf("POST %s: %s: %v", c.path, q, err)
					}
					return val
				}
				i := 0
				path := paramRE.ReplaceAllStringFunc(c.path, func(string) string { i++; return query(c.pathIDs[i-1]) })
				w.bodyRoom(v, c.path, path, c.body(query(c.foreign)), c.body(passnum.NewID(clock.Now())))
			}
		})
	}
}

type walk struct {
	t   *testing.T
	srv *httptest.Server
}

// fundedElsewhere makes a programme that the demo's funder does not fund,
// with a settlement: what a funder must not see.
func (w *walk) fundedElsewhere(sum demo.Summary, now time.Time) {
	w.t.Helper()
	op, dist, place := sum.Keys["operator"].Secret, sum.Keys["distributor"].Secret, sum.Keys["place"].Secret
	today := passnum.ParisDate(now)
	funder := w.create(op, "/organisations", map[string]any{"kind": "funder", "name": "Département du Jura"})
	prog := w.create(op, "/programmes", map[string]any{
		"name": "Pass numérique Jura", "face_value_cents": 1000, "booklet_size": 2,
		"valid_from": today.AddDays(-10).String(), "valid_until": today.AddDays(200).String(), "grace_days": 31,
		"min_age": 16, "max_age": 25, "max_booklets_per_beneficiary": 1,
		"funders": []any{map[string]any{"organisation_id": funder["id"], "share_bps": 10000}},
	})
	w.create(op, "/programmes/"+prog["id"].(string)+"/issuances", map[string]any{"booklets": 2})
	w.create(op, "/programmes/"+prog["id"].(string)+"/allocations", map[string]any{"distributor_id": sum.Keys["distributor"].OrganisationID, "booklets": 2})
	ben := w.create(dist, "/beneficiaries", map[string]any{"first_name": "Noé", "last_name": "Jurassien", "birth_date": today.AddDays(-20 * 365).String(),
		"commune_insee": "39300", "job_seeker": true, "in_studies": false})
	bk := w.create(dist, "/beneficiaries/"+ben["id"].(string)+"/booklets", map[string]any{"programme_id": prog["id"]})
	code := bk["passes"].([]any)[0].(map[string]any)["code"].(string)
	w.create(place, "/passes/"+code+"/redeem", map[string]any{"service": "Maîtrise des outils numériques du quotidien"})
	w.create(op, "/settlements", map[string]any{"programme_id": prog["id"], "cutoff": today.String()})
}

// create POSTs to the API and returns the answer, which must be a success.
func (w *walk) create(key, path string, body map[string]any) map[string]any {
	w.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+api.Prefix+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	if resp.StatusCode >= 300 {
		w.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return out
}

func (w *walk) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// send makes one request as v: an API request carries v's key and a JSON
// body, a page request v's cookies and a form. Each comes from an address
// of its own (through the trusted proxy), so that the walk's failed
// attempts are not slowed.
func (w *walk) send(v *visitor, method, path string, form url.Values) (int, string, []byte) {
	return w.sendJSON(v, method, path, form, nil)
}

// sendJSON is send with an API request's JSON body ("{}" when nil).
func (w *walk) sendJSON(v *visitor, method, path string, form url.Values, jsonBody []byte) (int, string, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.srv.URL+path, nil)
	if strings.HasPrefix(path, api.Prefix) {
		if method == http.MethodPost {
			if jsonBody == nil {
				jsonBody = []byte("{}")
			}
			req, _ = http.NewRequest(method, w.srv.URL+path, bytes.NewReader(jsonBody))
			req.Header.Set("Content-Type", "application/json")
		}
		if v.key != "" {
			req.Header.Set("Authorization", "Bearer "+v.key)
		}
	} else if method == http.MethodPost {
		req, _ = http.NewRequest(method, w.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", addrSeq.Add(1)/250%250, addrSeq.Load()%250+1))
	resp, err := v.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), b
}

func problemCode(b []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	json.Unmarshal(b, &p)
	return p.Code
}

// door checks that v is let in or kept out as the tables say.
func (w *walk) door(a address, path string, v *visitor) {
	t := w.t
	st, loc, body := w.send(v, a.method, path, url.Values{})
	where := fmt.Sprintf("%s %s as %s: %d %q", a.method, a.path, v.name, st, loc)
	if st >= 500 {
		t.Errorf("%s: server error\n%s", where, body)
		return
	}
	allowed := a.public || (a.beneficiary && v.beneficiary) || (!a.beneficiary && v.role != "" && slices.Contains(a.roles, v.role))
	if a.api {
		code := problemCode(body)
		switch {
		case allowed && (st == http.StatusUnauthorized || code == passnum.EFORBIDDEN):
			t.Errorf("%s: allowed by the table but refused", where)
		case !allowed && v.role == "" && st != http.StatusUnauthorized:
			t.Errorf("%s: want 401 without a key", where)
		case !allowed && v.role != "" && (st != http.StatusForbidden || code != passnum.EFORBIDDEN):
			t.Errorf("%s: want 403 for this role", where)
		}
		return
	}
	switch {
	case a.pendingFactor:
		// Only a sign-in waiting for its second factor gets in.
		if st != http.StatusSeeOther || loc != "/connexion" {
			t.Errorf("%s: want a redirect to /connexion", where)
		}
	case allowed:
		if st == http.StatusForbidden || st == http.StatusUnauthorized && !a.public ||
			st == http.StatusSeeOther && (strings.HasPrefix(loc, "/connexion?suite=") || loc == "/mon-pass" && !a.public) {
			t.Errorf("%s: allowed by the table but refused", where)
		}
	case a.beneficiary:
		if !(a.method == http.MethodGet && st == http.StatusSeeOther && loc == "/mon-pass") && st != http.StatusUnauthorized {
			t.Errorf("%s: a young person's page let this visitor in", where)
		}
	case v.role == "":
		if !(a.method == http.MethodGet && st == http.StatusSeeOther && strings.HasPrefix(loc, "/connexion?suite=")) && st != http.StatusUnauthorized {
			t.Errorf("%s: a staff page let a signed-out visitor in", where)
		}
	default:
		if st != http.StatusForbidden {
			t.Errorf("%s: want 403 for this role", where)
		}
	}
}

// room checks that another organisation's object is, for v, as if it did
// not exist: 404 (or 403), never its content, never a change. A POST gets
// its body from the bodies table, or none: a 422 for it would only say
// the body was refused before the object was looked for, which proves
// nothing, so it fails too (give the route a body in the table).
func (w *walk) room(a address, path string, v *visitor, jsonBody []byte) {
	st, loc, body := w.sendJSON(v, a.method, path, url.Values{}, jsonBody)
	where := fmt.Sprintf("%s %s as %s with another organisation's ids (%s): %d %q", a.method, a.path, v.name, path, st, loc)
	switch {
	case st == http.StatusNotFound || st == http.StatusForbidden:
	case st == http.StatusUnprocessableEntity && jsonBody == nil:
		w.t.Errorf("%s: refused for its body before its ids were looked for; give it a valid body in the bodies table (server/access_test.go)\n%.300s", where, body)
	default:
		w.t.Errorf("%s: want 404\n%.300s", where, body)
	}
}

// bodyRoom checks that v, naming another organisation's object in the
// body of a POST to path, is refused exactly as when naming one that
// exists nowhere.
func (w *walk) bodyRoom(v *visitor, route, path string, foreign, nowhere map[string]any) {
	w.t.Helper()
	answer := func(body map[string]any) (int, string) {
		b, _ := json.Marshal(body)
		st, _, out := w.sendJSON(v, http.MethodPost, path, nil, b)
		var p struct{ Code, Detail string }
		json.Unmarshal(out, &p)
		return st, p.Code + " " + p.Detail
	}
	st, got := answer(foreign)
	wantSt, want := answer(nowhere)
	if st < 400 || st >= 500 || st != wantSt || got != want {
		w.t.Errorf("POST %s as %s naming another organisation's object in its body: %d %q; want refused as an id that exists nowhere: %d %q", route, v.name, st, got, wantSt, want)
	}
}

func openRaw(t *testing.T, engine, dbURL string) *sql.DB {
	t.Helper()
	// The queries' $1 placeholders are PostgreSQL's; SQLite reads them too.
	driver, dsn := "pgx", dbURL
	if engine == "sqlite" {
		driver, dsn = "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
