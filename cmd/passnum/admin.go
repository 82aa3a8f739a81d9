package main

import (
	"context"
	"fmt"
	"io"

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
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		return fmt.Errorf("invariant violé : %w", err)
	}
	fmt.Fprintln(stdout, "Toutes les vérifications sont passées.")
	return nil
}
