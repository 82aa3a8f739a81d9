package store_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

var testLimit = passnum.Limit{Kind: "test.limit", Max: 5, Window: 15 * time.Minute}

func countAttempt(t *testing.T, s *store.Store, l passnum.Limit, key string) (int, error) {
	t.Helper()
	return write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) { return tx.CountAttempt(ctx, l, key) })
}

// An attempt is counted before it is evaluated; over the limit it is
// refused until the window that the key's first attempt opened has passed,
// and a refused attempt does not lengthen the lock.
func TestAttemptCounter(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		for i := 1; i <= testLimit.Max; i++ {
			n, err := countAttempt(t, s, testLimit, "203.0.113.9")
			if err != nil || n != i {
				t.Fatalf("attempt %d: %d, %v", i, n, err)
			}
			clock.Advance(time.Minute)
		}
		_, err := countAttempt(t, s, testLimit, "203.0.113.9")
		e := wantCode(t, err, passnum.ETOOMANYATTEMPTS)
		// The window opened 5 minutes ago: 10 minutes to wait.
		if e.RetryAfter != 10*time.Minute || !strings.Contains(e.Message, "10 minutes") {
			t.Fatalf("refusal %v, retry after %v", e.Message, e.RetryAfter)
		}
		// Another key, and the same key under another kind, are not affected.
		if n, err := countAttempt(t, s, testLimit, "203.0.113.10"); err != nil || n != 1 {
			t.Fatalf("other key: %d, %v", n, err)
		}
		other := passnum.Limit{Kind: "test.other", Max: 1, Window: time.Hour}
		if n, err := countAttempt(t, s, other, "203.0.113.9"); err != nil || n != 1 {
			t.Fatalf("other kind: %d, %v", n, err)
		}
		// Refusals were not counted: giving one attempt back lets one more in.
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.GiveBackAttempt(t.Context(), testLimit, "203.0.113.9") }); err != nil {
			t.Fatal(err)
		}
		if n, err := countAttempt(t, s, testLimit, "203.0.113.9"); err != nil || n != testLimit.Max {
			t.Fatalf("after giving one back: %d, %v", n, err)
		}
		wantCode(t, must2(countAttempt(t, s, testLimit, "203.0.113.9")), passnum.ETOOMANYATTEMPTS)
		// The window passes: a new one starts.
		clock.Advance(10 * time.Minute)
		if n, err := countAttempt(t, s, testLimit, "203.0.113.9"); err != nil || n != 1 {
			t.Fatalf("after the window: %d, %v", n, err)
		}
		// Forgetting clears the key at once.
		for range testLimit.Max - 1 {
			countAttempt(t, s, testLimit, "203.0.113.9")
		}
		wantCode(t, must2(countAttempt(t, s, testLimit, "203.0.113.9")), passnum.ETOOMANYATTEMPTS)
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.ForgetAttempts(t.Context(), testLimit, "203.0.113.9") }); err != nil {
			t.Fatal(err)
		}
		if n, err := countAttempt(t, s, testLimit, "203.0.113.9"); err != nil || n != 1 {
			t.Fatalf("after forgetting: %d, %v", n, err)
		}
		// Keys are stored hashed: no address in the table.
		for _, k := range rawStrings(t, db, `SELECT key_hash FROM attempt_counters`) {
			if strings.Contains(k, "203.0.113") || len(k) != 64 {
				t.Fatalf("stored key %q", k)
			}
		}
	})
}

// Hundreds of attempts at the same moment, from two stores sharing one
// database (two servers): exactly Max are admitted, on both engines.
func TestAttemptCounterConcurrent(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s1, u := e.Open(t, clock)
			s2, err := store.Open(t.Context(), u, store.Options{Clock: clock, MaxConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s2.Close() })
			const attempts = 300
			var admitted, refused atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range attempts {
				s := s1
				if i%2 == 1 {
					s = s2
				}
				wg.Go(func() {
					<-start
					err := s.Write(context.Background(), func(tx *store.Tx) error {
						_, err := tx.CountAttempt(context.Background(), testLimit, "a pass holder")
						return err
					})
					switch passnum.ErrorCode(err) {
					case "":
						admitted.Add(1)
					case passnum.ETOOMANYATTEMPTS:
						refused.Add(1)
					default:
						t.Errorf("attempt: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			if admitted.Load() != int64(testLimit.Max) || refused.Load() != attempts-int64(testLimit.Max) {
				t.Fatalf("%d admitted, %d refused; want %d admitted", admitted.Load(), refused.Load(), testLimit.Max)
			}
		})
	}
}
