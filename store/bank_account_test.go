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

func bankHistory(t *testing.T, s *store.Store, orgID string) []passnum.BankAccount {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.BankAccount, error) {
		return tx.BankAccounts(ctx, orgID)
	})
}

func TestBankAccountChange(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		rc := mustApply(t, s, newApplication(nextSIRET()))
		org := rc.Organisation.ID
		place := passnum.Actor{OrganisationID: org, Role: passnum.RolePlace, Kind: "key", ID: rc.Key.ID}
		propose := func(n passnum.NewBankAccount) (passnum.BankAccount, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
				return tx.ProposeBankAccount(ctx, place, org, n)
			})
		}
		approve := func(id string) (passnum.BankAccount, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
				return tx.ApproveBankAccount(ctx, f.op, id, "")
			})
		}
		reject := func(id, reason string) (passnum.BankAccount, error) {
			return write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
				return tx.RejectBankAccount(ctx, f.op, id, reason)
			})
		}
		newDetails := passnum.NewBankAccount{Holder: "Association Planoise numérique", IBAN: "FR14 2004 1010 0505 0001 3M02 606", BIC: "PSSTFRPPDIJ"}

		// One proposal at a time.
		e := wantCode(t, errOnly(propose(newDetails)), passnum.ECONFLICT)
		if e.Extra["bank_account_id"] != rc.BankAccount.ID || !strings.Contains(e.Message, "attendez sa décision") {
			t.Fatalf("conflict: %+v", e)
		}
		clock.Advance(time.Hour)
		first, err := approve(rc.BankAccount.ID)
		if err != nil || first.Status != passnum.BankApproved || !first.ValidFrom.Equal(clock.Now()) || first.ValidUntil != nil {
			t.Fatalf("approve: %+v %v", first, err)
		}
		wantCode(t, errOnly(approve(rc.BankAccount.ID)), passnum.ECONFLICT)
		// The same details again change nothing.
		wantCode(t, errOnly(propose(passnum.NewBankAccount{Holder: rc.BankAccount.Holder, IBAN: rc.BankAccount.IBAN, BIC: rc.BankAccount.BIC})), passnum.ECONFLICT)
		wantCode(t, errOnly(propose(passnum.NewBankAccount{Holder: "X", IBAN: "FR7630006000011234567890188", BIC: "BNPAFRPP"})), passnum.EINVALID)

		clock.Advance(30 * 24 * time.Hour)
		second, err := propose(newDetails)
		if err != nil || second.Status != passnum.BankPending || second.IBAN != "FR1420041010050500013M02606" {
			t.Fatalf("propose: %+v %v", second, err)
		}
		// Until approved, the old details stay in force.
		if h := bankHistory(t, s, org); len(h) != 2 || h[0].ID != second.ID || h[1].Status != passnum.BankApproved {
			t.Fatalf("history while pending: %+v", h)
		}
		wantCode(t, errOnly(reject(second.ID, "")), passnum.EINVALID)
		clock.Advance(time.Hour)
		approvedAt := clock.Now()
		if _, err := approve(second.ID); err != nil {
			t.Fatal(err)
		}
		h := bankHistory(t, s, org)
		if len(h) != 2 {
			t.Fatalf("history: %+v", h)
		}
		now, old := h[0], h[1]
		if now.ID != second.ID || now.Status != passnum.BankApproved || !now.ValidFrom.Equal(approvedAt) || now.ValidUntil != nil {
			t.Fatalf("new account: %+v", now)
		}
		if old.ID != first.ID || old.Status != passnum.BankReplaced || !old.ValidFrom.Equal(*first.ValidFrom) || !old.ValidUntil.Equal(approvedAt) ||
			old.IBAN != "FR7630006000011234567890189" {
			t.Fatalf("old account kept on record: %+v", old)
		}

		// A third proposal, rejected with its reason: the second stays.
		third, err := propose(passnum.NewBankAccount{Holder: "Association Planoise numérique", IBAN: "DE89 3704 0044 0532 0130 00", BIC: "COBADEFFXXX"})
		if err != nil {
			t.Fatal(err)
		}
		rejected, err := reject(third.ID, "Le titulaire du RIB n'est pas l'association")
		if err != nil || rejected.Status != passnum.BankRejected || rejected.DecisionReason == "" || rejected.ValidFrom != nil {
			t.Fatalf("reject: %+v %v", rejected, err)
		}
		wantCode(t, errOnly(approve(third.ID)), passnum.ECONFLICT)
		h = bankHistory(t, s, org)
		if len(h) != 3 || h[1].Status != passnum.BankApproved {
			t.Fatalf("history after rejection: %+v", h)
		}
		// Nothing was ever deleted, and every step is audited with ids only.
		actions := rawStrings(t, db, `SELECT action FROM audit_log WHERE object_type = 'bank_account' ORDER BY id`)
		want := "bank_account.submit,bank_account.approve,bank_account.submit,bank_account.replace,bank_account.approve,bank_account.submit,bank_account.reject"
		if strings.Join(actions, ",") != want {
			t.Fatalf("audit: %q", actions)
		}
		wantCode(t, errOnly(write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
			return tx.ApproveBankAccount(ctx, f.op, passnum.NewID(clock.Now()), "")
		})), passnum.ENOTFOUND)
		// Bank details belong to places only.
		wantCode(t, errOnly(write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.BankAccount, error) {
			return tx.ProposeBankAccount(ctx, f.op, f.op.OrganisationID, newDetails)
		})), passnum.ENOTFOUND)
	})
}

// Of many proposals sent at once, one waits for the operator; of many
// approvals of it, one takes effect.
func TestBankAccountRaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		rc := mustApply(t, s, newApplication(nextSIRET()))
		f.MustSetPlaceStatus(rc.Organisation.ID, passnum.OrgLabelled, "")
		place := passnum.Actor{OrganisationID: rc.Organisation.ID, Role: passnum.RolePlace, Kind: "key", ID: rc.Key.ID}
		ids := make([]string, 20)
		errs := race(20, func(i int) error {
			return s.Write(context.Background(), func(tx *store.Tx) error {
				b, err := tx.ProposeBankAccount(context.Background(), place, place.OrganisationID,
					passnum.NewBankAccount{Holder: "Association", IBAN: "FR14 2004 1010 0505 0001 3M02 606", BIC: "PSSTFRPP"})
				ids[i] = b.ID
				return err
			})
		})
		won := wantWinners(t, errs, 1, passnum.ECONFLICT)
		pending := ids[won[0]]
		errs = race(20, func(i int) error {
			return s.Write(context.Background(), func(tx *store.Tx) error {
				_, err := tx.ApproveBankAccount(context.Background(), f.op, pending, "")
				return err
			})
		})
		wantWinners(t, errs, 1, passnum.ECONFLICT)
		h := bankHistory(t, s, place.OrganisationID)
		if len(h) != 2 || h[0].Status != passnum.BankApproved || h[1].Status != passnum.BankReplaced {
			t.Fatalf("history: %+v", h)
		}
	})
}

func errOnly[T any](_ T, err error) error { return err }
