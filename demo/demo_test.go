package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/opendata"
	"passnum/sms"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/territory"
)

// counts is what the store holds, counted through its List methods; the
// places by status are counted too, but not printed in the summary.
type counts struct {
	Programmes, Organisations, Beneficiaries, Passes, Redemptions, Cancelled int
	Sites, Trainings, PastSessions, UpcomingSessions, Bookings               int
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
			if o.Kind == passnum.RolePlace {
				countPlace(t, ctx, tx, o.ID, &c)
			}
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

// countPlace counts a place's sites, trainings, sessions and the seats
// booked on its upcoming sessions.
func countPlace(t *testing.T, ctx context.Context, tx *store.Tx, id string, c *counts) {
	t.Helper()
	sites, err := tx.PlaceSites(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.Sites += len(sites)
	for _, tr := range listAll(t, func(p store.Page) ([]passnum.Training, string, error) { return tx.ListTrainings(ctx, id, true, p) }) {
		c.Trainings++
		past := store.SessionWindow{From: time.Unix(0, 0), To: storetest.Epoch}
		c.PastSessions += len(listAll(t, func(p store.Page) ([]passnum.Session, string, error) { return tx.ListSessions(ctx, tr.ID, past, p) }))
		for _, se := range listAll(t, func(p store.Page) ([]passnum.Session, string, error) {
			return tx.ListSessions(ctx, tr.ID, store.SessionWindow{}, p)
		}) {
			c.UpcomingSessions++
			c.Bookings += se.Booked
		}
	}
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
		t.Logf("Seed on %s took %v: %d organisations, %d beneficiaries, %d passes, %d redemptions (%d cancelled), %d sites, %d trainings, %d past and %d upcoming sessions, %d seats booked",
			s.Engine(), time.Since(start).Round(time.Millisecond), sum.Organisations, sum.Beneficiaries, sum.Passes, sum.Redemptions, sum.Cancelled,
			sum.Sites, sum.Trainings, sum.PastSessions, sum.UpcomingSessions, sum.Bookings)

		got := countStore(t, s)
		want := counts{Programmes: sum.Programmes, Organisations: sum.Organisations, Beneficiaries: sum.Beneficiaries,
			Passes: sum.Passes, Redemptions: sum.Redemptions, Cancelled: sum.Cancelled,
			Sites: sum.Sites, Trainings: sum.Trainings, PastSessions: sum.PastSessions, UpcomingSessions: sum.UpcomingSessions, Bookings: sum.Bookings}
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
		// The demo mission's dormant booklets: some young people to call,
		// some who did not agree to be contacted.
		var dormant []store.DormantBooklet
		if err := s.View(ctx, func(tx *store.Tx) error {
			var err error
			dormant, err = tx.DormantBooklets(ctx, sum.Keys["distributor"].OrganisationID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		withContact := 0
		for _, d := range dormant {
			if d.Phone != "" || d.Email != "" {
				withContact++
			}
		}
		if withContact == 0 || withContact == len(dormant) {
			t.Errorf("%d of the mission's %d dormant booklets have a contact; want some, not all", withContact, len(dormant))
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
			sum.Keys["funder"].Secret, sum.Keys["distributor"].Secret, place.Secret, frBirthDate(sum.Beneficiary.BirthDate), sum.CurrentProgramme,
			"http://localhost:8080/api/v1/places/near?commune=25056&within_weeks=4", "http://localhost:8080/api/v1/opendata/lieux-mediation-numerique.csv",
			frInt(sum.Sites) + " sites", frInt(sum.Trainings) + " formations", frInt(sum.UpcomingSessions) + " sessions à venir"} {
			if !strings.Contains(text, want) {
				t.Errorf("printed summary lacks %q:\n%s", want, text)
			}
		}

		checkPlaceFiles(t, s)
		checkReminderHistory(t, s, current.ID)
		checkSettlements(t, s, sum, past.ID, current.ID)
		if !strings.Contains(text, frInt(sum.SettlementsPaid)+" payés") {
			t.Errorf("printed summary lacks the settlements:\n%s", text)
		}
		checkSearchNearBesancon(t, s, clock.Now())
		checkOpenDataExport(t, s)

		if _, err := Seed(ctx, s, clock.Now()); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("second Seed: %v; want ErrNotEmpty", err)
		}
		if again := countStore(t, s); again != got {
			t.Errorf("second Seed changed the store: %+v, then %+v", got, again)
		}
		checkAgain(t, s, clock, sum)
		if err := s.Check(ctx); err != nil {
			t.Errorf("store check after seeding: %v", err)
		}
	})
}

// checkAgain runs "serve --demo" on the demo's database again: the same
// accounts, pass code, birth date and links are printed, with new keys
// that work while the old ones no longer do.
func checkAgain(t *testing.T, s *store.Store, clock *passnum.FixedClock, first Summary) {
	t.Helper()
	ctx := context.Background()
	again, err := Again(ctx, s, clock.Now())
	if err != nil {
		t.Fatalf("Again: %v", err)
	}
	if !again.Again || again.Beneficiary != first.Beneficiary || again.CurrentProgramme != first.CurrentProgramme {
		t.Errorf("Again: %+v, first %+v", again.Beneficiary, first.Beneficiary)
	}
	for role, k := range first.Keys {
		n := again.Keys[role]
		if n.Email != k.Email || n.OrganisationID != k.OrganisationID || n.Secret == "" || n.Secret == k.Secret {
			t.Errorf("%s: key %+v, first %+v", role, n, k)
		}
		if _, err := s.Authenticate(ctx, k.Secret); passnum.ErrorCode(err) != passnum.EUNAUTHENTICATED {
			t.Errorf("%s: the old demo key still works (%v)", role, err)
		}
		if a, err := s.Authenticate(ctx, n.Secret); err != nil || a.OrganisationID != k.OrganisationID {
			t.Errorf("%s: the new key: %+v, %v", role, a, err)
		}
	}
	var out bytes.Buffer
	again.Print(&out, "http://localhost:8080/")
	text := out.String()
	for _, want := range []string{"déjà dans cette base", again.Keys["operator"].Secret, passnum.FormatPassCode(first.Beneficiary.PassCode), frBirthDate(first.Beneficiary.BirthDate),
		"operateur@passnum.example", "conseiller@passnum.example", "http://localhost:8080/mon-pass", "supprimez le fichier de la base"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed again lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, first.Keys["operator"].Secret) {
		t.Errorf("printed again shows a revoked key")
	}
}

func TestAgainRefusesAnotherDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		if _, err := s.CreateOperatorKey(ctx, "admin"); err != nil {
			t.Fatal(err)
		}
		before := countStore(t, s)
		if _, err := Again(ctx, s, clock.Now()); !errors.Is(err, ErrNotDemo) {
			t.Fatalf("Again on a database without the demo: %v; want ErrNotDemo", err)
		}
		if after := countStore(t, s); after != before {
			t.Errorf("refused Again changed the store: %+v, then %+v", before, after)
		}
	})
}

// places lists the place organisations.
func places(t *testing.T, s *store.Store) []passnum.Organisation {
	t.Helper()
	var out []passnum.Organisation
	err := s.View(context.Background(), func(tx *store.Tx) error {
		out = listAll(t, func(p store.Page) ([]passnum.Organisation, string, error) {
			return tx.ListOrganisations(context.Background(), string(passnum.RolePlace), "", p)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkPlaceFiles checks each place's file as the operator reviews it: a
// labelled place has a site, approved bank details and a profile with the
// charter accepted; a pending one waits with all of it.
func checkPlaceFiles(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	err := s.View(ctx, func(tx *store.Tx) error {
		for _, o := range places(t, s) {
			a, err := tx.PlaceApplication(ctx, o.ID, true)
			if err != nil {
				return err
			}
			if a.LegalRepresentative.Name == "" || a.LegalRepresentative.Role == "" || a.ContactEmail == "" ||
				a.CharterVersion != passnum.CharterVersion || a.CharterAcceptedAt == nil || a.SubmittedAt == nil {
				t.Errorf("%s: profile %+v", o.Name, a)
			}
			if len(a.Sites) == 0 {
				t.Errorf("%s: no site", o.Name)
			}
			for _, site := range a.Sites {
				if site.CommuneINSEE != o.CommuneINSEE || site.Pivot != o.SIRET || site.OpeningHours == "" || site.Phone == "" || len(site.Services) == 0 {
					t.Errorf("%s: site %+v", o.Name, site)
				}
			}
			status := map[passnum.BankStatus]int{}
			for _, b := range a.BankAccounts {
				status[b.Status]++
				if !passnum.ValidIBAN(b.IBAN) || passnum.CheckBIC(b.BIC, b.IBAN) != "" || b.BIC[4:6] != "FR" {
					t.Errorf("%s: bank details %s %s", o.Name, b.IBAN, b.BIC)
				}
			}
			switch o.Status {
			case passnum.OrgPending:
				if status[passnum.BankPending] != 1 || len(a.BankAccounts) != 1 {
					t.Errorf("%s, pending: bank details %v; want one pending", o.Name, status)
				}
			case passnum.OrgLabelled, passnum.OrgSuspended:
				if status[passnum.BankApproved] != 1 {
					t.Errorf("%s, %s: bank details %v; want one approved", o.Name, o.Status, status)
				}
			}
			if o.Name == bankChangedPlace && status[passnum.BankReplaced] != 1 {
				t.Errorf("%s: bank details %v; want one replaced", o.Name, status)
			}
			if o.Name == bankPendingPlace && status[passnum.BankPending] != 1 {
				t.Errorf("%s: bank details %v; want a change pending", o.Name, status)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkSearchNearBesancon runs the public search of the API: places near
// Besançon with sessions that have seats left within four weeks.
func checkSearchNearBesancon(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	origin, err := passnum.ResolveOrigin("25056", "")
	if err != nil {
		t.Fatal(err)
	}
	labelled := map[string]bool{}
	for _, o := range places(t, s) {
		labelled[o.ID] = o.Status == passnum.OrgLabelled
	}
	var items []store.NearSite
	err = s.View(ctx, func(tx *store.Tx) error {
		items, err = tx.SitesNear(ctx, store.NearQuery{Latitude: origin.Latitude, Longitude: origin.Longitude, WithinWeeks: 4})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 2 {
		t.Fatalf("search near Besançon within 4 weeks: %d sites; want the Besançon places", len(items))
	}
	for _, it := range items {
		if !it.AcceptsPass || !labelled[it.PlaceID] || len(it.NextSessions) == 0 {
			t.Errorf("site %s (%s): accepts pass %v, %d sessions", it.Name, it.Commune, it.AcceptsPass, len(it.NextSessions))
		}
		for _, se := range it.NextSessions {
			if se.SeatsLeft < 1 || !se.StartsAt.After(now) || se.StartsAt.After(now.Add(4*7*24*time.Hour)) {
				t.Errorf("site %s: session %+v", it.Name, se)
			}
		}
	}
}

// checkOpenDataExport reads the export of labelled places back with the
// opendata package: every row valid, every labelled place's sites in it.
func checkOpenDataExport(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	want := map[string]string{} // open-data id → SIRET
	var recs []passnum.SiteRecord
	err := s.View(ctx, func(tx *store.Tx) error {
		for _, o := range places(t, s) {
			if o.Status != passnum.OrgLabelled {
				continue
			}
			sites, err := tx.PlaceSites(ctx, o.ID)
			if err != nil {
				return err
			}
			for _, site := range sites {
				want[site.OpenDataID] = o.SIRET
			}
		}
		var err error
		recs, err = tx.ExportSites(ctx, store.SitesLabelled)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := opendata.WriteCSV(&b, recs); err != nil {
		t.Fatal(err)
	}
	f, err := opendata.ReadCSV(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Report.Rejected) > 0 || len(f.Report.Warnings) > 0 {
		t.Errorf("export read back: rejected %+v, warnings %+v", f.Report.Rejected, f.Report.Warnings)
	}
	if f.Records != len(recs) || len(f.Rows) != len(want) {
		t.Errorf("export: %d records written, %d read, %d rows valid; want %d sites of labelled places", len(recs), f.Records, len(f.Rows), len(want))
	}
	for _, r := range f.Rows {
		rec := r.Record
		if want[rec.OpenDataID] != rec.Pivot || !slices.Contains(rec.Fees, passnum.FeesPassAccepted) || rec.Latitude == nil || rec.OpeningHours == "" {
			t.Errorf("export row %d: %s pivot %s fees %v", r.Line, rec.OpenDataID, rec.Pivot, rec.Fees)
		}
		delete(want, rec.OpenDataID)
	}
	if len(want) > 0 {
		t.Errorf("sites of labelled places missing from the export: %v", want)
	}
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
		fmt.Fprintln(&b, r.pass, r.place.n.Name, r.at, r.service, r.cancelAt, r.cancelReason, r.site.n.Name, r.session != nil)
	}
	for _, pl := range p.places {
		f := pl.file
		fmt.Fprintln(&b, f.app.LegalRep, f.app.ContactEmail, f.app.ContactPhone, f.app.Bank, f.catalogueAt)
		for _, s := range f.sites {
			fmt.Fprintln(&b, s.n.Name, s.n.Address, s.n.AddressComplement, *s.n.Latitude, *s.n.Longitude, s.n.OpeningHours, s.n.Phone,
				s.n.Services, s.n.Publics, s.n.SpecificSupport, s.openedAt, s.refreshAt)
		}
		for _, t := range f.trainings {
			fmt.Fprintln(&b, t.t)
		}
		if c := f.bankChange; c != nil {
			fmt.Fprintln(&b, c.n, c.at, c.approvedAt)
		}
	}
	for _, se := range p.sessions {
		fmt.Fprintln(&b, se.training.t.Title, se.site.n.Address, se.createdAt, se.startsAt, se.endsAt, se.capacity)
	}
	for _, bk := range p.bookings {
		fmt.Fprintln(&b, bk.session.startsAt, bk.session.site.n.Address, bk.ho.ben.b.FirstName, bk.ho.ben.b.LastName, bk.at)
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
			checkPlacePlans(t, p, now)
			checkSessionPlans(t, p, now)
			checkMobiles(t, p)
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

// checkMobiles: every young person's mobile, as the store keeps it, is
// one the reminders' SMS reach (sms.Normalise), so that the demo starts
// with no reminder failed. Drawn as any 06, some were overseas mobiles
// (06 39, 06 90 to 06 97), kept with their own country code, which the
// SMS refuse.
func checkMobiles(t *testing.T, p *plan) {
	t.Helper()
	n := 0
	for _, b := range p.beneficiaries {
		if b.b.Phone == "" {
			continue
		}
		n++
		stored, ok := passnum.NormaliseMobile(b.b.Phone)
		if _, err := sms.Normalise(stored); !ok || err != nil {
			t.Errorf("%s %s: mobile %q (kept as %q) cannot receive a reminder: %v", b.b.FirstName, b.b.LastName, b.b.Phone, stored, err)
		}
	}
	if n < 100 {
		t.Errorf("%d young people with a mobile; want a few hundred", n)
	}
}

// TestMetropolitanMobile: every draw, whatever block it falls in, is a
// mobile of metropolitan France the SMS reach.
func TestMetropolitanMobile(t *testing.T) {
	for block := range 100 {
		for _, draw := range []int{block * 1000000, block*1000000 + 999999} {
			m := metropolitanMobile(draw)
			stored, ok := passnum.NormaliseMobile(m)
			if _, err := sms.Normalise(stored); !ok || err != nil || !strings.HasPrefix(stored, "+336") {
				t.Errorf("draw %d: %q, kept as %q: %v", draw, m, stored, err)
			}
		}
	}
}

// checkPlacePlans checks what places declare: applications the store
// accepts, sites near their commune's centre and open some days, catalogues
// of 2 to 4 trainings, valid French bank details.
func checkPlacePlans(t *testing.T, p *plan, now time.Time) {
	t.Helper()
	costs := map[int]int{}
	sites := 0
	for _, pl := range p.places {
		f := pl.file
		app := f.app
		if err := app.Validate(); err != nil {
			t.Errorf("%s: application refused: %v", pl.n.Name, err)
		}
		if app.Site.CommuneINSEE != pl.n.CommuneINSEE || app.SIRET != pl.n.SIRET {
			t.Errorf("%s: applies for %s in %s", pl.n.Name, app.SIRET, app.Site.CommuneINSEE)
		}
		accounts := []passnum.NewBankAccount{app.Bank}
		if c := f.bankChange; c != nil {
			accounts = append(accounts, c.n)
			if !c.at.After(pl.labelledAt) || !c.at.Before(now) || (!c.approvedAt.IsZero() && (!c.approvedAt.After(c.at) || !c.approvedAt.Before(now))) {
				t.Errorf("%s: bank details changed %v, approved %v", pl.n.Name, c.at, c.approvedAt)
			}
		}
		for _, a := range accounts {
			if fe := a.Validate(""); len(fe) > 0 || a.BIC[4:6] != "FR" || fmt.Sprintf("%02d", ribKey(a.IBAN[4:])) != a.IBAN[25:] {
				t.Errorf("%s: bank details %s %s: %v", pl.n.Name, a.IBAN, a.BIC, fe)
			}
		}
		c, _ := territory.LookupCommune(pl.n.CommuneINSEE)
		if n := len(f.sites); n < 1 || n > 2 {
			t.Errorf("%s: %d sites", pl.n.Name, n)
		}
		for i, s := range f.sites {
			sites++
			n := s.n
			if fe := n.Validate(""); len(fe) > 0 {
				t.Errorf("%s: site %d refused: %v", pl.n.Name, i, fe)
			}
			if d := territory.DistanceKm(*n.Latitude, *n.Longitude, c.Lat, c.Lng); d > 1 {
				t.Errorf("%s: site %d at %.1f km from the centre of %s", pl.n.Name, i, d, c.Name)
			}
			open := 0
			for _, spans := range s.week {
				if len(spans) > 0 {
					open++
				}
			}
			if open < 3 || !slices.Contains(n.Publics, "Jeunes") || n.Address[0] < '1' || n.Address[0] > '9' {
				t.Errorf("%s: site %d open %d days a week, publics %v, address %q", pl.n.Name, i, open, n.Publics, n.Address)
			}
			if i > 0 && (!s.openedAt.After(pl.labelledAt) || !s.openedAt.Before(now)) {
				t.Errorf("%s: second site opened %v", pl.n.Name, s.openedAt)
			}
			if !s.refreshAt.IsZero() && (!s.refreshAt.After(s.openedAt) || !s.refreshAt.Before(now)) {
				t.Errorf("%s: site updated %v", pl.n.Name, s.refreshAt)
			}
		}
		if pl.labelledAt.IsZero() {
			if len(f.trainings) > 0 {
				t.Errorf("%s: pending, yet %d trainings", pl.n.Name, len(f.trainings))
			}
			continue
		}
		if n := len(f.trainings); n < 2 || n > 4 || !f.catalogueAt.After(pl.labelledAt) || !f.catalogueAt.Before(now) {
			t.Errorf("%s: %d trainings published %v", pl.n.Name, n, f.catalogueAt)
		}
		for _, tr := range f.trainings {
			x := tr.t
			if err := x.Validate(); err != nil || x.DurationMinutes < 60 || x.DurationMinutes > 180 || x.PassesCost > 3 ||
				!slices.Contains(f.sites[0].n.Services, x.Service) {
				t.Errorf("%s: training %+v: %v", pl.n.Name, x, err)
			}
			costs[x.PassesCost]++
		}
	}
	if sites != len(p.places)+len(secondSites) {
		t.Errorf("%d sites for %d places", sites, len(p.places))
	}
	if costs[1] < 3*(costs[2]+costs[3]) || costs[2]+costs[3] == 0 {
		t.Errorf("trainings by cost in passes: %v; want most at 1, a few at 2 or 3", costs)
	}
}

// checkSessionPlans checks the sessions: at an open site, scheduled before
// they start, booked by young people holding enough passes; the upcoming
// ones over the next weeks with seats left near Besançon.
func checkSessionPlans(t *testing.T, p *plan, now time.Time) {
	t.Helper()
	past, upcoming, besancon := 0, 0, 0
	for _, se := range p.sessions {
		f := se.training.place.file
		if !se.site.holds(se.startsAt, se.endsAt) || se.endsAt.Sub(se.startsAt) != time.Duration(se.training.t.DurationMinutes)*time.Minute {
			t.Errorf("session %v-%v of %q at %s, open %s", se.startsAt, se.endsAt, se.training.t.Title, se.site.n.Address, se.site.n.OpeningHours)
		}
		if se.site.place != se.training.place || !se.createdAt.After(f.catalogueAt) || !se.createdAt.After(se.site.openedAt) ||
			!se.createdAt.Before(se.startsAt) || !se.createdAt.Before(now) {
			t.Errorf("session of %s at %v scheduled %v", se.training.place.n.Name, se.startsAt, se.createdAt)
		}
		if se.upcoming {
			upcoming++
			if !se.startsAt.After(now) || se.startsAt.After(now.Add((upcomingWeeks*7+1)*24*time.Hour)) || se.capacity < 4 || se.capacity > 12 ||
				!se.training.place.labelledOn(now) {
				t.Errorf("upcoming session at %v, capacity %d, by %s", se.startsAt, se.capacity, se.training.place.n.Name)
			}
			if se.site.n.CommuneINSEE == "25056" && se.startsAt.Before(now.Add(4*7*24*time.Hour)) {
				besancon++
			}
		} else {
			past++
			if !se.endsAt.Before(now) || se.capacity < max(se.attendees, 4) || !se.training.place.labelledOn(se.startsAt) {
				t.Errorf("past session at %v, capacity %d for %d", se.startsAt, se.capacity, se.attendees)
			}
		}
	}
	if past < 20 || upcoming < 100 || besancon < 4 {
		t.Errorf("%d past sessions, %d upcoming, %d in Besançon within 4 weeks", past, upcoming, besancon)
	}
	attended := map[*sessionPlan]int{}
	for _, rp := range p.redemptions {
		if rp.site == nil || rp.site.place != rp.place || rp.site.openedAt.After(rp.at) {
			t.Errorf("redemption at %v by %s names site %v", rp.at, rp.place.n.Name, rp.site)
		}
		if se := rp.session; se != nil {
			attended[se]++
			if se.upcoming || se.site != rp.site || se.training.t.Service != rp.service || se.training.t.PassesCost != 1 || se.endsAt.After(rp.at) ||
				passnum.ParisDate(se.startsAt) != passnum.ParisDate(rp.at) {
				t.Errorf("redemption at %v (%s) names the session of %q at %v", rp.at, rp.service, se.training.t.Title, se.startsAt)
			}
		}
	}
	booked := map[*sessionPlan]int{}
	seat := map[*sessionPlan]map[*handOutPlan]bool{}
	spent := map[*handOutPlan]int{}
	for _, rp := range p.redemptions {
		spent[rp.ho]++
	}
	for _, bk := range p.bookings {
		se := bk.session
		booked[se]++
		if seat[se] == nil {
			seat[se] = map[*handOutPlan]bool{}
		}
		if seat[se][bk.ho] || !bk.at.After(se.createdAt) || !bk.at.After(bk.ho.at) || !bk.at.Before(se.startsAt) || !bk.at.Before(now) {
			t.Errorf("booking at %v for the session at %v, scheduled %v, booklet handed out %v", bk.at, se.startsAt, se.createdAt, bk.ho.at)
		}
		seat[se][bk.ho] = true
		if se.upcoming {
			spent[bk.ho] += se.training.t.PassesCost
		}
	}
	for ho, n := range spent {
		if n > ho.prog.p.BookletSize {
			t.Errorf("%s %s: %d passes used or booked", ho.ben.b.FirstName, ho.ben.b.LastName, n)
		}
	}
	for se, n := range booked {
		if n > se.capacity || (!se.upcoming && n > attended[se]) {
			t.Errorf("session at %v: %d booked for %d seats, %d came", se.startsAt, n, se.capacity, attended[se])
		}
	}
}

func TestFrenchIBAN(t *testing.T) {
	// The example RIB of the French banking federation.
	if got := frenchIBAN("30006", "00001", "12345678901"); got != "FR7630006000011234567890189" {
		t.Errorf("frenchIBAN = %s; want FR7630006000011234567890189", got)
	}
}

func TestWeekHours(t *testing.T) {
	week, err := weekHours("Mo 14:00-18:00; Tu-Fr 09:00-12:00,14:00-18:00; PH off")
	if err != nil {
		t.Fatal(err)
	}
	if len(week[time.Monday]) != 1 || len(week[time.Friday]) != 2 || len(week[time.Saturday]) != 0 || len(week[time.Sunday]) != 0 {
		t.Errorf("week %v", week)
	}
	s := &sitePlan{week: week}
	monday := passnum.MustDate("2026-03-09")
	if got := s.slots(monday, 120); len(got) != 1 || got[0] != parisAt(monday, 14, 0) {
		t.Errorf("Monday slots %v", got)
	}
	if got := s.slots(monday.AddDays(1), 180); len(got) != 2 || got[0] != parisAt(monday.AddDays(1), 9, 0) {
		t.Errorf("Tuesday slots %v", got)
	}
	if s.holds(parisAt(monday, 10, 0), parisAt(monday, 11, 0)) || !s.holds(parisAt(monday, 15, 0), parisAt(monday, 18, 0)) {
		t.Error("Monday morning open, or afternoon closed")
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

// checkSettlements checks the story of the places' payments: the
// 2022-2023 programme paid in full and expired; the current one paid but
// for its last settlement, sent to the bank; a paid duplicate corrected
// and taken back by the next run; redemptions waiting for the next run.
func checkSettlements(t *testing.T, s *store.Store, sum Summary, pastID, currentID string) {
	t.Helper()
	ctx := context.Background()
	err := s.View(ctx, func(tx *store.Tx) error {
		all := listAll(t, func(p store.Page) ([]passnum.Settlement, string, error) {
			return tx.ListSettlements(ctx, store.SettlementFilter{}, p)
		})
		if len(all) != sum.Settlements || sum.SettlementsSent != 1 || sum.SettlementsPaid != sum.Settlements-1 {
			t.Errorf("%d settlements stored; summary says %d (%d paid, %d sent)", len(all), sum.Settlements, sum.SettlementsPaid, sum.SettlementsSent)
		}
		byProgramme := map[string][]passnum.Settlement{}
		for _, st := range all {
			byProgramme[st.ProgrammeID] = append(byProgramme[st.ProgrammeID], st)
		}
		past, current := byProgramme[pastID], byProgramme[currentID]
		if len(past) < 12 || len(current) < 3 {
			t.Errorf("%d settlements of 2022-2023, %d of the current programme", len(past), len(current))
		}
		for _, st := range past {
			if st.Status != passnum.SettlementPaid {
				t.Errorf("2022-2023 settlement %s is %s", st.Reference, st.Status)
			}
		}
		// Newest first: the last is sent, the others paid.
		if len(current) > 0 && current[0].Status != passnum.SettlementSent {
			t.Errorf("the current programme's last settlement %s is %s, want sent", current[0].Reference, current[0].Status)
		}
		for _, st := range current[1:] {
			if st.Status != passnum.SettlementPaid {
				t.Errorf("settlement %s is %s, want paid", st.Reference, st.Status)
			}
		}
		corrections, err := tx.PlaceCorrections(ctx, currentID, "")
		if err != nil {
			return err
		}
		if len(corrections) != 1 || corrections[0].SettlementID != current[0].ID {
			t.Errorf("corrections %+v; want one, taken by the last settlement %s", corrections, current[0].ID)
		}
		p, err := tx.Programme(ctx, currentID)
		if err != nil {
			return err
		}
		if p.Money.UsedCents+p.Money.CorrectedCents <= p.Money.SettledCents || p.Money.PaidCents >= p.Money.SettledCents || p.Money.BudgetCents == nil {
			t.Errorf("current programme's money %+v: want redemptions waiting, the last settlement unpaid, a budget", *p.Money)
		}
		old, err := tx.Programme(ctx, pastID)
		if err != nil {
			return err
		}
		if old.ExpiredAt == nil || old.Money.OwedCents != 0 || old.LastHandOutDay() != passnum.MustDate("2023-12-15") {
			t.Errorf("2022-2023: expired %v, owed %d, hand-out until %s", old.ExpiredAt, old.Money.OwedCents, old.LastHandOutDay())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkReminderHistory: the reminder runs of the past were replayed, so
// the reminders' effect has booklets reminded long enough ago to judge,
// beside others never reminded, and a booklet still asleep was reminded
// again month after month.
func checkReminderHistory(t *testing.T, s *store.Store, programmeID string) {
	t.Helper()
	var e store.ReminderEffect
	err := s.View(context.Background(), func(tx *store.Tx) error {
		var err error
		e, err = tx.ReminderEffect(context.Background(), programmeID, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Reminded == nil || *e.Reminded == 0 || e.NotReminded == nil || *e.NotReminded == 0 || *e.SentDormant <= *e.Reminded {
		t.Errorf("reminders' effect of the demo: reminded %v, not reminded %v, sent %v: want some of each, and reminders repeated monthly",
			e.Reminded, e.NotReminded, e.SentDormant)
	}
}
