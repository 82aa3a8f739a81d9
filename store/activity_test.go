package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func activityRows(t *testing.T, s *store.Store, f store.ActivityFilter) []store.Activity {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.Activity, error) {
		var out []store.Activity
		err := tx.Activities(ctx, f, func(a store.Activity) error {
			out = append(out, a)
			return nil
		})
		return out, err
	})
}

func TestActivities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		f := searchFix{t, s}
		place := w.place.OrganisationID // its commune: Dijon, 21231
		site := f.site(siteSpec{org: place, name: "Antenne de Besançon", commune: "25056"})
		// A second site: a redemption naming none is then recorded at none
		// (with one site, it would be that site's) and counts in the
		// place's commune.
		f.site(siteSpec{org: place, name: "Antenne de Dole", commune: "39198"})
		group := f.training(place, "Atelier CV", svcJobs, 90)
		solo := f.training(place, "Rendez-vous individuel", svcAdmin, 45)
		groupSession := f.session(group, site, clock.Now().Add(24*time.Hour), 8, 0, "scheduled")
		soloSession := f.session(solo, site, clock.Now().Add(24*time.Hour), 1, 0, "scheduled")

		// Turns 18 on 2026-03-20: 17 at hand-out, 18 a fortnight later.
		young := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) {
			b.FirstName, b.LastName, b.BirthDate, b.CommuneINSEE = "Zoé", "Perrin", passnum.MustDate("2008-03-20"), "39198"
		})
		youngPasses := w.MustHandOut(w.dist, young.ID, w.prog.ID).Passes
		passes := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID).Passes // born 2005-06-15, Besançon

		// setSite records where a redemption took place, as the redeem call does.
		setSite := func(r passnum.Redemption, site, session string) {
			f.exec(`UPDATE redemptions SET site_id = ?, session_id = ? WHERE id = ?`, site, session, r.ID)
		}
		clock.Set(at("2026-03-12 15:00:00"))
		w.MustRedeem(w.place, youngPasses[0].Code) // 17: no site, no session
		clock.Set(at("2026-03-25 10:00:00"))
		r := w.MustRedeem(w.place, youngPasses[1].Code) // 18: a group session
		setSite(r, site, groupSession)
		clock.Set(at("2026-03-31 23:30:00")) // still March in Paris, April in UTC
		r = w.MustRedeem(w.place, passes[0].Code)
		setSite(r, site, soloSession)
		clock.Set(at("2026-04-02 09:00:00"))
		r = w.MustRedeem(w.place, passes[1].Code)
		setSite(r, site, "")
		cancelled := w.MustRedeem(w.place, passes[2].Code)
		if _, err := w.Cancel(w.place, cancelled.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		other := w.MustPlace("EPN de Dole")
		w.MustRedeem(other, passes[3].Code)

		// Exported long after: ages are those of the redemption day.
		clock.Set(at("2027-01-15 12:00:00"))
		want := []store.Activity{
			{Day: passnum.MustDate("2026-03-12"), Type: "Individuel", DurationMinutes: 60, PlaceINSEE: "21231", Service: svcEveryday,
				AgeBand: "moins de 18 ans", SocialStatus: "sans emploi", CommuneINSEE: "39198", BirthYear: 2008},
			{Day: passnum.MustDate("2026-03-25"), Type: "Collectif", DurationMinutes: 90, PlaceINSEE: "25056", Service: svcEveryday,
				AgeBand: "18-24 ans", SocialStatus: "sans emploi", CommuneINSEE: "39198", BirthYear: 2008},
			{Day: passnum.MustDate("2026-03-31"), Type: "Individuel", DurationMinutes: 45, PlaceINSEE: "25056", Service: svcEveryday,
				AgeBand: "18-24 ans", SocialStatus: "sans emploi", CommuneINSEE: "25056", BirthYear: 2005},
			{Day: passnum.MustDate("2026-04-02"), Type: "Individuel", DurationMinutes: 60, PlaceINSEE: "25056", Service: svcEveryday,
				AgeBand: "18-24 ans", SocialStatus: "sans emploi", CommuneINSEE: "25056", BirthYear: 2005},
		}
		got := activityRows(t, s, store.ActivityFilter{PlaceID: place})
		if !slices.Equal(got, want) {
			t.Fatalf("activities:\n got %+v\nwant %+v", got, want)
		}
		// The operator sees every place; the other place only its own.
		if all := activityRows(t, s, store.ActivityFilter{}); len(all) != 5 {
			t.Fatalf("all places: %d rows", len(all))
		}
		if mine := activityRows(t, s, store.ActivityFilter{PlaceID: other.OrganisationID}); len(mine) != 1 || mine[0].PlaceINSEE != "21231" {
			t.Fatalf("other place: %+v", mine)
		}
		// Bounds are Paris days, both included.
		march := activityRows(t, s, store.ActivityFilter{PlaceID: place, From: passnum.MustDate("2026-03-25"), To: passnum.MustDate("2026-03-31")})
		if !slices.Equal(march, want[1:3]) {
			t.Fatalf("25-31 March: %+v", march)
		}
		if april := activityRows(t, s, store.ActivityFilter{PlaceID: place, From: passnum.MustDate("2026-04-01")}); !slices.Equal(april, want[3:]) {
			t.Fatalf("from 1 April: %+v", april)
		}
		if none := activityRows(t, s, store.ActivityFilter{To: passnum.MustDate("2026-03-11")}); len(none) != 0 {
			t.Fatalf("before the first redemption: %+v", none)
		}

		// Nothing personal in a record.
		for _, a := range got {
			line := strings.Join(a.Record(), ",")
			for _, secret := range []string{"Zoé", "Perrin", "Léa", "Martin", "2008-03-20", "2005-06-15", young.ID, w.ben.ID, passes[0].Code, youngPasses[0].Code} {
				if strings.Contains(line, secret) {
					t.Fatalf("record %q holds %q", line, secret)
				}
			}
			if len(a.Record()) != len(store.ActivityHeader) || a.Gender != "" {
				t.Fatalf("record %q", line)
			}
		}
	})
}

func TestAgeBand(t *testing.T) {
	for age, band := range map[int]string{0: "moins de 18 ans", 17: "moins de 18 ans", 18: "18-24 ans", 24: "18-24 ans", 25: "25-39 ans",
		39: "25-39 ans", 40: "40-59 ans", 59: "40-59 ans", 60: "60-69 ans", 69: "60-69 ans", 70: "70 ans et plus", 101: "70 ans et plus"} {
		if got := store.AgeBand(age); got != band {
			t.Errorf("AgeBand(%d) = %q, want %q", age, got, band)
		}
	}
}
