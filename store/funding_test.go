package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// Funders' shares add up to the cent through the store: random face
// values, random shares, random redemptions and corrections over several
// runs; each line's parts sum to the line, each funder's months to its
// total, the funders' totals to the settlements'. Replays by seed.
func TestFunderSharesAddUp(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { settleRandomly(t, seed) })
	}
}

func settleRandomly(t *testing.T, seed uint64) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		r := rand.New(rand.NewPCG(seed, 2026))
		f := newFixture(t, s, clock)
		n := 2 + r.IntN(3)
		cuts := map[int64]bool{}
		for len(cuts) < n-1 {
			cuts[1+r.Int64N(passnum.TotalBasisPoints-1)] = true
		}
		var funders []passnum.FunderShare
		prev := int64(0)
		sorted := []int64{}
		for c := range cuts {
			sorted = append(sorted, c)
		}
		for i := range sorted {
			for j := i + 1; j < len(sorted); j++ {
				if sorted[j] < sorted[i] {
					sorted[i], sorted[j] = sorted[j], sorted[i]
				}
			}
		}
		for _, c := range append(sorted, passnum.TotalBasisPoints) {
			funders = append(funders, passnum.FunderShare{OrganisationID: f.MustFunder("Financeur").ID, ShareBps: c - prev})
			prev = c
		}
		face := 1 + r.Int64N(2500)
		prog := f.MustProgramme(func(p *passnum.Programme) {
			p.Funders, p.FaceValueCents, p.BookletSize, p.MaxBookletsPerBeneficiary = funders, face, 1+r.IntN(5), 5
		})
		f.MustIssue(prog.ID, 80)
		dist := f.MustDistributor("Mission locale")
		f.MustAllocate(prog.ID, dist.OrganisationID, 80)
		w := &world{fixture: f, prog: prog, dist: dist}
		var places []passnum.Actor
		for i := range 6 {
			pl := f.MustPlace("Lieu")
			f.MustBankAccount(pl, i)
			places = append(places, pl)
		}
		var settled []passnum.Redemption
		var settlements []passnum.Settlement
		day := at("2026-03-02 11:00:00")
		for run := range 4 {
			clock.Set(day)
			for _, pl := range places {
				if k := r.IntN(4); k > 0 {
					w.redeemMany(pl, k)
				}
			}
			for _, red := range settled {
				if r.IntN(6) == 0 {
					w.MustCorrect(red.ID, "doublon")
				}
			}
			settled = settled[:0]
			day = day.Add(20 * 24 * time.Hour)
			clock.Set(day)
			st, err := w.Settle(prog.ID, passnum.ParisDate(day).AddDays(-1))
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			settlements = append(settlements, st)
			view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
				for _, l := range st.Lines {
					err := tx.SettlementRedemptions(ctx, st.ID, l.PlaceID, func(sr store.SettledRedemption) error {
						if !sr.Corrected {
							settled = append(settled, passnum.Redemption{ID: sr.RedemptionID})
						}
						return nil
					})
					if err != nil {
						return nil, err
					}
				}
				return nil, nil
			})
			if r.IntN(2) == 0 {
				w.mustPay(st.ID, passnum.ParisDate(day))
			}
		}
		var total int64
		for _, st := range settlements {
			total += st.TotalCents
			for _, l := range st.Lines {
				var sum int64
				for _, sh := range l.Shares {
					sum += sh.AmountCents
				}
				if sum != l.AmountCents {
					t.Fatalf("seed %d: line %+v: shares sum to %d", seed, l, sum)
				}
			}
		}
		statements := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.FunderStatement, error) {
			return tx.FunderStatements(ctx, prog.ID, "")
		})
		var funded int64
		for _, fs := range statements {
			var months, paid int64
			for _, m := range fs.Months {
				months += m.SettledCents
				paid += m.PaidCents
			}
			if months != fs.SettledCents || paid != fs.PaidCents || fs.DueCents != fs.SettledCents-fs.PaidCents {
				t.Fatalf("seed %d: funder %s: months %d/%d, totals %+v", seed, fs.FunderID, months, paid, fs)
			}
			funded += fs.SettledCents
		}
		if funded != total || len(statements) != len(funders) {
			t.Fatalf("seed %d: funders owe %d, settlements total %d", seed, funded, total)
		}
		closing := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingStatement, error) {
			return tx.ClosingStatement(ctx, prog.ID, "")
		})
		var used, released int64
		for _, fc := range closing.Funders {
			used += fc.UsedCents
			released += fc.ReleasedCents
		}
		if used != closing.UsedCents || released != closing.ReleasedCents || closing.ReleasedCents+closing.UsedCents != closing.PassesIssued*face {
			t.Fatalf("seed %d: closing statement %+v", seed, closing)
		}
		mustCheck(t, s)
	})
}
