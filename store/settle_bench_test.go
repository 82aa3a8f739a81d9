package store_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// BenchmarkSettle settles a million redemptions across 5,000 places on
// each engine, then streams the settlement's lines and its accounting
// rows, as the SEPA file and the accounting export read them. The sizes
// come from PASSNUM_BENCH_REDEMPTIONS and PASSNUM_BENCH_PLACES. It reports
// the run's time, and the peak resident memory of this process during the
// run and during the streams (VmHWM, reset before each; the PostgreSQL
// server's own memory is not in it). BENCHMARKS.md quotes it:
//
//	go test ./store -run '^$' -bench BenchmarkSettle -benchtime 1x -timeout 30m
func BenchmarkSettle(b *testing.B) {
	redemptions := envInt(b, "PASSNUM_BENCH_REDEMPTIONS", 1_000_000)
	places := envInt(b, "PASSNUM_BENCH_PLACES", 5_000)
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			clock := passnum.NewFixedClock(time.Date(2026, 3, 1, 9, 0, 0, 0, passnum.Paris))
			seeder, u := e.Open(b, clock)
			programmeID := seedSettleBench(b, seeder, clock, redemptions, places)
			clock.Set(time.Date(2026, 4, 3, 10, 0, 0, 0, passnum.Paris))
			ctx := context.Background()
			// Measured as a server would run it: a store opened afresh,
			// without the seeding's caches.
			seeder.Close()
			debug.FreeOSMemory()
			s, err := store.Open(ctx, u, store.Options{Clock: clock})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.Logf("resident memory before the run: %.0f MB", residentMB())
			// One round: a second run would find nothing left to settle.
			for b.Loop() {
				resetPeak(b)
				start := time.Now()
				var st passnum.Settlement
				err := s.WriteExclusive(ctx, func(tx *store.Tx) error {
					var err error
					st, err = tx.Settle(ctx, passnum.SystemActor, programmeID, passnum.MustDate("2026-03-31"))
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				elapsed := time.Since(start)
				peak := peakMB(b)
				var settled int64
				for _, l := range st.Lines {
					settled += l.Count
				}
				if !st.Created || settled != int64(redemptions) || st.LineCount != places {
					b.Fatalf("settled %d redemptions in %d lines, want %d in %d", settled, st.LineCount, redemptions, places)
				}
				b.ReportMetric(elapsed.Seconds(), "settle-s")
				b.ReportMetric(peak, "settle-peak-MB")

				resetPeak(b)
				b.Logf("resident memory before the streams: %.0f MB", residentMB())
				start = time.Now()
				var rows, lines int
				err = s.View(ctx, func(tx *store.Tx) error {
					if err := tx.SettlementLines(ctx, st.ID, "", func(passnum.SettlementLine) error { lines++; return nil }); err != nil {
						return err
					}
					return tx.SettlementAccounting(ctx, st.ID, func(store.AccountingEntry) error { rows++; return nil })
				})
				if err != nil || rows != redemptions || lines != places {
					b.Fatalf("streamed %d lines and %d accounting rows: %v", lines, rows, err)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.Logf("go heap sys %d MB, inuse %d MB, total sys %d MB", ms.HeapSys>>20, ms.HeapInuse>>20, ms.Sys>>20)
				b.ReportMetric(time.Since(start).Seconds(), "stream-s")
				b.ReportMetric(peakMB(b), "stream-peak-MB")
			}
		})
	}
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: a positive number", name, v)
	}
	return n
}

// seedSettleBench writes a programme whose every pass is redeemed, the
// redemptions shared by places with approved bank details.
func seedSettleBench(b *testing.B, s *store.Store, clock *passnum.FixedClock, redemptions, places int) string {
	b.Helper()
	ctx := context.Background()
	op := passnum.SystemActor
	var programmeID, distributorID, beneficiaryID string
	var placeIDs []string
	err := s.Write(ctx, func(tx *store.Tx) error {
		region, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
		if err != nil {
			return err
		}
		state, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "État"})
		if err != nil {
			return err
		}
		p, err := tx.CreateProgramme(ctx, op, passnum.Programme{Name: "Banc d'essai", FaceValueCents: 1000, BookletSize: 5,
			ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), GraceDays: 31, MinAge: 16, MaxAge: 25,
			MaxBookletsPerBeneficiary: 1, Funders: []passnum.FunderShare{{OrganisationID: region.ID, ShareBps: 6000}, {OrganisationID: state.ID, ShareBps: 4000}}})
		if err != nil {
			return err
		}
		programmeID = p.ID
		d, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale"})
		if err != nil {
			return err
		}
		distributorID = d.ID
		ben, err := tx.CreateBeneficiary(ctx, passnum.Actor{OrganisationID: d.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "bench"},
			passnum.Beneficiary{FirstName: "Camille", LastName: "Essai", BirthDate: passnum.MustDate("2005-06-15"), CommuneINSEE: "25056", JobSeeker: true})
		beneficiaryID = ben.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	err = s.WriteExclusive(ctx, func(tx *store.Tx) error {
		for i := range places {
			pl, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Lieu " + strconv.Itoa(i), SIRET: nextSIRET(), CommuneINSEE: "25056"})
			if err != nil {
				return err
			}
			actor := passnum.Actor{OrganisationID: pl.ID, Role: passnum.RolePlace, Kind: "system", ID: "bench"}
			if _, err := tx.ProposeBankAccount(ctx, actor, pl.ID, testAccounts[i%len(testAccounts)]); err != nil {
				return err
			}
			// Labelling approves the details given with the application.
			if _, err := tx.SetPlaceStatus(ctx, op, pl.ID, passnum.OrgLabelled, ""); err != nil {
				return err
			}
			placeIDs = append(placeIDs, pl.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	booklets := int64((redemptions + 4) / 5)
	if err := s.WriteExclusive(ctx, func(tx *store.Tx) error {
		_, err := tx.Issue(ctx, op, programmeID, booklets)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	var n int64
	err = s.WriteExclusive(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.SeedBenchRedemptions(ctx, programmeID, distributorID, beneficiaryID, placeIDs, clock.Now(), 2*time.Second)
		return err
	})
	if err != nil || n != booklets*5 {
		b.Fatalf("seeded %d redemptions: %v", n, err)
	}
	if n != int64(redemptions) {
		b.Fatalf("seeded %d redemptions, asked %d: ask a multiple of 5", n, redemptions)
	}
	runtime.GC()
	return programmeID
}

// resetPeak resets this process's peak resident memory (Linux).
func resetPeak(b *testing.B) {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak memory not reset: %v", err)
	}
}

// peakMB reads this process's peak resident memory since the last reset.
func peakMB(b *testing.B) float64 { return procStatusMB("VmHWM:") }

func residentMB() float64 { return procStatusMB("VmRSS:") }

func procStatusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
