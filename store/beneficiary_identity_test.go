package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func register(t *testing.T, s *store.Store, dist passnum.Actor, first, last, birth string) (passnum.Beneficiary, error) {
	t.Helper()
	return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
		return tx.CreateBeneficiary(ctx, dist, passnum.Beneficiary{FirstName: first, LastName: last, BirthDate: passnum.MustDate(birth), CommuneINSEE: "25056", JobSeeker: true})
	})
}

// One person is registered once per agency, whatever the accents, case,
// hyphens and spaces of their names; another agency may register them.
func TestSamePersonOncePerAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		o := f.MustDistributor("France Travail Dijon")
		theo, err := register(t, s, d, "Théo", "Lambert", "2006-03-02")
		if err != nil {
			t.Fatal(err)
		}
		for _, names := range [][2]string{{"Theo", "LAMBERT"}, {" théo ", "lambert"}, {"THÉO", "Lam-bert"}} {
			_, err := register(t, s, d, names[0], names[1], "2006-03-02")
			e := wantCode(t, err, passnum.EDUPLICATEPERSON)
			if e.Extra["beneficiary_id"] != theo.ID {
				t.Errorf("%v: extra %v, want the existing record %s", names, e.Extra, theo.ID)
			}
		}
		// Another birth date, another first name: other people.
		if _, err := register(t, s, d, "Theo", "Lambert", "2006-03-03"); err != nil {
			t.Fatal(err)
		}
		if _, err := register(t, s, d, "Théa", "Lambert", "2006-03-02"); err != nil {
			t.Fatal(err)
		}
		// Another agency registers its own record.
		if _, err := register(t, s, o, "Theo", "LAMBERT", "2006-03-02"); err != nil {
			t.Fatal(err)
		}
		n := view(t, s, func(ctx context.Context, tx *store.Tx) (int, error) {
			list, _, err := tx.SearchBeneficiaries(ctx, d.OrganisationID, "lambert", store.Page{})
			return len(list), err
		})
		if n != 3 {
			t.Fatalf("%d records at the agency, want 3", n)
		}
	})
}

// Two counsellors registering the same person at once: one record.
func TestSamePersonConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = register(t, s, d, "Inès", "Girardot", "2006-04-14")
			})
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch passnum.ErrorCode(err) {
			case "":
				created++
			case passnum.EDUPLICATEPERSON:
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if created != 1 {
			t.Fatalf("%d records created, want 1", created)
		}
	})
}

// A hand-out to a person who holds a booklet of the programme elsewhere is
// refused until confirmed; confirmed cases are recorded, counted, listed
// and audited.
func TestHandOutPossibleDuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		other := w.MustDistributor("France Travail Dijon")
		w.MustAllocate(w.prog.ID, other.OrganisationID, 2)
		w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		again := w.MustBeneficiary(other, func(b *passnum.Beneficiary) { b.FirstName, b.LastName = "LEA", "martin" })
		_, err := w.HandOut(other, again.ID, w.prog.ID)
		e := wantCode(t, err, passnum.EPOSSIBLEDUPLICATE)
		if len(e.Extra) != 0 || e.Fields != nil {
			t.Fatalf("the refusal names something: %+v", e)
		}
		bk, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
			return tx.HandOutWith(ctx, other, store.HandOutRequest{BeneficiaryID: again.ID, ProgrammeID: w.prog.ID, ConfirmPossibleDuplicate: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		// A third agency is warned too; someone else is not.
		third := w.MustDistributor("Mission locale de Vesoul")
		w.MustAllocate(w.prog.ID, third.OrganisationID, 2)
		lea := w.MustBeneficiary(third, func(b *passnum.Beneficiary) { b.LastName = "Martin" })
		_, err = w.HandOut(third, lea.ID, w.prog.ID)
		wantCode(t, err, passnum.EPOSSIBLEDUPLICATE)
		someoneElse := w.MustBeneficiary(third, func(b *passnum.Beneficiary) { b.LastName = "Martinez" })
		w.MustHandOut(third, someoneElse.ID, w.prog.ID)

		list, n := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.DuplicateConfirmation, error) {
			l, _, err := tx.ListDuplicateConfirmations(ctx, store.Page{})
			return l, err
		}), view(t, s, func(ctx context.Context, tx *store.Tx) (int64, error) {
			return tx.CountDuplicateConfirmations(ctx, w.prog.ID)
		})
		if n != 1 || len(list) != 1 {
			t.Fatalf("count %d, list %+v; want one case", n, list)
		}
		c := list[0]
		if c.BookletID != bk.ID || c.BeneficiaryID != again.ID || c.DistributorID != other.OrganisationID || c.DistributorName != "France Travail Dijon" ||
			len(c.OtherDistributorIDs) != 1 || c.OtherDistributorIDs[0] != w.dist.OrganisationID || c.ProgrammeName != w.prog.Name {
			t.Fatalf("case %+v", c)
		}
		audit := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "booklet", ObjectID: bk.ID})
			return l, err
		})
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if len(actions) != 2 || actions[0] != "booklet.duplicate_confirmed" && actions[1] != "booklet.duplicate_confirmed" {
			t.Fatalf("audit of the booklet: %v", actions)
		}
		mustCheck(t, s)
	})
}

// The counsellor corrects a record: the changed fields with their old and
// new values are kept apart, the audit names the fields only, and a
// correction making the record another one's person is refused.
func TestCorrectBeneficiary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		other := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) { b.FirstName, b.LastName = "Théo", "Lambert" })
		correct := func(actor passnum.Actor, id string, edit func(*passnum.Beneficiary)) (passnum.Beneficiary, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
				b, err := tx.Beneficiary(ctx, id, "")
				if err != nil {
					return b, err
				}
				edit(&b)
				return tx.CorrectBeneficiary(ctx, actor, id, b, "erreur de saisie")
			})
		}
		got, err := correct(w.dist, w.ben.ID, func(b *passnum.Beneficiary) {
			b.LastName, b.BirthDate, b.CommuneINSEE, b.InStudies = "Martin-Durand", passnum.MustDate("2005-06-16"), "21231", true
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.LastName != "Martin-Durand" || got.BirthDate.String() != "2005-06-16" || got.CommuneINSEE != "21231" || !got.InStudies || got.FirstName != "Léa" {
			t.Fatalf("corrected: %+v", got)
		}
		changes := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.BeneficiaryChange, error) {
			return tx.BeneficiaryChanges(ctx, w.ben.ID)
		})
		byField := map[string]store.BeneficiaryChange{}
		for _, c := range changes {
			byField[c.Field] = c
		}
		if len(changes) != 4 || byField["last_name"].Old != "Martin" || byField["last_name"].New != "Martin-Durand" ||
			byField["birth_date"].Old != "2005-06-15" || byField["in_studies"].New != "true" || byField["commune_insee"].Old != "25056" {
			t.Fatalf("changes %+v", changes)
		}
		audit := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
			l, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "beneficiary", ObjectID: w.ben.ID, Action: "beneficiary.correct"})
			return l, err
		})
		if len(audit) != 1 || audit[0].Reason != "erreur de saisie" {
			t.Fatalf("audit %+v", audit)
		}
		for _, personal := range []string{"Martin", "2005-06", "21231"} {
			if containsFold(audit[0].Details, personal) {
				t.Errorf("the audit entry holds %q: %s", personal, audit[0].Details)
			}
		}
		// Nothing changed: nothing written.
		if _, err := correct(w.dist, w.ben.ID, func(*passnum.Beneficiary) {}); err != nil {
			t.Fatal(err)
		}
		if n := len(view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.BeneficiaryChange, error) {
			return tx.BeneficiaryChanges(ctx, w.ben.ID)
		})); n != 4 {
			t.Fatalf("%d changes after an empty correction", n)
		}
		// Into another record's person: refused, naming it.
		_, err = correct(w.dist, w.ben.ID, func(b *passnum.Beneficiary) {
			b.FirstName, b.LastName, b.BirthDate = "THEO", "lambert", other.BirthDate
		})
		if e := wantCode(t, err, passnum.EDUPLICATEPERSON); e.Extra["beneficiary_id"] != other.ID {
			t.Fatalf("extra %v", e.Extra)
		}
		// Invalid data, or another agency's record: refused.
		_, err = correct(w.dist, w.ben.ID, func(b *passnum.Beneficiary) { b.FirstName = " " })
		wantCode(t, err, passnum.EINVALID)
		stranger := w.MustDistributor("France Travail Dijon")
		_, err = correct(stranger, w.ben.ID, func(b *passnum.Beneficiary) { b.FirstName = "Lou" })
		wantCode(t, err, passnum.ENOTFOUND)
		// The corrected identity is the one guarded from now on.
		_, err = register(t, s, w.dist, "Lea", "Martin Durand", "2005-06-16")
		wantCode(t, err, passnum.EDUPLICATEPERSON)
		if _, err := register(t, s, w.dist, "Léa", "Martin", "2005-06-15"); err != nil {
			t.Fatalf("the old identity is free again: %v", err)
		}
		mustCheck(t, s)
	})
}

// The migration fills the identity of the records registered before it;
// a person registered twice in one agency keeps both records.
func TestMigrationFillsIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		d := f.MustDistributor("Mission locale du Grand Besançon")
		err := s.RemigrateIdentityForTests(t.Context(), func(exec func(string, ...any) error) error {
			for i, names := range [][2]string{{"Théo", "Lambert"}, {"Theo", "LAMBERT"}, {"Inès", "Girardot"}} {
				if err := exec(`INSERT INTO beneficiaries (id, distributor_id, first_name, last_name, birth_date, commune_insee, job_seeker, in_studies, created_at)
					VALUES ($1, $2, $3, $4, '2006-03-02', '25056', TRUE, FALSE, $5)`, passnum.NewID(clock.Now()), d.OrganisationID, names[0], names[1], int64(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list := view(t, s, func(ctx context.Context, tx *store.Tx) ([]store.BeneficiarySummary, error) {
			l, _, err := tx.SearchBeneficiaries(ctx, d.OrganisationID, "", store.Page{})
			return l, err
		})
		if len(list) != 3 {
			t.Fatalf("%d records after the migration", len(list))
		}
		_, err = register(t, s, d, "theo", "lambert", "2006-03-02")
		wantCode(t, err, passnum.EDUPLICATEPERSON)
		_, err = register(t, s, d, "Ines", "GIRARDOT", "2006-03-02")
		wantCode(t, err, passnum.EDUPLICATEPERSON)
		if k := store.IdentityKeyForTests("Marie-Léa", "Le Gall", "2006-03-02"); k != "marielea|legall|2006-03-02" {
			t.Fatalf("identity key %q", k)
		}
	})
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Check wants the audit entries of confirmed cases and corrections.
func TestCheckCatchesIdentityViolations(t *testing.T) {
	tests := []struct {
		name, sql, mention string
	}{
		{"confirmation audit entry deleted", `DELETE FROM audit_log WHERE action = 'booklet.duplicate_confirmed'`, `SELECT booklet_id FROM duplicate_confirmations`},
		{"correction audit entry deleted", `DELETE FROM audit_log WHERE action = 'beneficiary.correct'`, `SELECT DISTINCT beneficiary_id FROM beneficiary_changes`},
	}
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				emptyDatabase(t, db)
				w := newWorld(t, s, clock)
				other := w.MustDistributor("France Travail Dijon")
				w.MustAllocate(w.prog.ID, other.OrganisationID, 2)
				w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
				again := w.MustBeneficiary(other, func(b *passnum.Beneficiary) { b.LastName = "Martin" })
				if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
					return tx.HandOutWith(ctx, other, store.HandOutRequest{BeneficiaryID: again.ID, ProgrammeID: w.prog.ID, ConfirmPossibleDuplicate: true})
				}); err != nil {
					t.Fatal(err)
				}
				if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
					b := again
					b.InStudies = true
					return tx.CorrectBeneficiary(ctx, other, again.ID, b, "")
				}); err != nil {
					t.Fatal(err)
				}
				mustCheck(t, s)
				wantViolation(t, s, db, tt.name, "audit", tt.mention, []string{tt.sql})
			})
		}
	})
}

// Two agencies handing out to the same person at the same instant: one
// gets the booklet, the other is told of it (the lock of the person and
// programme makes the second wait for the first).
func TestPossibleDuplicateConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		for round := range 3 {
			w := newWorld(t, s, clock)
			last := fmt.Sprintf("Concurrent %d", round)
			var dists []passnum.Actor
			var bens []passnum.Beneficiary
			for i := range 4 {
				d := w.MustDistributor(fmt.Sprintf("Agence %d-%d", round, i))
				w.MustAllocate(w.prog.ID, d.OrganisationID, 1)
				dists = append(dists, d)
				bens = append(bens, w.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = last }))
			}
			var wg sync.WaitGroup
			errs := make([]error, len(dists))
			for i := range dists {
				wg.Go(func() { _, errs[i] = w.HandOut(dists[i], bens[i].ID, w.prog.ID) })
			}
			wg.Wait()
			handed := 0
			for _, err := range errs {
				switch passnum.ErrorCode(err) {
				case "":
					handed++
				case passnum.EPOSSIBLEDUPLICATE:
				default:
					t.Fatalf("unexpected error %v", err)
				}
			}
			if handed != 1 {
				t.Fatalf("round %d: %d agencies handed out without confirmation, want 1", round, handed)
			}
		}
	})
}
