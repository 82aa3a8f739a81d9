package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func TestTmpCheckScale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		start := time.Now()
		w.MustIssue(w.prog.ID, 200000)
		w.MustAllocate(w.prog.ID, w.dist.OrganisationID, 100000)
		t.Logf("issue+allocate 1M passes: %v", time.Since(start))
		start = time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var codes []string
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 250 {
					ben, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
						return tx.CreateBeneficiary(ctx, w.dist, passnum.Beneficiary{FirstName: "A", LastName: "B", BirthDate: passnum.MustDate("2005-01-01"), CommuneINSEE: "25056", JobSeeker: true})
					})
					if err != nil { t.Error(err); return }
					bk, err := w.HandOut(w.dist, ben.ID, w.prog.ID)
					if err != nil { t.Error(err); return }
					for _, p := range bk.Passes[:3] {
						if _, err := w.Redeem(w.place, p.Code); err != nil { t.Error(err); return }
					}
					mu.Lock(); codes = append(codes, bk.Passes[0].Code); mu.Unlock()
					_ = g; _ = i
				}
			}()
		}
		wg.Wait()
		t.Logf("2000 hand-outs, 6000 redemptions: %v", time.Since(start))
		for range 2 {
			start = time.Now()
			mustCheck(t, s)
			t.Logf("Check: %v", time.Since(start))
		}
	})
}
