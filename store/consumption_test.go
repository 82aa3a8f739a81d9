package store_test

import (
	"context"
	"slices"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func consumption(t *testing.T, s *store.Store, programmeID string) store.Consumption {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) (store.Consumption, error) {
		return tx.ProgrammeConsumption(ctx, programmeID)
	})
}

func TestProgrammeConsumption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		// Passes of 3.33 € and three funders at 60 %, 25 % and 15 %, so that
		// the split needs rounding.
		a, b, c := f.MustFunder("Région"), f.MustFunder("État"), f.MustFunder("Département du Doubs")
		prog := f.MustProgramme(func(p *passnum.Programme) {
			p.FaceValueCents = 333
			p.Funders = []passnum.FunderShare{{OrganisationID: a.ID, ShareBps: 6000}, {OrganisationID: b.ID, ShareBps: 2500}, {OrganisationID: c.ID, ShareBps: 1500}}
		})
		empty := consumption(t, s, prog.ID)
		if empty.PassesIssued != 0 || empty.PassesRedeemed != 0 || empty.AmountRedeemedCents != 0 || len(empty.Funders) != 3 || empty.Funders[0].AmountCents != 0 {
			t.Fatalf("empty programme: %+v", empty)
		}
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.Consumption, error) {
			return tx.ProgrammeConsumption(ctx, passnum.NewID(clock.Now()))
		})
		wantCode(t, err, passnum.ENOTFOUND)

		f.MustIssue(prog.ID, 10)
		d1, d2 := f.MustDistributor("Mission locale de Besançon"), f.MustDistributor("France Travail Dijon")
		f.MustAllocate(prog.ID, d1.OrganisationID, 5)
		f.MustAllocate(prog.ID, d2.OrganisationID, 3)
		place := f.MustPlace("Médiathèque")
		ben1, ben2, ben3 := f.MustBeneficiary(d1), f.MustBeneficiary(d1), f.MustBeneficiary(d2)
		bk1 := f.MustHandOut(d1, ben1.ID, prog.ID)
		bk2 := f.MustHandOut(d1, ben2.ID, prog.ID)
		bk3 := f.MustHandOut(d2, ben3.ID, prog.ID)

		redeemAt := func(when string, code string) passnum.Redemption {
			t.Helper()
			clock.Set(at(when))
			return f.MustRedeem(place, code)
		}
		// March (Paris): two, one of them cancelled, and one late on the 31st.
		redeemAt("2026-03-10 11:00:00", bk1.Passes[0].Code)
		r := redeemAt("2026-03-20 15:00:00", bk1.Passes[1].Code)
		if _, err := f.Cancel(place, r.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		redeemAt("2026-03-31 23:30:00", bk2.Passes[0].Code)
		// April in Paris, still March in UTC.
		redeemAt("2026-04-01 00:30:00", bk2.Passes[1].Code)
		redeemAt("2026-04-15 10:00:00", bk3.Passes[0].Code)
		redeemAt("2026-04-16 10:00:00", bk1.Passes[1].Code) // the cancelled pass, used for good
		// Nothing in May; June: one. Then a booklet is lost and replaced.
		redeemAt("2026-06-02 10:00:00", bk3.Passes[1].Code)
		if _, err := f.Block(d2, bk3.ID, d2.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Replace(d2, bk3.ID, d2.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)

		got := consumption(t, s, prog.ID)
		// Computed by hand: 10 booklets of 5; 8 allocated; 3 handed out (15
		// passes) plus one replacement carrying bk3's 3 unused passes (its
		// other 2 voided): the replacement hands out nothing new, and bk3's
		// 3 blocked passes live on in it, so none is lost; 6 active
		// redemptions of 3.33 € (19.98 €) and one cancelled.
		if got.ProgrammeID != prog.ID || got.FaceValueCents != 333 || got.PassesIssued != 50 || got.PassesAllocated != 40 || got.PassesHandedOut != 15 ||
			got.PassesBlocked != 0 || got.PassesRedeemed != 6 || got.CancelledRedemptions != 1 || got.AmountRedeemedCents != 1998 {
			t.Fatalf("figures: %+v", got)
		}
		wantMonths := []store.MonthConsumption{
			{Month: "2026-01"}, {Month: "2026-02"},
			{Month: "2026-03", Redemptions: 2, AmountCents: 666},
			{Month: "2026-04", Redemptions: 3, AmountCents: 999},
			{Month: "2026-05"},
			{Month: "2026-06", Redemptions: 1, AmountCents: 333},
		}
		if !slices.Equal(got.Months, wantMonths) {
			t.Fatalf("months %+v, want %+v", got.Months, wantMonths)
		}
		// 19.98 € × 60 % = 11.988 €, × 25 % = 4.995 €, × 15 % = 2.997 €:
		// 1198 + 499 + 299 = 1996 cents, and the 2 cents left go to the
		// largest remainders, 0.8 (Région) and 0.7 (Département).
		want := map[string]int64{a.ID: 1199, b.ID: 499, c.ID: 300}
		if len(got.Funders) != 3 {
			t.Fatalf("funders %+v", got.Funders)
		}
		var ids []string
		for _, fc := range got.Funders {
			if fc.AmountCents != want[fc.OrganisationID] {
				t.Errorf("funder %s (%s, %d bps): %d cents, want %d", fc.OrganisationID, fc.Name, fc.ShareBps, fc.AmountCents, want[fc.OrganisationID])
			}
			ids = append(ids, fc.OrganisationID)
		}
		if !slices.IsSorted(ids) {
			t.Fatalf("funders not in a stable order: %v", ids)
		}
		if fc := got.Funders[slices.Index(ids, c.ID)]; fc.Name != "Département du Doubs" || fc.ShareBps != 1500 {
			t.Fatalf("funder %+v", fc)
		}
	})
}

// TestHandedOutCountsAReplacementOnce: a lost booklet and its replacement
// are one hand-out to one person; a booklet lost and never replaced keeps
// its unused passes as lost ones.
func TestHandedOutCountsAReplacementOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		other := w.MustBeneficiary(w.dist)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		lost := w.MustHandOut(w.dist, other.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)
		w.MustRedeem(w.place, bk.Passes[1].Code)
		if _, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Block(w.dist, lost.ID, w.dist.OrganisationID, "volé"); err != nil {
			t.Fatal(err)
		}
		size := int64(len(bk.Passes))
		got := consumption(t, s, w.prog.ID)
		if got.PassesHandedOut != 2*size {
			t.Fatalf("handed out %d passes, want %d (two people, one booklet each)", got.PassesHandedOut, 2*size)
		}
		if got.PassesBlocked != size {
			t.Fatalf("blocked %d passes, want %d (the stolen booklet's, not the replaced one's)", got.PassesBlocked, size)
		}
		if unused := got.PassesHandedOut - got.PassesRedeemed - got.PassesBlocked; unused != size-2 {
			t.Fatalf("unused %d, want %d (the replacement's)", unused, size-2)
		}
	})
}
