package store_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// TestDeferredIndexesComeBack: DeferIndexes drops the bulk-loaded tables'
// non-unique secondary indexes but the one the bulk path reads, the
// store still answers without them, and they come back identical, by
// RestoreIndexes or, when a load stopped before it, by the next opening
// that migrates; an opening that does not migrate refuses the database.
func TestDeferredIndexesComeBack(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, u := e.Open(t, clock)
			db := storetest.RawDB(t, u)
			all := storetest.IndexDefinitions(t, db, u)

			n, err := s.DeferIndexes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			left := storetest.IndexDefinitions(t, db, u)
			var dropped []string
			for _, d := range all {
				if !slices.Contains(left, d) {
					dropped = append(dropped, d)
				}
			}
			if n == 0 || len(dropped) != n || len(left)+n != len(all) {
				t.Fatalf("DeferIndexes said %d, %d of %d indexes dropped: %v", n, len(dropped), len(all), dropped)
			}
			for _, name := range []string{"audit_action", "beneficiaries_identity_key", "redemptions_place", "booklets_dormant"} {
				if !slices.ContainsFunc(dropped, func(d string) bool { return strings.HasPrefix(d, name+":") }) {
					t.Errorf("%s not deferred", name)
				}
			}
			for _, d := range dropped {
				if strings.Contains(strings.ToUpper(d), "UNIQUE") || strings.HasPrefix(d, "booklets_stock:") {
					t.Errorf("deferred %s: a unique index, or one the bulk load reads", d)
				}
			}

			// Without them, the store works, only slower.
			f := newFixture(t, s, clock)
			prog := f.MustProgramme()
			f.MustIssue(prog.ID, 2)
			dist := f.MustDistributor("Mission locale")
			f.MustAllocate(prog.ID, dist.OrganisationID, 2)
			ben := f.MustBeneficiary(dist)
			f.MustHandOut(dist, ben.ID, prog.ID)

			if err := s.RestoreIndexes(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if got := storetest.IndexDefinitions(t, db, u); !slices.Equal(got, all) {
				t.Fatalf("after RestoreIndexes:\n%v\nwant\n%v", got, all)
			}
			mustCheck(t, s)

			// A load that stops before RestoreIndexes.
			if _, err := s.DeferIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, err := store.Open(ctx, u, store.Options{Clock: clock}); err == nil || !strings.Contains(err.Error(), "passnum migrate") {
				t.Fatalf("opening without migrating a database with deferred indexes: %v", err)
			}
			// Two processes opening it at once: one builds each index, the
			// other finds it built.
			opened := make([]*store.Store, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for k := range opened {
				wg.Go(func() { opened[k], errs[k] = store.Open(ctx, u, store.Options{Clock: clock, Migrate: true}) })
			}
			wg.Wait()
			for k := range opened {
				if errs[k] != nil {
					t.Fatalf("opening %d: %v", k, errs[k])
				}
				defer opened[k].Close()
			}
			s2 := opened[0]
			if got := storetest.IndexDefinitions(t, db, u); !slices.Equal(got, all) {
				t.Fatalf("after reopening:\n%v\nwant\n%v", got, all)
			}
			mustCheck(t, s2)
		})
	}
}
