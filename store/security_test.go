package store_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// A refused application's SIRET is taken by the next application; so is
// a withdrawn place's, and an operator-registered place's never applied for
// within 30 days; a pending or labelled place keeps it. The operator may
// free a SIRET, audited, and relabelling a place takes it back if free.
func TestSIRETRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		siret := nextSIRET()
		squatter := mustApply(t, s, newApplication(siret))
		// Pending: the real organisation is refused.
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.ApplicationReceipt, error) {
			return tx.ApplyForLabel(ctx, newApplication(siret))
		})
		wantCode(t, err, passnum.ECONFLICT)
		// Refused: the next application takes the SIRET.
		f.MustSetPlaceStatus(squatter.Organisation.ID, passnum.OrgRefused, "candidature sans lien avec la structure")
		real := mustApply(t, s, newApplication(siret))
		old := placeFile(t, s, squatter.Organisation.ID, false)
		if old.SIRET != siret || old.SIRETReleasedAt == nil || placeFile(t, s, real.Organisation.ID, false).SIRET != siret {
			t.Fatalf("after the new application: old %+v", old)
		}
		a := f.audit2("organisation", squatter.Organisation.ID)
		if len(a) == 0 || a[0].Action != "place.siret_release" {
			t.Fatalf("audit %+v", a)
		}
		// The refused place cannot be labelled on that SIRET any more.
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
			return tx.SetPlaceStatus(ctx, f.op, squatter.Organisation.ID, passnum.OrgLabelled, "")
		})
		wantCode(t, err, passnum.ECONFLICT)

		// Labelled: kept.
		f.MustSetPlaceStatus(real.Organisation.ID, passnum.OrgLabelled, "")
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (store.ApplicationReceipt, error) {
			return tx.ApplyForLabel(ctx, newApplication(siret))
		})
		wantCode(t, err, passnum.ECONFLICT)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.PlaceApplication, error) {
			return tx.ReleaseSIRET(ctx, f.op, real.Organisation.ID, "essai")
		})
		wantCode(t, err, passnum.ECONFLICT)
		// Withdrawn: taken by the next application.
		f.MustSetPlaceStatus(real.Organisation.ID, passnum.OrgWithdrawn, "charte non respectée")
		again := mustApply(t, s, newApplication(siret))
		if placeFile(t, s, real.Organisation.ID, false).SIRETReleasedAt == nil || placeFile(t, s, again.Organisation.ID, false).SIRET != siret {
			t.Fatal("a withdrawn place kept its SIRET")
		}

		// The operator frees a pending application's SIRET, with a reason.
		other := nextSIRET()
		pending := mustApply(t, s, newApplication(other))
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.PlaceApplication, error) {
			return tx.ReleaseSIRET(ctx, f.op, pending.Organisation.ID, " ")
		})
		wantCode(t, err, passnum.EINVALID)
		got, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.PlaceApplication, error) {
			return tx.ReleaseSIRET(ctx, f.op, pending.Organisation.ID, "SIRET d'une autre structure")
		})
		if err != nil || got.SIRETReleasedAt == nil || got.SIRET != other {
			t.Fatalf("release: %+v %v", got, err)
		}
		if a := f.audit2("organisation", pending.Organisation.ID); a[0].Action != "place.siret_release" || a[0].Reason != "SIRET d'une autre structure" {
			t.Fatalf("audit %+v", a)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.PlaceApplication, error) {
			return tx.ReleaseSIRET(ctx, f.op, pending.Organisation.ID, "encore")
		})
		wantCode(t, err, passnum.ECONFLICT)
		// Nobody took it: labelling the place takes it back.
		f.MustSetPlaceStatus(pending.Organisation.ID, passnum.OrgLabelled, "")
		if a := placeFile(t, s, pending.Organisation.ID, false); a.SIRET != other || a.SIRETReleasedAt != nil {
			t.Fatalf("relabelled: %+v", a)
		}

		// A place the operator registered, never applied for: its SIRET is
		// held 30 days.
		idle := nextSIRET()
		registered := f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Lieu inscrit", SIRET: idle, CommuneINSEE: "25056"})
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (store.ApplicationReceipt, error) {
			return tx.ApplyForLabel(ctx, newApplication(idle))
		})
		wantCode(t, err, passnum.ECONFLICT)
		clock.Advance(passnum.UnsubmittedHold + time.Hour)
		mustApply(t, s, newApplication(idle))
		if placeFile(t, s, registered.ID, false).SIRETReleasedAt == nil {
			t.Fatal("an abandoned registration kept its SIRET")
		}
		mustCheck(t, s)
	})
}

func (f *fixture) audit2(objectType, id string) []passnum.AuditEntry {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
		out, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: objectType, ObjectID: id})
		return out, err
	})
}

// A second-factor time step is accepted once per person, even when many
// requests carry it at the same moment; a recovery code serves once.
func TestSecondFactorCodesServeOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		agency := f.MustDistributor("Mission locale")
		u, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.CreateUser(ctx, f.op, passnum.NewUser{OrganisationID: agency.OrganisationID, Email: "claire@exemple.fr", Name: "Claire"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(t.Context(), func(tx *store.Tx) error {
			return tx.SetTOTPSecret(t.Context(), u.Actor(), u.ID, "JBSWY3DPEHPK3PXP", true)
		}); err != nil {
			t.Fatal(err)
		}
		step := clock.Now().Unix() / 30
		var ok, replayed atomic.Int64
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				err := s.Write(context.Background(), func(tx *store.Tx) error { return tx.UseTOTPStep(context.Background(), u.ID, step) })
				switch passnum.ErrorCode(err) {
				case "":
					ok.Add(1)
				case passnum.EUNAUTHENTICATED:
					replayed.Add(1)
				default:
					t.Errorf("use step: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || replayed.Load() != 49 {
			t.Fatalf("%d accepted, %d refused; want 1", ok.Load(), replayed.Load())
		}
		// An earlier step is refused too; a later one passes.
		wantCode(t, s.Write(t.Context(), func(tx *store.Tx) error { return tx.UseTOTPStep(t.Context(), u.ID, step-1) }), passnum.EUNAUTHENTICATED)
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.UseTOTPStep(t.Context(), u.ID, step+1) }); err != nil {
			t.Fatal(err)
		}

		codes := passnum.NewRecoveryCodes()
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.ReplaceRecoveryCodes(t.Context(), u.Actor(), u.ID, codes) }); err != nil {
			t.Fatal(err)
		}
		use := func(code string) (int, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) { return tx.UseRecoveryCode(ctx, u.ID, code) })
		}
		// Typed loosely: lower case, spaces.
		left, err := use(" " + strings.ToLower(strings.ReplaceAll(codes[3], "-", " ")))
		if err != nil || left != 9 {
			t.Fatalf("first use: %d, %v", left, err)
		}
		wantCode(t, must2(use(codes[3])), passnum.EUNAUTHENTICATED)
		wantCode(t, must2(use("AAAA-BBBB-CCCC-DDDD")), passnum.EUNAUTHENTICATED)
		// New codes replace the old ones; turning the factor off drops them.
		if err := s.Write(t.Context(), func(tx *store.Tx) error {
			return tx.ReplaceRecoveryCodes(t.Context(), u.Actor(), u.ID, passnum.NewRecoveryCodes())
		}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, must2(use(codes[4])), passnum.EUNAUTHENTICATED)
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.SetTOTPSecret(t.Context(), u.Actor(), u.ID, "", false) }); err != nil {
			t.Fatal(err)
		}
		if n := view(t, s, func(ctx context.Context, tx *store.Tx) (int, error) { return tx.RecoveryCodesLeft(ctx, u.ID) }); n != 0 {
			t.Fatalf("%d recovery codes left after turning the factor off", n)
		}
	})
}

// Only a labelled place's catalogue is public; a place may prepare its
// own before.
func TestPublicCatalogueOnlyLabelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		org := f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu", SIRET: nextSIRET(), CommuneINSEE: "25056"})
		place := actorOf(org)
		tr, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Training, error) {
			return tx.CreateTraining(ctx, place, passnum.Training{Title: "Premiers pas", Service: "Maîtrise des outils numériques du quotidien", DurationMinutes: 60})
		})
		if err != nil {
			t.Fatal(err)
		}
		publicView := func() error {
			return s.View(t.Context(), func(tx *store.Tx) error {
				if _, err := tx.PublicTraining(t.Context(), tr.ID); err != nil {
					return err
				}
				if _, _, err := tx.ListPublicSessions(t.Context(), tr.ID, store.SessionWindow{}, store.Page{}); err != nil {
					return err
				}
				_, _, err := tx.ListPublicTrainings(t.Context(), org.ID, store.Page{})
				return err
			})
		}
		wantCode(t, publicView(), passnum.ENOTFOUND)
		// Its own catalogue, it sees.
		own := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Training, error) {
			out, _, err := tx.ListTrainings(ctx, org.ID, true, store.Page{})
			return out, err
		})
		if len(own) != 1 {
			t.Fatalf("own catalogue: %v", own)
		}
		f.MustSetPlaceStatus(org.ID, passnum.OrgLabelled, "")
		if err := publicView(); err != nil {
			t.Fatal(err)
		}
		f.MustSetPlaceStatus(org.ID, passnum.OrgSuspended, "contrôle")
		wantCode(t, publicView(), passnum.ENOTFOUND)
	})
}
