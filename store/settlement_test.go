package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// Test IBANs with their BICs, valid and in the SEPA zone.
var testAccounts = []passnum.NewBankAccount{
	{Holder: "Association Planoise numérique", IBAN: "FR7630006000011234567890189", BIC: "BNPAFRPP"},
	{Holder: "Médiathèque Pierre-Bayle", IBAN: "FR1420041010050500013M02606", BIC: "PSSTFRPPDIJ"},
	{Holder: "Fablab de Dole", IBAN: "DE89370400440532013000", BIC: "COBADEFF"},
}

// MustBankAccount gives a place approved bank details (the i-th test
// account).
func (f *fixture) MustBankAccount(place passnum.Actor, i int) passnum.BankAccount {
	f.t.Helper()
	b, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
		return tx.ProposeBankAccount(ctx, place, place.OrganisationID, testAccounts[i%len(testAccounts)])
	})
	if err != nil {
		f.t.Fatalf("propose bank account: %v", err)
	}
	b, err = write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
		return tx.ApproveBankAccount(ctx, f.op, b.ID, "RIB vérifié")
	})
	if err != nil || b.Status != passnum.BankApproved {
		f.t.Fatalf("approve bank account: %v (%s)", err, b.Status)
	}
	return b
}

func (f *fixture) Settle(programmeID string, cutoff passnum.Date) (passnum.Settlement, error) {
	f.t.Helper()
	var out passnum.Settlement
	err := f.s.WriteExclusive(f.t.Context(), func(tx *store.Tx) error {
		var err error
		out, err = tx.Settle(f.t.Context(), f.op, programmeID, cutoff)
		return err
	})
	return out, err
}

func (f *fixture) MustSettle(programmeID string, cutoff passnum.Date) passnum.Settlement {
	f.t.Helper()
	s, err := f.Settle(programmeID, cutoff)
	if err != nil {
		f.t.Fatalf("settle up to %s: %v", cutoff, err)
	}
	return s
}

func (f *fixture) MustCorrect(redemptionID, reason string) passnum.Correction {
	f.t.Helper()
	c, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
		return tx.CorrectRedemption(ctx, f.op, redemptionID, reason)
	})
	if err != nil {
		f.t.Fatalf("correct %s: %v", redemptionID, err)
	}
	return c
}

// redeemMany hands out booklets to new beneficiaries and redeems n passes
// at place, at the clock's time.
func (w *world) redeemMany(place passnum.Actor, n int) []passnum.Redemption {
	w.t.Helper()
	var out []passnum.Redemption
	for len(out) < n {
		ben := w.MustBeneficiary(w.dist)
		bk := w.MustHandOut(w.dist, ben.ID, w.prog.ID)
		for _, ps := range bk.Passes {
			if len(out) == n {
				break
			}
			out = append(out, w.MustRedeem(place, ps.Code))
		}
	}
	return out
}

func lineOf(t *testing.T, s passnum.Settlement, placeID string) passnum.SettlementLine {
	t.Helper()
	for _, l := range s.Lines {
		if l.PlaceID == placeID {
			return l
		}
	}
	t.Fatalf("settlement %s has no line of place %s: %+v", s.Reference, placeID, s.Lines)
	return passnum.SettlementLine{}
}

func wantLine(t *testing.T, l passnum.SettlementLine, count, redemptions, adjustments, carriedIn, amount, carriedOut int64) {
	t.Helper()
	if l.Count != count || l.RedemptionsCents != redemptions || l.AdjustmentsCents != adjustments || l.CarriedInCents != carriedIn ||
		l.AmountCents != amount || l.CarriedOutCents != carriedOut {
		t.Fatalf("line of %s: count %d, redemptions %d, adjustments %d, in %d, amount %d, out %d; want %d, %d, %d, %d, %d, %d",
			l.PlaceID, l.Count, l.RedemptionsCents, l.AdjustmentsCents, l.CarriedInCents, l.AmountCents, l.CarriedOutCents,
			count, redemptions, adjustments, carriedIn, amount, carriedOut)
	}
	var shares int64
	for _, s := range l.Shares {
		shares += s.AmountCents
	}
	if !l.HeldBack && shares != l.AmountCents {
		t.Fatalf("line of %s: shares %+v sum to %d, not %d", l.PlaceID, l.Shares, shares, l.AmountCents)
	}
}

// Settling twice up to the same day creates nothing the second time; a
// late redemption makes a new settlement with only what is new.
func TestSettleTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		w.MustBankAccount(w.place, 0)
		march := w.redeemMany(w.place, 3)
		clock.Set(at("2026-03-31 23:59:00"))
		w.redeemMany(w.place, 1) // the last minute of March, Paris time
		clock.Set(at("2026-04-01 00:00:00"))
		april := w.redeemMany(w.place, 1)
		clock.Set(at("2026-04-03 09:00:00"))

		_, err := w.Settle(w.prog.ID, passnum.MustDate("2026-04-04"))
		wantCode(t, err, passnum.EINVALID) // after today
		cutoff := passnum.DefaultCutoff(passnum.ParisDate(clock.Now()))
		if cutoff != passnum.MustDate("2026-03-31") {
			t.Fatalf("default cut-off %s", cutoff)
		}
		first := w.MustSettle(w.prog.ID, cutoff)
		if !first.Created || first.Status != passnum.SettlementCreated || first.TotalCents != 4000 || len(first.Lines) != 1 || first.Cutoff != cutoff {
			t.Fatalf("first settlement: %+v", first)
		}
		if first.Reference != "PN-20260331-0001" {
			t.Fatalf("reference %q", first.Reference)
		}
		l := lineOf(t, first, w.place.OrganisationID)
		wantLine(t, l, 4, 4000, 0, 0, 4000, 0)
		if l.Shares[0].AmountCents+l.Shares[1].AmountCents != 4000 || l.IBAN != testAccounts[0].IBAN || l.Holder != testAccounts[0].Holder {
			t.Fatalf("line: %+v", l)
		}

		again := w.MustSettle(w.prog.ID, cutoff)
		if again.Created || again.ID != first.ID || again.TotalCents != 4000 {
			t.Fatalf("second run: %+v", again)
		}
		// A settled redemption cannot be cancelled, not even by the operator.
		_, err = w.Cancel(w.op, march[0].ID, "erreur")
		wantCode(t, err, passnum.EALREADYREIMBURSED)
		// April's redemption waits; settling up to today takes it only.
		second := w.MustSettle(w.prog.ID, passnum.MustDate("2026-04-03"))
		if !second.Created || second.TotalCents != 1000 || second.Reference != "PN-20260403-0002" {
			t.Fatalf("second settlement: %+v", second)
		}
		wantLine(t, lineOf(t, second, w.place.OrganisationID), 1, 1000, 0, 0, 1000, 0)
		var seen []string
		view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
			return nil, tx.SettlementRedemptions(ctx, second.ID, w.place.OrganisationID, func(r store.SettledRedemption) error {
				seen = append(seen, r.RedemptionID)
				if r.Code == "" || r.Code[:4] != "****" {
					t.Errorf("unmasked code %q", r.Code)
				}
				return nil
			})
		})
		if len(seen) != 1 || seen[0] != april[0].ID {
			t.Fatalf("second settlement pays %v, want %s", seen, april[0].ID)
		}
		// A cut-off already settled with nothing new: the latest settlement of that day.
		if third := w.MustSettle(w.prog.ID, passnum.MustDate("2026-04-03")); third.Created || third.ID != second.ID {
			t.Fatalf("third run: %+v", third)
		}
		// Nothing at all before a day: nothing_to_settle.
		_, err = w.Settle(w.prog.ID, passnum.MustDate("2026-02-28"))
		wantCode(t, err, passnum.ENOTHINGTOSETTLE)
		p := w.Programme(w.prog.ID)
		if p.Money.SettledCents != 5000 || p.Money.PaidCents != 0 || p.Money.UsedCents != 5000 || p.Money.OwedCents != 5000 {
			t.Fatalf("money: %+v", *p.Money)
		}
		mustCheck(t, s)
	})
}

// A correction after settlement is a negative adjustment of the place's
// next line; larger than the line, it carries over to the one after.
func TestSettlementCorrectionCarriesOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		w.MustBankAccount(w.place, 0)
		first := w.redeemMany(w.place, 4)
		clock.Set(at("2026-04-02 10:00:00"))
		s1 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
		wantLine(t, lineOf(t, s1, w.place.OrganisationID), 4, 4000, 0, 0, 4000, 0)

		// An unsettled redemption is cancelled, not corrected.
		late := w.redeemMany(w.place, 1)
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
			return tx.CorrectRedemption(ctx, w.op, late[0].ID, "doublon")
		})
		wantCode(t, err, passnum.ENOTSETTLED)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
			return tx.CorrectRedemption(ctx, w.op, first[0].ID, "")
		})
		wantCode(t, err, passnum.EINVALID)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
			return tx.CorrectRedemption(ctx, w.place, first[0].ID, "doublon")
		})
		wantCode(t, err, passnum.EFORBIDDEN)
		// Three settled redemptions taken back, one new redemption: the
		// line would be 1000 − 3000, so it pays 0 and carries −2000.
		for _, r := range first[:3] {
			c := w.MustCorrect(r.ID, "pass encaissé deux fois")
			if c.AmountCents != -1000 || c.SettledIn != s1.ID || c.SettlementID != "" {
				t.Fatalf("correction %+v", c)
			}
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
			return tx.CorrectRedemption(ctx, w.op, first[0].ID, "encore")
		})
		wantCode(t, err, passnum.ECONFLICT)
		if b := balance(t, s, w.place.OrganisationID, w.prog.ID); b != 5000-3000 {
			t.Fatalf("balance after corrections %d", b)
		}
		clock.Set(at("2026-04-20 10:00:00"))
		s2 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-04-19"))
		wantLine(t, lineOf(t, s2, w.place.OrganisationID), 1, 1000, -3000, 0, 0, -2000)
		if s2.TotalCents != 0 {
			t.Fatalf("total %d", s2.TotalCents)
		}
		// The next line starts with the carry: 3 redemptions pay 1000.
		w.redeemMany(w.place, 3)
		clock.Set(at("2026-05-04 10:00:00"))
		s3 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-04-30"))
		wantLine(t, lineOf(t, s3, w.place.OrganisationID), 3, 3000, 0, -2000, 1000, 0)
		var corrections []passnum.Correction
		view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
			return nil, tx.SettlementCorrections(ctx, s2.ID, "", func(c passnum.Correction) error {
				corrections = append(corrections, c)
				return nil
			})
		})
		if len(corrections) != 3 || corrections[0].Reason != "pass encaissé deux fois" {
			t.Fatalf("corrections of the second settlement: %+v", corrections)
		}
		// Pay everything: the place is owed nothing, whoever asks.
		for _, st := range []passnum.Settlement{s1, s2, s3} {
			w.mustPay(st.ID, passnum.MustDate("2026-05-04"))
		}
		if b := balance(t, s, w.place.OrganisationID, w.prog.ID); b != 0 {
			t.Fatalf("balance after payment %d", b)
		}
		p := w.Programme(w.prog.ID)
		if p.Money.PaidCents != 5000 || p.Money.OwedCents != 0 || p.Money.CorrectedCents != -3000 || p.Money.UsedCents != 8000 {
			t.Fatalf("money: %+v", *p.Money)
		}
		mustCheck(t, s)
	})
}

func balance(t *testing.T, s *store.Store, placeID, programmeID string) int64 {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) (int64, error) {
		return tx.PlaceBalance(ctx, placeID, programmeID, tx.Today())
	})
}

func (f *fixture) mustPay(settlementID string, on passnum.Date) passnum.Settlement {
	f.t.Helper()
	if _, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
		return tx.MarkSettlementSent(ctx, f.op, settlementID)
	}); err != nil {
		f.t.Fatalf("sent: %v", err)
	}
	st, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
		return tx.RecordSettlementPayment(ctx, f.op, settlementID, store.Payment{PaidOn: on, BankReference: "VIR-" + settlementID[20:]})
	})
	if err != nil || st.Status != passnum.SettlementPaid {
		f.t.Fatalf("paid: %v (%s)", err, st.Status)
	}
	return st
}

// A place without approved bank details, or suspended, is held back: its
// redemptions wait, and the first run after the cause is fixed pays them.
func TestSettlementHeldBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		paid := w.MustPlace("Espace numérique de Planoise")
		suspended := w.MustPlace("Fablab de Dole")
		w.MustBankAccount(paid, 0)
		w.MustBankAccount(suspended, 1)
		w.redeemMany(paid, 2)
		w.redeemMany(w.place, 3) // no bank details
		w.redeemMany(suspended, 1)
		w.MustSetPlaceStatus(suspended.OrganisationID, passnum.OrgSuspended, "charte non respectée")
		clock.Set(at("2026-04-02 10:00:00"))
		s1 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
		if s1.TotalCents != 2000 || s1.LineCount != 3 || s1.HeldBackCount != 2 {
			t.Fatalf("settlement: %+v", s1)
		}
		held := lineOf(t, s1, w.place.OrganisationID)
		if !held.HeldBack || held.HeldBackReason == nil || *held.HeldBackReason != passnum.HeldNoBankAccount || held.HeldCount != 3 || held.HeldCents != 3000 || held.AmountCents != 0 || len(held.Shares) != 0 {
			t.Fatalf("held-back line: %+v", held)
		}
		if l := lineOf(t, s1, suspended.OrganisationID); !l.HeldBack || *l.HeldBackReason != passnum.HeldSuspended {
			t.Fatalf("suspended place's line: %+v", l)
		}
		// Nothing fixed: nothing new.
		if again := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31")); again.Created {
			t.Fatalf("a run with nothing fixed made %+v", again)
		}
		// The bank details approved: the same cut-off pays the place now.
		w.MustBankAccount(w.place, 2)
		s2 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
		if !s2.Created || s2.TotalCents != 3000 {
			t.Fatalf("after approval: %+v", s2)
		}
		l := lineOf(t, s2, w.place.OrganisationID)
		wantLine(t, l, 3, 3000, 0, 0, 3000, 0)
		if l.IBAN != testAccounts[2].IBAN || l.BIC != testAccounts[2].BIC {
			t.Fatalf("line paid to %s %s", l.IBAN, l.BIC)
		}
		// Only the suspended place waits: nothing to settle for a day with none.
		_, err := w.Settle(w.prog.ID, passnum.MustDate("2026-03-20"))
		if e := wantCode(t, err, passnum.ENOTHINGTOSETTLE); e.Extra["held_back_places"] != 1 {
			t.Fatalf("extra %v", e.Extra)
		}
		w.MustSetPlaceStatus(suspended.OrganisationID, passnum.OrgLabelled, "")
		s3 := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
		wantLine(t, lineOf(t, s3, suspended.OrganisationID), 1, 1000, 0, 0, 1000, 0)
		mustCheck(t, s)
	})
}

// Concurrent runs of the same programme never put a redemption in two
// settlements: one takes everything, the others find nothing new.
func TestSettlementConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		places := []passnum.Actor{w.place, w.MustPlace("Fablab de Dole"), w.MustPlace("EPN de Planoise")}
		for i, pl := range places {
			w.MustBankAccount(pl, i)
			w.redeemMany(pl, 3+i)
		}
		// Passes handed out now, redeemed while the runs below settle
		// the same day: each goes into one settlement, or waits.
		var codes []string
		for range 2 {
			ben := w.MustBeneficiary(w.dist)
			for _, ps := range w.MustHandOut(w.dist, ben.ID, w.prog.ID).Passes {
				codes = append(codes, ps.Code)
			}
		}
		clock.Set(at("2026-04-02 10:00:00"))
		const runs = 8
		results := make([]passnum.Settlement, runs)
		errs := make([]error, runs)
		race := func(cutoff passnum.Date, alongside func()) {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range runs {
				wg.Go(func() {
					<-start
					errs[i] = s.WriteExclusive(t.Context(), func(tx *store.Tx) error {
						var err error
						results[i], err = tx.Settle(t.Context(), w.op, w.prog.ID, cutoff)
						return err
					})
				})
			}
			if alongside != nil {
				wg.Go(func() {
					<-start
					alongside()
				})
			}
			close(start)
			wg.Wait()
		}
		// The same cut-off eight times at once: one settlement, which the
		// others answer.
		race(passnum.MustDate("2026-03-31"), nil)
		created := 0
		for i := range runs {
			if errs[i] != nil {
				t.Fatalf("run %d: %v", i, errs[i])
			}
			if results[i].Created {
				created++
			}
			if results[i].TotalCents != 12000 {
				t.Fatalf("run %d answered %+v", i, results[i])
			}
		}
		if created != 1 {
			t.Fatalf("%d runs created a settlement", created)
		}
		// Runs up to today while the place redeems: each takes what was
		// committed before it, or finds nothing new.
		race(passnum.MustDate("2026-04-02"), func() {
			for _, c := range codes {
				if _, err := w.Redeem(places[0], c); err != nil {
					t.Errorf("redeem during the runs: %v", err)
				}
			}
		})
		for i, err := range errs {
			if err != nil && passnum.ErrorCode(err) != passnum.ENOTHINGTOSETTLE {
				t.Fatalf("run up to today %d: %v", i, err)
			}
		}
		// What the runs up to today left is settled now; every redemption
		// was paid once.
		if _, err := w.Settle(w.prog.ID, passnum.MustDate("2026-04-02")); err != nil && passnum.ErrorCode(err) != passnum.ENOTHINGTOSETTLE {
			t.Fatal(err)
		}
		list := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Settlement, error) {
			l, _, err := tx.ListSettlements(ctx, store.SettlementFilter{ProgrammeID: w.prog.ID}, store.Page{})
			return l, err
		})
		var paid int64
		for _, st := range list {
			paid += st.TotalCents
		}
		if want := int64(12000 + 1000*len(codes)); paid != want {
			t.Fatalf("%d settlements pay %d, want %d", len(list), paid, want)
		}
		mustCheck(t, s)
	})
}

// The payment: sent, then paid; with four eyes, a second operator
// confirms, and the same operator is refused.
func TestSettlementPaymentFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock, func(p *passnum.Programme) { p.FourEyes = true })
		// With four eyes on, new bank details need two operators.
		b, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
			return tx.ProposeBankAccount(ctx, w.place, w.place.OrganisationID, testAccounts[0])
		})
		if err != nil {
			t.Fatal(err)
		}
		approve := func(who passnum.Actor) (passnum.BankAccount, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
				return tx.ApproveBankAccount(ctx, who, b.ID, "RIB vérifié")
			})
		}
		second := w.op
		second.ID = "comptable"
		if b, err = approve(w.op); err != nil || b.Status != passnum.BankPending || b.FirstApprovedAt == nil {
			t.Fatalf("first approval: %+v %v", b, err)
		}
		_, err = approve(w.op)
		wantCode(t, err, passnum.EFOUREYESREQUIRED)
		if b, err = approve(second); err != nil || b.Status != passnum.BankApproved {
			t.Fatalf("second approval: %+v %v", b, err)
		}

		w.redeemMany(w.place, 2)
		clock.Set(at("2026-04-02 10:00:00"))
		st := w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
		pay := func(who passnum.Actor, p store.Payment) (passnum.Settlement, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
				return tx.RecordSettlementPayment(ctx, who, st.ID, p)
			})
		}
		payment := store.Payment{PaidOn: passnum.MustDate("2026-04-05"), BankReference: "VIR-2026-0405"}
		_, err = pay(w.op, payment)
		wantCode(t, err, passnum.ENOTSETTLED) // not sent yet
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
			return tx.MarkSettlementSent(ctx, w.op, st.ID)
		}); err != nil {
			t.Fatal(err)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
			return tx.MarkSettlementSent(ctx, w.op, st.ID)
		})
		wantCode(t, err, passnum.EALREADYSETTLED)
		clock.Set(at("2026-04-06 10:00:00"))
		_, err = pay(w.op, store.Payment{PaidOn: passnum.MustDate("2026-04-07"), BankReference: "VIR"})
		wantCode(t, err, passnum.EINVALID) // in the future
		rec, err := pay(w.op, payment)
		if err != nil || rec.Status != passnum.SettlementPaymentRecorded || rec.PaymentRecordedAt == nil || rec.PaidAt != nil {
			t.Fatalf("recorded: %+v %v", rec, err)
		}
		if b := balance(t, s, w.place.OrganisationID, w.prog.ID); b != 2000 {
			t.Fatalf("a payment recorded but not confirmed is in the ledger: %d", b)
		}
		_, err = pay(w.op, store.Payment{})
		wantCode(t, err, passnum.EFOUREYESREQUIRED)
		_, err = pay(second, store.Payment{PaidOn: passnum.MustDate("2026-04-04"), BankReference: "VIR-2026-0405"})
		wantCode(t, err, passnum.EINVALID) // not what was recorded
		done, err := pay(second, store.Payment{})
		if err != nil || done.Status != passnum.SettlementPaid || done.PaidOn == nil || *done.PaidOn != payment.PaidOn || done.BankReference != payment.BankReference {
			t.Fatalf("confirmed: %+v %v", done, err)
		}
		if b := balance(t, s, w.place.OrganisationID, w.prog.ID); b != 0 {
			t.Fatalf("balance after payment: %d", b)
		}
		_, err = pay(second, store.Payment{})
		wantCode(t, err, passnum.EALREADYSETTLED)
		notices := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.PlaceNotice, error) {
			return tx.SettlementNotices(ctx, st.ID)
		})
		if len(notices) != 1 || notices[0].PlaceID != w.place.OrganisationID || notices[0].AmountCents != 2000 || notices[0].Status != passnum.SettlementPaid {
			t.Fatalf("notices: %+v", notices)
		}
		mustCheck(t, s)
	})
}

// Issuing beyond the budget is refused, saying how many passes remain
// possible; the budget never goes below what is issued.
func TestBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		budget := int64(12 * 5 * 1000) // 12 booklets of 5 passes of 10 €
		p := f.MustProgramme(func(p *passnum.Programme) { p.BudgetCents = &budget })
		f.MustIssue(p.ID, 10)
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Issuance, error) {
			return tx.Issue(ctx, f.op, p.ID, 3)
		})
		e := wantCode(t, err, passnum.EBUDGETEXCEEDED)
		if e.Extra["remaining_passes"] != int64(10) {
			t.Fatalf("refusal: %s %v", e.Message, e.Extra)
		}
		f.MustIssue(p.ID, 2)
		got := f.Programme(p.ID)
		if *got.Money.RemainingPasses != 0 || *got.Money.RemainingCents != 0 || got.Money.IssuedCents != budget {
			t.Fatalf("money: %+v", *got.Money)
		}
		lower := budget - 1
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, f.op, p.ID, passnum.ProgrammeUpdate{BudgetCents: &lower})
		})
		wantCode(t, err, passnum.EINVALID)
		higher := budget + 5000
		got, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
			return tx.UpdateProgramme(ctx, f.op, p.ID, passnum.ProgrammeUpdate{BudgetCents: &higher})
		})
		if err != nil || *got.BudgetCents != higher || *got.Money.RemainingPasses != 5 {
			t.Fatalf("raised budget: %v %+v", err, got.Money)
		}
		mustCheck(t, s)
	})
}

var errStop = errors.New("stop")

// The streams stop at the callback's first error, and give it back.
func TestSettlementStreamsStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		w.MustBankAccount(w.place, 0)
		w.redeemMany(w.place, 3)
		clock.Advance(24 * time.Hour)
		st := w.MustSettle(w.prog.ID, passnum.ParisDate(clock.Now()))
		n := 0
		err := s.View(t.Context(), func(tx *store.Tx) error {
			return tx.SettlementAccounting(t.Context(), st.ID, func(store.AccountingEntry) error {
				n++
				return errStop
			})
		})
		if !errors.Is(err, errStop) || n != 1 {
			t.Fatalf("accounting stream: %v after %d rows", err, n)
		}
		var rows []store.AccountingEntry
		view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
			return nil, tx.SettlementAccounting(ctx, st.ID, func(e store.AccountingEntry) error {
				rows = append(rows, e)
				return nil
			})
		})
		if len(rows) != 3 || rows[0].Kind != "redemption" || rows[0].Reference != st.Reference || rows[0].PlaceName != "Médiathèque Pierre-Bayle" || rows[0].AmountCents != 1000 {
			t.Fatalf("accounting rows: %+v", rows)
		}
	})
}
