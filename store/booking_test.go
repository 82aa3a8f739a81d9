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

func TestBookings(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		otherPlace := w.MustPlace("Fablab des Usines")
		otherDist := w.MustDistributor("France Travail Dijon")
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		tr := catTraining(t, w, w.place, 1)
		cancelBooking := func(actor passnum.Actor, id string) (passnum.Booking, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Booking, error) {
				return tx.CancelBooking(ctx, actor, id, "")
			})
		}

		t.Run("book, refuse twice, cancel, book again", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, 48*time.Hour, 5)
			bk, err := catBook(t, w, w.dist, se.ID, w.ben.ID)
			if err != nil {
				t.Fatal(err)
			}
			if bk.Status != passnum.BookingBooked || bk.SessionID != se.ID || bk.TrainingTitle != tr.Title || !bk.StartsAt.Equal(se.StartsAt) {
				t.Fatalf("booking %+v", bk)
			}
			if got := catSessionOf(t, w, se.ID); got.Booked != 1 || got.SeatsLeft != 4 {
				t.Fatalf("session after booking: %+v", got)
			}
			if n := catAuditCount(t, w, "booking", bk.ID, "booking.create"); n != 1 {
				t.Fatalf("%d audit entries", n)
			}
			_, err = catBook(t, w, w.dist, se.ID, w.ben.ID)
			if e := wantCode(t, err, passnum.EALREADYBOOKED); e.Extra["booking_id"] != bk.ID {
				t.Fatalf("extra %v", e.Extra)
			}
			// Another agency's beneficiary, an unknown session.
			_, err = catBook(t, w, otherDist, se.ID, w.ben.ID)
			wantCode(t, err, passnum.ENOTFOUND)
			_, err = catBook(t, w, w.dist, passnum.NewID(clock.Now()), w.ben.ID)
			wantCode(t, err, passnum.ENOTFOUND)

			_, err = cancelBooking(otherDist, bk.ID)
			wantCode(t, err, passnum.ENOTFOUND)
			got, err := cancelBooking(w.dist, bk.ID)
			if err != nil || got.Status != passnum.BookingCancelled || got.CancelledAt == nil {
				t.Fatalf("cancel: %+v %v", got, err)
			}
			if got := catSessionOf(t, w, se.ID); got.Booked != 0 {
				t.Fatalf("seat not given back: %+v", got)
			}
			_, err = cancelBooking(w.dist, bk.ID)
			wantCode(t, err, passnum.ECONFLICT)
			if _, err := catBook(t, w, w.dist, se.ID, w.ben.ID); err != nil {
				t.Fatalf("book again after cancelling: %v", err)
			}
			list := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Booking, error) {
				items, _, err := tx.BeneficiaryBookings(ctx, w.ben.ID, store.Page{})
				return items, err
			})
			if len(list) != 2 || list[0].Status != passnum.BookingBooked || list[1].Status != passnum.BookingCancelled {
				t.Fatalf("beneficiary's bookings: %+v", list)
			}
		})

		t.Run("full", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, 48*time.Hour, 1)
			if _, err := catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID); err != nil {
				t.Fatal(err)
			}
			_, err := catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID)
			wantCode(t, err, passnum.ESESSIONFULL)
		})

		t.Run("place not labelled", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, 48*time.Hour, 3)
			w.MustSetPlaceStatus(w.place.OrganisationID, passnum.OrgSuspended, "contrôle en cours")
			_, err := catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID)
			wantCode(t, err, passnum.EPLACENOTLABELLED)
			w.MustSetPlaceStatus(w.place.OrganisationID, passnum.OrgLabelled, "")
		})

		t.Run("past session", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, time.Hour, 3)
			bk, err := catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(90 * time.Minute)
			_, err = catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID)
			wantCode(t, err, passnum.ESESSIONCLOSED)
			_, err = cancelBooking(w.dist, bk.ID)
			wantCode(t, err, passnum.ESESSIONCLOSED)
			clock.Set(storetest.Epoch)
		})

		t.Run("the place sees who is coming", func(t *testing.T) {
			se := catSession(t, w, w.place, tr.ID, site, 48*time.Hour, 5)
			withPasses := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) { b.FirstName = "Inès"; b.BirthDate = passnum.MustDate("2004-02-01") })
			w.MustHandOut(w.dist, withPasses.ID, w.prog.ID)
			without := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) { b.FirstName = "Yanis" })
			for _, b := range []passnum.Beneficiary{withPasses, without} {
				if _, err := catBook(t, w, w.dist, se.ID, b.ID); err != nil {
					t.Fatal(err)
				}
			}
			attendees := func(placeID string) ([]passnum.Attendee, error) {
				var out []passnum.Attendee
				err := s.View(t.Context(), func(tx *store.Tx) error {
					var err error
					out, err = tx.SessionAttendees(t.Context(), se.ID, placeID)
					return err
				})
				return out, err
			}
			got, err := attendees(w.place.OrganisationID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].FirstName != "Inès" || got[0].BirthYear != 2004 || !got[0].HasUnusedPasses || got[0].UnusedPasses != 5 ||
				got[1].FirstName != "Yanis" || got[1].BirthYear != 2005 || got[1].HasUnusedPasses || got[1].UnusedPasses != 0 {
				t.Fatalf("attendees %+v", got)
			}
			if _, err := attendees(""); err != nil { // the operator
				t.Fatal(err)
			}
			_, err = attendees(otherPlace.OrganisationID)
			wantCode(t, err, passnum.ENOTFOUND)
		})
		mustCheck(t, s)
		catSeatsInStep(t, db)
	})
}

// Fifty distributors' requests for the last seat of a session: exactly one
// gets it, on real connections, whatever the engine.
func TestBookingLastSeatRace(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		se := catSession(t, w, w.place, catTraining(t, w, w.place, 1).ID, site, 48*time.Hour, 3)
		for range 2 {
			if _, err := catBook(t, w, w.dist, se.ID, w.MustBeneficiary(w.dist).ID); err != nil {
				t.Fatal(err)
			}
		}
		const n = 50
		bens := make([]string, n)
		for i := range bens {
			bens[i] = w.MustBeneficiary(w.dist).ID
		}
		errs := race(n, func(i int) error {
			_, err := catBook(t, w, w.dist, se.ID, bens[i])
			return err
		})
		wantWinners(t, errs, 1, passnum.ESESSIONFULL)
		if got := catSessionOf(t, w, se.ID); got.Booked != 3 || got.SeatsLeft != 0 {
			t.Fatalf("session after the race: %+v", got)
		}
		catSeatsInStep(t, db)
		mustCheck(t, s)
	})
}
