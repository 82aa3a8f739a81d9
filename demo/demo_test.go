package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/territory"
)

// counts is what the store holds, counted through its List methods; the
// places by status are counted too, but not printed in the summary.
type counts struct {
	Programmes, Organisations, Beneficiaries, Passes, Redemptions, Cancelled int
	Pending, Suspended, Labelled                                             int
}

// summarised keeps the figures the summary prints.
func (c counts) summarised() counts {
	c.Pending, c.Suspended, c.Labelled = 0, 0, 0
	return c
}

// listAll pages through a List method.
func listAll[T any](t *testing.T, list func(p store.Page) ([]T, string, error)) []T {
	t.Helper()
	var out []T
	cursor := ""
	for {
		p, err := store.NewPage(store.MaxPageSize, cursor)
		if err != nil {
			t.Fatal(err)
		}
		items, next, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

func countStore(t *testing.T, s *store.Store) counts {
	t.Helper()
	ctx := context.Background()
	var c counts
	err := s.View(ctx, func(tx *store.Tx) error {
		for _, p := range listAll(t, func(p store.Page) ([]passnum.Programme, string, error) { return tx.ListProgrammes(ctx, "", p) }) {
			c.Programmes++
			c.Passes += int(p.Stock.IssuedBooklets) * p.BookletSize
		}
		for _, o := range listAll(t, func(p store.Page) ([]passnum.Organisation, string, error) {
			return tx.ListOrganisations(ctx, "", "", p)
		}) {
			c.Organisations++
			switch o.Status {
			case passnum.OrgPending:
				c.Pending++
			case passnum.OrgSuspended:
				c.Suspended++
			case passnum.OrgLabelled:
				c.Labelled++
			}
		}
		c.Beneficiaries = len(listAll(t, func(p store.Page) ([]passnum.Beneficiary, string, error) { return tx.ListBeneficiaries(ctx, "", p) }))
		for _, r := range listAll(t, func(p store.Page) ([]passnum.Redemption, string, error) { return tx.ListRedemptions(ctx, "", p) }) {
			c.Redemptions++
			if r.Status == passnum.RedemptionCancelled {
				c.Cancelled++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		if empty, err := Empty(ctx, s); err != nil || !empty {
			t.Fatalf("Empty on a new database = %v, %v; want true", empty, err)
		}
		start := time.Now()
		sum, err := Seed(ctx, s, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Seed on %s took %v: %d organisations, %d beneficiaries, %d passes, %d redemptions (%d cancelled)",
			s.Engine(), time.Since(start).Round(time.Millisecond), sum.Organisations, sum.Beneficiaries, sum.Passes, sum.Redemptions, sum.Cancelled)

		got := countStore(t, s)
		want := counts{Programmes: sum.Programmes, Organisations: sum.Organisations, Beneficiaries: sum.Beneficiaries,
			Passes: sum.Passes, Redemptions: sum.Redemptions, Cancelled: sum.Cancelled}
		if got.summarised() != want {
			t.Errorf("store holds %+v, summary says %+v", got.summarised(), want)
		}
		if got.Pending < 1 || got.Pending > 2 || got.Suspended != 1 || got.Labelled < 18 {
			t.Errorf("places: %d pending, %d suspended, %d labelled; want 1-2, 1, about 20", got.Pending, got.Suspended, got.Labelled)
		}
		if empty, err := Empty(ctx, s); err != nil || empty {
			t.Errorf("Empty after Seed = %v, %v; want false", empty, err)
		}

		for _, role := range []passnum.Role{passnum.RoleOperator, passnum.RoleFunder, passnum.RoleDistributor, passnum.RolePlace} {
			k, ok := sum.Keys[string(role)]
			if !ok {
				t.Errorf("no %s key", role)
				continue
			}
			a, err := s.Authenticate(ctx, k.Secret)
			if err != nil || a.Role != role || a.OrganisationID != k.OrganisationID {
				t.Errorf("%s key authenticates as %+v, %v", role, a, err)
			}
		}
		if k := sum.Keys["distributor"]; k.OrganisationName != "Mission locale du Grand Besançon" {
			t.Errorf("distributor key is for %q", k.OrganisationName)
		}
		place := sum.Keys["place"]
		err = s.View(ctx, func(tx *store.Tx) error {
			o, err := tx.Organisation(ctx, place.OrganisationID)
			if err != nil {
				return err
			}
			if o.CommuneINSEE != "25056" || o.Status != passnum.OrgLabelled {
				t.Errorf("place key is for %+v; want a labelled place in Besançon", o)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		programmes := map[string]passnum.Programme{}
		err = s.View(ctx, func(tx *store.Tx) error {
			list, _, err := tx.ListProgrammes(ctx, "", store.Page{Limit: 10})
			for _, p := range list {
				programmes[p.Name] = p
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		past, ok := programmes["Pass numérique BFC 2022-2023"]
		if !ok {
			t.Fatalf("no 2022-2023 programme among %v", programmes)
		}
		current, ok := programmes[sum.CurrentProgramme]
		if !ok {
			t.Fatalf("no programme named %q", sum.CurrentProgramme)
		}
		today := passnum.ParisDate(clock.Now())
		if today.Before(current.ValidFrom) || today.After(current.ValidUntil) {
			t.Errorf("current programme runs %s to %s, not today %s", current.ValidFrom, current.ValidUntil, today)
		}

		err = s.View(ctx, func(tx *store.Tx) error {
			ps, err := tx.Pass(ctx, sum.Beneficiary.PassCode)
			if err != nil {
				return err
			}
			if ps.Status != passnum.PassAssigned || ps.ProgrammeID != current.ID {
				t.Errorf("printed pass is %s in programme %s; want assigned in %s", ps.Status, ps.ProgrammeID, current.ID)
			}
			if ps.Beneficiary == nil || ps.Beneficiary.FirstName != sum.Beneficiary.FirstName || fmt.Sprint(ps.Beneficiary.BirthYear) != sum.Beneficiary.BirthDate[:4] {
				t.Errorf("printed pass holder %+v; summary says %+v", ps.Beneficiary, sum.Beneficiary)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		months := map[string]int{}
		err = s.View(ctx, func(tx *store.Tx) error {
			for _, r := range listAll(t, func(p store.Page) ([]passnum.Redemption, string, error) { return tx.ListRedemptions(ctx, "", p) }) {
				if r.ProgrammeID == past.ID {
					months[r.RedeemedAt.In(passnum.Paris).Format("2006-01")]++
				}
				if r.RedeemedAt.After(clock.Now()) {
					t.Errorf("redemption %s in the future: %v", r.ID, r.RedeemedAt)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(months) < 6 {
			t.Errorf("2022-2023 redemptions fall in %d months (%v); want them spread", len(months), months)
		}

		var out bytes.Buffer
		sum.Print(&out, "http://localhost:8080/")
		text := out.String()
		for _, want := range []string{"http://localhost:8080/api/v1/passes/" + passnum.FormatPassCode(sum.Beneficiary.PassCode), sum.Keys["operator"].Secret,
			sum.Keys["funder"].Secret, sum.Keys["distributor"].Secret, place.Secret, frBirthDate(sum.Beneficiary.BirthDate), sum.CurrentProgramme} {
			if !strings.Contains(text, want) {
				t.Errorf("printed summary lacks %q:\n%s", want, text)
			}
		}

		if _, err := Seed(ctx, s, clock.Now()); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("second Seed: %v; want ErrNotEmpty", err)
		}
		if again := countStore(t, s); again != got {
			t.Errorf("second Seed changed the store: %+v, then %+v", got, again)
		}
		if err := s.Check(ctx); err != nil {
			t.Errorf("store check after seeding: %v", err)
		}
	})
}

func TestSeedRefusesANonEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		if _, err := s.CreateOperatorKey(ctx, "admin"); err != nil {
			t.Fatal(err)
		}
		before := countStore(t, s)
		if _, err := Seed(ctx, s, clock.Now()); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("Seed on a database with an operator: %v; want ErrNotEmpty", err)
		}
		if after := countStore(t, s); after != before {
			t.Errorf("refused Seed changed the store: %+v, then %+v", before, after)
		}
	})
}

// fingerprint writes down every choice of a plan, ids and codes aside.
func fingerprint(p *plan) string {
	var b strings.Builder
	for _, o := range p.organisationsInOrder() {
		fmt.Fprintln(&b, o.n, o.createdAt, o.labelledAt, o.suspendedAt)
	}
	for _, pr := range []*programmePlan{p.past, p.current} {
		fmt.Fprintln(&b, pr.p.Name, pr.p.ValidFrom, pr.p.ValidUntil, pr.booklets)
		for _, a := range pr.allocations {
			fmt.Fprintln(&b, a.dist.n.Name, a.at, a.booklets)
		}
	}
	for _, ho := range p.handOuts {
		fmt.Fprintln(&b, ho.prog.p.Name, ho.at, ho.register, ho.ben.dist.n.Name, ho.ben.b.FirstName, ho.ben.b.LastName, ho.ben.b.BirthDate, ho.ben.b.CommuneINSEE)
	}
	for _, r := range p.redemptions {
		fmt.Fprintln(&b, r.pass, r.place.n.Name, r.at, r.service, r.cancelAt, r.cancelReason)
	}
	return b.String()
}

func TestPlanIsDeterministic(t *testing.T) {
	a, err := newPlan(storetest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newPlan(storetest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	if fingerprint(a) != fingerprint(b) {
		t.Error("two plans for the same day differ")
	}
	later, err := newPlan(time.Date(2031, 8, 15, 23, 30, 0, 0, passnum.Paris))
	if err != nil {
		t.Fatal(err)
	}
	if pastStory(a) != pastStory(later) {
		t.Error("the 2022-2023 history depends on today")
	}
}

// pastStory writes down the 2022-2023 hand-outs and redemptions.
func pastStory(p *plan) string {
	var b strings.Builder
	for _, ho := range p.handOuts {
		if ho.prog == p.past {
			fmt.Fprintln(&b, ho.at, ho.ben.dist.n.Name, ho.ben.b.FirstName, ho.ben.b.LastName, ho.ben.b.BirthDate, ho.ben.b.CommuneINSEE)
		}
	}
	for _, r := range p.redemptions {
		if r.ho.prog == p.past {
			fmt.Fprintln(&b, r.pass, r.place.n.Name, r.at, r.service, r.cancelAt)
		}
	}
	return b.String()
}

func TestPlanRefusesADayBeforeTheHistory(t *testing.T) {
	if _, err := newPlan(time.Date(2023, 5, 1, 10, 0, 0, 0, passnum.Paris)); err == nil {
		t.Error("a plan for 2023 overlaps the 2022-2023 programme")
	}
}

// TestPlanIsRealistic checks what the store would not: volumes, the
// territory and the order of events. It runs on several "todays".
func TestPlanIsRealistic(t *testing.T) {
	for _, now := range []time.Time{storetest.Epoch, time.Date(2025, 1, 1, 8, 0, 0, 0, passnum.Paris), time.Date(2031, 8, 15, 23, 30, 0, 0, passnum.Paris)} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			p, err := newPlan(now)
			if err != nil {
				t.Fatal(err)
			}
			sirets := map[string]bool{}
			for _, o := range p.organisationsInOrder() {
				c, ok := territory.LookupCommune(o.n.CommuneINSEE)
				if !ok || c.Region != "27" {
					t.Errorf("%s: commune %s not in Bourgogne-Franche-Comté", o.n.Name, o.n.CommuneINSEE)
				}
				if err := o.n.Validate(); err != nil {
					t.Errorf("%s: %v", o.n.Name, err)
				}
				if o.n.SIRET != "" {
					if sirets[o.n.SIRET] {
						t.Errorf("SIRET %s twice", o.n.SIRET)
					}
					sirets[o.n.SIRET] = true
				}
				if !o.createdAt.Before(now) || (!o.labelledAt.IsZero() && o.labelledAt.Before(o.createdAt)) {
					t.Errorf("%s: created %v, labelled %v", o.n.Name, o.createdAt, o.labelledAt)
				}
			}
			if len(sirets) != len(placeSpecs) {
				t.Errorf("%d SIRETs for %d places", len(sirets), len(placeSpecs))
			}
			perProgramme := map[*programmePlan]int{}
			for _, ho := range p.handOuts {
				perProgramme[ho.prog]++
				day := passnum.ParisDate(ho.at)
				if reasons := passnum.CheckEligibility(&ho.ben.b, &ho.prog.p, day); len(reasons) > 0 {
					t.Errorf("%s %s not eligible on %s: %v", ho.ben.b.FirstName, ho.ben.b.LastName, day, reasons)
				}
				if c, ok := territory.LookupCommune(ho.ben.b.CommuneINSEE); !ok || c.Region != "27" {
					t.Errorf("beneficiary lives in %s", ho.ben.b.CommuneINSEE)
				}
				if day.Before(ho.prog.p.ValidFrom) || day.After(ho.prog.p.ValidUntil) || !ho.at.Before(now) {
					t.Errorf("hand-out on %v outside %s", ho.at, ho.prog.p.Name)
				}
			}
			for pr, n := range perProgramme {
				if n < 200 || n > 400 {
					t.Errorf("%s: %d hand-outs; want a few hundred", pr.p.Name, n)
				}
			}
			redeemed := map[*programmePlan]int{}
			for _, r := range p.redemptions {
				redeemed[r.ho.prog]++
				if !r.at.After(r.ho.at) || !r.at.Before(r.ho.prog.redeemBefore) || !r.at.Before(now) || !r.place.labelledOn(r.at) {
					t.Errorf("redemption at %v by %s: handed out %v, place labelled %v, suspended %v", r.at, r.place.n.Name, r.ho.at, r.place.labelledAt, r.place.suspendedAt)
				}
				if !r.cancelAt.IsZero() && (!r.cancelAt.After(r.at) || r.cancelAt.Sub(r.at) > 24*time.Hour || !r.cancelAt.Before(now)) {
					t.Errorf("cancellation at %v of a redemption at %v", r.cancelAt, r.at)
				}
			}
			for _, pr := range []*programmePlan{p.past, p.current} {
				if n := redeemed[pr]; n < 100 || n > 500 {
					t.Errorf("%s: %d redemptions; want a few hundred", pr.p.Name, n)
				}
				passes := perProgramme[pr] * pr.p.BookletSize
				t.Logf("%s: %d booklets issued, %d handed out, %d redemptions (%.0f %% of the passes handed out)",
					pr.p.Name, pr.booklets, perProgramme[pr], redeemed[pr], 100*float64(redeemed[pr])/float64(passes))
			}
		})
	}
}

func BenchmarkSeed(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s, _ := e.Open(b, passnum.NewFixedClock(storetest.Epoch))
				b.StartTimer()
				if _, err := Seed(context.Background(), s, storetest.Epoch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
