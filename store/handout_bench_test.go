package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// BenchmarkHandOutOneAgency: 16 counsellors of one agency hand out at
// once, each to their own young people, on each engine. They share the
// agency's stock row, which a hand-out locks on PostgreSQL until it
// commits. Each iteration hands out 400 booklets (set up before the timer
// starts) and reports hand-outs a second. BENCHMARKS.md quotes it:
//
//	go test ./store -run '^$' -bench BenchmarkHandOutOneAgency -benchtime 5x
func BenchmarkHandOutOneAgency(b *testing.B) {
	const counsellors, perIteration = 16, 400
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, _ := e.Open(b, clock)
			ctx := context.Background()
			var op, dist passnum.Actor
			var prog passnum.Programme
			err := s.Write(ctx, func(tx *store.Tx) error {
				o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur"})
				if err != nil {
					return err
				}
				op = passnum.Actor{OrganisationID: o.ID, Role: o.Kind, Kind: "user", ID: "gestionnaire"}
				f, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
				if err != nil {
					return err
				}
				d, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale", CommuneINSEE: "25056"})
				if err != nil {
					return err
				}
				dist = passnum.Actor{OrganisationID: d.ID, Role: d.Kind, Kind: "key", ID: "key-" + d.ID}
				prog, err = tx.CreateProgramme(ctx, op, passnum.Programme{
					Name: "Pass numérique 2026", FaceValueCents: 1000, BookletSize: 5,
					ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"),
					GraceDays: passnum.DefaultGraceDays, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 2,
					CancelWindowHours: passnum.DefaultCancelWindowHours, Funders: []passnum.FunderShare{{OrganisationID: f.ID, ShareBps: 10000}},
				})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			registered := 0
			for b.Loop() {
				b.StopTimer()
				var bens []string
				err := s.Write(ctx, func(tx *store.Tx) error {
					if _, err := tx.Issue(ctx, op, prog.ID, perIteration); err != nil {
						return err
					}
					if _, err := tx.Allocate(ctx, op, prog.ID, dist.OrganisationID, perIteration); err != nil {
						return err
					}
					for range perIteration {
						registered++
						ben, err := tx.CreateBeneficiary(ctx, dist, passnum.Beneficiary{FirstName: "Léa", LastName: fmt.Sprintf("Martin %d", registered),
							BirthDate: passnum.MustDate("2005-06-15"), CommuneINSEE: "25056", JobSeeker: true})
						if err != nil {
							return err
						}
						bens = append(bens, ben.ID)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				errs := make(chan error, counsellors)
				for c := range counsellors {
					wg.Go(func() {
						for i := c; i < len(bens); i += counsellors {
							err := s.Write(ctx, func(tx *store.Tx) error {
								_, err := tx.HandOut(ctx, dist, bens[i], prog.ID)
								return err
							})
							if err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(perIteration/time.Since(start).Seconds(), "hand-outs/s")
			}
		})
	}
}
