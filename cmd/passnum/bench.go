package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"passnum/bench"
)

// bench measures redemptions through the API against the engine's durable
// floor, and issuance; BENCHMARKS.md quotes its output.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "load" {
		return runLoad(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "stats" {
		return runStatsBench(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("bench", stderr)
	engine := fs.String("engine", "sqlite", "moteur : sqlite, postgres ou both")
	pg := fs.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "base PostgreSQL où créer les bases de mesure")
	clients := fs.String("clients", "1,16,64", "niveaux de concurrence, séparés par des virgules")
	duration := fs.Duration("duration", 0, "durée de chaque mesure (5s par défaut)")
	issue := fs.Int("issue", 1_000_000, "nombre de pass à émettre pour la mesure d'émission (0 pour la sauter)")
	dir := fs.String("dir", "", "dossier des fichiers SQLite de mesure (dossier temporaire par défaut)")
	if err := parse(fs, args); err != nil {
		return err
	}
	levels, err := parseLevels(*clients)
	if err != nil {
		return err
	}
	engines, err := parseEngines(*engine)
	if err != nil {
		return err
	}
	for _, e := range engines {
		o := bench.Options{Engine: e, PostgresURL: *pg, Clients: levels, Duration: *duration, IssuePasses: *issue, Dir: *dir}
		if err := bench.Run(ctx, o, stdout); err != nil {
			return err
		}
	}
	return nil
}

// runLoad is "passnum bench load": a realistic mix of requests at several
// concurrency levels against a "passnum serve" of this same binary, on
// loopback only, next to the engine's durable floor.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench load", stderr)
	engine := fs.String("engine", "sqlite", "moteur : sqlite, postgres ou both")
	pg := fs.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "base PostgreSQL où créer les bases de mesure")
	clients := fs.String("clients", "1,16,64,256", "niveaux de concurrence, séparés par des virgules")
	duration := fs.Duration("duration", 10*time.Second, "durée mesurée de chaque niveau")
	warmup := fs.Duration("warmup", 2*time.Second, "mise en route de chaque niveau avant sa mesure, non comptée")
	dir := fs.String("dir", "", "dossier des fichiers SQLite de mesure (dossier temporaire par défaut)")
	serverLog := fs.String("server-log", "", "fichier où écrire le journal du serveur (chaque requête, son heure et sa durée) ; jeté par défaut")
	if err := parse(fs, args); err != nil {
		return err
	}
	levels, err := parseLevels(*clients)
	if err != nil {
		return err
	}
	engines, err := parseEngines(*engine)
	if err != nil {
		return err
	}
	var logFile *os.File
	if *serverLog != "" {
		if logFile, err = os.Create(*serverLog); err != nil {
			return fmt.Errorf("journal du serveur : %w", err)
		}
		defer logFile.Close()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, e := range engines {
		o := bench.LoadOptions{Engine: e, PostgresURL: *pg, Dir: *dir, Clients: levels, Duration: *duration, Warmup: *warmup,
			Serve: func(db string) *exec.Cmd {
				cmd := serveCommand(self, db)
				if logFile != nil {
					cmd.Stderr = logFile
				}
				return cmd
			}}
		if err := bench.RunLoad(ctx, o, stdout); err != nil {
			return err
		}
	}
	return nil
}

// serveCommand runs "passnum serve" of binary self on db, on a free
// loopback port, its mail to a temporary folder and its logs discarded.
var serveCommand = func(self, db string) *exec.Cmd {
	return exec.Command(self, "serve", "--db", db, "--addr", "127.0.0.1:0", "--outbox", filepath.Join(os.TempDir(), "passnum-load-outbox"))
}

// parseLevels reads --clients: concurrency levels separated by commas.
func parseLevels(s string) ([]int, error) {
	var levels []int
	for _, c := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return nil, usageError{fmt.Sprintf("--clients : %q n'est pas un nombre de clients", c)}
		}
		levels = append(levels, n)
	}
	return levels, nil
}

// parseEngines reads --engine: sqlite, postgres or both.
func parseEngines(s string) ([]string, error) {
	switch s {
	case "sqlite", "postgres":
		return []string{s}, nil
	case "both":
		return []string{"sqlite", "postgres"}, nil
	}
	return nil, usageError{"--engine : sqlite, postgres ou both"}
}
