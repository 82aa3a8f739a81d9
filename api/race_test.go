package api_test

import (
	"sync"
	"testing"

	"passnum"
)

// race runs n calls at once and counts answers by status and code.
func race(n int, call func(i int) response) map[string]int {
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := call(i)
			key := r.code()
			if r.Status < 300 {
				key = "ok"
			}
			mu.Lock()
			counts[key]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

func TestRaceRedeemSamePass(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(1, 1)
		_, codes := e.handOut(prog)
		counts := race(100, func(int) response {
			return e.do("POST", "/passes/"+codes[0]+"/redeem", e.place, map[string]any{"service": service})
		})
		if counts["ok"] != 1 || counts[passnum.EALREADYREDEEMED] != 99 {
			t.Fatalf("answers: %v", counts)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRaceAllocateLastBooklet(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(3, 2) // one booklet left unallocated
		counts := race(100, func(int) response {
			return e.do("POST", "/programmes/"+prog+"/allocations", e.operator, map[string]any{"distributor_id": e.distributorID, "booklets": 1})
		})
		if counts["ok"] != 1 || counts[passnum.EINSUFFICIENTSTOCK] != 99 {
			t.Fatalf("answers: %v", counts)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRaceHandOutLastBooklet(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(1, 1)
		bens := make([]string, 100)
		for i := range bens {
			bens[i] = e.mustCreate("/beneficiaries", e.distributor, eligible)["id"].(string)
		}
		counts := race(100, func(i int) response {
			return e.do("POST", "/beneficiaries/"+bens[i]+"/booklets", e.distributor, map[string]any{"programme_id": prog})
		})
		if counts["ok"] != 1 || counts[passnum.EINSUFFICIENTSTOCK] != 99 {
			t.Fatalf("answers: %v", counts)
		}
		if err := e.s.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}
