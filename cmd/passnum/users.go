package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"passnum"
	"passnum/store"
)

// publicURLFlag adds --public-url with PASSNUM_PUBLIC_URL.
// Without it, serve uses the address it listens on.
func publicURLFlag(fs *flag.FlagSet, def string) *string {
	return fs.String("public-url", envOr("PASSNUM_PUBLIC_URL", def), "adresse publique du site, pour les liens envoyés (PASSNUM_PUBLIC_URL)")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// createUser adds a person and prints their one-time link: the way the
// very first operator account is made.
func createUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("admin create-user", stderr)
	db := dbFlag(fs)
	public := publicURLFlag(fs, "http://127.0.0.1:8080")
	email := fs.String("email", "", "adresse électronique de la personne (obligatoire)")
	name := fs.String("name", "", "nom de la personne")
	role := fs.String("role", "operator", "rôle : operator, funder, distributor ou place")
	org := fs.String("organisation", "", "identifiant de l'organisation (obligatoire sauf pour operator)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		return usageError{"--email est obligatoire"}
	}
	if passnum.Role(*role) != passnum.RoleOperator && *org == "" {
		return usageError{"--organisation est obligatoire pour le rôle " + *role}
	}
	s, err := store.Open(ctx, *db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	const ttl = 7 * 24 * time.Hour
	u, secret, err := s.InviteUser(ctx, passnum.Role(*role), *org, *email, *name, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Compte créé pour %s (%s). Lien à usage unique, valable 7 jours, pour choisir le mot de passe :\n", u.Email, u.OrganisationName)
	fmt.Fprintln(stdout, strings.TrimRight(*public, "/")+"/lien/"+store.LinkInvite+"/"+secret)
	return nil
}
