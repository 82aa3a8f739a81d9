package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"passnum/bench"
)

// bench measures redemptions through the API against the engine's durable
// floor, and issuance; BENCHMARKS.md quotes its output.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	var levels []int
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return usageError{fmt.Sprintf("--clients : %q n'est pas un nombre de clients", c)}
		}
		levels = append(levels, n)
	}
	engines := []string{*engine}
	if *engine == "both" {
		engines = []string{"sqlite", "postgres"}
	}
	for _, e := range engines {
		if e != "sqlite" && e != "postgres" {
			return usageError{"--engine : sqlite, postgres ou both"}
		}
		o := bench.Options{Engine: e, PostgresURL: *pg, Clients: levels, Duration: *duration, IssuePasses: *issue, Dir: *dir}
		if err := bench.Run(ctx, o, stdout); err != nil {
			return err
		}
	}
	return nil
}
