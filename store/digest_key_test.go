package store_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// A digest key given to the store (passnum serve --digest-key) signs the
// digests and replaces a key the database made earlier: the database then
// keeps only the public half, and the digests signed before stay
// verifiable with the public key they carry.
func TestDigestKeyReplacesTheDatabaseKey(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s, u := e.Open(t, passnum.NewFixedClock(storetest.Epoch))
			before, made, err := s.DailyDigest(ctx)
			if err != nil || !made {
				t.Fatalf("first digest: %+v %v %v", before, made, err)
			}
			pub, key, _ := ed25519.GenerateKey(nil)
			filed, err := store.Open(ctx, u, store.Options{DigestKey: key, MaxConns: 2,
				Clock: passnum.NewFixedClock(storetest.Epoch.AddDate(0, 0, 1))})
			if err != nil {
				t.Fatal(err)
			}
			defer filed.Close()
			after, made, err := filed.DailyDigest(ctx)
			want := base64.StdEncoding.EncodeToString(pub)
			if err != nil || !made || after.PublicKey != want || after.PublicKey == before.PublicKey {
				t.Fatalf("digest with the file key: %+v %v %v; want signed by %s", after, made, err, want)
			}
			for _, d := range []store.Digest{before, after} {
				if err := filed.CheckDigest(ctx, d, ""); err != nil {
					t.Fatalf("digest of %s: %v", d.Day, err)
				}
			}
			var dbPub, dbPriv string
			if err := storetest.RawDB(t, u).QueryRow(`SELECT public_key, private_key FROM seal_keys WHERE id = 1`).Scan(&dbPub, &dbPriv); err != nil {
				t.Fatal(err)
			}
			if dbPub != want || dbPriv != "" {
				t.Fatalf("seal_keys = %q / %q; want only the file key's public half", dbPub, dbPriv)
			}
		})
	}
}
