package store_test

import (
	"context"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func TestSmoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		key, err := s.CreateOperatorKey(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Authenticate(ctx, key)
		if err != nil || a.Role != passnum.RoleOperator {
			t.Fatal(a, err)
		}
	})
}
