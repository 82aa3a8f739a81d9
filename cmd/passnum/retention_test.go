package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// "passnum retention run" pseudonymises a person registered, without a
// booklet, more than 36 months ago, once; check still passes; a bad
// setting is refused in French.
func TestRetentionCommand(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	long := passnum.NewFixedClock(time.Now().AddDate(-3, -1, 0))
	s, err := store.Open(ctx, db, store.Options{Migrate: true, Clock: long})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = s.Write(ctx, func(tx *store.Tx) error {
		d, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale", CommuneINSEE: "25056"})
		if err != nil {
			return err
		}
		b, err := tx.CreateBeneficiary(ctx, passnum.Actor{OrganisationID: d.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"},
			passnum.Beneficiary{FirstName: "Léa", LastName: "Martin", BirthDate: passnum.MustDate("2004-05-14"), CommuneINSEE: "25056", JobSeeker: true})
		id = b.ID
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"retention", "run", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "1\u00a0identité pseudonymisée") || !strings.Contains(out.String(), "36 mois") {
		t.Fatalf("first run: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"retention", "run", "--db", db, "--retention-months", "36"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "0\u00a0identité pseudonymisée") {
		t.Fatalf("second run: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"check", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("check: %v", err)
	}
	s, err = store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx *store.Tx) error {
		b, err := tx.Beneficiary(ctx, id, "")
		if err == nil && (b.PseudonymisedAt == nil || b.FirstName != passnum.ErasedFirstName) {
			t.Errorf("not pseudonymised: %+v", b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"retention", "run", "--db", db, "--retention-months", "0"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "durée de conservation") {
		t.Fatalf("0 months: %v", err)
	}
}
