package main

import (
	"context"
	"log/slog"
	"time"

	"passnum/store"
)

// foldEvery is how often serve folds the statistics' delta rows into their
// counters (PostgreSQL): often enough that a dashboard reads few of them.
const foldEvery = 5 * time.Second

// runStatFolder folds the statistics' deltas every few seconds until ctx
// ends (store.FoldStats; nothing to do on SQLite). Failures are logged,
// never fatal: the deltas wait for the next run, and the figures are the
// same either way.
func runStatFolder(ctx context.Context, s *store.Store, log *slog.Logger) {
	if s.Engine() != "postgres" {
		return
	}
	t := time.NewTicker(foldEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.FoldStats(ctx); err != nil && ctx.Err() == nil {
			log.Error("folding the statistics' counters", "err", err)
		}
	}
}
