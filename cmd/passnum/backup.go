package main

import (
	"context"
	"fmt"
	"io"

	"passnum/store"
)

// backup runs "passnum backup FILE": a consistent copy of a running SQLite
// database, taken while the server goes on serving.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	db := dbFlag(fs)
	file, err := parseFile(fs, args, "passnum backup FICHIER [--db URL]")
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{GroupRedemptions: store.GroupOff})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sauvegarde écrite dans %s ; « passnum restore %s » la vérifie et l'installe.\n", file, file)
	return nil
}

// restore runs "passnum restore FILE": checks a backup (integrity, schema,
// every invariant of passnum check) and installs it in place of the
// database, which is kept beside it.
func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	db := dbFlag(fs)
	replace := fs.Bool("replace", false, "remplacer une base existante (gardée à côté, renommée) ; arrêtez le serveur avant")
	file, err := parseFile(fs, args, "passnum restore FICHIER [--db URL] [--replace]")
	if err != nil {
		return err
	}
	kept, err := store.RestoreSQLite(ctx, file, *db, *replace)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sauvegarde %s vérifiée et installée (%s).\n", file, *db)
	if kept != "" {
		fmt.Fprintf(stdout, "L'ancienne base est gardée sous %s.\n", kept)
	}
	return nil
}
