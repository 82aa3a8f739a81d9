package store

import (
	"context"
	"os"
	"testing"
	"time"

	"passnum"
)

func TestTmpCheckTiming(t *testing.T) {
	for _, u := range []string{"sqlite:/tmp/scale.db", "postgres://postgres@127.0.0.1:5432/passnum_scale_tmp?sslmode=disable"} {
		s, err := Open(context.Background(), u, Options{Migrate: true, Clock: passnum.NewFixedClock(time.Date(2026, 3, 10, 10, 0, 0, 0, passnum.Paris))})
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("POPULATE") != "" {
			ctx := context.Background()
			err = s.Write(ctx, func(tx *Tx) error {
				f, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "R"})
				if err != nil {
					return err
				}
				d, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "D"})
				if err != nil {
					return err
				}
				pl, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "P", SIRET: "73282932000074"})
				if err != nil {
					return err
				}
				if _, err := tx.SetPlaceStatus(ctx, passnum.SystemActor, pl.ID, "labelled", ""); err != nil {
					return err
				}
				p, err := tx.CreateProgramme(ctx, passnum.SystemActor, passnum.Programme{Name: "P", FaceValueCents: 1000, BookletSize: 5,
					ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), GraceDays: 31, MinAge: 16, MaxAge: 25,
					MaxBookletsPerBeneficiary: 1, Funders: []passnum.FunderShare{{OrganisationID: f.ID, ShareBps: 10000}}})
				if err != nil {
					return err
				}
				if _, err := tx.Issue(ctx, passnum.SystemActor, p.ID, 200000); err != nil {
					return err
				}
				if _, err := tx.Allocate(ctx, passnum.SystemActor, p.ID, d.ID, 100000); err != nil {
					return err
				}
				da := passnum.Actor{OrganisationID: d.ID, Role: passnum.RoleDistributor, Kind: "key", ID: "k"}
				pa := passnum.Actor{OrganisationID: pl.ID, Role: passnum.RolePlace, Kind: "key", ID: "k"}
				for i := 0; i < 20000; i++ {
					b, err := tx.CreateBeneficiary(ctx, da, passnum.Beneficiary{FirstName: "A", LastName: "B", BirthDate: passnum.MustDate("2005-01-01"), CommuneINSEE: "25056", JobSeeker: true})
					if err != nil {
						return err
					}
					bk, err := tx.HandOut(ctx, da, b.ID, p.ID)
					if err != nil {
						return err
					}
					for j, ps := range bk.Passes[:3] {
						r, err := tx.Redeem(ctx, pa, RedeemRequest{Code: ps.Code, Service: passnum.NationalServices[0]})
						if err != nil {
							return err
						}
						if j == 0 {
							if _, err := tx.CancelRedemption(ctx, passnum.Actor{Role: passnum.RoleOperator, Kind: "user", ID: "op"}, r.ID, "x"); err != nil {
								return err
							}
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		checks := map[string]func(*Tx, context.Context) (*Violation, error){
			"conservation": (*Tx).checkConservation, "redemptions": (*Tx).checkRedemptions, "stock": (*Tx).checkStock,
			"booklets": (*Tx).checkBooklets, "holdings": (*Tx).checkHoldings, "ledger": (*Tx).checkLedger, "funding": (*Tx).checkFunding, "audit": (*Tx).checkAudit,
		}
		for name, c := range checks {
			start := time.Now()
			err := s.View(context.Background(), func(tx *Tx) error {
				v, err := c(tx, context.Background())
				if v != nil {
					return v
				}
				return err
			})
			t.Logf("%s %s: %v (%v)", s.Engine(), name, time.Since(start), err)
		}
		start := time.Now()
		t.Logf("%s Check: %v in %v", s.Engine(), s.Check(context.Background()), time.Since(start))
		s.Close()
	}
}
