package store_test

import (
	"context"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// BenchmarkIssue measures issuing booklets of 5 passes on SQLite.
func BenchmarkIssue(b *testing.B) {
	ctx := context.Background()
	s, _ := storetest.OpenSQLite(b, passnum.NewFixedClock(storetest.Epoch))
	var pid string
	err := s.Write(ctx, func(tx *store.Tx) error {
		f, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
		if err != nil {
			return err
		}
		p, err := tx.CreateProgramme(ctx, passnum.SystemActor, passnum.Programme{Name: "P", FaceValueCents: 1000, BookletSize: 5,
			ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), GraceDays: 31, MinAge: 16, MaxAge: 25,
			MaxBookletsPerBeneficiary: 1, Funders: []passnum.FunderShare{{OrganisationID: f.ID, ShareBps: 10000}}})
		pid = p.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := s.WriteExclusive(ctx, func(tx *store.Tx) error {
			_, err := tx.Issue(ctx, passnum.SystemActor, pid, passnum.MaxIssuanceBooklets)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*passnum.MaxIssuanceBooklets*5)/b.Elapsed().Seconds(), "passes/s")
}
