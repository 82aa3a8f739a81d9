package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// Catalogue fixtures, on top of the lifecycle's world.

const catService = "Maîtrise des outils numériques du quotidien"

// catSite opens a site of place in Dijon and returns its id.
func catSite(t *testing.T, w *world, place passnum.Actor, name string) string {
	t.Helper()
	s, err := write(t, w.s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
		return tx.CreateSite(ctx, place, place.OrganisationID, passnum.NewSite{Name: name, Address: "11 rue de l'Hôpital",
			CommuneINSEE: "21231", Postcode: "21000", Services: []string{catService}})
	})
	if err != nil {
		t.Fatalf("create site: %v", err)
	}
	return s.ID
}

func catCreateTraining(t *testing.T, w *world, place passnum.Actor, tr passnum.Training) (passnum.Training, error) {
	t.Helper()
	return write(t, w.s, func(ctx context.Context, tx *store.Tx) (passnum.Training, error) {
		return tx.CreateTraining(ctx, place, tr)
	})
}

// catTraining publishes a training of cost passes.
func catTraining(t *testing.T, w *world, place passnum.Actor, cost int) passnum.Training {
	t.Helper()
	tr, err := catCreateTraining(t, w, place, passnum.Training{Title: "Premiers pas sur smartphone", Service: catService,
		Level: passnum.LevelBeginner, DurationMinutes: 120, PassesCost: cost})
	if err != nil {
		t.Fatalf("create training: %v", err)
	}
	return tr
}

func catCreateSession(t *testing.T, w *world, place passnum.Actor, trainingID string, n passnum.NewSession) (passnum.Session, error) {
	t.Helper()
	return write(t, w.s, func(ctx context.Context, tx *store.Tx) (passnum.Session, error) {
		return tx.CreateSession(ctx, place, trainingID, n)
	})
}

// catSession schedules a two-hour session starting in the given time.
func catSession(t *testing.T, w *world, place passnum.Actor, trainingID, siteID string, in time.Duration, capacity int) passnum.Session {
	t.Helper()
	start := w.clock.Now().Add(in)
	se, err := catCreateSession(t, w, place, trainingID, passnum.NewSession{SiteID: siteID, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: capacity})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return se
}

func catBook(t *testing.T, w *world, dist passnum.Actor, sessionID, beneficiaryID string) (passnum.Booking, error) {
	t.Helper()
	return write(t, w.s, func(ctx context.Context, tx *store.Tx) (passnum.Booking, error) {
		return tx.Book(ctx, dist, sessionID, beneficiaryID)
	})
}

func catSessionOf(t *testing.T, w *world, id string) passnum.Session {
	t.Helper()
	return view(t, w.s, func(ctx context.Context, tx *store.Tx) (passnum.Session, error) { return tx.Session(ctx, id, "") })
}

// catSeatsInStep fails unless every session's counter is its number of
// active bookings, and a cancelled session has none.
func catSeatsInStep(t *testing.T, db *sql.DB) {
	t.Helper()
	bad := rawStrings(t, db, `SELECT se.id FROM sessions se
		WHERE se.booked <> (SELECT COUNT(*) FROM bookings b WHERE b.session_id = se.id AND b.status = 'booked')
		   OR (se.status = 'cancelled' AND se.booked <> 0)`)
	if len(bad) > 0 {
		t.Fatalf("sessions whose seat counter is out of step with their bookings: %v", bad)
	}
}

func catAuditCount(t *testing.T, w *world, objectType, objectID, action string) int {
	t.Helper()
	entries := view(t, w.s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
		es, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: objectType, ObjectID: objectID, Page: store.Page{Limit: 500}})
		return es, err
	})
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestCatalogue(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		other := w.MustPlace("Fablab des Usines")

		t.Run("publish with defaults", func(t *testing.T) {
			tr, err := catCreateTraining(t, w, w.place, passnum.Training{Title: "  Démarches en ligne  ", Service: "Aide aux démarches administratives", DurationMinutes: 90})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Title != "Démarches en ligne" || tr.PassesCost != 1 || tr.Level != passnum.LevelAll || !tr.Active || tr.PlaceID != w.place.OrganisationID {
				t.Fatalf("training %+v", tr)
			}
			if n := catAuditCount(t, w, "training", tr.ID, "training.create"); n != 1 {
				t.Fatalf("%d audit entries", n)
			}
		})

		t.Run("refusals", func(t *testing.T) {
			cases := []struct {
				name  string
				tr    passnum.Training
				field string
			}{
				{"no title", passnum.Training{Service: catService, DurationMinutes: 60}, "title"},
				{"service outside the national list", passnum.Training{Title: "Cuisine", Service: "Cours de cuisine", DurationMinutes: 60}, "service"},
				{"unknown level", passnum.Training{Title: "T", Service: catService, Level: "Expert", DurationMinutes: 60}, "level"},
				{"no duration", passnum.Training{Title: "T", Service: catService}, "duration_minutes"},
				{"too many passes", passnum.Training{Title: "T", Service: catService, DurationMinutes: 60, PassesCost: 21}, "passes_cost"},
				{"negative cost", passnum.Training{Title: "T", Service: catService, DurationMinutes: 60, PassesCost: -1}, "passes_cost"},
			}
			for _, c := range cases {
				_, err := catCreateTraining(t, w, w.place, c.tr)
				e := wantCode(t, err, passnum.EINVALID)
				if len(e.Fields) != 1 || e.Fields[0].Field != c.field {
					t.Fatalf("%s: fields %+v", c.name, e.Fields)
				}
			}
			_, err := catCreateTraining(t, w, w.dist, passnum.Training{Title: "T", Service: catService, DurationMinutes: 60})
			wantCode(t, err, passnum.EFORBIDDEN)
		})

		t.Run("catalogue and deactivation", func(t *testing.T) {
			tr := catTraining(t, w, w.place, 1)
			list := func(placeID string, inactive bool) []passnum.Training {
				return view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Training, error) {
					items, _, err := tx.ListTrainings(ctx, placeID, inactive, store.Page{})
					return items, err
				})
			}
			has := func(items []passnum.Training, id string) bool {
				for _, it := range items {
					if it.ID == id {
						return true
					}
				}
				return false
			}
			if !has(list(w.place.OrganisationID, false), tr.ID) || has(list(other.OrganisationID, false), tr.ID) {
				t.Fatal("a training shows in the wrong catalogue")
			}
			deactivate := func(actor passnum.Actor) (passnum.Training, error) {
				return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Training, error) {
					return tx.DeactivateTraining(ctx, actor, tr.ID, "")
				})
			}
			_, err := deactivate(other)
			wantCode(t, err, passnum.ENOTFOUND)
			got, err := deactivate(w.place)
			if err != nil || got.Active {
				t.Fatalf("deactivate: %+v %v", got, err)
			}
			if _, err := deactivate(w.op); err != nil {
				t.Fatalf("deactivate again: %v", err)
			}
			if n := catAuditCount(t, w, "training", tr.ID, "training.deactivate"); n != 1 {
				t.Fatalf("%d deactivation entries, want 1", n)
			}
			if has(list(w.place.OrganisationID, false), tr.ID) || !has(list(w.place.OrganisationID, true), tr.ID) {
				t.Fatal("a deactivated training is still offered, or lost")
			}
			site := catSite(t, w, w.place, "Médiathèque")
			start := clock.Now().Add(24 * time.Hour)
			_, err = catCreateSession(t, w, w.place, tr.ID, passnum.NewSession{SiteID: site, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 5})
			wantCode(t, err, passnum.ETRAININGINACTIVE)
			err = s.View(t.Context(), func(tx *store.Tx) error {
				_, _, err := tx.ListTrainings(t.Context(), w.dist.OrganisationID, false, store.Page{})
				return err
			})
			wantCode(t, err, passnum.ENOTFOUND) // a distributor has no catalogue
		})
		mustCheck(t, s)
		catSeatsInStep(t, db)
	})
}

func TestSessions(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		other := w.MustPlace("Fablab des Usines")
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		otherSite := catSite(t, w, other, "Fablab")
		tr := catTraining(t, w, w.place, 1)
		start := clock.Now().Add(48 * time.Hour)
		ok := passnum.NewSession{SiteID: site, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 8}

		t.Run("tenancy", func(t *testing.T) {
			n := ok
			n.SiteID = otherSite
			_, err := catCreateSession(t, w, w.place, tr.ID, n)
			if e := wantCode(t, err, passnum.EINVALID); e.Fields[0].Field != "site_id" {
				t.Fatalf("fields %+v", e.Fields)
			}
			_, err = catCreateSession(t, w, other, tr.ID, ok)
			wantCode(t, err, passnum.ENOTFOUND)
			n.SiteID = site
			_, err = catCreateSession(t, w, other, tr.ID, n)
			wantCode(t, err, passnum.ENOTFOUND)
		})

		t.Run("refusals", func(t *testing.T) {
			cases := []struct {
				name  string
				edit  func(*passnum.NewSession)
				field string
			}{
				{"in the past", func(n *passnum.NewSession) { n.StartsAt = clock.Now().Add(-time.Hour) }, "starts_at"},
				{"ends before it starts", func(n *passnum.NewSession) { n.EndsAt = n.StartsAt.Add(-time.Minute) }, "ends_at"},
				{"longer than a week", func(n *passnum.NewSession) { n.EndsAt = n.StartsAt.Add(8 * 24 * time.Hour) }, "ends_at"},
				{"no seat", func(n *passnum.NewSession) { n.Capacity = 0 }, "capacity"},
				{"malformed site", func(n *passnum.NewSession) { n.SiteID = "site-1" }, "site_id"},
			}
			for _, c := range cases {
				n := ok
				c.edit(&n)
				_, err := catCreateSession(t, w, w.place, tr.ID, n)
				e := wantCode(t, err, passnum.EINVALID)
				if len(e.Fields) != 1 || e.Fields[0].Field != c.field {
					t.Fatalf("%s: fields %+v", c.name, e.Fields)
				}
			}
		})

		t.Run("list upcoming, by window, page by page", func(t *testing.T) {
			tr2 := catTraining(t, w, w.place, 1)
			var ids []string
			for i := range 5 {
				ids = append(ids, catSession(t, w, w.place, tr2.ID, site, time.Duration(i+1)*24*time.Hour, 3).ID)
			}
			list := func(win store.SessionWindow, p store.Page) ([]passnum.Session, string) {
				var items []passnum.Session
				var next string
				if err := s.View(t.Context(), func(tx *store.Tx) error {
					var err error
					items, next, err = tx.ListSessions(t.Context(), tr2.ID, win, p)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return items, next
			}
			all, next := list(store.SessionWindow{}, store.Page{})
			if len(all) != 5 || next != "" {
				t.Fatalf("%d sessions, next %q", len(all), next)
			}
			for i, se := range all {
				if se.ID != ids[i] || se.SeatsLeft != 3 || se.SiteName != "Médiathèque Pierre-Bayle" || se.Title != tr2.Title {
					t.Fatalf("session %d: %+v", i, se)
				}
			}
			var seen []string
			p, _ := store.NewPage(2, "")
			for range 4 {
				items, next := list(store.SessionWindow{}, p)
				for _, it := range items {
					seen = append(seen, it.ID)
				}
				if next == "" {
					break
				}
				var err error
				if p, err = store.NewPage(2, next); err != nil {
					t.Fatal(err)
				}
			}
			if len(seen) != 5 || seen[0] != ids[0] || seen[4] != ids[4] {
				t.Fatalf("pages gave %v, want %v", seen, ids)
			}
			// From the second day to the fourth, excluded.
			win, _ := list(store.SessionWindow{From: clock.Now().Add(36 * time.Hour), To: clock.Now().Add(84 * time.Hour)}, store.Page{})
			if len(win) != 2 || win[0].ID != ids[1] || win[1].ID != ids[2] {
				t.Fatalf("window gave %d sessions", len(win))
			}
			// Time passes: started sessions are no longer upcoming.
			clock.Advance(30 * time.Hour)
			if up, _ := list(store.SessionWindow{}, store.Page{}); len(up) != 4 {
				t.Fatalf("%d upcoming sessions, want 4", len(up))
			}
			clock.Set(storetest.Epoch)
		})

		t.Run("cancel a session and its bookings", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, 72*time.Hour, 4)
			bens := []passnum.Beneficiary{w.MustBeneficiary(w.dist), w.MustBeneficiary(w.dist)}
			var bookings []passnum.Booking
			for _, b := range bens {
				bk, err := catBook(t, w, w.dist, se.ID, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				bookings = append(bookings, bk)
			}
			cancel := func(actor passnum.Actor, reason string) (passnum.Session, error) {
				return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Session, error) {
					return tx.CancelSession(ctx, actor, se.ID, reason)
				})
			}
			_, err := cancel(other, "pas à moi")
			wantCode(t, err, passnum.ENOTFOUND)
			_, err = cancel(w.place, "")
			wantCode(t, err, passnum.EINVALID)
			got, err := cancel(w.place, "formateur malade")
			if err != nil || got.Status != passnum.SessionCancelled || got.Booked != 0 || got.SeatsLeft != 0 {
				t.Fatalf("cancel: %+v %v", got, err)
			}
			for _, bk := range bookings {
				b := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Booking, error) { return tx.Booking(ctx, bk.ID, "") })
				if b.Status != passnum.BookingCancelled || b.CancelledAt == nil {
					t.Fatalf("booking left active: %+v", b)
				}
				if n := catAuditCount(t, w, "booking", bk.ID, "booking.cancel"); n != 1 {
					t.Fatalf("booking %s: %d cancellation entries", bk.ID, n)
				}
			}
			if n := catAuditCount(t, w, "session", se.ID, "session.cancel"); n != 1 {
				t.Fatalf("%d session cancellation entries", n)
			}
			_, err = cancel(w.place, "encore")
			wantCode(t, err, passnum.ESESSIONCLOSED)
			_, err = catBook(t, w, w.dist, se.ID, bens[0].ID)
			wantCode(t, err, passnum.ESESSIONCLOSED)

			started := catSession(t, w, w.place, tr.ID, site, time.Hour, 4)
			clock.Advance(2 * time.Hour)
			_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Session, error) {
				return tx.CancelSession(ctx, w.place, started.ID, "trop tard")
			})
			wantCode(t, err, passnum.ESESSIONCLOSED)
			clock.Set(storetest.Epoch)
		})
		mustCheck(t, s)
		catSeatsInStep(t, db)
	})
}
