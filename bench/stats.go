package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"passnum"
	"passnum/store"
)

// StatsOptions choose what "passnum bench stats" measures, on a database
// filled by "passnum seed".
type StatsOptions struct {
	// Runs is how many times each view is read (p50 and p95 over them).
	Runs int
}

// statsView is one read a dashboard makes.
type statsView struct {
	name string
	run  func(ctx context.Context, tx *store.Tx) error
}

// RunStats measures, on the seeded database s, each dashboard view and
// API stats call (p50, p95), the operator's programme page query and the
// audit trail's filters, then the full recount from the raw rows that
// the counters spare, and the process's memory.
func RunStats(ctx context.Context, s *store.Store, o StatsOptions, w io.Writer) error {
	if o.Runs <= 0 {
		o.Runs = 30
	}
	prog, dists, err := statsSubject(ctx, s)
	if err != nil {
		return err
	}
	views := statsViews(prog.ID, dists[0])
	fmt.Fprintf(w, "Programme %s : %d pass émis ; %d lectures par vue\n\n", prog.ID, prog.Stock.IssuedBooklets*int64(prog.BookletSize), o.Runs)
	fmt.Fprintf(w, "%-45s %10s %10s\n", "vue", "p50", "p95")
	var peak uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.Sys-m.HeapReleased)
	}
	for _, v := range views {
		times := make([]time.Duration, 0, o.Runs)
		for range o.Runs {
			began := time.Now()
			if err := s.View(ctx, func(tx *store.Tx) error { return v.run(ctx, tx) }); err != nil {
				return fmt.Errorf("%s : %w", v.name, err)
			}
			times = append(times, time.Since(began))
		}
		sample()
		slices.Sort(times)
		fmt.Fprintf(w, "%-45s %10s %10s\n", v.name, round(times[len(times)/2]), round(times[(len(times)*95+99)/100-1]))
	}
	fmt.Fprintf(w, "\nmémoire du processus après les vues (pic observé, Go) : %d Mo\n", peak>>20)
	began := time.Now()
	n, err := s.RecountStats(ctx)
	if err != nil {
		return err
	}
	sample()
	fmt.Fprintf(w, "\nrecomptage complet depuis les lignes brutes : %s (%d compteurs)\n", round(time.Since(began)), n)
	fmt.Fprintf(w, "mémoire du processus après le recomptage (pic observé, Go) : %d Mo\n", peak>>20)
	return nil
}

// statsSubject is the programme the views read (the largest) and a tenth
// of its distributors, the first of them for the per-distributor views.
func statsSubject(ctx context.Context, s *store.Store) (passnum.Programme, []string, error) {
	var prog passnum.Programme
	var dists []string
	err := s.View(ctx, func(tx *store.Tx) error {
		ps, _, err := tx.ListProgrammes(ctx, "", store.Page{Limit: 100})
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return fmt.Errorf("aucun programme : remplissez d'abord la base (passnum seed)")
		}
		prog = slices.MaxFunc(ps, func(a, b passnum.Programme) int { return int(a.Stock.IssuedBooklets - b.Stock.IssuedBooklets) })
		st, err := tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor"})
		if err != nil {
			return err
		}
		for i, c := range st.Cells {
			if i%max(1, len(st.Cells)/10) == 0 {
				dists = append(dists, c.Key)
			}
		}
		if len(dists) == 0 {
			return fmt.Errorf("le programme %s n'a aucun carnet remis : remplissez d'abord la base (passnum seed)", prog.ID)
		}
		return nil
	})
	return prog, dists, err
}

// statsViews are the views measured: the statistics of the programme in
// each breakdown, a funder's (with statistical secrecy), a period, a
// distributor's dormant booklets, the programme page and the audit trail
// under its two filters.
func statsViews(programmeID, distributorID string) []statsView {
	var views []statsView
	stats := func(name string, q store.StatsQuery) {
		q.ProgrammeID = programmeID
		views = append(views, statsView{name, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ProgrammeStats(ctx, q)
			return err
		}})
	}
	stats("stats (programme)", store.StatsQuery{})
	for _, by := range store.StatBreakdowns {
		stats("stats by="+by, store.StatsQuery{By: by})
	}
	// A funder's breakdowns are one calendar year each
	// (store.CalendarYear), read from the year's quarters: computed as the
	// first reading of a month does (Live), then as every other reading
	// of the month gets them, from the month's publication.
	stats("stats financeur by=departement, 2025 (secret)", store.StatsQuery{By: "departement", From: "2025-01", To: "2025-12", Secret: true, Live: true})
	stats("stats financeur by=departement, 2025 (secret, publication du mois)", store.StatsQuery{By: "departement", From: "2025-01", To: "2025-12", Secret: true})
	// The breakdown with the most small cells: secrecy masks most of
	// them, figure by figure and the first-use buckets one by one.
	stats("stats financeur by=commune, 2025 (secret)", store.StatsQuery{By: "commune", From: "2025-01", To: "2025-12", Secret: true, Live: true})
	stats("stats financeur by=commune, 2025 (secret, publication du mois)", store.StatsQuery{By: "commune", From: "2025-01", To: "2025-12", Secret: true})
	// The programme's own figures over any period, each checked against
	// its months (periodSecrets).
	stats("stats financeur, 2025-06..2025-12 (secret)", store.StatsQuery{From: "2025-06", To: "2025-12", Secret: true})
	stats("stats by=distributor, 2025-06..2025-12", store.StatsQuery{By: "distributor", From: "2025-06", To: "2025-12"})
	// The whole programme again, asked as a period that covers every
	// month: the same figures read from each month's counters rather than
	// the cells' all-months rows, the cost the roll-up saves.
	stats("stats by=distributor, 2024-01..2027-12", store.StatsQuery{By: "distributor", From: "2024-01", To: "2027-12"})
	return append(views,
		// What the month's first reading by a funder computes at once:
		// every breakdown of every year begun, and the closing table.
		statsView{"publication du mois pour les financeurs (première lecture)", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ComputeFunderViews(ctx, programmeID)
			return err
		}},
		// The closing table, as the operator reads it: live, every
		// booklet of the programme.
		statsView{"tableau de clôture (opérateur)", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ClosingTable(ctx, programmeID, false)
			return err
		}},
		statsView{"carnets dormants d'un distributeur", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.DormantBooklets(ctx, distributorID)
			return err
		}},
		statsView{"effet des relances, financeur (secret)", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ReminderEffect(ctx, programmeID, true)
			return err
		}},
		statsView{"page programme (consommation)", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ProgrammeConsumption(ctx, programmeID)
			return err
		}},
		statsView{"page programme d'un financeur (secret)", func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SecretConsumption(ctx, programmeID)
			return err
		}},
		statsView{"journal d'audit, par organisation", func(ctx context.Context, tx *store.Tx) error {
			_, _, err := tx.ListAudit(ctx, store.AuditFilter{OrganisationID: distributorID})
			return err
		}},
		statsView{"journal d'audit, par action", func(ctx context.Context, tx *store.Tx) error {
			_, _, err := tx.ListAudit(ctx, store.AuditFilter{Action: "booklet.hand_out"})
			return err
		}},
	)
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
