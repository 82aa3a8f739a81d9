package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// Contact details are stored with the day of the consent; a minor's need
// a guardian's consent, or nothing is written; withdrawing consent is a
// correction that empties them.
func TestContactConsentStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		adult := f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.Phone, b.ContactConsent = "06 12 34 56 78", true })
		if adult.Phone != "+33612345678" || adult.ContactConsentAt == nil || !adult.ContactConsentAt.Equal(clock.Now()) || adult.Minor {
			t.Fatalf("adult: %+v", adult)
		}
		minorBirth := passnum.ParisDate(clock.Now()).AddDays(-17 * 366)
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.CreateBeneficiary(ctx, d, passnum.Beneficiary{FirstName: "Hugo", LastName: "Petit", BirthDate: minorBirth, CommuneINSEE: "25056", JobSeeker: true,
				Email: "hugo@exemple.fr", ContactConsent: true})
		})
		e := wantCode(t, err, passnum.EINVALID)
		if len(e.Fields) == 0 || e.Fields[0].Field != "guardian_consent" || !strings.Contains(e.Fields[0].Detail, "représentant légal") {
			t.Errorf("minor without guardian: %+v", e.Fields)
		}
		n := view(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			l, _, err := tx.SearchBeneficiaries(ctx, d.OrganisationID, "hugo", store.Page{})
			return len(l), err
		})
		if n != 0 {
			t.Fatal("a refused registration was written")
		}
		minor := f.MustBeneficiary(d, func(b *passnum.Beneficiary) {
			b.FirstName, b.BirthDate, b.Email, b.ContactConsent, b.GuardianConsent, b.GuardianName = "Hugo", minorBirth, "hugo@exemple.fr", true, true, "Anne Petit"
		})
		if !minor.Minor || minor.GuardianName != "Anne Petit" || !minor.GuardianConsent {
			t.Fatalf("minor: %+v", minor)
		}
		// A later correction keeps the day of consent; withdrawing it
		// empties the details.
		clock.Advance(48 * time.Hour)
		got, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			b := adult
			b.Email = "lea@exemple.fr"
			return tx.CorrectBeneficiary(ctx, d, adult.ID, b, "")
		})
		if err != nil || got.Email != "lea@exemple.fr" || !got.ContactConsentAt.Equal(*adult.ContactConsentAt) {
			t.Fatalf("correction: %v %+v", err, got)
		}
		got, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			b := got
			b.Email, b.Phone, b.ContactConsent = "", "", false
			return tx.CorrectBeneficiary(ctx, d, adult.ID, b, "retire son accord")
		})
		if err != nil || got.Email != "" || got.Phone != "" || got.ContactConsentAt != nil {
			t.Fatalf("withdrawal: %v %+v", err, got)
		}
	})
}

// erasureFixture is a young person who used passes, one of them settled,
// and booked a seat; and a second person of the same agency left alone.
type erasureFixture struct {
	f          *fixture
	dist       passnum.Actor
	place      passnum.Actor
	prog       passnum.Programme
	person     passnum.Beneficiary
	other      passnum.Beneficiary
	booklet    passnum.Booklet
	redemption passnum.Redemption
	settlement passnum.Settlement
}

func newErasureFixture(t *testing.T, s *store.Store, clock *passnum.FixedClock) *erasureFixture {
	t.Helper()
	f := newFixture(t, s, clock)
	e := &erasureFixture{f: f, dist: f.MustDistributor("Mission locale du Grand Besançon"), place: f.MustPlace("Espace numérique de Dijon")}
	e.prog = f.MustProgramme()
	f.MustIssue(e.prog.ID, 4)
	f.MustAllocate(e.prog.ID, e.dist.OrganisationID, 4)
	e.person = f.MustBeneficiary(e.dist, func(b *passnum.Beneficiary) { b.Email, b.ContactConsent = "lea@exemple.fr", true })
	e.other = f.MustBeneficiary(e.dist)
	e.booklet = f.MustHandOut(e.dist, e.person.ID, e.prog.ID)
	f.MustHandOut(e.dist, e.other.ID, e.prog.ID)
	e.redemption = f.MustRedeem(e.place, e.booklet.Passes[0].Code)
	f.MustRedeem(e.place, e.booklet.Passes[1].Code)
	f.MustBankAccount(e.place, 1)
	clock.Advance(40 * 24 * time.Hour)
	e.settlement = f.MustSettle(e.prog.ID, passnum.ParisDate(clock.Now()).AddDays(-1))
	if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
		b := e.person
		b.FirstName = "Léane"
		return tx.CorrectBeneficiary(ctx, e.dist, e.person.ID, b, "faute de frappe")
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// money is every financial fact about the fixture, to compare before and
// after an erasure.
func (e *erasureFixture) money(t *testing.T, s *store.Store) any {
	t.Helper()
	type facts struct {
		Booklet    passnum.Booklet
		Redemption passnum.Redemption
		Settlement passnum.Settlement
		Passes     int
	}
	return view(t, s, func(ctx context.Context, tx *store.Tx) (facts, error) {
		var x facts
		var err error
		if x.Booklet, err = tx.Booklet(ctx, e.booklet.ID); err != nil {
			return x, err
		}
		if x.Redemption, err = tx.Redemption(ctx, e.redemption.ID, ""); err != nil {
			return x, err
		}
		if x.Settlement, err = tx.Settlement(ctx, e.settlement.ID, ""); err != nil {
			return x, err
		}
		ps, err := tx.BeneficiaryPasses(ctx, e.person.ID)
		x.Passes = len(ps)
		return x, err
	})
}

func (e *erasureFixture) wantErased(t *testing.T, s *store.Store, b passnum.Beneficiary, othersNamedLea int) {
	t.Helper()
	if b.PseudonymisedAt == nil || b.FirstName != passnum.ErasedFirstName || b.LastName != passnum.ErasedLastName || b.Email != "" || b.ContactConsentAt != nil ||
		b.BirthDate != passnum.ErasedBirthDate(e.person.BirthDate) || b.CommuneINSEE != e.person.CommuneINSEE {
		t.Fatalf("not pseudonymised: %+v", b)
	}
	changes := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.BeneficiaryChange, error) {
		return tx.BeneficiaryChanges(ctx, e.person.ID)
	})
	if len(changes) == 0 {
		t.Fatal("the history of corrections (who, when, which field) is kept")
	}
	for _, c := range changes {
		if strings.Contains(c.Old+c.New, "Léa") {
			t.Errorf("a correction still holds the name: %+v", c)
		}
	}
	// Nobody finds them by name any more.
	n := view(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
		l, _, err := tx.SearchBeneficiaries(ctx, "", "léa", store.Page{})
		return len(l), err
	})
	if n != othersNamedLea {
		t.Errorf("%d people found by the erased name, want %d", n, othersNamedLea)
	}
}

// Erasure on request pseudonymises the identity only: every booklet,
// pass, redemption and settlement is the same after, passnum check
// passes, the record can no longer change, and the reason is audited.
func TestEraseOnRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		e := newErasureFixture(t, s, clock)
		before := e.money(t, s)
		other := e.f.MustDistributor("France Travail Dijon")
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.EraseBeneficiary(ctx, other, e.person.ID, other.OrganisationID, "demande")
		})
		wantCode(t, err, passnum.ENOTFOUND)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.EraseBeneficiary(ctx, e.dist, e.person.ID, e.dist.OrganisationID, "")
		})
		wantCode(t, err, passnum.EINVALID)
		b, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.EraseBeneficiary(ctx, e.dist, e.person.ID, e.dist.OrganisationID, "demande écrite du 3 décembre")
		})
		if err != nil {
			t.Fatal(err)
		}
		e.wantErased(t, s, b, 1)
		if after := e.money(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("money changed:\nbefore %+v\nafter  %+v", before, after)
		}
		mustCheck(t, s)
		entries := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "beneficiary", ObjectID: e.person.ID, Action: "beneficiary.erase"})
			return l, err
		})
		if len(entries) != 1 || entries[0].Reason != "demande écrite du 3 décembre" {
			t.Errorf("audit: %+v", entries)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.EraseBeneficiary(ctx, e.f.op, e.person.ID, "", "encore")
		})
		wantCode(t, err, passnum.EERASED)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.CorrectBeneficiary(ctx, e.dist, e.person.ID, e.person, "")
		})
		wantCode(t, err, passnum.EERASED)
		_, err = e.f.HandOut(e.dist, e.person.ID, e.prog.ID)
		wantCode(t, err, passnum.EERASED)
		// The same person may register again, as someone new.
		e.f.MustBeneficiary(e.dist, func(b *passnum.Beneficiary) { *b = e.person })
	})
}

// Retention pseudonymises people whose programme ended 36 months ago or
// more, once: a programme ended 37 months ago is done, one ended 35
// months ago is not; a second run changes nothing; check passes.
func TestRetentionRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		e := newErasureFixture(t, s, clock)
		end := e.prog.LastRedeemDay()
		run := func() store.RetentionRun {
			t.Helper()
			r, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.RetentionRun, error) {
				return tx.RunRetention(ctx, passnum.SystemActor, passnum.DefaultRetentionMonths)
			})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		at := func(months int) {
			d := time.Date(end.Year, time.Month(end.Month)+time.Month(months), end.Day, 12, 0, 0, 0, passnum.Paris)
			clock.Set(d)
		}
		at(35)
		before := e.money(t, s)
		if r := run(); r.Pseudonymised != 0 {
			t.Fatalf("35 months after the end: %d pseudonymised", r.Pseudonymised)
		}
		at(37)
		if r := run(); r.Pseudonymised != 2 {
			t.Fatalf("37 months after the end: %d pseudonymised, want 2", r.Pseudonymised)
		}
		b := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.Beneficiary(ctx, e.person.ID, "")
		})
		e.wantErased(t, s, b, 0)
		if r := run(); r.Pseudonymised != 0 {
			t.Fatalf("second run: %d pseudonymised", r.Pseudonymised)
		}
		if after := e.money(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("money changed:\nbefore %+v\nafter  %+v", before, after)
		}
		n := view(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{Action: "beneficiary.retention"})
			return len(l), err
		})
		if n != 2 {
			t.Errorf("%d audit entries, want one per person", n)
		}
		mustCheck(t, s)
	})
}

// A person registered without a booklet is kept from their registration
// day; one with a booklet of a later programme, until that one ends.
func TestRetentionReferenceDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		alone := f.MustBeneficiary(d)
		clock.Set(clock.Now().AddDate(3, 0, 1))
		r, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.RetentionRun, error) {
			return tx.RunRetention(ctx, passnum.SystemActor, 36)
		})
		if err != nil || r.Pseudonymised != 1 {
			t.Fatalf("%v %+v", err, r)
		}
		b := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
			return tx.Beneficiary(ctx, alone.ID, "")
		})
		if b.PseudonymisedAt == nil {
			t.Fatal("not pseudonymised")
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (store.RetentionRun, error) {
			return tx.RunRetention(ctx, passnum.SystemActor, 0)
		})
		wantCode(t, err, passnum.EINVALID)
	})
}

// Reads are logged with who, why and how, and listed newest first; an
// export of the agency's list logs one read per person.
func TestRecordReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		other := f.MustDistributor("France Travail Dijon")
		a, b := f.MustBeneficiary(d), f.MustBeneficiary(d)
		c := f.MustBeneficiary(other)
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			return 0, tx.LogRead(ctx, d, passnum.ReadSupport, passnum.ReadViaPage, a.ID)
		}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			return 0, tx.LogExportRead(ctx, d, d.OrganisationID, passnum.ReadSupport)
		}); err != nil {
			t.Fatal(err)
		}
		_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			return 0, tx.LogRead(ctx, d, "curiosity", passnum.ReadViaPage, a.ID)
		})
		wantCode(t, err, passnum.EINVALID)
		reads := func(id, dist string) []passnum.RecordRead {
			t.Helper()
			return view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.RecordRead, error) {
				l, _, err := tx.RecordReads(ctx, id, dist, store.Page{})
				return l, err
			})
		}
		ra := reads(a.ID, "")
		if len(ra) != 2 || ra[0].Via != passnum.ReadViaExport || ra[1].Via != passnum.ReadViaPage || ra[1].Purpose != passnum.ReadSupport ||
			ra[1].OrganisationName != "Mission locale du Grand Besançon" || ra[1].ActorID != d.ID {
			t.Fatalf("reads of a: %+v", ra)
		}
		if len(reads(b.ID, "")) != 1 || len(reads(c.ID, "")) != 0 {
			t.Error("the export logs a read of each person of the agency, and of no one else")
		}
		_, _, err = func() ([]passnum.RecordRead, string, error) {
			var l []passnum.RecordRead
			var next string
			err := s.View(t.Context(), func(tx *store.Tx) error {
				var err error
				l, next, err = tx.RecordReads(t.Context(), a.ID, other.OrganisationID, store.Page{})
				return err
			})
			return l, next, err
		}()
		wantCode(t, err, passnum.ENOTFOUND)
	})
}
