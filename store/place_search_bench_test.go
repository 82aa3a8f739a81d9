package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/territory"
)

// benchSites is the size of the national directory the search is measured on.
const benchSites = 20000

// BenchmarkSitesNear measures one search as the API runs it (its own read
// transaction) among 20,000 sites spread over the communes of France, a
// quarter of them with sessions in the coming weeks. Origins rotate over
// big cities and rural communes. On PostgreSQL it runs again once the
// planner has statistics.
func BenchmarkSitesNear(b *testing.B) {
	origins := []string{"25056", "21231", "75056", "69123", "13055", "31555", "33063", "59350", "67482", "44109",
		"35238", "39198", "58194", "89024", "70550", "90010", "71076", "63113", "29019", "2A004"}
	var points []passnum.SearchOrigin
	for _, c := range origins {
		o, err := passnum.ResolveOrigin(c, "")
		if err != nil {
			b.Fatal(err)
		}
		points = append(points, o)
	}
	cases := []struct {
		name string
		q    store.NearQuery
	}{
		{"radius30", store.NearQuery{}},
		{"radius100", store.NearQuery{RadiusKm: 100}},
		{"service+within4weeks", store.NearQuery{Service: svcEveryday, WithinWeeks: 4}},
	}
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, _ := e.Open(b, clock)
			fillDirectory(b, s, benchSites)
			run := func(prefix string) {
				for _, c := range cases {
					b.Run(prefix+c.name, func(b *testing.B) {
						ctx := context.Background()
						found, i := 0, 0
						for b.Loop() {
							q := c.q
							o := points[i%len(points)]
							i++
							q.Latitude, q.Longitude = o.Latitude, o.Longitude
							err := s.View(ctx, func(tx *store.Tx) error {
								sites, err := tx.SitesNear(ctx, q)
								found += len(sites)
								return err
							})
							if err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(found)/float64(i), "sites/op")
					})
				}
			}
			run("")
			if s.Engine() == "postgres" {
				// Right after a bulk load PostgreSQL plans without
				// statistics; autovacuum gathers them within a minute.
				if err := s.Write(context.Background(), func(tx *store.Tx) error { return tx.ExecForSearchTests(context.Background(), "ANALYZE") }); err != nil {
					b.Fatal(err)
				}
				run("analyzed/")
			}
		})
	}
}

// fillDirectory writes n sites at random communes of France (a fixed
// seed), each moved up to a kilometre from its commune's centre; every
// fourth belongs to a labelled place and has a session within three weeks,
// of one of 200 trainings.
func fillDirectory(tb testing.TB, s *store.Store, n int) {
	tb.Helper()
	var regions []string
	for _, r := range territory.Regions() {
		regions = append(regions, "reg:"+r.Code)
	}
	var communes []territory.Commune
	for _, c := range territory.CommunesIn(regions...) {
		if c.HasCoordinates {
			communes = append(communes, c)
		}
	}
	rng := rand.New(rand.NewPCG(2026, 3))
	ctx := context.Background()
	err := s.Write(ctx, func(tx *store.Tx) error {
		org, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Réseau national", SIRET: "73282932000074"})
		if err != nil {
			return err
		}
		if _, err := tx.SetPlaceStatus(ctx, passnum.SystemActor, org.ID, passnum.OrgLabelled, ""); err != nil {
			return err
		}
		now := tx.Now()
		// 200 trainings over the national services, as many places would publish.
		trainings := make([]string, 200)
		for i := range trainings {
			trainings[i] = passnum.NewID(now)
			if err := tx.ExecForSearchTests(ctx, `INSERT INTO trainings (id, organisation_id, title, service, duration_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				trainings[i], org.ID, fmt.Sprintf("Formation %d", i), passnum.NationalServices[i%len(passnum.NationalServices)], 120, now.UnixMicro()); err != nil {
				return err
			}
		}
		const chunk = 250
		var sessions []any
		for start := 0; start < n; start += chunk {
			var rows []string
			var args []any
			for i := start; i < min(start+chunk, n); i++ {
				c := communes[rng.IntN(len(communes))]
				id := passnum.NewID(now)
				var owner any
				if i%4 == 0 {
					owner = org.ID
					starts := now.Add(time.Duration(1+rng.IntN(21*24)) * time.Hour).UnixMicro()
					sessions = append(sessions, passnum.NewID(now), trainings[rng.IntN(len(trainings))], id, starts, starts+7_200_000_000, 8, rng.IntN(8), now.UnixMicro())
				}
				services := passnum.NationalServices[rng.IntN(len(passnum.NationalServices))] + "|" + svcEveryday
				rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, id, owner, fmt.Sprintf("bench-%d", i), "13002526500013", fmt.Sprintf("Lieu %d", i), c.Code, c.Name, c.Postcodes[0],
					"1 place de la Mairie", c.Lat+(rng.Float64()-0.5)*0.02, c.Lng+(rng.Float64()-0.5)*0.02, services, "Mo-Fr 09:00-17:00", "2026-03-01", now.UnixMicro(), now.UnixMicro())
			}
			if err := tx.ExecForSearchTests(ctx, `INSERT INTO sites (id, organisation_id, opendata_id, pivot, name, commune_insee, commune_name, postcode, address,
					latitude, longitude, services, opening_hours, updated_on, created_at, updated_at) VALUES `+strings.Join(rows, ", "), args...); err != nil {
				return err
			}
		}
		for len(sessions) > 0 {
			k := min(len(sessions), 8*chunk)
			rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", k/8), ", ")
			if err := tx.ExecForSearchTests(ctx, `INSERT INTO sessions (id, training_id, site_id, starts_at, ends_at, capacity, booked, created_at) VALUES `+rows, sessions[:k]...); err != nil {
				return err
			}
			sessions = sessions[k:]
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}
