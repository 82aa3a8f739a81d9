package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"passnum/store"
)

// sealEvery is how often serve seals the new audit and ledger entries.
const sealEvery = time.Minute

// runSealer seals the new entries every minute, and signs and logs the
// day's digest the first time it runs on a new day, until ctx ends. Its
// failures are logged, never fatal: the writes go on, unsealed until the
// next run.
func runSealer(ctx context.Context, s *store.Store, log *slog.Logger) {
	t := time.NewTicker(sealEvery)
	defer t.Stop()
	for {
		if _, err := s.Seal(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("sealing the audit trail and the ledger", "err", err)
		} else if d, made, err := s.DailyDigest(ctx); err != nil {
			log.Error("signing the daily digest", "err", err)
		} else if made {
			log.Info("daily digest", "day", d.Day, "seal", d.Seq, "hash", d.Hash, "public_key", d.PublicKey, "signature", d.Signature)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// digest prints today's signed digest as JSON: seal first, so that it
// covers every entry written so far.
func digest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("digest", stderr)
	db := dbFlag(fs)
	keyFile := digestKeyFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	key, err := loadDigestKey(*keyFile)
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{DigestKey: key})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Seal(ctx); err != nil {
		return fmt.Errorf("scellement : %w", err)
	}
	d, _, err := s.DailyDigest(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// readDigest reads a digest kept by "passnum digest".
func readDigest(path string) (store.Digest, error) {
	var d store.Digest
	b, err := os.ReadFile(path)
	if err != nil {
		return d, fmt.Errorf("empreinte %s illisible : %w", path, err)
	}
	if err := json.Unmarshal(b, &d); err != nil || d.Day == "" {
		return d, fmt.Errorf("%s n'est pas une empreinte produite par « passnum digest »", path)
	}
	return d, nil
}
