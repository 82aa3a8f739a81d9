package api_test

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store/storetest"
	"passnum/territory"
)

// eachWithSearchDB is each with a second connection to the database, through
// which the tests write sites, trainings and sessions straight in SQL.
func eachWithSearchDB(t *testing.T, fn func(t *testing.T, e *env, db *searchDB)) {
	t.Helper()
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, u := eng.Open(t, clock)
			driver, dsn := "pgx", u
			if path, ok := strings.CutPrefix(u, "sqlite:"); ok {
				driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, newEnv(t, s, clock), &searchDB{t: t, db: db, postgres: driver == "pgx"})
		})
	}
}

type searchDB struct {
	t        *testing.T
	db       *sql.DB
	postgres bool
}

func (r *searchDB) exec(q string, args ...any) {
	r.t.Helper()
	if r.postgres {
		var b strings.Builder
		n := 0
		for _, c := range q {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		q = b.String()
	}
	if _, err := r.db.ExecContext(r.t.Context(), q, args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

// site writes a site at its commune's centre moved north by dLat degrees;
// org is "" for an imported directory entry.
func (r *searchDB) site(org, name, commune string, dLat float64, services ...string) string {
	r.t.Helper()
	c, ok := territory.LookupCommune(commune)
	if !ok {
		r.t.Fatalf("commune %s", commune)
	}
	id := passnum.NewID(time.Now())
	var owner any
	if org != "" {
		owner = org
	}
	now := storetest.Epoch.UnixMicro()
	r.exec(`INSERT INTO sites (id, organisation_id, opendata_id, pivot, name, commune_insee, commune_name, postcode, address, latitude, longitude,
			services, opening_hours, fees, phone, updated_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, owner, "lieu-"+id, "73282932000074", name, c.Code, c.Name, c.Postcodes[0], "2 rue du Lycée", c.Lat+dLat, c.Lng,
		strings.Join(services, "|"), "Tu-Sa 10:00-18:00", "Gratuit", "+33381878000", "2026-03-01", now, now)
	return id
}

func (r *searchDB) training(org, title, service string, minutes int) string {
	r.t.Helper()
	id := passnum.NewID(time.Now())
	r.exec(`INSERT INTO trainings (id, organisation_id, title, service, duration_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, org, title, service, minutes, storetest.Epoch.UnixMicro())
	return id
}

func (r *searchDB) session(training, site string, starts time.Time, capacity, booked int) string {
	r.t.Helper()
	id := passnum.NewID(time.Now())
	r.exec(`INSERT INTO sessions (id, training_id, site_id, starts_at, ends_at, capacity, booked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, training, site, starts.UnixMicro(), starts.Add(2*time.Hour).UnixMicro(), capacity, booked, storetest.Epoch.UnixMicro())
	return id
}

func nearItems(t *testing.T, r response) []map[string]any {
	t.Helper()
	raw, ok := r.Body["items"].([]any)
	if !ok {
		t.Fatalf("no items: %s", r.Raw)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

func nearItemNames(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, it := range nearItems(t, r) {
		out = append(out, it["name"].(string))
	}
	return out
}

func TestPlacesNear(t *testing.T) {
	eachWithSearchDB(t, func(t *testing.T, e *env, db *searchDB) {
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		besancon := db.site(e.placeID, "Médiathèque Pierre-Bayle", "25056", 0.002, service)
		db.site("", "France Services Dijon", "21231", 0, "Aide aux démarches administratives")
		db.site("", "EPN Paris Centre", "75056", 0)
		db.site("", "Médiathèque de Dole", "39198", 0)
		tr := db.training(e.placeID, "Premiers pas sur smartphone", service, 120)
		db.session(tr, besancon, e.clock.Now().Add(9*24*time.Hour), 8, 3)

		// Public: no key.
		r := e.do("GET", "/places/near?commune=25056&radius_km=100", "", nil)
		e.expect(r, 200, "")
		if got := nearItemNames(t, r); !slices.Equal(got, []string{"Médiathèque Pierre-Bayle", "Médiathèque de Dole", "France Services Dijon"}) {
			t.Fatalf("order: %q", got)
		}
		its := nearItems(t, r)
		first, dijon := its[0], its[2]
		if first["site_id"] != besancon || first["accepts_pass"] != true || first["place_id"] != e.placeID || first["postcode"] != "25000" ||
			first["commune"] != "Besançon" || first["opening_hours"] != "Tu-Sa 10:00-18:00" || first["address"] != "2 rue du Lycée" {
			t.Fatalf("first: %v", first)
		}
		if d := dijon["distance_km"].(float64); math.Abs(d-76) > 5 {
			t.Fatalf("Besançon → Dijon %.1f km", d)
		}
		if _, has := dijon["place_id"]; has || dijon["accepts_pass"] != false {
			t.Fatalf("a directory entry: %v", dijon)
		}
		next := first["next_sessions"].([]any)
		if len(next) != 1 || next[0].(map[string]any)["training_title"] != "Premiers pas sur smartphone" || next[0].(map[string]any)["seats_left"] != 5.0 ||
			next[0].(map[string]any)["day"] != "2026-03-19" {
			t.Fatalf("next sessions: %v", next)
		}
		if o := r.Body["origin"].(map[string]any); o["commune_insee"] != "25056" || o["commune"] != "Besançon" || r.Body["radius_km"] != 100.0 {
			t.Fatalf("origin: %s", r.Raw)
		}

		// The default radius is 30 km; filters narrow it down.
		r = e.do("GET", "/places/near?postcode=25000", "", nil)
		e.expect(r, 200, "")
		if got := nearItemNames(t, r); !slices.Equal(got, []string{"Médiathèque Pierre-Bayle"}) {
			t.Fatalf("30 km: %q", got)
		}
		r = e.do("GET", "/places/near?commune=25056&radius_km=100&service="+url.QueryEscape("Aide aux démarches administratives"), "", nil)
		if got := nearItemNames(t, r); !slices.Equal(got, []string{"France Services Dijon"}) {
			t.Fatalf("by service: %q", got)
		}
		r = e.do("GET", "/places/near?commune=25056&radius_km=100&within_weeks=1", "", nil)
		if got := nearItemNames(t, r); len(got) != 0 {
			t.Fatalf("within a week: %q", got)
		}
		r = e.do("GET", "/places/near?commune=25056&radius_km=100&within_weeks=2&limit=5", "", nil)
		if got := nearItemNames(t, r); !slices.Equal(got, []string{"Médiathèque Pierre-Bayle"}) {
			t.Fatalf("within two weeks: %q", got)
		}

		// A postcode of several communes: the biggest, and the answer says so.
		r = e.do("GET", "/places/near?postcode=39100", "", nil)
		e.expect(r, 200, "")
		o := r.Body["origin"].(map[string]any)
		if o["commune_insee"] != "39198" || !strings.Contains(o["note"].(string), "plusieurs communes") || len(o["other_communes"].([]any)) != 13 {
			t.Fatalf("origin of 39100: %v", o)
		}
		if got := nearItemNames(t, r); len(got) == 0 || got[0] != "Médiathèque de Dole" {
			t.Fatalf("from Dole: %q", got)
		}

		// What to type instead.
		bad := []struct{ query, field, says string }{
			{"commune=99999", "commune", "aucune commune ne porte le code INSEE 99999"},
			{"commune=25000", "commune", "postcode=25000"},
			{"commune=besan", "commune", "commune=25056"},
			{"postcode=00000", "postcode", "aucune commune n'a le code postal 00000"},
			{"", "commune", "commune=25056"},
			{"commune=25056&service=Cuisine", "service", "référentiel national"},
			{"commune=25056&radius_km=loin", "radius_km", "rayon en kilomètres"},
			{"commune=25056&radius_km=500", "radius_km", "de 1 à 100"},
			{"commune=25056&within_weeks=0", "within_weeks", "nombre de semaines"},
			{"commune=25056&limit=1000", "limit", "de 1 à 100"},
		}
		for _, b := range bad {
			r := e.do("GET", "/places/near?"+b.query, "", nil)
			e.expect(r, 422, passnum.EINVALID)
			errs := r.Body["errors"].([]any)
			f := errs[0].(map[string]any)
			if len(errs) != 1 || f["field"] != b.field || !strings.Contains(f["detail"].(string), b.says) {
				t.Fatalf("%s: %s", b.query, r.Raw)
			}
		}
		r = e.do("GET", "/places/near?commune=besancon", "", nil)
		if sug, _ := r.Body["suggestions"].([]any); len(sug) == 0 || sug[0].(map[string]any)["commune_insee"] != "25056" {
			t.Fatalf("suggestions: %s", r.Raw)
		}
		// Every fault at once.
		r = e.do("GET", "/places/near?commune=99999&radius_km=0&within_weeks=x", "", nil)
		e.expect(r, 422, passnum.EINVALID)
		if n := len(r.Body["errors"].([]any)); n != 3 {
			t.Fatalf("%d errors: %s", n, r.Raw)
		}
	})
}

func TestSiteCardAPI(t *testing.T) {
	eachWithSearchDB(t, func(t *testing.T, e *env, db *searchDB) {
		e.expect(e.do("POST", "/places/"+e.placeID+"/label", e.operator, nil), 200, "")
		site := db.site(e.placeID, "Médiathèque Pierre-Bayle", "25056", 0, service)
		tr := db.training(e.placeID, "Premiers pas sur smartphone", service, 120)
		db.session(tr, site, e.clock.Now().Add(48*time.Hour), 8, 8) // full: not shown
		open := db.session(tr, site, e.clock.Now().Add(72*time.Hour), 8, 1)

		r := e.do("GET", "/sites/"+site, "", nil)
		e.expect(r, 200, "")
		b := r.Body
		if b["site_id"] != site || b["name"] != "Médiathèque Pierre-Bayle" || b["organisation_name"] != "Médiathèque Pierre-Bayle" || b["accepts_pass"] != true ||
			b["place_id"] != e.placeID || b["pivot"] != "73282932000074" || b["commune_insee"] != "25056" || b["departement_name"] != "Doubs" ||
			b["region_name"] != "Bourgogne-Franche-Comté" || b["phone"] != "+33381878000" || b["updated_on"] != "2026-03-01" {
			t.Fatalf("card: %s", r.Raw)
		}
		if fees := b["fees"].([]any); len(fees) != 2 || fees[1] != passnum.FeesPassAccepted {
			t.Fatalf("fees: %v", fees)
		}
		up := b["upcoming_sessions"].([]any)
		if len(up) != 1 || up[0].(map[string]any)["session_id"] != open || up[0].(map[string]any)["seats_left"] != 7.0 {
			t.Fatalf("upcoming sessions: %v", up)
		}
		e.expect(e.do("GET", "/sites/nope", "", nil), 404, passnum.ENOTFOUND)
		e.expect(e.do("GET", "/sites/"+passnum.NewID(time.Now()), "", nil), 404, passnum.ENOTFOUND)
		// Nothing about the people who booked.
		if bytes.Contains(r.Raw, []byte("beneficiar")) {
			t.Fatalf("card mentions beneficiaries: %s", r.Raw)
		}
	})
}

func TestActivityExport(t *testing.T) {
	eachWithSearchDB(t, func(t *testing.T, e *env, db *searchDB) {
		prog := e.programme(6, 4)
		ben, codes := e.handOut(prog) // Léa Martin, born 2005-05-17, Besançon
		young := e.mustCreate("/beneficiaries", e.distributor, map[string]any{"first_name": "Zoé", "last_name": "Perrin", "birth_date": "2008-03-20",
			"commune_insee": "39198", "job_seeker": true, "in_studies": false})["id"].(string)
		bk := e.mustCreate("/beneficiaries/"+young+"/booklets", e.distributor, map[string]any{"programme_id": prog})
		youngCode := bk["passes"].([]any)[0].(map[string]any)["code"].(string)
		site := db.site(e.placeID, "Antenne de Dole", "39198", 0)
		tr := db.training(e.placeID, "Atelier CV", service, 90)
		sess := db.session(tr, site, e.clock.Now(), 10, 0)
		// A second site, so that a redemption naming none is recorded at
		// none (a place with one site records that one) and the export
		// falls back to the place's commune.
		db.site(e.placeID, "Antenne de Dole, salle 2", "39198", 0)

		redeem := func(key, code string) string {
			t.Helper()
			r := e.do("POST", "/passes/"+code+"/redeem", key, map[string]any{"service": service})
			e.expect(r, 201, "")
			return r.Body["redemption_id"].(string)
		}
		youngRed := redeem(e.place, youngCode) // 17 on 2026-03-10
		db.exec(`UPDATE redemptions SET site_id = ?, session_id = ? WHERE id = ?`, site, sess, youngRed)
		e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, passnum.Paris))
		redeem(e.place, codes[0])
		cancelled := redeem(e.place, codes[1])
		e.expect(e.do("POST", "/redemptions/"+cancelled+"/cancel", e.place, map[string]any{"reason": "erreur"}), 200, "")
		otherPlace := e.mustCreate("/organisations", e.operator, map[string]any{"kind": "place", "name": "EPN Dijon", "siret": "35600000000048", "commune_insee": "21231"})["id"].(string)
		otherKey := e.newKey(otherPlace)
		e.expect(e.do("POST", "/places/"+otherPlace+"/label", e.operator, nil), 200, "")
		redeem(otherKey, codes[2])

		// Exported when Zoé is 18: her row keeps the age of the day.
		e.clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, passnum.Paris))
		header := "semaine,type_activite,duree_minutes,code_insee_lieu,thematique,tranche_age,genre,statut_social,departement_beneficiaire"
		mine := []string{
			"2026-W11,Collectif,90,39198," + service + ",moins de 18 ans,,sans emploi,39",
			"2026-W14,Individuel,60,25056," + service + ",18-24 ans,,sans emploi,25",
		}
		theirs := "2026-W14,Individuel,60,21231," + service + ",18-24 ans,,sans emploi,25"
		// The operator's pseudonymous export: the day, the commune, the
		// birth year.
		preciseHeader := "date,type_activite,duree_minutes,code_insee_lieu,thematique,tranche_age,genre,statut_social,code_insee_commune_beneficiaire,annee_naissance"
		precise := []string{
			"2026-03-10,Collectif,90,39198," + service + ",moins de 18 ans,,sans emploi,39198,2008",
			"2026-04-02,Individuel,60,25056," + service + ",18-24 ans,,sans emploi,25056,2005",
			"2026-04-02,Individuel,60,21231," + service + ",18-24 ans,,sans emploi,25056,2005",
		}

		csvOf := func(key, query string) []string {
			t.Helper()
			r := e.do("GET", "/exports/activities.csv"+query, key, nil)
			e.expect(r, 200, "")
			if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Fatalf("Content-Type %q", ct)
			}
			if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
			}
			recs, err := csv.NewReader(bytes.NewReader(r.Raw)).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, r.Raw)
			}
			if !bytes.HasSuffix(r.Raw, []byte("\r\n")) || bytes.Count(r.Raw, []byte("\r\n")) != len(recs) {
				t.Fatalf("lines must end with CRLF: %q", r.Raw)
			}
			for _, secret := range []string{"Léa", "Martin", "Zoé", "Perrin", "2005-05-17", "2008-03-20", ben, young, codes[0], youngCode, youngRed} {
				if bytes.Contains(r.Raw, []byte(secret)) {
					t.Fatalf("the export holds %q:\n%s", secret, r.Raw)
				}
			}
			lines := make([]string, len(recs))
			for i, rec := range recs {
				lines[i] = strings.Join(rec, ",")
			}
			return lines
		}
		want := func(got []string, rows ...string) {
			t.Helper()
			if !slices.Equal(got, append([]string{header}, rows...)) {
				t.Fatalf("export:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(append([]string{header}, rows...), "\n"))
			}
		}
		want(csvOf(e.place, ""), mine...)
		want(csvOf(e.place, "?place_id="+e.placeID), mine...)
		want(csvOf(otherKey, ""), theirs)
		want(csvOf(e.operator, ""), mine[0], mine[1], theirs)
		want(csvOf(e.operator, "?place_id="+otherPlace), theirs)
		want(csvOf(e.operator, "?from=2026-04-01&to=2026-04-30"), mine[1], theirs)
		want(csvOf(e.operator, "?to=2026-03-10"), mine[0])
		want(csvOf(e.operator, "?from=2026-05-01")) // the header alone
		if got := csvOf(e.operator, "?precision=pseudonymous"); !slices.Equal(got, append([]string{preciseHeader}, precise...)) {
			t.Fatalf("pseudonymous export:\n%s", strings.Join(got, "\n"))
		}
		e.expect(e.do("GET", "/exports/activities.csv?precision=pseudonymous", e.place, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/exports/activities.csv?precision=exact", e.operator, nil), 422, passnum.EINVALID)

		e.expect(e.do("GET", "/exports/activities.csv", "", nil), 401, passnum.EUNAUTHENTICATED)
		e.expect(e.do("GET", "/exports/activities.csv", e.funder, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/exports/activities.csv", e.distributor, nil), 403, passnum.EFORBIDDEN)
		e.expect(e.do("GET", "/exports/activities.csv?place_id="+otherPlace, e.place, nil), 403, passnum.EFORBIDDEN)
		for _, q := range []string{"?from=2026-13-01", "?to=hier", "?from=2026-05-01&to=2026-04-01", "?place_id=x"} {
			e.expect(e.do("GET", "/exports/activities.csv"+q, e.operator, nil), 422, passnum.EINVALID)
		}
	})
}
