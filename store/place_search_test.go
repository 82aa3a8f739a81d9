package store_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/territory"
)

const (
	svcEveryday = "Maîtrise des outils numériques du quotidien"
	svcAdmin    = "Aide aux démarches administratives"
	svcJobs     = "Insertion professionnelle via le numérique"
)

// searchFix writes sites, trainings and sessions straight in SQL, so that
// the search is tested on what is stored whatever the forms that write it.
type searchFix struct {
	t *testing.T
	s *store.Store
}

func (f searchFix) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.s.Write(f.t.Context(), func(tx *store.Tx) error { return tx.ExecForSearchTests(f.t.Context(), q, args...) }); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// siteSpec describes a site; it sits at its commune's centre moved by
// (dLat, dLng) degrees, or has no coordinates at all.
type siteSpec struct {
	org        string // "" for an imported directory entry
	name       string
	commune    string
	dLat, dLng float64
	noCoords   bool
	services   []string
	fees       string
}

func (f searchFix) site(sp siteSpec) string {
	f.t.Helper()
	c, ok := territory.LookupCommune(sp.commune)
	if !ok {
		f.t.Fatalf("commune %s", sp.commune)
	}
	id := passnum.NewID(f.s.Now())
	var lat, lng, org any
	if !sp.noCoords {
		lat, lng = c.Lat+sp.dLat, c.Lng+sp.dLng
	}
	if sp.org != "" {
		org = sp.org
	}
	now := f.s.Now().UnixMicro()
	f.exec(`INSERT INTO sites (id, organisation_id, opendata_id, pivot, name, commune_insee, commune_name, postcode, address, latitude, longitude,
			services, opening_hours, fees, updated_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, org, "lieu-"+id, "13002526500013", sp.name, c.Code, c.Name, c.Postcodes[0], "1 place de la Mairie", lat, lng,
		strings.Join(sp.services, "|"), "Mo-Fr 09:00-12:00,14:00-18:00", sp.fees, "2026-03-01", now, now)
	return id
}

func (f searchFix) training(org, title, service string, minutes int) string {
	f.t.Helper()
	id := passnum.NewID(f.s.Now())
	f.exec(`INSERT INTO trainings (id, organisation_id, title, service, level, duration_minutes, passes_cost, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
		id, org, title, service, "débutant", minutes, f.s.Now().UnixMicro())
	return id
}

// session schedules a session of two hours starting at starts.
func (f searchFix) session(training, site string, starts time.Time, capacity, booked int, status string) string {
	f.t.Helper()
	id := passnum.NewID(f.s.Now())
	f.exec(`INSERT INTO sessions (id, training_id, site_id, starts_at, ends_at, capacity, booked, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, training, site, starts.UnixMicro(), starts.Add(2*time.Hour).UnixMicro(), capacity, booked, status, f.s.Now().UnixMicro())
	return id
}

func searchNear(t *testing.T, s *store.Store, q store.NearQuery) []store.NearSite {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.NearSite, error) { return tx.SitesNear(ctx, q) })
}

func nearFrom(t *testing.T, s *store.Store, commune string, q store.NearQuery) []store.NearSite {
	t.Helper()
	o, err := passnum.ResolveOrigin(commune, "")
	if err != nil {
		t.Fatal(err)
	}
	q.Latitude, q.Longitude = o.Latitude, o.Longitude
	return searchNear(t, s, q)
}

func nearNames(sites []store.NearSite) []string {
	out := make([]string, len(sites))
	for i, s := range sites {
		out[i] = s.Name
	}
	return out
}

func wantNames(t *testing.T, got []store.NearSite, want ...string) {
	t.Helper()
	if !slices.Equal(nearNames(got), want) {
		t.Fatalf("sites %q, want %q", nearNames(got), want)
	}
}

func centreDistance(a, b string) float64 {
	ca, _ := territory.LookupCommune(a)
	cb, _ := territory.LookupCommune(b)
	return territory.DistanceKm(ca.Lat, ca.Lng, cb.Lat, cb.Lng)
}

func TestSitesNearDistances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		fx := newFixture(t, s, clock)
		labelled := fx.MustPlace("Médiathèque Pierre-Bayle")
		pending := fx.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "EPN du Haut-Doubs", SIRET: nextSIRET(), CommuneINSEE: "25462"})
		f := searchFix{t, s}
		f.site(siteSpec{org: labelled.OrganisationID, name: "Besançon", commune: "25056", dLat: 0.004})
		f.site(siteSpec{name: "Dijon", commune: "21231"})
		f.site(siteSpec{name: "Paris", commune: "75056"})
		f.site(siteSpec{org: pending.ID, name: "Pontarlier", commune: "25462"})
		f.site(siteSpec{org: labelled.OrganisationID, name: "Dole", commune: "39198"})
		f.site(siteSpec{name: "Baume-les-Dames", commune: "25047", noCoords: true})

		// A place that is not labelled is not public: its site is left out,
		// and the list is still full when a limit applies.
		got := nearFrom(t, s, "25056", store.NearQuery{RadiusKm: 100})
		wantNames(t, got, "Besançon", "Baume-les-Dames", "Dole", "Dijon")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{RadiusKm: 100, Limit: 4}), "Besançon", "Baume-les-Dames", "Dole", "Dijon")
		for i := 1; i < len(got); i++ {
			if got[i].DistanceKm < got[i-1].DistanceKm {
				t.Fatalf("not sorted by distance: %v", got)
			}
		}
		for _, g := range got {
			if g.DistanceKm > 100 {
				t.Fatalf("%s at %.1f km, beyond the radius", g.Name, g.DistanceKm)
			}
			if g.DistanceKm != math.Round(g.DistanceKm*10)/10 {
				t.Fatalf("%s: distance %v not rounded to 0.1 km", g.Name, g.DistanceKm)
			}
		}
		// Besançon → Dijon is about 76 km by road signs, 74.3 km between
		// the communes' centres as the crow flies.
		dijon := got[3]
		if math.Abs(dijon.DistanceKm-76) > 5 || math.Abs(dijon.DistanceKm-centreDistance("25056", "21231")) > 0.1 {
			t.Fatalf("Besançon → Dijon %.1f km", dijon.DistanceKm)
		}
		if dijon.AcceptsPass || dijon.PlaceID != "" {
			t.Fatalf("an imported directory entry accepts the pass: %+v", dijon)
		}
		if b := got[0]; !b.AcceptsPass || b.PlaceID != labelled.OrganisationID || b.DistanceKm > 1 || b.CommuneINSEE != "25056" || b.Postcode != "25000" {
			t.Fatalf("Besançon site: %+v", b)
		}
		for _, p := range got {
			if p.PlaceID == pending.ID {
				t.Fatalf("a place not labelled is listed: %+v", p)
			}
		}
		// Once labelled, it is.
		fx.MustSetPlaceStatus(pending.ID, passnum.OrgLabelled, "")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{RadiusKm: 100}), "Besançon", "Baume-les-Dames", "Dole", "Pontarlier", "Dijon")
		fx.MustSetPlaceStatus(pending.ID, passnum.OrgSuspended, "contrôle en cours")
		if baume := got[1]; !baume.ApproximatePlace || math.Abs(baume.DistanceKm-centreDistance("25056", "25047")) > 0.1 {
			t.Fatalf("a site without coordinates is placed at its commune's centre: %+v", baume)
		}
		if !slices.Equal(got[0].Services, []string{}) || got[0].NextSessions == nil {
			t.Fatalf("empty lists are lists: %+v", got[0])
		}
		// Paris is far beyond any radius from Besançon.
		if d := centreDistance("25056", "75056"); d < 300 {
			t.Fatalf("Besançon → Paris %.1f km", d)
		}
		wantNames(t, nearFrom(t, s, "75056", store.NearQuery{RadiusKm: 100}), "Paris")

		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{}), "Besançon", "Baume-les-Dames")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{RadiusKm: 45}), "Besançon", "Baume-les-Dames", "Dole")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{RadiusKm: 100, Limit: 2}), "Besançon", "Baume-les-Dames")
		// From Dijon, the order turns around.
		wantNames(t, nearFrom(t, s, "21231", store.NearQuery{RadiusKm: 80}), "Dijon", "Dole", "Besançon")

		// Suspending the label is seen at once.
		fx.MustSetPlaceStatus(labelled.OrganisationID, passnum.OrgSuspended, "contrôle en cours")
		if got := nearFrom(t, s, "25056", store.NearQuery{}); got[0].AcceptsPass {
			t.Fatalf("a suspended place accepts the pass: %+v", got[0])
		}
	})
}

func TestSitesNearFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		fx := newFixture(t, s, clock)
		place := fx.MustPlace("Médiathèque Pierre-Bayle").OrganisationID
		f := searchFix{t, s}
		now := clock.Now()
		day := 24 * time.Hour
		// Each site a few hundred metres further from the centre than the last.
		f.site(siteSpec{org: place, name: "déclare", commune: "25056", dLat: 0.001, services: []string{svcAdmin, svcEveryday}})
		soon := f.site(siteSpec{org: place, name: "bientôt", commune: "25056", dLat: 0.003})
		later := f.site(siteSpec{org: place, name: "plus tard", commune: "25056", dLat: 0.005})
		full := f.site(siteSpec{org: place, name: "complet", commune: "25056", dLat: 0.007})
		cancelled := f.site(siteSpec{org: place, name: "annulé", commune: "25056", dLat: 0.009})
		past := f.site(siteSpec{org: place, name: "passé", commune: "25056", dLat: 0.011})
		retired := f.site(siteSpec{org: place, name: "retirée", commune: "25056", dLat: 0.013})
		f.site(siteSpec{name: "annuaire", commune: "25056", dLat: 0.015, services: []string{svcJobs}})

		everyday := f.training(place, "Premiers pas sur smartphone", svcEveryday, 120)
		jobs := f.training(place, "CV et candidatures en ligne", svcJobs, 90)
		old := f.training(place, "Ancienne formation", svcEveryday, 60)
		f.exec(`UPDATE trainings SET active = ? WHERE id = ?`, false, old)

		s1 := f.session(everyday, soon, now.Add(10*day), 8, 3, "scheduled")
		f.session(jobs, soon, now.Add(12*day), 6, 0, "scheduled")
		f.session(jobs, soon, now.Add(20*day), 6, 0, "scheduled")
		f.session(everyday, soon, now.Add(27*day), 6, 0, "scheduled") // a fourth: not shown
		f.session(jobs, later, now.Add(6*7*day), 10, 0, "scheduled")
		f.session(everyday, full, now.Add(7*day), 5, 5, "scheduled")
		f.session(everyday, cancelled, now.Add(7*day), 5, 0, "cancelled")
		f.session(everyday, past, now.Add(-day), 5, 0, "scheduled")
		f.session(old, retired, now.Add(7*day), 5, 0, "scheduled")

		all := nearFrom(t, s, "25056", store.NearQuery{})
		wantNames(t, all, "déclare", "bientôt", "plus tard", "complet", "annulé", "passé", "retirée", "annuaire")
		b := all[1]
		if len(b.NextSessions) != 3 {
			t.Fatalf("next sessions: %+v", b.NextSessions)
		}
		first := b.NextSessions[0]
		if first.SessionID != s1 || first.TrainingTitle != "Premiers pas sur smartphone" || first.SeatsLeft != 5 || first.Service != svcEveryday ||
			first.Day != passnum.ParisDate(now.Add(10*day)).String() || first.DurationMinutes != 120 || first.PassesCost != 1 || !first.StartsAt.Equal(now.Add(10*day)) {
			t.Fatalf("first session: %+v", first)
		}
		for _, other := range all[3:] {
			if len(other.NextSessions) != 0 {
				t.Fatalf("%s shows a session that is full, cancelled, past or of a retired training: %+v", other.Name, other.NextSessions)
			}
		}

		// What is on offer in the coming weeks.
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{WithinWeeks: 4}), "bientôt")
		got := nearFrom(t, s, "25056", store.NearQuery{WithinWeeks: 8})
		wantNames(t, got, "bientôt", "plus tard")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{WithinWeeks: 1}))

		// By service: declared by the site, or taught there soon.
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{Service: svcAdmin}), "déclare")
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{Service: svcJobs}), "bientôt", "plus tard", "annuaire")
		got = nearFrom(t, s, "25056", store.NearQuery{Service: svcJobs, WithinWeeks: 4})
		wantNames(t, got, "bientôt")
		for _, se := range got[0].NextSessions {
			if se.Service != svcJobs {
				t.Fatalf("session of another service shown: %+v", se)
			}
		}
		if len(got[0].NextSessions) != 2 {
			t.Fatalf("sessions of the service within 4 weeks: %+v", got[0].NextSessions)
		}
		// A session bought out since disappears from the offer.
		f.exec(`UPDATE sessions SET booked = capacity WHERE site_id = ?`, soon)
		wantNames(t, nearFrom(t, s, "25056", store.NearQuery{WithinWeeks: 4}))

		// Bad bounds are refused with the field at fault.
		for _, q := range []store.NearQuery{{RadiusKm: 500}, {RadiusKm: -1}, {Limit: 1000}, {WithinWeeks: 60}, {Service: "Cuisine"}} {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) ([]store.NearSite, error) { return tx.SitesNear(ctx, q) })
			if e := wantCode(t, err, passnum.EINVALID); len(e.Fields) != 1 {
				t.Fatalf("%+v: %v", q, e)
			}
		}
	})
}

func TestSiteCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		fx := newFixture(t, s, clock)
		place := fx.MustPlace("Médiathèque Pierre-Bayle").OrganisationID
		f := searchFix{t, s}
		now := clock.Now()
		id := f.site(siteSpec{org: place, name: "Médiathèque Pierre-Bayle, salle numérique", commune: "25056", services: []string{svcEveryday, svcJobs}, fees: "Gratuit"})
		f.exec(`UPDATE sites SET typology = ?, phone = ?, emails = ?, website = ?, summary = ?, description = ?, source = ?, itinerance = ?,
				parent_structure = ?, publics = ?, specific_support = ?, national_programmes = ?, labels = ?, other_labels = ?, access_modes = ?,
				support_modes = ?, accessibility_url = ?, booking_url = ?, address_complement = ? WHERE id = ?`,
			"BIB|COMMUNE", "+33381878000", "numerique@besancon.fr|accueil@besancon.fr", "https://bm.besancon.fr", "Ateliers numériques", "Tous les mercredis.",
			"Ville de Besançon", "Fixe", "Ville de Besançon", "Jeunes|Seniors", "Surdité", "Conseillers numériques", "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
			"Label maison", "Se présenter|Téléphoner", "Accompagnement individuel|Dans un atelier collectif", "https://acceslibre.beta.gouv.fr/x", "https://rdv.example.fr",
			"2e étage", id)
		tr := f.training(place, "Premiers pas sur smartphone", svcEveryday, 120)
		open := f.session(tr, id, now.Add(48*time.Hour), 8, 2, "scheduled")
		f.session(tr, id, now.Add(72*time.Hour), 8, 8, "scheduled")
		f.session(tr, id, now.Add(96*time.Hour), 8, 0, "cancelled")
		f.session(tr, id, now.Add(-48*time.Hour), 8, 0, "scheduled")

		card := func(id string) store.SiteCard {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.SiteCard, error) { return tx.SiteCard(ctx, id) })
		}
		c := card(id)
		if c.SiteID != id || c.OpenDataID != "lieu-"+id || c.Pivot != "13002526500013" || c.Commune != "Besançon" || c.Postcode != "25000" ||
			c.CommuneINSEE != "25056" || c.Departement != "25" || c.DepartementName != "Doubs" || c.Region != "27" || c.RegionName != "Bourgogne-Franche-Comté" ||
			c.Address != "1 place de la Mairie" || c.AddressComplement != "2e étage" || c.Latitude == nil || c.Longitude == nil || c.Phone != "+33381878000" ||
			c.OpeningHours != "Mo-Fr 09:00-12:00,14:00-18:00" || c.Summary != "Ateliers numériques" || c.Description != "Tous les mercredis." ||
			c.Source != "Ville de Besançon" || c.ParentStructure != "Ville de Besançon" || c.UpdatedOn != "2026-03-01" ||
			c.AccessibilityURL != "https://acceslibre.beta.gouv.fr/x" || c.BookingURL != "https://rdv.example.fr" {
			t.Fatalf("card: %+v", c)
		}
		lists := map[string][2][]string{
			"typology": {c.Typology, {"BIB", "COMMUNE"}}, "emails": {c.Emails, {"numerique@besancon.fr", "accueil@besancon.fr"}},
			"websites": {c.Websites, {"https://bm.besancon.fr"}}, "itinerance": {c.Itinerance, {"Fixe"}},
			"services": {c.Services, {svcEveryday, svcJobs}}, "publics": {c.Publics, {"Jeunes", "Seniors"}},
			"support": {c.SpecificSupport, {"Surdité"}}, "programmes": {c.NationalProgrammes, {"Conseillers numériques"}},
			"labels": {c.Labels, {"Arnia/MedNum BFC (Bourgogne-Franche-Comté)"}}, "other": {c.OtherLabels, {"Label maison"}},
			"access": {c.AccessModes, {"Se présenter", "Téléphoner"}}, "modes": {c.SupportModes, {"Accompagnement individuel", "Dans un atelier collectif"}},
			"fees": {c.Fees, {"Gratuit", passnum.FeesPassAccepted}},
		}
		for name, l := range lists {
			if !slices.Equal(l[0], l[1]) {
				t.Fatalf("%s: %q, want %q", name, l[0], l[1])
			}
		}
		if !c.AcceptsPass || c.PlaceID != place || c.OrganisationName != "Médiathèque Pierre-Bayle" {
			t.Fatalf("card of a labelled place: %+v", c)
		}
		if len(c.UpcomingSessions) != 1 || c.UpcomingSessions[0].SessionID != open || c.UpcomingSessions[0].SeatsLeft != 6 {
			t.Fatalf("upcoming sessions: %+v", c.UpcomingSessions)
		}

		// A place that is not labelled has no public card.
		fx.MustSetPlaceStatus(place, passnum.OrgWithdrawn, "charte non respectée")
		err := s.View(t.Context(), func(tx *store.Tx) error {
			_, err := tx.SiteCard(t.Context(), id)
			return err
		})
		wantCode(t, err, passnum.ENOTFOUND)
		imported := f.site(siteSpec{name: "France Services Ornans", commune: "25434", fees: "Gratuit"})
		if c := card(imported); c.AcceptsPass || c.PlaceID != "" || c.OrganisationName != "" || len(c.UpcomingSessions) != 0 || c.UpcomingSessions == nil {
			t.Fatalf("card of a directory entry: %+v", c)
		}
		err = s.View(t.Context(), func(tx *store.Tx) error {
			_, err := tx.SiteCard(t.Context(), passnum.NewID(now))
			return err
		})
		wantCode(t, err, passnum.ENOTFOUND)
	})
}
