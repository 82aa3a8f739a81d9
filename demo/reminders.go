package demo

import (
	"context"
	"slices"
	"time"

	"passnum"
	"passnum/store"
)

// reminderSteps are the reminder runs of the past: on the fifth of each
// month, from the month after the first hand-out to last month, at 9:00,
// the reminders due then are recorded as sent (the demo sends no mail),
// so that the dashboard's reminders' effect has a history to compare, as
// a site running for years would. Each run waits for every step before it
// and every later step waits for the run: it sees what a real run would
// have seen, and a use after it finds its reminder already recorded.
func (p *plan) reminderSteps(activity []*step) []*step {
	if len(activity) == 0 {
		return nil
	}
	sorted := slices.Clone(activity)
	slices.SortStableFunc(sorted, func(a, b *step) int { return a.at.Compare(b.at) })
	firstHandOut := p.now
	for _, ho := range p.handOuts {
		if ho.at.Before(firstHandOut) {
			firstHandOut = ho.at
		}
	}
	start := firstHandOut.In(passnum.Paris)
	thisMonth := time.Date(p.now.In(passnum.Paris).Year(), p.now.In(passnum.Paris).Month(), 1, 0, 0, 0, 0, passnum.Paris)
	var runs []*step
	for m := time.Date(start.Year(), start.Month()+1, 5, 9, 0, 0, 0, passnum.Paris); m.Before(thisMonth); m = m.AddDate(0, 1, 0) {
		runs = append(runs, &step{at: m, what: "relances du mois", do: func(ctx context.Context, tx *store.Tx) error {
			due, err := tx.DueReminders(ctx)
			if err != nil {
				return err
			}
			for _, r := range due {
				if _, err := tx.RecordReminder(ctx, r, r.Channel()); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	j := 0
	var prev *step
	for _, run := range runs {
		if prev != nil {
			run.after = append(run.after, prev)
		}
		for ; j < len(sorted) && sorted[j].at.Before(run.at); j++ {
			run.after = append(run.after, sorted[j])
			if prev != nil {
				sorted[j].after = append(sorted[j].after, prev)
			}
		}
		prev = run
	}
	for ; prev != nil && j < len(sorted); j++ {
		sorted[j].after = append(sorted[j].after, prev)
	}
	return runs
}
