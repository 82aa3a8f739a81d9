package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"passnum/bench"
	"passnum/seed"
	"passnum/store"
)

// seedCommand is "passnum seed": a realistic national programme in a
// database, to measure the dashboards at scale.
func seedCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	db := dbFlag(fs)
	passes := fs.Int64("passes", 1_000_000, "nombre de pass du programme (10000000 pour l'échelle nationale)")
	rnd := fs.Uint64("seed", 1, "graine du tirage (la même graine refait les mêmes données)")
	dists := fs.Int("distributors", 0, "nombre de distributeurs (0 : un pour 10 000 pass, au moins 5)")
	places := fs.Int("places", 0, "nombre de lieux (0 : un pour 2 000 pass, au moins 10)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *passes < 50 || *passes > 50_000_000 {
		return usageError{"--passes : entre 50 et 50000000"}
	}
	if *dists < 0 || *dists > 100_000 || *places < 0 || *places > 100_000 {
		return usageError{"--distributors et --places : entre 1 et 100000 (0 pour le nombre tiré de --passes)"}
	}
	s, err := store.Open(ctx, *db, store.Options{Migrate: true, BulkLoad: true})
	if err != nil {
		return err
	}
	defer s.Close()
	bar := newProgressBar(stderr)
	began := time.Now()
	last := ""
	res, err := seed.Run(ctx, s, seed.Options{Passes: *passes, Seed: *rnd, Distributors: *dists, Places: *places, Progress: func(stage string, done, total int) {
		if stage != last && last != "" {
			bar.end()
		}
		last = stage
		bar.show(stage, done, total)
		if done == total && !bar.on {
			fmt.Fprintf(stderr, "%s : %d (%s)\n", stage, total, time.Since(began).Round(time.Second))
		}
	}})
	bar.end()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Programme %s : %d carnets émis, %d remis, %d pass utilisés, en %s.\n", res.ProgrammeID, res.Booklets, res.HandedOut, res.Redeemed, time.Since(began).Round(time.Second))
	return nil
}

// runStatsBench is "passnum bench stats": the dashboards' reads on a
// database filled by "passnum seed", next to a full recount.
func runStatsBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench stats", stderr)
	db := dbFlag(fs)
	runs := fs.Int("runs", 30, "lectures de chaque vue")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return bench.RunStats(ctx, s, bench.StatsOptions{Runs: *runs}, stdout)
}
