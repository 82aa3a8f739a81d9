// Command passnum runs the Pass numérique: the web server and API, and the
// administration commands. It only wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"passnum"
)

const usage = `passnum — le Pass numérique, de l'émission des carnets au remboursement des lieux.

Usage :
  passnum serve [--db URL] [--addr 127.0.0.1:8080] [--demo] [options du site, voir passnum serve -h]
  passnum admin create-key [--db URL] [--name NOM]
  passnum admin create-user --email ADRESSE [--role operator] [--organisation ID] [--name NOM] [--public-url URL]
  passnum check [--db URL] [--digest FICHIER [--public-key CLÉ]]
  passnum digest [--db URL] [--digest-key FICHIER]   (l'empreinte signée du jour, en JSON, à garder hors de la base)
  passnum backup FICHIER [--db URL]          (copie cohérente d'une base SQLite en service)
  passnum restore FICHIER [--db URL] [--replace]
  passnum migrate [--db URL]
  passnum retention run [--db URL] [--retention-months 36]   (pseudonymise les identités au terme de leur conservation)
  passnum reminders run [--db URL] [--public-url URL] [--sms-outbox DOSSIER]   (envoie les rappels dus aux jeunes qui l'ont accepté)
  passnum places import FICHIER [--db URL]   (lieux au standard national, CSV UTF-8 ou JSON)
  passnum bench [options]
  passnum openapi                            (le document OpenAPI de l'API, en JSON, sur la sortie standard)
  passnum seed [--db URL] [--passes 1000000] (un programme national réaliste, pour les mesures)

--db vaut sqlite:<fichier> (par défaut sqlite:passnum.db) ou une URL postgres://… ;
la variable d'environnement PASSNUM_DB fait de même.
`

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, errHelpShown) {
		return
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "passnum :", err)
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		var de *passnum.Error
		if errors.As(err, &de) {
			// A domain error's message says what to do; its code is for programs.
			fmt.Fprintln(os.Stderr, "passnum :", de.Message)
		} else {
			fmt.Fprintln(os.Stderr, "passnum :", err)
		}
		os.Exit(1)
	}
}

// errHelpShown stops a command after its options were listed (-h): the
// command must not go on to run with its defaults.
var errHelpShown = errors.New("aide affichée")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"commande manquante"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) >= 2 && args[1] == "create-key" {
			return createKey(ctx, args[2:], stdout, stderr)
		}
		if len(args) >= 2 && args[1] == "create-user" {
			return createUser(ctx, args[2:], stdout, stderr)
		}
		return usageError{"sous-commande d'administration inconnue : utilisez « passnum admin create-key » ou « passnum admin create-user »"}
	case "check":
		return check(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "digest":
		return digest(ctx, args[1:], stdout, stderr)
	case "backup":
		return backup(ctx, args[1:], stdout, stderr)
	case "restore":
		return restore(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "places":
		return places(ctx, args[1:], stdout, stderr)
	case "openapi":
		return openAPI(args[1:], stdout, stderr)
	case "retention":
		return retention(ctx, args[1:], stdout, stderr)
	case "reminders":
		return reminders(ctx, args[1:], stdout, stderr)
	case "seed":
		return seedCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("commande inconnue %q", args[0])}
}

// newFlags makes a flag set that reports errors in French and returns them
// instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, in French, by parse
	fs.Usage = func() {}     // the flag package would print it on every error
	return fs
}

// dbFlag adds --db with PASSNUM_DB and the default.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("PASSNUM_DB")
	if def == "" {
		def = "sqlite:passnum.db"
	}
	return fs.String("db", def, "base de données : sqlite:<fichier> ou postgres://…")
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return usageError{"argument inattendu : " + strings.Join(fs.Args(), " ")}
	}
	return nil
}

// parseFile parses a command's flags, which may come before or after its
// one file name, and returns the file name; use is the command's usage
// line, shown when the file is missing or more than one is given.
func parseFile(fs *flag.FlagSet, args []string, use string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", flagError(fs, err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		return "", usageError{"indiquez un fichier, et un seul : " + use}
	}
	return files[0], nil
}

// flagError turns the flag package's errors into French ones; -h lists the
// options and stops the command.
func flagError(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stdout, "Options de « passnum %s » :\n", fs.Name())
		fs.SetOutput(os.Stdout)
		fs.PrintDefaults()
		return errHelpShown
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		msg = "option inconnue : " + f + " (passnum " + fs.Name() + " -h liste les options)"
	} else if strings.HasPrefix(msg, "invalid value") {
		msg = "valeur invalide : " + strings.TrimPrefix(msg, "invalid value ")
	} else if f, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		msg = "l'option " + f + " attend une valeur"
	}
	return usageError{msg}
}
