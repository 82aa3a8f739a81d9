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

// TestRaceRedeemGroupedOrKeyed: without an Idempotency-Key, concurrent
// redemptions are redeemed together by the store (group redemption);
// with one, each runs in the write that records its key, and a retry gets
// the first answer.
func TestRaceRedeemGroupedOrKeyed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		prog := e.programme(4, 4)
		var codes []string
		for range 4 {
			_, c := e.handOut(prog)
			codes = append(codes, c...)
		}
		b0, _ := e.s.RedeemBatchStats()
		counts := race(10, func(i int) response {
			return e.do("POST", "/passes/"+codes[i]+"/redeem", e.place, map[string]any{"service": service})
		})
		if counts["ok"] != 10 {
			t.Fatalf("answers: %v", counts)
		}
		b1, n1 := e.s.RedeemBatchStats()
		if b1 == b0 {
			t.Fatal("no group redemption without an Idempotency-Key")
		}
		keyed := codes[10:]
		bodies := make([]string, len(keyed))
		counts = race(len(keyed), func(i int) response {
			r := e.do("POST", "/passes/"+keyed[i]+"/redeem", e.place, map[string]any{"service": service}, "Idempotency-Key", "k-"+keyed[i])
			bodies[i] = string(r.Raw)
			return r
		})
		if counts["ok"] != len(keyed) {
			t.Fatalf("keyed answers: %v", counts)
		}
		if b2, n2 := e.s.RedeemBatchStats(); b2 != b1 || n2 != n1 {
			t.Fatalf("keyed redemptions went through the group: %d batches, %d redemptions", b2-b1, n2-n1)
		}
		for i, code := range keyed {
			r := e.do("POST", "/passes/"+code+"/redeem", e.place, map[string]any{"service": service}, "Idempotency-Key", "k-"+code)
			if r.Status != 201 || string(r.Raw) != bodies[i] {
				t.Fatalf("replay of %s: %d %s, first %s", code, r.Status, r.Raw, bodies[i])
			}
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
			bens[i] = e.mustCreate("/beneficiaries", e.distributor, e.person())["id"].(string)
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
