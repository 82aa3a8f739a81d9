package store_test

import (
	"context"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		agency := f.MustDistributor("Mission locale")
		u, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.CreateUser(ctx, f.op, passnum.NewUser{OrganisationID: agency.OrganisationID, Email: " Claire.Martin@Exemple.fr ", Name: "Claire Martin"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "claire.martin@exemple.fr" || u.Role != passnum.RoleDistributor || u.HasPassword || u.OrganisationName != "Mission locale" {
			t.Fatalf("created user %+v", u)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.CreateUser(ctx, f.op, passnum.NewUser{OrganisationID: agency.OrganisationID, Email: "claire.martin@exemple.fr"})
		})
		wantCode(t, err, passnum.ECONFLICT)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.CreateUser(ctx, f.op, passnum.NewUser{OrganisationID: agency.OrganisationID, Email: "pas une adresse"})
		})
		wantCode(t, err, passnum.EINVALID)

		// An invitation link works once, before it expires.
		link, err := write(t, s, func(ctx context.Context, tx *store.Tx) (string, error) {
			return tx.CreateAccountLink(ctx, f.op, u.ID, store.LinkInvite, time.Hour)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.UseAccountLink(ctx, link, store.LinkReset, "h")
		}); err == nil {
			t.Fatal("an invitation link was used as a reset link")
		}
		got, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.UseAccountLink(ctx, link, store.LinkInvite, passnum.HashPassword("une phrase de passe"))
		})
		if err != nil || got.ID != u.ID {
			t.Fatalf("use link: %+v, %v", got, err)
		}
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.UseAccountLink(ctx, link, store.LinkInvite, "x")
		})
		wantCode(t, err, passnum.ENOTFOUND)
		cred := view(t, s, func(ctx context.Context, tx *store.Tx) (store.Credentials, error) {
			return tx.UserCredentials(ctx, "CLAIRE.MARTIN@exemple.fr")
		})
		if !passnum.PasswordMatches(cred.PasswordHash, "une phrase de passe") || !cred.User.HasPassword {
			t.Fatal("the password chosen through the link does not match")
		}
		expiring, _ := write(t, s, func(ctx context.Context, tx *store.Tx) (string, error) {
			return tx.CreateAccountLink(ctx, f.op, u.ID, store.LinkReset, time.Hour)
		})
		clock.Advance(time.Hour + time.Second)
		_, err = write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.UseAccountLink(ctx, expiring, store.LinkReset, "x")
		})
		wantCode(t, err, passnum.ENOTFOUND)

		// Sessions: found while alive, gone after expiry, sign-out or
		// when the account is disabled.
		open := func() string {
			secret, err := write(t, s, func(ctx context.Context, tx *store.Tx) (string, error) {
				return tx.CreateWebSession(ctx, store.NewWebSession{UserID: u.ID, TTL: time.Hour})
			})
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		find := func(secret string) error {
			return s.View(t.Context(), func(tx *store.Tx) error { _, err := tx.WebSession(t.Context(), secret); return err })
		}
		sess := open()
		if err := find(sess); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
		wantCode(t, find(sess), passnum.ENOTFOUND)
		sess = open()
		if err := s.Write(t.Context(), func(tx *store.Tx) error { return tx.EndWebSession(t.Context(), sess) }); err != nil {
			t.Fatal(err)
		}
		wantCode(t, find(sess), passnum.ENOTFOUND)
		sess = open()
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.User, error) {
			return tx.SetUserDisabled(ctx, f.op, u.ID, "", true)
		}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, find(sess), passnum.ENOTFOUND)

		mustCheck(t, s)
	})
}
