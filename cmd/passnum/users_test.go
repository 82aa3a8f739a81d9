package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// The very first operator gets in through a one-time link printed by
// "admin create-user".
func TestCreateUser(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"admin", "create-user", "--db", db, "--email", "Responsable@Region.fr", "--public-url", "https://pass.exemple.fr/"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	link := strings.TrimSpace(out.String())
	if !regexp.MustCompile(`^https://pass\.exemple\.fr/lien/invite/[A-Za-z0-9_-]{40,}$`).MatchString(link) {
		t.Fatalf("printed %q; want only the link", link)
	}
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	secret := link[strings.LastIndex(link, "/")+1:]
	err = s.View(context.Background(), func(tx *store.Tx) error {
		u, err := tx.AccountLink(context.Background(), secret, store.LinkInvite)
		if err == nil && (u.Email != "responsable@region.fr" || u.Role != passnum.RoleOperator) {
			t.Errorf("the link is for %+v", u)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The same address twice is refused with what to do.
	out.Reset()
	err = run(context.Background(), []string{"admin", "create-user", "--db", db, "--email", "responsable@region.fr"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "déjà un compte") || out.Len() != 0 {
		t.Fatalf("second account for the same address: %v, printed %q", err, out.String())
	}
	// Other roles need their organisation.
	err = run(context.Background(), []string{"admin", "create-user", "--db", db, "--email", "x@exemple.fr", "--role", "place"}, &out, &errOut)
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("place without organisation: %v", err)
	}
}

// Asking a command for its options lists them and runs nothing.
func TestHelpRunsNothing(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"admin", "create-user", "-h", "--db", "sqlite:" + filepath.Join(dir, "p.db")}, &out, &errOut)
	if !errors.Is(err, errHelpShown) {
		t.Fatalf("-h: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Fatalf("-h created %v", m)
	}
}
