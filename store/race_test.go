package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// contenders is how many goroutines fight over one scarce thing.
const contenders = 100

// race runs fn(0) … fn(n-1) on n goroutines released together and returns
// their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// wantWinners fails unless exactly winners calls succeeded and every other
// one was refused with code.
func wantWinners(t *testing.T, errs []error, winners int, code string) []int {
	t.Helper()
	var won []int
	for i, err := range errs {
		switch c := passnum.ErrorCode(err); {
		case err == nil:
			won = append(won, i)
		case c != code:
			t.Errorf("contender %d: %v, want success or %q", i, err, code)
		}
	}
	if len(won) != winners {
		t.Fatalf("%d of %d contenders succeeded, want %d", len(won), len(errs), winners)
	}
	return won
}

// Real goroutines on the store's real connections: the guards are the
// conditional statements, not a lock in Go.
func TestRaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		places := []passnum.Actor{w.place, w.MustPlace("Fablab"), w.MustPlace("Espace public numérique"), w.MustPlace("Tiers-lieu")}

		t.Run("redeem the same pass", func(t *testing.T) {
			code := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID).Passes[0].Code
			errs := race(contenders, func(i int) error {
				_, err := w.Redeem(places[i%len(places)], code)
				return err
			})
			wantWinners(t, errs, 1, passnum.EALREADYREDEEMED)
			if ps := w.Pass(code); ps.Status != passnum.PassRedeemed || ps.LastRedemption == nil {
				t.Fatalf("pass %+v", ps)
			}
			mustCheck(t, s)
		})

		t.Run("cancel the same redemption", func(t *testing.T) {
			code := w.MustHandOut(w.dist, w.MustBeneficiary(w.dist).ID, w.prog.ID).Passes[0].Code
			red := w.MustRedeem(w.place, code)
			errs := race(contenders, func(i int) error {
				actor := w.place
				if i%2 == 1 {
					actor = w.op
				}
				_, err := w.Cancel(actor, red.ID, fmt.Sprintf("erreur %d", i))
				return err
			})
			wantWinners(t, errs, 1, passnum.EALREADYCANCELLED)
			if ps := w.Pass(code); ps.Status != passnum.PassAssigned {
				t.Fatalf("pass %+v", ps)
			}
			mustCheck(t, s)
		})

		t.Run("allocate the last unallocated booklet", func(t *testing.T) {
			prog := w.MustProgramme(func(p *passnum.Programme) { p.Name = "Dernier carnet" })
			w.MustIssue(prog.ID, 5)
			w.MustAllocate(prog.ID, w.dist.OrganisationID, 4)
			dists := []passnum.Actor{w.dist, w.MustDistributor("France Travail"), w.MustDistributor("Université"), w.MustDistributor("CCAS")}
			errs := race(contenders, func(i int) error {
				_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Allocation, error) {
					return tx.Allocate(ctx, w.op, prog.ID, dists[i%len(dists)].OrganisationID, 1)
				})
				return err
			})
			wantWinners(t, errs, 1, passnum.EINSUFFICIENTSTOCK)
			if st := w.Programme(prog.ID).Stock; st.UnallocatedBooklets != 0 || st.IssuedBooklets != 5 {
				t.Fatalf("stock %+v", *st)
			}
			mustCheck(t, s)
		})

		t.Run("hand out a distributor's last booklet", func(t *testing.T) {
			prog := w.MustProgramme(func(p *passnum.Programme) { p.Name = "Dernier carnet du distributeur" })
			w.MustIssue(prog.ID, 3)
			w.MustAllocate(prog.ID, w.dist.OrganisationID, 1)
			bens := make([]passnum.Beneficiary, contenders)
			for i := range bens {
				bens[i] = w.MustBeneficiary(w.dist)
			}
			errs := race(contenders, func(i int) error {
				_, err := w.HandOut(w.dist, bens[i].ID, prog.ID)
				return err
			})
			won := wantWinners(t, errs, 1, passnum.EINSUFFICIENTSTOCK)
			if st := w.Stock(prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 0 || st.AllocatedBooklets != 1 {
				t.Fatalf("stock %+v", st)
			}
			held := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Booklet, error) {
				return tx.BeneficiaryBooklets(ctx, bens[won[0]].ID)
			})
			if len(held) != 1 || held[0].ProgrammeID != prog.ID {
				t.Fatalf("winner holds %+v", held)
			}
			mustCheck(t, s)
		})

		t.Run("one beneficiary at many desks", func(t *testing.T) {
			prog := w.MustProgramme(func(p *passnum.Programme) { p.Name = "Limite par bénéficiaire"; p.MaxBookletsPerBeneficiary = 2 })
			w.MustIssue(prog.ID, 10)
			w.MustAllocate(prog.ID, w.dist.OrganisationID, 10)
			ben := w.MustBeneficiary(w.dist)
			errs := race(contenders, func(i int) error {
				_, err := w.HandOut(w.dist, ben.ID, prog.ID)
				return err
			})
			wantWinners(t, errs, 2, passnum.EBOOKLETLIMIT)
			if st := w.Stock(prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 8 {
				t.Fatalf("stock %+v", st)
			}
			mustCheck(t, s)
		})

		t.Run("register the same SIRET", func(t *testing.T) {
			siret := nextSIRET()
			errs := race(20, func(i int) error {
				_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
					return tx.CreateOrganisation(ctx, w.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: fmt.Sprintf("Lieu %d", i), SIRET: siret})
				})
				return err
			})
			wantWinners(t, errs, 1, passnum.ECONFLICT)
		})

		t.Run("redeem different passes while checking", func(t *testing.T) {
			var codes []string
			for range 4 {
				ben := w.MustBeneficiary(w.dist)
				codes = append(codes, w.MustHandOut(w.dist, ben.ID, w.prog.ID).Passes[0].Code)
			}
			clock.Advance(time.Minute)
			var checkErr error
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Check reads one snapshot: it never sees half a redemption.
				for range 20 {
					if err := s.Check(t.Context()); err != nil {
						checkErr = err
						return
					}
				}
			}()
			errs := race(len(codes)*10, func(i int) error {
				_, err := w.Redeem(places[i%len(places)], codes[i%len(codes)])
				return err
			})
			wg.Wait()
			if checkErr != nil {
				t.Fatalf("Check during redemptions: %v", checkErr)
			}
			wantWinners(t, errs, len(codes), passnum.EALREADYREDEEMED)
			mustCheck(t, s)
		})
	})
}
