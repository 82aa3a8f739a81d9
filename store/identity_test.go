package store_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 30, 10))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const tinySVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 20"><rect width="60" height="20" fill="#000091"/></svg>`

func TestSiteIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		identity := func() passnum.SiteIdentity {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.SiteIdentity, error) { return tx.SiteIdentity(ctx) })
		}
		if id := identity(); id.Name != passnum.DefaultSiteName || len(id.Logos) != 0 {
			t.Fatalf("fresh installation: %+v", id)
		}
		for _, name := range []string{"Pass numérique BFC", " Pass numérique  Bourgogne-Franche-Comté "} {
			if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (string, error) { return tx.SetSiteName(ctx, f.op, name) }); err != nil {
				t.Fatal(err)
			}
		}
		if id := identity(); id.Name != "Pass numérique Bourgogne-Franche-Comté" || !id.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("renamed: %+v", id)
		}
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (string, error) { return tx.SetSiteName(ctx, f.op, " ") })
		wantCode(t, err, passnum.EINVALID)

		add := func(name string, data []byte) (passnum.Logo, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Logo, error) {
				return tx.AddLogo(ctx, f.op, name, data)
			})
		}
		region, err := add("Région Bourgogne-Franche-Comté", []byte(tinySVG))
		if err != nil {
			t.Fatal(err)
		}
		state, err := add("État", tinyPNG(t))
		if err != nil {
			t.Fatal(err)
		}
		// A refused file and a missing name are both said, and nothing is kept.
		_, err = add("", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>`))
		e := wantCode(t, err, passnum.EINVALID)
		if len(e.Fields) != 2 || e.Fields[0].Field != "logo_name" || e.Fields[1].Field != "logo" {
			t.Fatalf("fields %+v", e.Fields)
		}
		id := identity()
		if len(id.Logos) != 2 || id.Logos[0].ID != region.ID || id.Logos[1].ID != state.ID || id.Logos[0].ContentType != passnum.LogoSVG || id.Logos[1].Width != 30 {
			t.Fatalf("logos %+v", id.Logos)
		}
		l, data, err := func() (passnum.Logo, []byte, error) {
			var l passnum.Logo
			var data []byte
			err := s.View(t.Context(), func(tx *store.Tx) error {
				var err error
				l, data, err = tx.LogoFile(t.Context(), region.ID)
				return err
			})
			return l, data, err
		}()
		if err != nil || string(data) != tinySVG || l.Name != "Région Bourgogne-Franche-Comté" {
			t.Fatalf("logo file: %v %+v %q", err, l, data)
		}

		// Removing: gone from the list, then not found.
		remove := func(id string) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) { return 0, tx.RemoveLogo(ctx, f.op, id) })
			return err
		}
		if err := remove(region.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, remove(region.ID), passnum.ENOTFOUND)
		if id := identity(); len(id.Logos) != 1 || id.Logos[0].ID != state.ID {
			t.Fatalf("after removal: %+v", id.Logos)
		}
		audit := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			list, _, err := tx.ListAudit(ctx, store.AuditFilter{ActorID: f.op.ID})
			return list, err
		})
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if got := strings.Join(actions, " "); got != "logo.remove logo.add logo.add site.rename site.rename" {
			t.Fatalf("audit trail: %s", got)
		}
	})
}

// TestLogoLimitRace: logos added at the same moment never pass the limit.
func TestLogoLimitRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		var wg sync.WaitGroup
		errs := make(chan error, 3*passnum.MaxLogos)
		for i := 0; i < 3*passnum.MaxLogos; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.Write(context.Background(), func(tx *store.Tx) error {
					_, err := tx.AddLogo(context.Background(), f.op, "Financeur", []byte(tinySVG))
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch passnum.ErrorCode(err) {
			case "":
				ok++
			case passnum.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		n := len(view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.SiteIdentity, error) { return tx.SiteIdentity(ctx) }).Logos)
		if n != ok || n > passnum.MaxLogos || n == 0 {
			t.Fatalf("%d logos kept, %d writes succeeded, limit %d", n, ok, passnum.MaxLogos)
		}
	})
}

func TestPlaceSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		other := w.MustPlace("Fablab des Usines")
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		otherSite := catSite(t, w, other, "Fablab")
		a, b := catTraining(t, w, w.place, 1), catTraining(t, w, w.place, 2)
		// Created training by training, the sessions interleave in time.
		a3 := catSession(t, w, w.place, a.ID, site, 72*time.Hour, 4)
		a1 := catSession(t, w, w.place, a.ID, site, 24*time.Hour, 4)
		b2 := catSession(t, w, w.place, b.ID, site, 48*time.Hour, 4)
		catSession(t, w, other, catTraining(t, w, other, 1).ID, otherSite, 36*time.Hour, 4)
		list := func() []string {
			return view(t, s, func(ctx context.Context, tx *store.Tx) ([]string, error) {
				items, _, err := tx.PlaceSessions(ctx, w.place.OrganisationID, store.SessionWindow{}, store.Page{})
				var ids []string
				for _, it := range items {
					ids = append(ids, it.ID)
				}
				return ids, err
			})
		}
		if got, want := strings.Join(list(), " "), strings.Join([]string{a1.ID, b2.ID, a3.ID}, " "); got != want {
			t.Fatalf("diary %s, want %s (by date, this place's only)", got, want)
		}
		clock.Advance(30 * time.Hour)
		if got := list(); len(got) != 2 || got[0] != b2.ID {
			t.Fatalf("after a day: %v", got)
		}
	})
}
