package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// "passnum digest --digest-key FILE" signs with a key made in that file
// (0600), the database keeping only its public half; "check --digest"
// verifies what it printed, with and without the kept public key; a file
// others may read is refused in French; without the file, once the
// database holds only the public key, signing is refused rather than
// done with a new key kept in the database.
func TestDigestKeyFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "p.db")
	s, err := store.Open(ctx, db, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale", CommuneINSEE: "25056"})
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	keyFile := filepath.Join(dir, "digest.key")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"digest", "--db", db, "--digest-key", keyFile}, &out, &errOut); err != nil {
		t.Fatalf("digest: %v\n%s", err, errOut.String())
	}
	info, err := os.Stat(keyFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want created 0600", info, err)
	}
	key, err := loadDigestKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub := base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	var d store.Digest
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.PublicKey != pub || d.Seq == 0 {
		t.Fatalf("digest %q (%v); want signed with the file's key %s", out.String(), err, pub)
	}
	kept := filepath.Join(dir, "kept.json")
	if err := os.WriteFile(kept, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--public-key", pub}} {
		args := append([]string{"check", "--db", db, "--digest", kept}, extra...)
		if err := run(ctx, args, &out, &errOut); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if err := run(ctx, []string{"check", "--db", db, "--digest", kept, "--public-key", base64.StdEncoding.EncodeToString(other)}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("check with another public key = %v; want the signature refused", err)
	}

	raw := storetest.RawDB(t, db)
	var dbPub, dbPriv string
	if err := raw.QueryRow(`SELECT public_key, private_key FROM seal_keys WHERE id = 1`).Scan(&dbPub, &dbPriv); err != nil {
		t.Fatal(err)
	}
	if dbPub != pub || dbPriv != "" {
		t.Fatalf("seal_keys holds %q / %q; want only the public key %q", dbPub, dbPriv, pub)
	}

	// Without the file, no new key is made in the database behind the
	// operator's back (a digest is already signed today: use tomorrow's
	// clock through the store directly).
	s, err = store.Open(ctx, db, store.Options{Clock: passnum.NewFixedClock(time.Now().AddDate(0, 0, 1))})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.DailyDigest(ctx)
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "--digest-key") {
		t.Fatalf("signing without the key file = %v; want a French error naming --digest-key", err)
	}

	if err := os.Chmod(keyFile, 0o640); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"digest", "--db", db, "--digest-key", keyFile}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), "0640") {
		t.Fatalf("a group-readable key file = %v; want refused, saying how to fix it", err)
	}
}
