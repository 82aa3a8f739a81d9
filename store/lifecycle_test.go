package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"

	"modernc.org/sqlite"
)

// The conformance suite: every test runs on SQLite and on PostgreSQL.

// at reads a Paris wall-clock time, "2006-01-02 15:04:05".
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, passnum.Paris)
	if err != nil {
		panic(err)
	}
	return t
}

var siretSeq atomic.Int64

// nextSIRET returns a fresh SIRET with a valid Luhn key.
func nextSIRET() string {
	body := fmt.Sprintf("%013d", 1_000_000_000_000+siretSeq.Add(1))
	for key := byte('0'); key <= '9'; key++ {
		if s := body + string(key); passnum.ValidSIRET(s) {
			return s
		}
	}
	panic("no Luhn key for " + body)
}

// write runs fn in one Write and returns its result.
func write[T any](t *testing.T, s *store.Store, fn func(ctx context.Context, tx *store.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	ctx := t.Context()
	err := s.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(ctx, tx)
		return err
	})
	return out, err
}

// view runs fn in one View and returns its result.
func view[T any](t *testing.T, s *store.Store, fn func(ctx context.Context, tx *store.Tx) (T, error)) T {
	t.Helper()
	var out T
	ctx := t.Context()
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(ctx, tx)
		return err
	})
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	return out
}

// wantCode fails unless err is a domain error with code.
func wantCode(t *testing.T, err error, code string) *passnum.Error {
	t.Helper()
	if got := passnum.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	var e *passnum.Error
	errors.As(err, &e)
	return e
}

func mustCheck(t *testing.T, s *store.Store) {
	t.Helper()
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func actorOf(o passnum.Organisation) passnum.Actor {
	return passnum.Actor{OrganisationID: o.ID, Role: o.Kind, Kind: "key", ID: "key-" + o.ID}
}

// fixture builds data through the store's own methods.
type fixture struct {
	t     *testing.T
	s     *store.Store
	clock *passnum.FixedClock
	op    passnum.Actor
	// registered counts the young people registered by MustBeneficiary.
	registered int
}

func newFixture(t *testing.T, s *store.Store, clock *passnum.FixedClock) *fixture {
	t.Helper()
	f := &fixture{t: t, s: s, clock: clock}
	op, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
		return tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur régional"})
	})
	if err != nil {
		t.Fatalf("create operator: %v", err)
	}
	f.op = actorOf(op)
	f.op.Kind, f.op.ID = "user", "gestionnaire"
	return f
}

func (f *fixture) MustOrganisation(n passnum.NewOrganisation) passnum.Organisation {
	f.t.Helper()
	o, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
		return tx.CreateOrganisation(ctx, f.op, n)
	})
	if err != nil {
		f.t.Fatalf("create %s %q: %v", n.Kind, n.Name, err)
	}
	return o
}

func (f *fixture) MustFunder(name string) passnum.Organisation {
	f.t.Helper()
	return f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: name})
}

func (f *fixture) MustDistributor(name string) passnum.Actor {
	f.t.Helper()
	return actorOf(f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: name, CommuneINSEE: "25056"}))
}

// MustPlace creates a place and labels it.
func (f *fixture) MustPlace(name string) passnum.Actor {
	f.t.Helper()
	o := f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: name, SIRET: nextSIRET(), CommuneINSEE: "21231"})
	f.MustSetPlaceStatus(o.ID, passnum.OrgLabelled, "")
	return actorOf(o)
}

func (f *fixture) MustSetPlaceStatus(id string, status passnum.OrgStatus, reason string) {
	f.t.Helper()
	if _, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
		return tx.SetPlaceStatus(ctx, f.op, id, status, reason)
	}); err != nil {
		f.t.Fatalf("set place %s %s: %v", id, status, err)
	}
}

// baseProgramme is the usual test programme: 2026, 5 passes of 10 € a
// booklet, 31 days of grace, 16-25 years, two funders at 60/40.
func (f *fixture) baseProgramme(funders ...passnum.FunderShare) passnum.Programme {
	f.t.Helper()
	if len(funders) == 0 {
		funders = []passnum.FunderShare{
			{OrganisationID: f.MustFunder("Région Bourgogne-Franche-Comté").ID, ShareBps: 6000},
			{OrganisationID: f.MustFunder("État").ID, ShareBps: 4000},
		}
	}
	return passnum.Programme{
		Name: "Pass numérique 2026", FaceValueCents: 1000, BookletSize: 5,
		ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"),
		GraceDays: passnum.DefaultGraceDays, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 2,
		CancelWindowHours: passnum.DefaultCancelWindowHours, Funders: funders,
	}
}

func (f *fixture) MustProgramme(edit ...func(*passnum.Programme)) passnum.Programme {
	f.t.Helper()
	p := f.baseProgramme()
	for _, e := range edit {
		e(&p)
	}
	p, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
		return tx.CreateProgramme(ctx, f.op, p)
	})
	if err != nil {
		f.t.Fatalf("create programme: %v", err)
	}
	return p
}

func (f *fixture) MustIssue(programmeID string, booklets int64) {
	f.t.Helper()
	if _, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Issuance, error) {
		return tx.Issue(ctx, f.op, programmeID, booklets)
	}); err != nil {
		f.t.Fatalf("issue %d booklets: %v", booklets, err)
	}
}

func (f *fixture) MustAllocate(programmeID, distributorID string, booklets int64) passnum.Allocation {
	f.t.Helper()
	a, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Allocation, error) {
		return tx.Allocate(ctx, f.op, programmeID, distributorID, booklets)
	})
	if err != nil {
		f.t.Fatalf("allocate %d booklets: %v", booklets, err)
	}
	return a
}

// MustBeneficiary registers an eligible young person (20 years old at
// Epoch) unless edit says otherwise.
func (f *fixture) MustBeneficiary(dist passnum.Actor, edit ...func(*passnum.Beneficiary)) passnum.Beneficiary {
	f.t.Helper()
	b := passnum.Beneficiary{FirstName: "Léa", LastName: "Martin", BirthDate: passnum.MustDate("2005-06-15"), CommuneINSEE: "25056", JobSeeker: true}
	// One person is registered once per agency: each default young person
	// after the first is another Léa Martin, born the same day.
	if f.registered > 0 {
		b.LastName = fmt.Sprintf("Martin %d", f.registered)
	}
	f.registered++
	for _, e := range edit {
		e(&b)
	}
	b, err := write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
		return tx.CreateBeneficiary(ctx, dist, b)
	})
	if err != nil {
		f.t.Fatalf("register beneficiary: %v", err)
	}
	return b
}

func (f *fixture) HandOut(dist passnum.Actor, beneficiaryID, programmeID string) (passnum.Booklet, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.HandOut(ctx, dist, beneficiaryID, programmeID)
	})
}

func (f *fixture) MustHandOut(dist passnum.Actor, beneficiaryID, programmeID string) passnum.Booklet {
	f.t.Helper()
	bk, err := f.HandOut(dist, beneficiaryID, programmeID)
	if err != nil {
		f.t.Fatalf("hand out: %v", err)
	}
	return bk
}

func (f *fixture) Redeem(place passnum.Actor, code string) (passnum.Redemption, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
		return tx.Redeem(ctx, place, store.RedeemRequest{Code: code, Service: "Maîtrise des outils numériques du quotidien"})
	})
}

func (f *fixture) MustRedeem(place passnum.Actor, code string) passnum.Redemption {
	f.t.Helper()
	r, err := f.Redeem(place, code)
	if err != nil {
		f.t.Fatalf("redeem %s: %v", passnum.MaskPassCode(code), err)
	}
	return r
}

func (f *fixture) Cancel(actor passnum.Actor, id, reason string) (passnum.Redemption, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
		return tx.CancelRedemption(ctx, actor, id, reason)
	})
}

func (f *fixture) Programme(id string) passnum.Programme {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) { return tx.Programme(ctx, id) })
}

func (f *fixture) Stock(programmeID, distributorID string) store.DistributorStock {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) (store.DistributorStock, error) {
		return tx.Stock(ctx, programmeID, distributorID)
	})
}

func (f *fixture) Pass(code string) passnum.Pass {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Pass, error) { return tx.Pass(ctx, code) })
}

// world is a programme in use: a distributor with stock, a labelled place
// and an eligible beneficiary.
type world struct {
	*fixture
	prog  passnum.Programme
	dist  passnum.Actor
	place passnum.Actor
	ben   passnum.Beneficiary
}

func newWorld(t *testing.T, s *store.Store, clock *passnum.FixedClock, edit ...func(*passnum.Programme)) *world {
	t.Helper()
	f := newFixture(t, s, clock)
	w := &world{fixture: f}
	w.prog = f.MustProgramme(edit...)
	f.MustIssue(w.prog.ID, 10)
	w.dist = f.MustDistributor("Mission locale du Grand Besançon")
	f.MustAllocate(w.prog.ID, w.dist.OrganisationID, 6)
	w.place = f.MustPlace("Médiathèque Pierre-Bayle")
	w.ben = f.MustBeneficiary(w.dist)
	return w
}

// eachWithDB is storetest.Each for tests that also reach the database
// behind the store's back, through a second connection of their own.
func eachWithDB(t *testing.T, fn func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB)) {
	t.Helper()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			s, u := e.Open(t, clock)
			fn(t, s, clock, openRaw(t, u))
		})
	}
}

// openRaw opens a plain database/sql connection to a store's database.
func openRaw(t *testing.T, u string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", u
	if path, ok := strings.CutPrefix(u, "sqlite:"); ok {
		driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rawStrings runs a query without parameters and returns its first column.
func rawStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	return storetest.Strings(t, db, query)
}

func rawExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	res, err := db.ExecContext(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s: no row changed", query)
	}
}

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		region := f.MustFunder("Région Bourgogne-Franche-Comté")
		state := f.MustFunder("État")
		dist := f.MustDistributor("Mission locale du Grand Besançon")
		placeOrg := f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Médiathèque Pierre-Bayle", SIRET: "73282932000074", CommuneINSEE: "25056"})
		if placeOrg.Status != passnum.OrgPending {
			t.Fatalf("new place status %q, want pending", placeOrg.Status)
		}
		f.MustSetPlaceStatus(placeOrg.ID, passnum.OrgLabelled, "")
		place := actorOf(placeOrg)
		prog := f.MustProgramme(func(p *passnum.Programme) {
			p.Funders = []passnum.FunderShare{{OrganisationID: region.ID, ShareBps: 6000}, {OrganisationID: state.ID, ShareBps: 4000}}
		})
		mustCheck(t, s)

		f.MustIssue(prog.ID, 10)
		got := f.Programme(prog.ID)
		if st := got.Stock; st.IssuedBooklets != 10 || st.UnallocatedBooklets != 10 || st.HandedOutBooklets != 0 || st.RedeemedPasses != 0 {
			t.Fatalf("after issue: stock %+v", *st)
		}
		if len(got.Funders) != 2 {
			t.Fatalf("funders %+v", got.Funders)
		}
		mustCheck(t, s)

		alloc := f.MustAllocate(prog.ID, dist.OrganisationID, 4)
		if alloc.ID == "" || alloc.Booklets != 4 {
			t.Fatalf("allocation %+v", alloc)
		}
		if st := f.Stock(prog.ID, dist.OrganisationID); st.AllocatedBooklets != 4 || st.AvailableBooklets != 4 {
			t.Fatalf("distributor stock %+v", st)
		}
		if st := f.Programme(prog.ID).Stock; st.UnallocatedBooklets != 6 {
			t.Fatalf("after allocation: stock %+v", *st)
		}
		allocs := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Allocation, error) {
			a, _, err := tx.ListAllocations(ctx, prog.ID, dist.OrganisationID, store.Page{})
			return a, err
		})
		if len(allocs) != 1 || allocs[0].ID != alloc.ID {
			t.Fatalf("allocations %+v", allocs)
		}
		mustCheck(t, s)

		ben := f.MustBeneficiary(dist)
		bk := f.MustHandOut(dist, ben.ID, prog.ID)
		if bk.Status != passnum.BookletHandedOut || bk.BeneficiaryID != ben.ID || bk.DistributorID != dist.OrganisationID || len(bk.Passes) != 5 {
			t.Fatalf("handed-out booklet %+v", bk)
		}
		for _, ps := range bk.Passes {
			if ps.Status != passnum.PassAssigned || ps.FaceValueCents != 1000 || ps.ValidUntil != prog.ValidUntil {
				t.Fatalf("handed-out pass %+v", ps)
			}
			if _, err := passnum.ParsePassCode(ps.Code); err != nil {
				t.Fatalf("pass code %q: %v", ps.Code, err)
			}
		}
		if st := f.Stock(prog.ID, dist.OrganisationID); st.AvailableBooklets != 3 {
			t.Fatalf("after hand-out: distributor stock %+v", st)
		}
		if st := f.Programme(prog.ID).Stock; st.HandedOutBooklets != 1 {
			t.Fatalf("after hand-out: stock %+v", *st)
		}
		held := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Booklet, error) {
			return tx.BeneficiaryBooklets(ctx, ben.ID)
		})
		if len(held) != 1 || held[0].ID != bk.ID {
			t.Fatalf("beneficiary booklets %+v", held)
		}
		mustCheck(t, s)

		code := bk.Passes[0].Code
		ps := f.Pass(code)
		if ps.Status != passnum.PassAssigned || ps.Beneficiary == nil || ps.Beneficiary.FirstName != "Léa" || ps.Beneficiary.BirthYear != 2005 {
			t.Fatalf("pass before redemption %+v", ps)
		}

		red := f.MustRedeem(place, code)
		if red.Status != passnum.RedemptionActive || red.AmountCents != 1000 || red.PlaceID != place.OrganisationID || red.ProgrammeID != prog.ID || !red.RedeemedAt.Equal(storetest.Epoch) {
			t.Fatalf("redemption %+v", red)
		}
		ps = f.Pass(code)
		if ps.Status != passnum.PassRedeemed || ps.LastRedemption == nil || ps.LastRedemption.RedemptionID != red.ID || ps.LastRedemption.PlaceName != "Médiathèque Pierre-Bayle" {
			t.Fatalf("pass after redemption %+v", ps)
		}
		if st := f.Programme(prog.ID).Stock; st.RedeemedPasses != 1 {
			t.Fatalf("after redemption: stock %+v", *st)
		}
		// What each funder owes for this pass.
		shares := []int64{got.Funders[0].ShareBps, got.Funders[1].ShareBps}
		if parts := passnum.Apportion(red.AmountCents, shares); parts[0]+parts[1] != 1000 {
			t.Fatalf("apportioned %v", parts)
		}
		mustCheck(t, s)

		clock.Advance(2 * time.Hour)
		cancelled, err := f.Cancel(place, red.ID, "pass scanné par erreur")
		if err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if cancelled.Status != passnum.RedemptionCancelled || cancelled.CancelledAt == nil || cancelled.CancelReason != "pass scanné par erreur" {
			t.Fatalf("cancelled %+v", cancelled)
		}
		if ps := f.Pass(code); ps.Status != passnum.PassAssigned || ps.LastRedemption != nil {
			t.Fatalf("pass after cancellation %+v", ps)
		}
		if st := f.Programme(prog.ID).Stock; st.RedeemedPasses != 0 {
			t.Fatalf("after cancellation: stock %+v", *st)
		}
		mustCheck(t, s)

		clock.Advance(time.Hour)
		again := f.MustRedeem(place, code)
		if again.ID == red.ID || again.Status != passnum.RedemptionActive {
			t.Fatalf("second redemption %+v", again)
		}
		list := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Redemption, error) {
			l, _, err := tx.ListRedemptions(ctx, place.OrganisationID, store.Page{})
			return l, err
		})
		if len(list) != 2 || list[0].ID != again.ID || list[1].ID != red.ID || list[1].Status != passnum.RedemptionCancelled {
			t.Fatalf("redemptions %+v", list)
		}
		audit := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "redemption", ObjectID: red.ID})
			return l, err
		})
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"redemption.cancel", "pass.redeem"}) {
			t.Fatalf("audit of the cancelled redemption: %v", actions)
		}
		mustCheck(t, s)
	})
}

func TestKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := t.Context()
		secret, err := s.CreateOperatorKey(ctx, "premier accès")
		if err != nil {
			t.Fatal(err)
		}
		op, err := s.Authenticate(ctx, secret)
		if err != nil || op.Role != passnum.RoleOperator || op.Kind != "key" || op.OrganisationID == "" {
			t.Fatalf("operator key: %+v, %v", op, err)
		}
		// A second key joins the same operator organisation.
		again, err := s.CreateOperatorKey(ctx, "second accès")
		if err != nil || again == secret {
			t.Fatalf("second key %q, %v", again, err)
		}
		if op2, err := s.Authenticate(ctx, again); err != nil || op2.OrganisationID != op.OrganisationID || op2.ID == op.ID {
			t.Fatalf("second operator key: %+v, %v", op2, err)
		}

		f := newFixture(t, s, clock)
		place := f.MustPlace("Médiathèque")
		type created struct {
			key    passnum.APIKey
			secret string
		}
		k, err := write(t, s, func(ctx context.Context, tx *store.Tx) (created, error) {
			key, secret, err := tx.CreateKey(ctx, op, place.OrganisationID, "poste d'accueil")
			return created{key, secret}, err
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Authenticate(ctx, k.secret)
		if err != nil || a.Role != passnum.RolePlace || a.OrganisationID != place.OrganisationID || a.ID != k.key.ID {
			t.Fatalf("place key: %+v, %v", a, err)
		}
		revoke := func(id string) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (any, error) { return nil, tx.RevokeKey(ctx, op, id) })
			return err
		}
		if err := revoke(k.key.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, k.secret)
		wantCode(t, err, passnum.EUNAUTHENTICATED)
		if err := revoke(k.key.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		wantCode(t, revoke(passnum.NewID(clock.Now())), passnum.ENOTFOUND)
		_, err = s.Authenticate(ctx, "pn_inconnue")
		wantCode(t, err, passnum.EUNAUTHENTICATED)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (created, error) {
			key, secret, err := tx.CreateKey(ctx, op, passnum.NewID(clock.Now()), "clé")
			return created{key, secret}, err
		})
		wantCode(t, err, passnum.ENOTFOUND)

		keys := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.APIKey, error) {
			return tx.ListKeys(ctx, place.OrganisationID)
		})
		if len(keys) != 1 || keys[0].RevokedAt == nil || keys[0].Name != "poste d'accueil" {
			t.Fatalf("keys %+v", keys)
		}
		mustCheck(t, s)
	})
}

func TestCreateOrganisationRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		siret := nextSIRET()
		f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Espace numérique", SIRET: siret})
		tests := []struct {
			name  string
			org   passnum.NewOrganisation
			code  string
			field string
		}{
			{"duplicate SIRET", passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Autre nom", SIRET: siret}, passnum.ECONFLICT, ""},
			{"duplicate SIRET of another kind", passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale", SIRET: siret}, passnum.ECONFLICT, ""},
			{"SIRET with a wrong key", passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Lieu", SIRET: "73282932000075"}, passnum.EINVALID, "siret"},
			{"place without SIRET", passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Lieu"}, passnum.EINVALID, "siret"},
			{"unknown kind", passnum.NewOrganisation{Kind: "bank", Name: "Banque"}, passnum.EINVALID, "kind"},
			{"no name", passnum.NewOrganisation{Kind: passnum.RoleFunder}, passnum.EINVALID, "name"},
			{"bad commune", passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "ML", CommuneINSEE: "2505"}, passnum.EINVALID, "commune_insee"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
					return tx.CreateOrganisation(ctx, f.op, tt.org)
				})
				e := wantCode(t, err, tt.code)
				if tt.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tt.field) {
					t.Fatalf("fields %+v, want %s", e.Fields, tt.field)
				}
			})
		}
		orgs := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Organisation, error) {
			l, _, err := tx.ListOrganisations(ctx, string(passnum.RolePlace), "", store.Page{})
			return l, err
		})
		if len(orgs) != 1 {
			t.Fatalf("%d places after refusals, want 1", len(orgs))
		}
		mustCheck(t, s)
	})
}

func TestSetPlaceStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		place := f.MustPlace("Tiers-lieu")
		dist := f.MustDistributor("Mission locale")
		set := func(id string, status passnum.OrgStatus, reason string) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
				return tx.SetPlaceStatus(ctx, f.op, id, status, reason)
			})
			return err
		}
		wantCode(t, set(place.OrganisationID, passnum.OrgSuspended, ""), passnum.EINVALID)
		wantCode(t, set(dist.OrganisationID, passnum.OrgLabelled, ""), passnum.ENOTFOUND)
		wantCode(t, set(passnum.NewID(clock.Now()), passnum.OrgLabelled, ""), passnum.ENOTFOUND)
		if err := set(place.OrganisationID, passnum.OrgSuspended, "charte non respectée"); err != nil {
			t.Fatal(err)
		}
		audit := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "organisation", ObjectID: place.OrganisationID})
			return l, err
		})
		if len(audit) == 0 || audit[0].Action != "place.suspended" || audit[0].Reason != "charte non respectée" {
			t.Fatalf("audit %+v", audit)
		}
	})
}

func TestCreateProgrammeRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		funder := f.MustFunder("Région")
		dist := f.MustDistributor("Mission locale")
		tests := []struct {
			name  string
			edit  func(*passnum.Programme)
			field string
		}{
			{"shares short of 10000", func(p *passnum.Programme) { p.Funders[0].ShareBps = 5999 }, "funders"},
			{"no funder", func(p *passnum.Programme) { p.Funders = nil }, "funders"},
			{"a distributor as funder", func(p *passnum.Programme) { p.Funders[1].OrganisationID = dist.OrganisationID }, "funders"},
			{"unknown funder", func(p *passnum.Programme) { p.Funders[1].OrganisationID = passnum.NewID(clock.Now()) }, "funders"},
			{"same funder twice", func(p *passnum.Programme) { p.Funders[1].OrganisationID = p.Funders[0].OrganisationID }, "funders"},
			{"end before start", func(p *passnum.Programme) { p.ValidUntil = passnum.MustDate("2025-12-31") }, "valid_until"},
			{"booklet too large", func(p *passnum.Programme) { p.BookletSize = 21 }, "booklet_size"},
			{"no face value", func(p *passnum.Programme) { p.FaceValueCents = 0 }, "face_value_cents"},
			{"ages upside down", func(p *passnum.Programme) { p.MinAge, p.MaxAge = 25, 16 }, "max_age"},
			{"no validity dates", func(p *passnum.Programme) { p.ValidFrom, p.ValidUntil = passnum.Date{}, passnum.Date{} }, "valid_from"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := f.baseProgramme(passnum.FunderShare{OrganisationID: funder.ID, ShareBps: 6000}, passnum.FunderShare{OrganisationID: f.MustFunder("État").ID, ShareBps: 4000})
				tt.edit(&p)
				_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
					return tx.CreateProgramme(ctx, f.op, p)
				})
				var e *passnum.Error
				if !errors.As(err, &e) || e.Code != passnum.EINVALID {
					t.Fatalf("programme with %s: error %v, want %q on field %s", tt.name, err, passnum.EINVALID, tt.field)
				}
				if !slices.ContainsFunc(e.Fields, func(fe passnum.FieldError) bool { return fe.Field == tt.field }) {
					t.Fatalf("fields %+v, want %s", e.Fields, tt.field)
				}
			})
		}
		mustCheck(t, s)
	})
}

func TestIssueAndAllocateRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // 10 issued, 6 allocated
		issue := func(programmeID string, n int64) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Issuance, error) {
				return tx.Issue(ctx, w.op, programmeID, n)
			})
			return err
		}
		allocate := func(programmeID, distributorID string, n int64) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Allocation, error) {
				return tx.Allocate(ctx, w.op, programmeID, distributorID, n)
			})
			return err
		}
		wantCode(t, issue(w.prog.ID, 0), passnum.EINVALID)
		wantCode(t, issue(w.prog.ID, passnum.MaxIssuanceBooklets+1), passnum.EINVALID)
		wantCode(t, issue(passnum.NewID(clock.Now()), 1), passnum.ENOTFOUND)

		e := wantCode(t, allocate(w.prog.ID, w.dist.OrganisationID, 5), passnum.EINSUFFICIENTSTOCK)
		if got := e.Extra["available_booklets"]; got != int64(4) {
			t.Fatalf("available_booklets = %v, want 4", got)
		}
		wantCode(t, allocate(w.prog.ID, w.dist.OrganisationID, 0), passnum.EINVALID)
		wantCode(t, allocate(w.prog.ID, w.place.OrganisationID, 1), passnum.EINVALID)
		wantCode(t, allocate(w.prog.ID, passnum.NewID(clock.Now()), 1), passnum.EINVALID)
		wantCode(t, allocate(passnum.NewID(clock.Now()), w.dist.OrganisationID, 1), passnum.ENOTFOUND)

		// The refusals left the stock as it was: all 4 remaining still go.
		w.MustAllocate(w.prog.ID, w.dist.OrganisationID, 4)
		if st := w.Programme(w.prog.ID).Stock; st.UnallocatedBooklets != 0 || st.IssuedBooklets != 10 {
			t.Fatalf("stock %+v", *st)
		}
		wantCode(t, allocate(w.prog.ID, w.dist.OrganisationID, 1), passnum.EINSUFFICIENTSTOCK)
		mustCheck(t, s)
	})
}

func TestHandOutEligibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		// Epoch is 2026-03-10 in Paris.
		tests := []struct {
			name    string
			born    string
			seeker  bool
			studies bool
			reasons []string
		}{
			{"16 today", "2010-03-10", true, false, nil},
			{"16 tomorrow", "2010-03-11", true, false, []string{passnum.ReasonAge}},
			{"25, last day", "2000-03-11", true, false, nil},
			{"26 today", "2000-03-10", true, false, []string{passnum.ReasonAge}},
			{"not looking for a job", "2005-06-15", false, false, []string{passnum.ReasonNotJobSeeker}},
			{"in studies", "2005-06-15", true, true, []string{passnum.ReasonInStudies}},
			{"every rule fails", "1990-01-01", false, true, []string{passnum.ReasonAge, passnum.ReasonNotJobSeeker, passnum.ReasonInStudies}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := w.Stock(w.prog.ID, w.dist.OrganisationID)
				ben := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) {
					b.BirthDate, b.JobSeeker, b.InStudies = passnum.MustDate(tt.born), tt.seeker, tt.studies
				})
				_, err := w.HandOut(w.dist, ben.ID, w.prog.ID)
				after := w.Stock(w.prog.ID, w.dist.OrganisationID)
				if tt.reasons == nil {
					if err != nil {
						t.Fatalf("hand out: %v", err)
					}
					if after.AvailableBooklets != before.AvailableBooklets-1 {
						t.Fatalf("stock %d then %d", before.AvailableBooklets, after.AvailableBooklets)
					}
					return
				}
				e := wantCode(t, err, passnum.ENOTELIGIBLE)
				if !slices.Equal(e.Reasons, tt.reasons) {
					t.Fatalf("reasons %v, want %v", e.Reasons, tt.reasons)
				}
				if !strings.HasPrefix(e.Message, "Non éligible") {
					t.Fatalf("message %q", e.Message)
				}
				if after != before {
					t.Fatalf("a refusal changed the stock: %+v then %+v", before, after)
				}
			})
		}
		mustCheck(t, s)
	})
}

// Ages are counted on the Paris day, not the UTC one.
func TestHandOutAgeOnParisDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		ben := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) { b.BirthDate = passnum.MustDate("2010-03-11") })
		// 2026-03-10 23:30 in Paris is 22:30 UTC: still 15.
		clock.Set(time.Date(2026, 3, 10, 22, 30, 0, 0, time.UTC))
		_, err := w.HandOut(w.dist, ben.ID, w.prog.ID)
		wantCode(t, err, passnum.ENOTELIGIBLE)
		// 23:30 UTC is 00:30 on 11 March in Paris: 16 today.
		clock.Set(time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC))
		w.MustHandOut(w.dist, ben.ID, w.prog.ID)
		mustCheck(t, s)
	})
}

func TestHandOutStockAndLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // max 2 booklets a beneficiary, 6 allocated
		other := w.MustDistributor("France Travail Dijon")
		ben := w.MustBeneficiary(other)

		// No stock: refused, and the refusal does not count against the
		// beneficiary's limit.
		_, err := w.HandOut(other, ben.ID, w.prog.ID)
		wantCode(t, err, passnum.EINSUFFICIENTSTOCK)
		w.MustAllocate(w.prog.ID, other.OrganisationID, 3)
		w.MustHandOut(other, ben.ID, w.prog.ID)
		w.MustHandOut(other, ben.ID, w.prog.ID)
		_, err = w.HandOut(other, ben.ID, w.prog.ID)
		e := wantCode(t, err, passnum.EBOOKLETLIMIT)
		if !strings.Contains(e.Message, "(2)") {
			t.Fatalf("message %q does not give the limit", e.Message)
		}
		// The refused hand-out did not take a booklet.
		if st := w.Stock(w.prog.ID, other.OrganisationID); st.AvailableBooklets != 1 || st.AllocatedBooklets != 3 {
			t.Fatalf("stock %+v", st)
		}
		second := w.MustBeneficiary(other)
		w.MustHandOut(other, second.ID, w.prog.ID)
		_, err = w.HandOut(other, second.ID, w.prog.ID)
		wantCode(t, err, passnum.EINSUFFICIENTSTOCK)

		// An unknown programme is a bad request, not a missing page.
		_, err = w.HandOut(other, second.ID, passnum.NewID(clock.Now()))
		wantCode(t, err, passnum.EINVALID)
		mustCheck(t, s)
	})
}

func TestHandOutProgrammeClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock, func(p *passnum.Programme) {
			p.ValidFrom, p.ValidUntil = passnum.MustDate("2026-04-01"), passnum.MustDate("2026-06-30")
			p.MaxBookletsPerBeneficiary = 10
		})
		tests := []struct {
			at     time.Time
			closed bool
		}{
			{storetest.Epoch, true},
			{at("2026-03-31 23:59:59"), true},
			{at("2026-04-01 00:00:00"), false},
			{at("2026-06-30 23:59:59"), false},
			{at("2026-07-01 00:00:00"), true},
			{at("2026-12-31 12:00:00"), true},
		}
		for _, tt := range tests {
			t.Run(tt.at.Format(time.DateTime), func(t *testing.T) {
				clock.Set(tt.at)
				_, err := w.HandOut(w.dist, w.ben.ID, w.prog.ID)
				if !tt.closed {
					if err != nil {
						t.Fatalf("hand out: %v", err)
					}
					return
				}
				e := wantCode(t, err, passnum.EPROGRAMMECLOSED)
				if !strings.Contains(e.Message, "01/04/2026") || !strings.Contains(e.Message, "30/06/2026") {
					t.Fatalf("message %q does not give the dates", e.Message)
				}
			})
		}
		mustCheck(t, s)
	})
}

func TestRedeemRefusals(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		other := w.MustPlace("Fablab des Tanneurs")

		t.Run("already redeemed, with when and where", func(t *testing.T) {
			first := w.MustRedeem(w.place, bk.Passes[0].Code)
			clock.Advance(90 * time.Minute)
			_, err := w.Redeem(other, bk.Passes[0].Code)
			e := wantCode(t, err, passnum.EALREADYREDEEMED)
			if !strings.Contains(e.Message, "10/03/2026 à 10h00") || !strings.Contains(e.Message, "Médiathèque Pierre-Bayle") {
				t.Fatalf("message %q", e.Message)
			}
			if at, _ := e.Extra["redeemed_at"].(time.Time); !at.Equal(first.RedeemedAt) || e.Extra["place_id"] != w.place.OrganisationID {
				t.Fatalf("extra %+v", e.Extra)
			}
			// The same place scanning twice is refused the same way.
			_, err = w.Redeem(w.place, bk.Passes[0].Code)
			wantCode(t, err, passnum.EALREADYREDEEMED)
		})

		t.Run("not handed out", func(t *testing.T) {
			for _, status := range []passnum.BookletStatus{passnum.BookletInStock, passnum.BookletAllocated} {
				codes := rawStrings(t, db, `SELECT ps.code FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE b.status = '`+string(status)+`' ORDER BY ps.code`)
				if len(codes) == 0 {
					t.Fatalf("no pass in a booklet %s", status)
				}
				_, err := w.Redeem(w.place, codes[0])
				wantCode(t, err, passnum.ENOTASSIGNED)
			}
		})

		t.Run("unknown code", func(t *testing.T) {
			_, err := w.Redeem(w.place, passnum.NewPassCode())
			wantCode(t, err, passnum.ENOTFOUND)
		})

		t.Run("service outside the national list", func(t *testing.T) {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
				return tx.Redeem(ctx, w.place, store.RedeemRequest{Code: bk.Passes[1].Code, Service: "Cours de cuisine"})
			})
			e := wantCode(t, err, passnum.EINVALID)
			if len(e.Fields) != 1 || e.Fields[0].Field != "service" {
				t.Fatalf("fields %+v", e.Fields)
			}
			if ps := w.Pass(bk.Passes[1].Code); ps.Status != passnum.PassAssigned {
				t.Fatalf("refused redemption changed the pass: %+v", ps)
			}
		})

		t.Run("every national service is accepted", func(t *testing.T) {
			ben := w.MustBeneficiary(w.dist)
			bk2 := w.MustHandOut(w.dist, ben.ID, w.prog.ID)
			bk3 := w.MustHandOut(w.dist, ben.ID, w.prog.ID)
			passes := append(bk2.Passes, bk3.Passes...)
			for i, service := range passnum.NationalServices {
				if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
					return tx.Redeem(ctx, w.place, store.RedeemRequest{Code: passes[i].Code, Service: service})
				}); err != nil {
					t.Fatalf("service %q: %v", service, err)
				}
			}
		})

		t.Run("place not labelled", func(t *testing.T) {
			pending := actorOf(w.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "En attente", SIRET: nextSIRET()}))
			_, err := w.Redeem(pending, bk.Passes[1].Code)
			wantCode(t, err, passnum.EPLACENOTLABELLED)

			_, err = w.Redeem(w.dist, bk.Passes[1].Code) // a distributor is no place
			wantCode(t, err, passnum.EPLACENOTLABELLED)

			w.MustSetPlaceStatus(other.OrganisationID, passnum.OrgSuspended, "contrôle en cours")
			_, err = w.Redeem(other, bk.Passes[1].Code)
			wantCode(t, err, passnum.EPLACENOTLABELLED)
			w.MustSetPlaceStatus(other.OrganisationID, passnum.OrgLabelled, "")
			w.MustRedeem(other, bk.Passes[1].Code)

			w.MustSetPlaceStatus(other.OrganisationID, passnum.OrgWithdrawn, "charte rompue")
			_, err = w.Redeem(other, bk.Passes[2].Code)
			wantCode(t, err, passnum.EPLACENOTLABELLED)
		})
		mustCheck(t, s)
	})
}

// A programme's passes are accepted until the end of its last Paris day,
// grace days included.
func TestRedeemValidityWindow(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		funders := []passnum.FunderShare{{OrganisationID: f.MustFunder("Région").ID, ShareBps: 10000}}
		noGrace := f.MustProgramme(func(p *passnum.Programme) {
			p.Name, p.ValidUntil, p.GraceDays, p.Funders = "Sans tolérance", passnum.MustDate("2026-06-30"), 0, funders
		})
		grace := f.MustProgramme(func(p *passnum.Programme) {
			p.Name, p.ValidUntil, p.GraceDays, p.Funders = "Avec tolérance", passnum.MustDate("2026-06-30"), 31, funders
		})
		dist := f.MustDistributor("Mission locale")
		place := f.MustPlace("Médiathèque")
		ben := f.MustBeneficiary(dist)
		codes := map[string][]string{}
		for _, p := range []passnum.Programme{noGrace, grace} {
			f.MustIssue(p.ID, 2)
			f.MustAllocate(p.ID, dist.OrganisationID, 1)
			for _, ps := range f.MustHandOut(dist, ben.ID, p.ID).Passes {
				codes[p.ID] = append(codes[p.ID], ps.Code)
			}
		}
		unassigned := rawStrings(t, db, `SELECT code FROM passes WHERE status = 'unassigned' AND programme_id = '`+grace.ID+`' ORDER BY code`)[0]

		tests := []struct {
			name string
			at   time.Time
			prog passnum.Programme
			pass int
			want string // "" for success
		}{
			{"last day, last second", at("2026-06-30 23:59:59"), noGrace, 0, ""},
			{"next Paris day, still 30 June in UTC", time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC), noGrace, 1, passnum.EEXPIRED},
			{"first grace day", at("2026-07-01 00:00:00"), grace, 0, ""},
			{"last grace day", at("2026-07-31 23:59:59"), grace, 1, ""},
			{"after the grace days", at("2026-08-01 00:00:00"), grace, 2, passnum.EEXPIRED},
			{"redeemed stays redeemed", at("2026-08-01 00:00:00"), grace, 1, passnum.EALREADYREDEEMED},
			{"months later", at("2027-03-01 09:00:00"), noGrace, 2, passnum.EEXPIRED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clock.Set(tt.at)
				code := codes[tt.prog.ID][tt.pass]
				_, err := f.Redeem(place, code)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("redeem: %v", err)
					}
					return
				}
				wantCode(t, err, tt.want)
				if tt.want == passnum.EEXPIRED {
					if ps := f.Pass(code); ps.Status != passnum.PassExpired {
						t.Fatalf("pass shown as %q, want expired", ps.Status)
					}
				}
			})
		}
		// Unassigned passes expire too.
		_, err := f.Redeem(place, unassigned)
		wantCode(t, err, passnum.EEXPIRED)
		mustCheck(t, s)
	})
}

func TestCancelRedemption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // 24 h window
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		other := w.MustPlace("Fablab")
		redeemed := make([]passnum.Redemption, 4)
		for i := range redeemed {
			redeemed[i] = w.MustRedeem(w.place, bk.Passes[i].Code)
		}
		start := clock.Now()

		t.Run("reason required", func(t *testing.T) {
			_, err := w.Cancel(w.place, redeemed[0].ID, "")
			wantCode(t, err, passnum.EINVALID)
		})
		t.Run("another place's redemption is not found", func(t *testing.T) {
			_, err := w.Cancel(other, redeemed[0].ID, "erreur")
			wantCode(t, err, passnum.ENOTFOUND)
			view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
				_, err := tx.Redemption(ctx, redeemed[0].ID, other.OrganisationID)
				wantCode(t, err, passnum.ENOTFOUND)
				return passnum.Redemption{}, nil
			})
		})
		t.Run("unknown redemption", func(t *testing.T) {
			_, err := w.Cancel(w.op, passnum.NewID(clock.Now()), "erreur")
			wantCode(t, err, passnum.ENOTFOUND)
		})
		t.Run("place at the end of the window", func(t *testing.T) {
			clock.Set(start.Add(24 * time.Hour))
			if _, err := w.Cancel(w.place, redeemed[0].ID, "doublon"); err != nil {
				t.Fatalf("cancel at 24 h: %v", err)
			}
		})
		t.Run("already cancelled", func(t *testing.T) {
			_, err := w.Cancel(w.place, redeemed[0].ID, "doublon")
			wantCode(t, err, passnum.EALREADYCANCELLED)
			_, err = w.Cancel(w.op, redeemed[0].ID, "doublon")
			wantCode(t, err, passnum.EALREADYCANCELLED)
		})
		t.Run("place after the window", func(t *testing.T) {
			clock.Set(start.Add(24*time.Hour + time.Second))
			_, err := w.Cancel(w.place, redeemed[1].ID, "erreur")
			e := wantCode(t, err, passnum.ECANCELWINDOWCLOSED)
			if !strings.Contains(e.Message, "24 h") || !strings.Contains(e.Message, "11/03/2026 à 10h00") {
				t.Fatalf("message %q", e.Message)
			}
			if ps := w.Pass(bk.Passes[1].Code); ps.Status != passnum.PassRedeemed {
				t.Fatalf("pass %+v after refused cancellation", ps)
			}
		})
		t.Run("operator after the window", func(t *testing.T) {
			clock.Set(start.Add(72 * time.Hour))
			r, err := w.Cancel(w.op, redeemed[1].ID, "réclamation du bénéficiaire")
			if err != nil {
				t.Fatalf("operator cancel: %v", err)
			}
			if r.Status != passnum.RedemptionCancelled {
				t.Fatalf("%+v", r)
			}
			if ps := w.Pass(bk.Passes[1].Code); ps.Status != passnum.PassAssigned {
				t.Fatalf("pass %+v after cancellation", ps)
			}
		})
		t.Run("a cancelled pass can be redeemed again", func(t *testing.T) {
			again := w.MustRedeem(other, bk.Passes[1].Code)
			if again.PlaceID != other.OrganisationID {
				t.Fatalf("%+v", again)
			}
		})
		mustCheck(t, s)
	})
}

// A distributor sees only its own beneficiaries; a place only its own
// redemptions.
func TestTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		rival := w.MustDistributor("France Travail Besançon")
		w.MustAllocate(w.prog.ID, rival.OrganisationID, 2)

		_, err := w.HandOut(rival, w.ben.ID, w.prog.ID)
		wantCode(t, err, passnum.ENOTFOUND)
		if st := w.Stock(w.prog.ID, rival.OrganisationID); st.AvailableBooklets != 2 {
			t.Fatalf("rival stock %+v", st)
		}
		view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
			_, err := tx.Beneficiary(ctx, w.ben.ID, rival.OrganisationID)
			wantCode(t, err, passnum.ENOTFOUND)
			if _, err := tx.Beneficiary(ctx, w.ben.ID, w.dist.OrganisationID); err != nil {
				t.Fatalf("own beneficiary: %v", err)
			}
			list, _, err := tx.ListBeneficiaries(ctx, rival.OrganisationID, store.Page{})
			if err != nil || len(list) != 0 {
				t.Fatalf("rival lists %d beneficiaries, %v", len(list), err)
			}
			list, _, err = tx.ListBeneficiaries(ctx, w.dist.OrganisationID, store.Page{})
			if err != nil || len(list) != 1 || list[0].ID != w.ben.ID {
				t.Fatalf("own list %+v, %v", list, err)
			}
			return nil, nil
		})

		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		red := w.MustRedeem(w.place, bk.Passes[0].Code)
		other := w.MustPlace("Fablab")
		view(t, s, func(ctx context.Context, tx *store.Tx) (any, error) {
			list, _, err := tx.ListRedemptions(ctx, other.OrganisationID, store.Page{})
			if err != nil || len(list) != 0 {
				t.Fatalf("other place lists %d redemptions, %v", len(list), err)
			}
			_, err = tx.Redemption(ctx, red.ID, other.OrganisationID)
			wantCode(t, err, passnum.ENOTFOUND)
			return nil, nil
		})
		mustCheck(t, s)
	})
}

// populate runs a small history with every kind of row: stock, allocated
// and handed-out booklets, active and cancelled redemptions.
func populate(t *testing.T, s *store.Store, clock *passnum.FixedClock) *world {
	t.Helper()
	w := newWorld(t, s, clock) // 10 issued, 6 allocated
	bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
	second := w.MustBeneficiary(w.dist)
	w.MustHandOut(w.dist, second.ID, w.prog.ID)
	w.MustRedeem(w.place, bk.Passes[0].Code)
	r := w.MustRedeem(w.place, bk.Passes[1].Code)
	clock.Advance(time.Hour)
	if _, err := w.Cancel(w.place, r.ID, "erreur de saisie"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	return w
}

func TestCheckEmptyStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		mustCheck(t, s)
	})
}

// Check finds what a bug or a hand-made UPDATE would break.
func TestCheckCatchesViolations(t *testing.T) {
	const (
		stockPass    = `SELECT ps.id FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE b.status = 'stock' ORDER BY ps.id LIMIT 1`
		activeRed    = `SELECT id FROM redemptions WHERE status = 'active' ORDER BY id LIMIT 1`
		cancelledRed = `SELECT id FROM redemptions WHERE status = 'cancelled' ORDER BY id LIMIT 1`
		idleAssigned = `SELECT id FROM passes WHERE status = 'assigned' ORDER BY id LIMIT 1`
	)
	tests := []struct {
		name      string
		sql       []string
		invariant string
		mention   string // query for ids the message must name one of
	}{
		{"pass deleted", []string{`DELETE FROM passes WHERE id = (` + stockPass + `)`}, "conservation", `SELECT id FROM programmes`},
		{"pass pointing at no booklet", []string{`UPDATE passes SET booklet_id = 'nope' WHERE id = (` + stockPass + `)`}, "reference", stockPass},
		{"redemption of an unknown place", []string{`UPDATE redemptions SET place_id = 'nope' WHERE id = (` + activeRed + `)`}, "reference", activeRed},
		{"issued counter raised", []string{`UPDATE programmes SET issued_booklets = issued_booklets + 1`}, "conservation", `SELECT id FROM programmes`},
		{"pass moved to another booklet", []string{`UPDATE passes SET booklet_id = (SELECT b.id FROM booklets b WHERE b.status = 'stock' AND b.id <> passes.booklet_id ORDER BY b.id LIMIT 1) WHERE id = (` + stockPass + `)`},
			"conservation", `SELECT id FROM booklets WHERE status = 'stock'`},
		{"redeemed pass set back to assigned", []string{`UPDATE passes SET status = 'assigned' WHERE id = (SELECT pass_id FROM redemptions WHERE status = 'active')`},
			"redemption", activeRed},
		{"pass redeemed without a redemption", []string{`UPDATE passes SET status = 'redeemed' WHERE id = (` + idleAssigned + `)`}, "redemption", idleAssigned},
		{"redemption cancelled behind the store's back", []string{`UPDATE redemptions SET status = 'cancelled', cancelled_at = redeemed_at WHERE id = (` + activeRed + `)`},
			"redemption", `SELECT pass_id FROM redemptions WHERE id = (` + activeRed + `)`},
		{"unallocated counter lowered", []string{`UPDATE programmes SET unallocated_booklets = unallocated_booklets - 1`}, "stock", `SELECT id FROM programmes`},
		{"booklet allocated without an allocation", []string{`UPDATE booklets SET status = 'allocated', distributor_id = (SELECT distributor_id FROM distributor_stock) WHERE id = (SELECT id FROM booklets WHERE status = 'stock' ORDER BY id LIMIT 1)`},
			"stock", `SELECT id FROM programmes`},
		{"available counter raised", []string{`UPDATE distributor_stock SET available_booklets = available_booklets + 1`}, "stock", `SELECT distributor_id FROM distributor_stock`},
		{"allocation deleted", []string{`DELETE FROM allocations`}, "stock", `SELECT distributor_id FROM distributor_stock`},
		{"stock row deleted", []string{`DELETE FROM distributor_stock`}, "stock", `SELECT distributor_id FROM allocations`},
		{"pass of a booklet in stock assigned", []string{`UPDATE passes SET status = 'assigned' WHERE id = (` + stockPass + `)`}, "booklet", stockPass},
		{"pass of a handed-out booklet unassigned", []string{`UPDATE passes SET status = 'unassigned' WHERE id = (` + idleAssigned + `)`}, "booklet",
			`SELECT booklet_id FROM passes WHERE id = (` + idleAssigned + `)`},
		{"beneficiary counter reset", []string{`UPDATE beneficiary_booklets SET booklets = 0`}, "holding", `SELECT beneficiary_id FROM beneficiary_booklets ORDER BY beneficiary_id LIMIT 1`},
		{"cancellation entry deleted", []string{`DELETE FROM ledger_entries WHERE kind = 'cancellation'`}, "ledger", cancelledRed},
		{"redemption entry edited", []string{`UPDATE ledger_entries SET amount_cents = amount_cents + 1 WHERE kind = 'redemption' AND redemption_id = (` + activeRed + `)`}, "ledger", activeRed},
		{"redemption entry deleted", []string{`DELETE FROM ledger_entries WHERE redemption_id = (` + activeRed + `)`}, "ledger", activeRed},
		{"entry booked to another organisation", []string{`UPDATE ledger_entries SET place_id = (SELECT distributor_id FROM distributor_stock) WHERE redemption_id = (` + activeRed + `)`},
			"ledger", activeRed},
		{"funder share lowered", []string{`UPDATE programme_funders SET share_bps = share_bps - 1 WHERE share_bps = 6000`}, "funding", `SELECT id FROM programmes`},
		{"funder removed", []string{`DELETE FROM programme_funders WHERE share_bps = 4000`}, "funding", `SELECT id FROM programmes`},
		{"redemption audit entry deleted", []string{`DELETE FROM audit_log WHERE action = 'pass.redeem' AND object_id = (` + activeRed + `)`}, "audit", activeRed},
		{"cancellation audit entry deleted", []string{`DELETE FROM audit_log WHERE action = 'redemption.cancel'`}, "audit", cancelledRed},
	}
	// One database per engine, emptied and filled again for each case:
	// creating a PostgreSQL database per case would cost seconds each.
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				emptyDatabase(t, db)
				populate(t, s, clock)
				wantViolation(t, s, db, tt.name, tt.invariant, tt.mention, tt.sql)
			})
		}
	})
}

// emptyDatabase deletes every row but the schema's version. Tables are
// emptied in rounds, so that the ones other rows point to go last,
// whatever tables later migrations add.
func emptyDatabase(t *testing.T, db *sql.DB) {
	t.Helper()
	var tables []string
	if _, ok := db.Driver().(*sqlite.Driver); ok {
		tables = rawStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`)
	} else {
		tables = rawStrings(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`)
	}
	for len(tables) > 0 {
		var left []string
		var lastErr error
		for _, name := range tables {
			if _, err := db.ExecContext(t.Context(), "DELETE FROM "+name); err != nil {
				left, lastErr = append(left, name), err
			}
		}
		if len(left) == len(tables) {
			t.Fatalf("cannot empty %v: %v", left, lastErr)
		}
		tables = left
	}
}

// wantViolation corrupts the data with sqls and checks that Check names
// the invariant broken and one of the ids the mention query returns.
func wantViolation(t *testing.T, s *store.Store, db *sql.DB, name, invariant, mentionQuery string, sqls []string) {
	t.Helper()
	mention := rawStrings(t, db, mentionQuery)
	for _, q := range sqls {
		rawExec(t, db, q)
	}
	err := s.Check(t.Context())
	var v *store.Violation
	if !errors.As(err, &v) {
		t.Fatalf("Check after %q = %v, want a violation of %q", name, err, invariant)
	}
	if v.Invariant != invariant {
		t.Fatalf("Check found %q (%s), want %q", v.Invariant, v.Message, invariant)
	}
	t.Log(v.Message)
	if !slices.ContainsFunc(mention, func(id string) bool { return strings.Contains(v.Message, id) }) {
		t.Fatalf("message %q does not name %v", v.Message, mention)
	}
}
