package store_test

import (
	"context"
	"sync"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// After the hand-out closing day no booklet is handed out, and the passes
// already handed out stay usable until the last redeem day.
func TestHandoutUntil(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock, func(p *passnum.Programme) { p.HandoutUntil = passnum.MustDate("2026-03-15") })
		if w.prog.LastHandOutDay() != passnum.MustDate("2026-03-15") {
			t.Fatalf("hand-out until %s", w.prog.LastHandOutDay())
		}
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		clock.Set(at("2026-03-16 09:00:00"))
		other := w.MustBeneficiary(w.dist)
		_, err := w.HandOut(w.dist, other.ID, w.prog.ID)
		if e := wantCode(t, err, passnum.EPROGRAMMECLOSED); e.Extra["handout_until"] != passnum.MustDate("2026-03-15") {
			t.Fatalf("refusal: %s %v", e.Message, e.Extra)
		}
		w.MustRedeem(w.place, bk.Passes[0].Code)
		// Extending validity does not move a hand-out day set on purpose;
		// the operator moves it.
		until := passnum.MustDate("2027-03-31")
		p, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, w.op, w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: &until})
		})
		if err != nil || p.LastHandOutDay() != passnum.MustDate("2026-03-15") {
			t.Fatalf("extended: %v %s", err, p.LastHandOutDay())
		}
		earlier := passnum.MustDate("2026-03-14")
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, w.op, w.prog.ID, passnum.ProgrammeUpdate{HandoutUntil: &earlier})
		})
		wantCode(t, err, passnum.EINVALID)
		later := passnum.MustDate("2026-06-30")
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, w.op, w.prog.ID, passnum.ProgrammeUpdate{HandoutUntil: &later})
		}); err != nil {
			t.Fatal(err)
		}
		w.MustHandOut(w.dist, other.ID, w.prog.ID)
		mustCheck(t, s)
	})
}

// Stock not handed out moves between distributors or back to the
// programme, audited, never more than there is, and not after the
// hand-out closing day.
func TestMoveStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // 10 issued, 6 allocated to dist
		w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		other := w.MustDistributor("France Travail Dijon")
		move := func(from, to string, n int64, reason string) (passnum.StockTransfer, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.StockTransfer, error) {
				return tx.MoveStock(ctx, w.op, w.prog.ID, from, to, n, reason)
			})
		}
		_, err := move(w.dist.OrganisationID, other.OrganisationID, 6, "agence fermée")
		if e := wantCode(t, err, passnum.EINSUFFICIENTSTOCK); e.Extra["available_booklets"] != int64(5) {
			t.Fatalf("refusal %v", e.Extra)
		}
		_, err = move(w.dist.OrganisationID, other.OrganisationID, 2, "")
		wantCode(t, err, passnum.EINVALID)
		if _, err := move(w.dist.OrganisationID, other.OrganisationID, 3, "agence fermée pour travaux"); err != nil {
			t.Fatal(err)
		}
		if _, err := move(other.OrganisationID, "", 1, "surplus rendu au programme"); err != nil {
			t.Fatal(err)
		}
		if st := w.Stock(w.prog.ID, w.dist.OrganisationID); st.AllocatedBooklets != 3 || st.AvailableBooklets != 2 {
			t.Fatalf("stock left: %+v", st)
		}
		if st := w.Stock(w.prog.ID, other.OrganisationID); st.AllocatedBooklets != 2 || st.AvailableBooklets != 2 {
			t.Fatalf("stock moved: %+v", st)
		}
		if p := w.Programme(w.prog.ID); p.Stock.UnallocatedBooklets != 5 {
			t.Fatalf("central stock %d", p.Stock.UnallocatedBooklets)
		}
		ben := w.MustBeneficiary(other)
		w.MustHandOut(other, ben.ID, w.prog.ID)
		mustCheck(t, s)

		// Concurrent moves never take more than there is.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 6 {
			wg.Go(func() {
				if _, err := move(w.dist.OrganisationID, other.OrganisationID, 1, "rééquilibrage"); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				} else if c := passnum.ErrorCode(err); c != passnum.EINSUFFICIENTSTOCK && c != passnum.ECONFLICT {
					t.Errorf("move: %v", err)
				}
			})
		}
		wg.Wait()
		if ok != 2 {
			t.Fatalf("%d concurrent moves of 1 booklet out of 2", ok)
		}
		mustCheck(t, s)

		table := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
			return tx.ClosingTable(ctx, w.prog.ID, false)
		})
		if table.BookletsIssued != 10 || table.BookletsUnallocated != 5 || len(table.Distributors) != 2 || val(table.Totals.BookletsHandedOut) != 2 || table.InPeriod {
			t.Fatalf("closing table: %+v", table)
		}
		clock.Set(at("2027-01-01 09:00:00"))
		_, err = move(other.OrganisationID, "", 1, "fin")
		wantCode(t, err, passnum.EPROGRAMMECLOSED)
	})
}

// After the grace period the operator expires the unused passes, once:
// the figures are frozen, validity and stock no longer change.
func TestExpireProgramme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		w.MustBankAccount(w.place, 0)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)
		w.MustRedeem(w.place, bk.Passes[1].Code)
		expire := func() (passnum.ProgrammeExpiry, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.ProgrammeExpiry, error) {
				return tx.ExpireProgramme(ctx, w.op, w.prog.ID)
			})
		}
		clock.Set(at("2027-01-31 12:00:00")) // the last redeem day
		_, err := expire()
		wantCode(t, err, passnum.ECONFLICT)
		clock.Set(at("2027-02-01 09:00:00"))
		table := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
			return tx.ClosingTable(ctx, w.prog.ID, false)
		})
		d := table.Distributors[0]
		if !table.InPeriod || val(d.BookletsAllocated) != 6 || val(d.BookletsHandedOut) != 1 || val(d.BookletsNotHandedOut) != 5 || val(d.BookletsStarted) != 1 || val(d.PassesUsed) != 2 || val(d.PassesUnused) != 3 {
			t.Fatalf("closing table: %+v", table)
		}
		e, err := expire()
		if err != nil || !e.Created || e.PassesIssued != 50 || e.PassesUsed != 2 || e.PassesUnused != 3 || e.PassesNotHandedOut != 45 || e.ReleasedCents != 48000 {
			t.Fatalf("expiry: %+v %v", e, err)
		}
		again, err := expire()
		if err != nil || again.Created || !again.ExpiredAt.Equal(e.ExpiredAt) {
			t.Fatalf("second expiry: %+v %v", again, err)
		}
		until := passnum.MustDate("2027-06-30")
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, w.op, w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: &until})
		})
		wantCode(t, err, passnum.EINVALID)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Issuance, error) {
			return tx.Issue(ctx, w.op, w.prog.ID, 1)
		})
		wantCode(t, err, passnum.EPROGRAMMECLOSED)
		// The final settlement still pays what was redeemed.
		final := w.MustSettle(w.prog.ID, passnum.MustDate("2027-01-31"))
		c := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingStatement, error) {
			return tx.ClosingStatement(ctx, w.prog.ID, "")
		})
		if !c.Expired || c.FinalSettlement == nil || c.FinalSettlement.ID != final.ID || c.UsedCents != 2000 || c.ReleasedCents != 48000 || len(c.Funders) != 2 ||
			c.Funders[0].SettledCents+c.Funders[1].SettledCents != 2000 || c.Funders[0].ReleasedCents+c.Funders[1].ReleasedCents != 48000 {
			t.Fatalf("closing statement: %+v", c)
		}
		if p := w.Programme(w.prog.ID); p.ExpiredAt == nil {
			t.Fatal("the programme does not say it expired")
		}
		if ps := w.Pass(bk.Passes[4].Code); ps.Status != passnum.PassExpired {
			t.Fatalf("unused pass reads %q", ps.Status)
		}
		mustCheck(t, s)
	})
}

// TestClosingStatementCountsAReplacementOnce: a lost booklet and its
// replacement are one hand-out in the closing statement, as in the
// consumption page and the statistics.
func TestClosingStatementCountsAReplacementOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)
		if _, err := w.Replace(w.op, bk.ID, "", "perdu"); err != nil {
			t.Fatal(err)
		}
		c := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingStatement, error) {
			return tx.ClosingStatement(ctx, w.prog.ID, "")
		})
		cons := view(t, s, func(ctx context.Context, tx *store.Tx) (store.Consumption, error) {
			return tx.ProgrammeConsumption(ctx, w.prog.ID)
		})
		size := int64(w.prog.BookletSize)
		if c.PassesHandedOut != size || cons.PassesHandedOut != size {
			t.Fatalf("passes handed out: closing %d, consumption %d; want %d (one booklet, replaced once)", c.PassesHandedOut, cons.PassesHandedOut, size)
		}
		mustCheck(t, s)
	})
}
