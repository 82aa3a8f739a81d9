package store_test

import (
	"context"
	"fmt"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// BenchmarkStatsPeriodByDistributor reads a distributor breakdown over
// seven months of a programme shaped like the national one at 10 M passes:
// 1,000 distributors, two years of months, each distributor and month with
// the counters a seeded month has (booklets handed out, target public,
// started, completed, uses, and 15 first-use buckets: 20 rows), and each
// cell's quarters and all-months rows. The counters are written straight
// into stat_counts, so the benchmark needs no seed. It is the slowest view of "passnum bench stats" at 10 M
// (BENCHMARKS.md):
//
//	go test ./store -run '^$' -bench BenchmarkStatsPeriodByDistributor -benchtime 20x
func BenchmarkStatsPeriodByDistributor(b *testing.B) {
	const distributors, years = 1000, 2
	clock := passnum.NewFixedClock(storetest.Epoch)
	s, u := storetest.OpenSQLite(b, clock)
	ctx := context.Background()
	var prog passnum.Programme
	err := s.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur"})
		if err != nil {
			return err
		}
		op := passnum.Actor{OrganisationID: o.ID, Role: o.Kind, Kind: "user", ID: "gestionnaire"}
		f, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
		if err != nil {
			return err
		}
		prog, err = tx.CreateProgramme(ctx, op, passnum.Programme{
			Name: "Pass numérique national", FaceValueCents: 1000, BookletSize: 5,
			ValidFrom: passnum.MustDate("2025-01-01"), ValidUntil: passnum.MustDate("2026-12-31"),
			GraceDays: passnum.DefaultGraceDays, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 2,
			CancelWindowHours: passnum.DefaultCancelWindowHours, Funders: []passnum.FunderShare{{OrganisationID: f.ID, ShareBps: 10000}},
		})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	db := storetest.RawDB(b, u)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	type key struct {
		value, month, metric string
		bucket               int
	}
	type val struct{ n, amount int64 }
	// A cell's counters are its months', its quarters' ("T2025-3") and its
	// all-months row (""), as the writes keep them.
	rolled := map[key]val{}
	put := func(dim, value, month, metric string, bucket int, n, amount int64) {
		if _, err := ins.Exec(prog.ID, dim, value, month, metric, bucket, n, amount); err != nil {
			b.Fatal(err)
		}
		if dim == "all" {
			return
		}
		var y, m int
		fmt.Sscanf(month, "%d-%d", &y, &m)
		for _, r := range []string{fmt.Sprintf("T%d-%d", y, (m+2)/3), ""} {
			k := key{value, r, metric, bucket}
			v := rolled[k]
			rolled[k] = val{v.n + n, v.amount + amount}
		}
	}
	for y := range years {
		for m := 1; m <= 12; m++ {
			month := fmt.Sprintf("%d-%02d", 2025+y, m)
			put("all", "", month, "handed_out", 0, 83*distributors, 0)
			put("all", "", month, "used", 0, 170*distributors, 1700*distributors*1000)
			for d := range distributors {
				value := fmt.Sprintf("dist-%04d", d)
				for _, c := range []struct {
					metric string
					n      int64
				}{{"handed_out", 83}, {"target", 61}, {"started", 70}, {"completed", 31}} {
					put("distributor", value, month, c.metric, 0, c.n, 0)
				}
				put("distributor", value, month, "used", 0, 170, 170*1000)
				for i, lo := range passnum.FirstUseBuckets {
					put("distributor", value, month, "first_use", lo, int64(1+(d+i)%9), 0)
				}
			}
		}
	}
	for k, v := range rolled {
		if _, err := ins.Exec(prog.ID, "distributor", k.value, k.month, k.metric, k.bucket, v.n, v.amount); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	q := store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2025-06", To: "2025-12"}
	var cells int
	for b.Loop() {
		err := s.View(ctx, func(tx *store.Tx) error {
			st, err := tx.ProgrammeStats(ctx, q)
			cells = len(st.Cells)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if cells != distributors {
		b.Fatalf("%d cells, want %d", cells, distributors)
	}
	// The figures are the seven months' sums, whatever rows they came from.
	err = s.View(ctx, func(tx *store.Tx) error {
		st, err := tx.ProgrammeStats(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range st.Cells {
			if *c.BookletsHandedOut != 7*83 || *c.PassesUsed != 7*170 || *c.BookletsStarted != 7*70 {
				return fmt.Errorf("cell %s: %d handed out, %d used, %d started; want %d, %d, %d",
					c.Key, *c.BookletsHandedOut, *c.PassesUsed, *c.BookletsStarted, 7*83, 7*170, 7*70)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
