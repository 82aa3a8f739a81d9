package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func coordinate(v float64) *float64 { return &v }

// newApplication is a complete, valid application for siret.
func newApplication(siret string) passnum.NewPlaceApplication {
	return passnum.NewPlaceApplication{
		Name:         "Espace numérique de Planoise",
		SIRET:        siret,
		LegalRep:     passnum.LegalRepresentative{Name: "Claire Dupont", Role: "présidente"},
		ContactEmail: "contact@planoise-numerique.fr",
		ContactPhone: "03 81 41 00 00",
		Site: passnum.NewSite{
			Address: "13 avenue de l'Île-de-France", CommuneINSEE: "25056", Postcode: "25000",
			Latitude: coordinate(47.2205), Longitude: coordinate(5.9744), OpeningHours: "Mo-Fr 09:00-17:00",
			Services:        []string{"Maîtrise des outils numériques du quotidien"},
			Publics:         []string{"Jeunes"},
			SpecificSupport: []string{"Handicaps moteurs"},
		},
		CharterAccepted: true,
		CharterVersion:  passnum.CharterVersion,
		Bank:            passnum.NewBankAccount{Holder: "Association Planoise numérique", IBAN: "FR76 3000 6000 0112 3456 7890 189", BIC: "BNPAFRPP"},
	}
}

func mustApply(t *testing.T, s *store.Store, a passnum.NewPlaceApplication) store.ApplicationReceipt {
	t.Helper()
	rc, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.ApplicationReceipt, error) {
		return tx.ApplyForLabel(ctx, a)
	})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return rc
}

func placeFile(t *testing.T, s *store.Store, id string, fullIBAN bool) passnum.PlaceApplication {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.PlaceApplication, error) {
		return tx.PlaceApplication(ctx, id, fullIBAN)
	})
}

func TestApplyForLabel(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		siret := nextSIRET()
		rc := mustApply(t, s, newApplication(siret))
		if rc.Organisation.Status != passnum.OrgPending || rc.Organisation.Kind != passnum.RolePlace || rc.Secret == "" {
			t.Fatalf("receipt: %+v", rc)
		}
		// The key acts as the place, which cannot redeem yet.
		actor, err := s.Authenticate(t.Context(), rc.Secret)
		if err != nil || actor.OrganisationID != rc.Organisation.ID || actor.Role != passnum.RolePlace {
			t.Fatalf("authenticate: %+v %v", actor, err)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (struct{}, error) {
			return struct{}{}, tx.PlaceLabelled(ctx, actor.OrganisationID)
		})
		wantCode(t, err, passnum.EPLACENOTLABELLED)

		a := placeFile(t, s, rc.Organisation.ID, true)
		if a.SIRET != siret || a.Status != passnum.OrgPending || a.LegalRepresentative.Role != "présidente" || a.ContactPhone != "+33381410000" ||
			a.CharterVersion != passnum.CharterVersion || a.CharterAcceptedAt == nil || !a.CharterAcceptedAt.Equal(storetest.Epoch) ||
			a.SubmittedAt == nil || a.DecidedAt != nil || a.CommuneINSEE != "25056" {
			t.Fatalf("file: %+v", a)
		}
		if len(a.Sites) != 1 || len(a.BankAccounts) != 1 || len(a.History) != 1 || a.History[0].Status != passnum.OrgPending {
			t.Fatalf("file: %+v", a)
		}
		site := a.Sites[0]
		if site.ID != rc.Site.ID || site.OpenDataID != "passnum-"+site.ID || site.Pivot != siret || site.Name != "Espace numérique de Planoise" ||
			site.CommuneName != "Besançon" || site.Fees[0] != passnum.FeesPassAccepted || *site.Latitude != 47.2205 ||
			site.Services[0] != "Maîtrise des outils numériques du quotidien" || site.UpdatedOn.String() != "2026-03-10" {
			t.Fatalf("site: %+v", site)
		}
		bank := a.BankAccounts[0]
		if bank.Status != passnum.BankPending || bank.IBAN != "FR7630006000011234567890189" || bank.ValidFrom != nil {
			t.Fatalf("bank account: %+v", bank)
		}
		if masked := placeFile(t, s, rc.Organisation.ID, false).BankAccounts[0].IBAN; masked != "FR76 **** **** **** **** ***0 189" {
			t.Fatalf("masked IBAN: %q", masked)
		}
		// Every step is audited, with ids only: no name, e-mail or IBAN.
		actions := rawStrings(t, db, `SELECT action FROM audit_log WHERE actor_kind = 'applicant' ORDER BY id`)
		if strings.Join(actions, ",") != "organisation.create,site.create,bank_account.submit,key.create,place.apply" {
			t.Fatalf("audit: %q", actions)
		}
		for _, row := range rawStrings(t, db, `SELECT organisation_id || ' ' || reason || ' ' || details FROM audit_log`) {
			for _, personal := range []string{"Dupont", "contact@", "FR76", "30006", "Planoise", "+3338"} {
				if strings.Contains(row, personal) {
					t.Fatalf("audit entry holds personal or bank data (%s): %s", personal, row)
				}
			}
		}
	})
}

func TestApplyForLabelRefusals(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		siret := nextSIRET()
		mustApply(t, s, newApplication(siret))
		before := placeRowCounts(t, db)

		apply := func(a passnum.NewPlaceApplication) error {
			_, err := write(t, s, func(ctx context.Context, tx *store.Tx) (store.ApplicationReceipt, error) {
				return tx.ApplyForLabel(ctx, a)
			})
			return err
		}
		// One SIRET, one place account: a second application is refused...
		e := wantCode(t, apply(newApplication(siret)), passnum.ECONFLICT)
		if !strings.Contains(e.Message, "un SIRET, un compte lieu") {
			t.Fatalf("conflict does not name the rule: %s", e.Message)
		}
		// ...and so is the SIRET of a place the operator registered.
		other := f.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu", SIRET: nextSIRET()})
		wantCode(t, apply(newApplication(other.SIRET)), passnum.ECONFLICT)

		bad := newApplication(nextSIRET())
		bad.Bank.IBAN = "FR7630006000011234567890188"
		e = wantCode(t, apply(bad), passnum.EINVALID)
		if len(e.Fields) != 1 || e.Fields[0].Field != "bank_account.iban" {
			t.Fatalf("fields: %+v", e.Fields)
		}
		// Only the operator-registered place was added: nothing half-written.
		before[0]++
		if after := placeRowCounts(t, db); after != before {
			t.Fatalf("rows before %v, after %v", before, after)
		}
	})
}

// placeRowCounts counts organisations, profiles, sites, bank accounts and keys.
func placeRowCounts(t *testing.T, db *sql.DB) [5]int {
	t.Helper()
	var out [5]int
	for i, table := range []string{"organisations", "place_profiles", "sites", "bank_accounts", "api_keys"} {
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+table).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestPlaceDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		refused := mustApply(t, s, newApplication(nextSIRET())).Organisation.ID
		clock.Advance(time.Minute)
		labelled := mustApply(t, s, newApplication(nextSIRET())).Organisation.ID
		clock.Advance(time.Minute)
		waiting := mustApply(t, s, newApplication(nextSIRET())).Organisation.ID

		clock.Advance(24 * time.Hour)
		f.MustSetPlaceStatus(refused, passnum.OrgRefused, "Aucune formation aux compétences numériques de base")
		a := placeFile(t, s, refused, false)
		if a.Status != passnum.OrgRefused || a.DecisionReason != "Aucune formation aux compétences numériques de base" || a.DecidedAt == nil ||
			!a.DecidedAt.Equal(clock.Now()) || len(a.History) != 2 || a.History[1].Status != passnum.OrgRefused || a.History[1].Reason != a.DecisionReason {
			t.Fatalf("refused file: %+v", a)
		}
		// A refused place's bank details stay pending: nobody pays it.
		if a.BankAccounts[0].Status != passnum.BankPending {
			t.Fatalf("bank account of a refused place: %+v", a.BankAccounts[0])
		}

		// Labelling approves the bank details reviewed with the application.
		f.MustSetPlaceStatus(labelled, passnum.OrgLabelled, "")
		a = placeFile(t, s, labelled, true)
		if a.Status != passnum.OrgLabelled || a.DecisionReason != "" || a.DecidedAt == nil {
			t.Fatalf("labelled file: %+v", a)
		}
		if b := a.BankAccounts[0]; b.Status != passnum.BankApproved || b.ValidFrom == nil || !b.ValidFrom.Equal(clock.Now()) {
			t.Fatalf("bank account after labelling: %+v", b)
		}
		clock.Advance(time.Hour)
		f.MustSetPlaceStatus(labelled, passnum.OrgSuspended, "Charte non respectée : pass encaissés sans formation")
		a = placeFile(t, s, labelled, true)
		if a.Status != passnum.OrgSuspended || !strings.HasPrefix(a.DecisionReason, "Charte non respectée") || len(a.History) != 3 {
			t.Fatalf("suspended file: %+v", a)
		}
		// Details changed later are not approved by labelling the place again.
		placeActor := passnum.Actor{OrganisationID: labelled, Role: passnum.RolePlace, Kind: "key", ID: "k"}
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
			return tx.ProposeBankAccount(ctx, placeActor, labelled, passnum.NewBankAccount{Holder: "Autre", IBAN: "DE89370400440532013000", BIC: "COBADEFF"})
		}); err != nil {
			t.Fatal(err)
		}
		f.MustSetPlaceStatus(labelled, passnum.OrgLabelled, "Contrôle terminé")
		a = placeFile(t, s, labelled, true)
		if a.Status != passnum.OrgLabelled || a.DecisionReason != "Contrôle terminé" || a.BankAccounts[0].Status != passnum.BankPending || a.BankAccounts[1].Status != passnum.BankApproved {
			t.Fatalf("relabelled file: %+v", a)
		}

		// The review list: newest first, filtered by status, paginated.
		list := func(status passnum.OrgStatus, p store.Page) ([]passnum.PlaceApplicationSummary, string) {
			var items []passnum.PlaceApplicationSummary
			var next string
			err := s.View(t.Context(), func(tx *store.Tx) error {
				var err error
				items, next, err = tx.ListPlaceApplications(t.Context(), status, p)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return items, next
		}
		items, _ := list(passnum.OrgPending, store.Page{})
		if len(items) != 1 || items[0].ID != waiting || items[0].SubmittedAt == nil {
			t.Fatalf("pending: %+v", items)
		}
		p, _ := store.NewPage(2, "")
		items, next := list("", p)
		if len(items) != 2 || items[0].ID != waiting || items[1].ID != labelled || next == "" {
			t.Fatalf("page 1: %+v %q", items, next)
		}
		p, _ = store.NewPage(2, next)
		items, next = list("", p)
		if len(items) != 1 || items[0].ID != refused || next != "" || items[0].DecisionReason == "" {
			t.Fatalf("page 2: %+v %q", items, next)
		}
		err := s.View(t.Context(), func(tx *store.Tx) error {
			_, _, err := tx.ListPlaceApplications(t.Context(), "approved", store.Page{})
			return err
		})
		wantCode(t, err, passnum.EINVALID)

		// A place the operator registered directly has a file too, without
		// an application; its decisions are recorded all the same.
		direct := f.MustPlace("Médiathèque Pierre-Bayle")
		a = placeFile(t, s, direct.OrganisationID, true)
		if a.Status != passnum.OrgLabelled || a.SubmittedAt != nil || a.DecidedAt == nil || len(a.Sites) != 0 {
			t.Fatalf("direct place: %+v", a)
		}
		_ = view(t, s, func(ctx context.Context, tx *store.Tx) (struct{}, error) {
			_, err := tx.PlaceApplication(ctx, f.op.OrganisationID, true)
			wantCode(t, err, passnum.ENOTFOUND)
			return struct{}{}, nil
		})
	})
}

// Of many applications with one SIRET sent at once, exactly one is kept.
func TestApplyForLabelRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		siret := nextSIRET()
		errs := race(20, func(i int) error {
			return s.Write(context.Background(), func(tx *store.Tx) error {
				_, err := tx.ApplyForLabel(context.Background(), newApplication(siret))
				return err
			})
		})
		wantWinners(t, errs, 1, passnum.ECONFLICT)
	})
}
