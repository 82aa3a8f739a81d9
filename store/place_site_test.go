package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

func TestPlaceSites(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		a := mustApply(t, s, newApplication(nextSIRET()))
		b := mustApply(t, s, newApplication(nextSIRET()))
		placeA := passnum.Actor{OrganisationID: a.Organisation.ID, Role: passnum.RolePlace, Kind: "key", ID: a.Key.ID}

		clock.Advance(time.Hour)
		dole := passnum.NewSite{Name: "Antenne de Dole", Address: "2 place Nationale Charles de Gaulle", CommuneINSEE: "39198", Postcode: "39100",
			OpeningHours: "We 14:00-18:00", Phone: "03 84 79 79 79", Services: []string{"Aide aux démarches administratives", "Loisirs et créations numériques"},
			Publics: []string{"Seniors"}}
		site, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
			return tx.CreateSite(ctx, placeA, a.Organisation.ID, dole)
		})
		if err != nil {
			t.Fatal(err)
		}
		if site.OrganisationID != a.Organisation.ID || site.CommuneName != "Dole" || site.Pivot != a.Organisation.SIRET || site.Phone != "+33384797979" ||
			site.OpenDataID != "passnum-"+site.ID || site.Latitude != nil || len(site.SpecificSupport) != 0 || site.Fees[0] != passnum.FeesPassAccepted {
			t.Fatalf("site: %+v", site)
		}
		sites := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Site, error) {
			return tx.PlaceSites(ctx, a.Organisation.ID)
		})
		if len(sites) != 2 || sites[0].ID != a.Site.ID || sites[1].ID != site.ID {
			t.Fatalf("sites: %+v", sites)
		}
		// A site with no name takes the organisation's.
		unnamed := dole
		unnamed.Name = ""
		if s2, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
			return tx.CreateSite(ctx, f.op, a.Organisation.ID, unnamed)
		}); err != nil || s2.Name != a.Organisation.Name {
			t.Fatalf("unnamed site: %+v %v", s2, err)
		}

		// A partial update changes what it sends and checks the whole site.
		clock.Advance(48 * time.Hour)
		update := func(actor passnum.Actor, orgFilter, id string, u passnum.SiteUpdate) (passnum.Site, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
				return tx.UpdateSite(ctx, actor, id, orgFilter, u)
			})
		}
		hours := "Mo-Fr 09:00-12:00"
		up, err := update(placeA, a.Organisation.ID, site.ID, passnum.SiteUpdate{OpeningHours: &hours, Latitude: coordinate(47.0925), Longitude: coordinate(5.4897)})
		if err != nil || up.OpeningHours != hours || *up.Latitude != 47.0925 || up.Address != dole.Address || up.UpdatedOn.String() != "2026-03-12" ||
			!up.UpdatedAt.Equal(clock.Now()) || !up.CreatedAt.Equal(site.CreatedAt) {
			t.Fatalf("update: %+v %v", up, err)
		}
		dijon := "21231"
		e := wantCode(t, errOnly(update(placeA, a.Organisation.ID, site.ID, passnum.SiteUpdate{CommuneINSEE: &dijon})), passnum.EINVALID)
		if e.Fields[0].Field != "postcode" || !strings.Contains(e.Fields[0].Detail, "ne dessert pas Dijon") {
			t.Fatalf("commune change without postcode: %+v", e.Fields)
		}
		empty := ""
		if up, err := update(placeA, a.Organisation.ID, site.ID, passnum.SiteUpdate{Name: &empty}); err != nil || up.Name != "Antenne de Dole" {
			t.Fatalf("clearing the name: %+v %v", up, err)
		}

		// A place never sees nor changes another place's sites.
		placeB := passnum.Actor{OrganisationID: b.Organisation.ID, Role: passnum.RolePlace, Kind: "key", ID: b.Key.ID}
		wantCode(t, errOnly(update(placeB, b.Organisation.ID, site.ID, passnum.SiteUpdate{OpeningHours: &hours})), passnum.ENOTFOUND)
		_ = view(t, s, func(ctx context.Context, tx *store.Tx) (struct{}, error) {
			_, err := tx.Site(ctx, site.ID, b.Organisation.ID)
			wantCode(t, err, passnum.ENOTFOUND)
			return struct{}{}, nil
		})
		// The operator may correct any site.
		if _, err := update(f.op, "", site.ID, passnum.SiteUpdate{OpeningHours: &hours}); err != nil {
			t.Fatal(err)
		}
		if got := rawStrings(t, db, `SELECT action FROM audit_log WHERE object_type = 'site' AND action = 'site.update'`); len(got) != 3 {
			t.Fatalf("site updates audited: %q", got)
		}
		// Sites belong to places only.
		wantCode(t, errOnly(write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
			return tx.CreateSite(ctx, f.op, f.op.OrganisationID, dole)
		})), passnum.ENOTFOUND)
	})
}
