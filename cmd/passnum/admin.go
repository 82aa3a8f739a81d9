package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"passnum/store"
)

// createKey prints a new operator key and nothing else, so that scripts can
// capture it. It works while a server runs on the same database.
func createKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("admin create-key", stderr)
	db := dbFlag(fs)
	name := fs.String("name", "créée en ligne de commande", "nom de la clé")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	key, err := s.CreateOperatorKey(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	db := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stdout, "Schéma à jour.")
	return nil
}

// check verifies the stored data's invariants: exit 0 when they hold,
// else the first violation and exit 1.
func check(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	db := dbFlag(fs)
	digestFile := fs.String("digest", "", "une empreinte gardée (sortie de « passnum digest ») dont la tête doit être toujours dans la chaîne")
	publicKey := fs.String("public-key", "", "la clé publique gardée avec l'empreinte (base64), plutôt que celle qu'elle porte")
	timings := fs.Bool("timings", false, "affiche la durée du scellement et de chaque vérification")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	// The entries written since the last seal are sealed first, so that
	// the chain checked covers everything.
	var report func(string, time.Duration)
	if *timings {
		report = func(rule string, took time.Duration) {
			fmt.Fprintf(stdout, "%-22s %v\n", rule, took.Round(time.Millisecond))
		}
	}
	start := time.Now()
	if _, err := s.Seal(ctx); err != nil {
		return fmt.Errorf("scellement : %w", err)
	}
	if report != nil {
		report("(scellement)", time.Since(start))
	}
	if err := s.CheckEach(ctx, report); err != nil {
		return fmt.Errorf("invariant violé : %w", err)
	}
	if *digestFile != "" {
		d, err := readDigest(*digestFile)
		if err != nil {
			return err
		}
		if err := s.CheckDigest(ctx, d, *publicKey); err != nil {
			return fmt.Errorf("invariant violé : %w", err)
		}
	}
	fmt.Fprintln(stdout, "Toutes les vérifications sont passées.")
	return nil
}
