package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// A backup taken while writes go on holds every write acknowledged before
// it began, restores through the command, and passes passnum check.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "passnum.db")
	s, err := store.Open(ctx, db, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []string // organisation ids, in acknowledgement order
	write := func(i int) error {
		var id string
		err := s.Write(ctx, func(tx *store.Tx) error {
			o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: fmt.Sprintf("Agence %d", i), CommuneINSEE: "25056"})
			id = o.ID
			return err
		})
		if err == nil {
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
		}
		return err
	}
	for i := 0; i < 200; i++ {
		if err := write(i); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := write(1000 + w*100000 + i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	file := filepath.Join(dir, "sauvegarde.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"backup", file, "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("backup: %v %s", err, errOut.String())
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	total := len(acked)
	mu.Unlock()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if total <= len(before) {
		t.Fatalf("no write went on during the backup (%d before, %d in all)", len(before), total)
	}
	// A backup never overwrites a file.
	if err := run(ctx, []string{"backup", "--db", db, file}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "existe déjà") {
		t.Fatalf("a second backup to the same file: %v", err)
	}

	// Restoring over an existing database needs --replace, and keeps it.
	if err := run(ctx, []string{"restore", file, "--db", db}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("restore over a database without --replace: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"restore", file, "--db", db, "--replace"}, &out, &errOut); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(out.String(), "avant-restauration") {
		t.Errorf("restore did not say where the old database is: %q", out.String())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "passnum.db.avant-restauration-*")); len(m) == 0 {
		t.Error("the replaced database was not kept")
	}
	r, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = r.View(ctx, func(tx *store.Tx) error {
		for _, id := range before {
			if _, err := tx.Organisation(ctx, id); err != nil {
				t.Errorf("organisation %s, acknowledged before the backup: %v", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"check", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("check on the restored database: %v", err)
	}
}

// A damaged backup is refused and the database stays as it was.
func TestRestoreRefusesDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "passnum.db")
	s, err := store.Open(ctx, db, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bad := filepath.Join(dir, "abime.db")
	if err := os.WriteFile(bad, bytes.Repeat([]byte("pas une base "), 500), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"restore", bad, "--db", db, "--replace"}, &out, &errOut)
	if err == nil {
		t.Fatal("a file that is not a database was restored")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "passnum.db.*")); len(m) != 0 {
		t.Errorf("a refused restore left %v", m)
	}
	if err := run(ctx, []string{"check", "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("the database after a refused restore: %v", err)
	}
	// PostgreSQL is backed up with its own tools.
	if err := run(ctx, []string{"backup", filepath.Join(dir, "x.db"), "--db", "postgres://nobody@127.0.0.1:1/x"}, &out, &errOut); err == nil {
		t.Error("backup of a PostgreSQL URL did not refuse")
	}
}
