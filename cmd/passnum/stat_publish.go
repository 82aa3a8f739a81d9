package main

import (
	"context"
	"log/slog"
	"time"

	"passnum/store"
)

// publishEvery is how often serve looks for programmes whose month's
// figures for funders are not published yet: at most this long into a
// month, a funder's first reading may have to compute them itself.
const publishEvery = 10 * time.Minute

// runMonthlyPublisher publishes each programme's month of figures for
// funders as the month begins (store.PublishMonth), then looks again every
// few minutes until ctx ends. Failures are logged, never fatal: a funder's
// first reading of the month publishes them all the same.
func runMonthlyPublisher(ctx context.Context, s *store.Store, log *slog.Logger) {
	t := time.NewTicker(publishEvery)
	defer t.Stop()
	for {
		start := time.Now()
		if n, err := s.PublishMonth(ctx); err != nil && ctx.Err() == nil {
			log.Error("publishing the month's figures for funders", "err", err)
		} else if n > 0 {
			log.Info("month's figures for funders published", "programmes", n, "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
