package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"
)

// A funder's breakdowns and closing table are published once a month. Read
// live, two readings around one redemption would differ by that one use and
// tell its commune, age band, distributor, place and service, whatever each
// reading masks; so the first reading of a month computes them all at once
// (funderViews: every breakdown of every year begun, and the closing table),
// and every reading that month gets the same figures, from
// stat_publications. All at once, since views computed at different times
// would give the same away: a département's breakdown read before a
// redemption, its communes' after. Two publications a month apart still
// differ by a month's activity: each of them is masked on its own, and a
// cell's change from one month to the next is not checked (see the README).
//
// A reading runs in a read-only transaction: what it computes is written
// by a write of its own, in the background, and kept in this server's
// memory until the write is done and every reading begun before it is over
// (publicationGrace), so that a reading that does not see it in the table
// yet gets it all the same. Readers of a publication being computed wait
// for it rather than compute their own.
type publications struct {
	mu      sync.Mutex
	closed  bool
	pending map[publicationKey]*pendingPublication
	flight  map[publicationKey]*publicationFlight
	wg      sync.WaitGroup
}

// publicationGrace is how long a publication stays in memory once written:
// longer than any reading of the dashboard's lasts.
const publicationGrace = time.Minute

// publicationKey names a publication: a programme's month of funderViews
// (view monthViews), or one view outside them.
type publicationKey struct{ programmeID, view, month string }

// monthViews is the view of the row that says a programme's month of
// funderViews is published; viewClosing the closing table's.
const (
	monthViews  = ""
	viewClosing = "closing"
)

type pendingPublication struct {
	bodies  map[string][]byte // by view
	at      time.Time
	written time.Time // zero while being written
}

type publicationFlight struct {
	done   chan struct{}
	bodies map[string][]byte
	at     time.Time
	err    error
}

// publishedView is the month's publication of view for a programme (the
// month of the transaction's day, in Paris): from the table, from this
// server's memory while it is being written, or computed now with the
// month's other views (funderViews) and kept. A view the month's do not
// hold (a year not begun) is computed alone (compute; nil for a view they
// always hold).
func publishedView[T any](ctx context.Context, tx *Tx, programmeID, view string, compute func() (T, error)) (T, time.Time, error) {
	var v T
	month := tx.Today().YearMonth()
	rows, err := tx.query(ctx, `SELECT view, body, published_at FROM stat_publications WHERE programme_id = ? AND month = ? AND view IN (?, ?)`,
		programmeID, month, view, monthViews)
	if err != nil {
		return v, time.Time{}, err
	}
	var body []byte
	var at time.Time
	batch := false
	for rows.Next() {
		var name, b string
		var when int64
		if err := rows.Scan(&name, &b, &when); err != nil {
			rows.Close()
			return v, at, err
		}
		if name == view {
			body, at = []byte(b), fromMicros(when)
		} else {
			batch = true
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return v, at, err
	}
	if body == nil && !batch {
		bodies, when, err := tx.s.publish(ctx, publicationKey{programmeID, monthViews, month}, func() (map[string][]byte, time.Time, error) {
			return tx.funderViews(ctx, programmeID)
		})
		if err != nil {
			return v, when, err
		}
		body, at = bodies[view], when
	}
	if body == nil {
		if compute == nil {
			return v, at, fmt.Errorf("publication %s du programme %s (%s) absente des chiffres du mois", view, programmeID, month)
		}
		bodies, when, err := tx.s.publish(ctx, publicationKey{programmeID, view, month}, func() (map[string][]byte, time.Time, error) {
			one, err := compute()
			if err != nil {
				return nil, time.Time{}, err
			}
			b, err := json.Marshal(one)
			return map[string][]byte{view: b}, tx.now, err
		})
		if err != nil {
			return v, when, err
		}
		body, at = bodies[view], when
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, at, fmt.Errorf("publication %s du programme %s (%s) illisible : %w", view, programmeID, month, err)
	}
	return v, at, nil
}

// funderViews computes, at one instant, what a funder reads of a programme
// for the month: each breakdown of each calendar year begun
// (ReportYearsBegun), and the closing table, which hides what those
// years' tables by distributor hide (closingHiddenByYears).
func (tx *Tx) funderViews(ctx context.Context, programmeID string) (map[string][]byte, time.Time, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return nil, time.Time{}, err
	}
	bodies, byYears := map[string][]byte{}, map[string]bool{}
	first, last := p.ReportYearsBegun(tx.Today())
	for y := first; y <= last; y++ {
		year := strconv.Itoa(y)
		for _, by := range StatBreakdowns {
			q := StatsQuery{ProgrammeID: p.ID, From: year + "-01", To: year + "-12", By: by, Secret: true}
			st, err := tx.programmeStats(ctx, q, false)
			if err != nil {
				return nil, time.Time{}, err
			}
			if by == dimDistributor {
				closingHiddenByYears(byYears, &st)
			}
			if bodies[q.view()], err = json.Marshal(newStatsPublication(st)); err != nil {
				return nil, time.Time{}, err
			}
		}
	}
	t, err := tx.closingTable(ctx, p.ID, byYears)
	if err != nil {
		return nil, time.Time{}, err
	}
	if bodies[viewClosing], err = json.Marshal(t); err != nil {
		return nil, time.Time{}, err
	}
	return bodies, tx.now, nil
}

// ComputeFunderViews computes what the first reading of a month publishes
// for a programme's funders (funderViews), without keeping it: for
// benchmarks. It answers how many views that is.
func (tx *Tx) ComputeFunderViews(ctx context.Context, programmeID string) (int, error) {
	bodies, _, err := tx.funderViews(ctx, programmeID)
	return len(bodies), err
}

// publish gives the publication of k held in memory, or waits for the one
// being computed, or computes it and has it written.
func (s *Store) publish(ctx context.Context, k publicationKey, compute func() (map[string][]byte, time.Time, error)) (map[string][]byte, time.Time, error) {
	p := &s.pubs
	p.mu.Lock()
	for key, e := range p.pending {
		if !e.written.IsZero() && time.Since(e.written) > publicationGrace {
			delete(p.pending, key)
		}
	}
	if e, ok := p.pending[k]; ok {
		p.mu.Unlock()
		return e.bodies, e.at, nil
	}
	if f, ok := p.flight[k]; ok {
		p.mu.Unlock()
		select {
		case <-f.done:
			return f.bodies, f.at, f.err
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		}
	}
	if p.flight == nil {
		p.flight, p.pending = map[publicationKey]*publicationFlight{}, map[publicationKey]*pendingPublication{}
	}
	f := &publicationFlight{done: make(chan struct{})}
	p.flight[k] = f
	p.mu.Unlock()

	f.bodies, f.at, f.err = compute()
	p.mu.Lock()
	delete(p.flight, k)
	if f.err == nil && !p.closed {
		e := &pendingPublication{bodies: f.bodies, at: f.at}
		p.pending[k] = e
		p.wg.Add(1)
		go s.keepPublication(k, e)
	}
	p.mu.Unlock()
	close(f.done)
	return f.bodies, f.at, f.err
}

// keepPublication writes a publication computed by a reading, in one
// transaction, with the row that says the month's views are all there when
// they are. Another server may have written its own first: the first
// written stays.
func (s *Store) keepPublication(k publicationKey, e *pendingPublication) {
	defer s.pubs.wg.Done()
	ctx := context.Background()
	bodies := e.bodies
	if k.view == monthViews {
		bodies = maps.Clone(bodies)
		bodies[monthViews] = []byte("{}")
	}
	err := s.Write(ctx, func(tx *Tx) error {
		for _, view := range slices.Sorted(maps.Keys(bodies)) {
			if _, err := tx.exec(ctx, `INSERT INTO stat_publications (programme_id, view, month, published_at, body) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (programme_id, view, month) DO NOTHING`, k.programmeID, view, k.month, micros(e.at), string(bodies[view])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn("publication des statistiques non enregistrée", "programme", k.programmeID, "view", k.view, "month", k.month, "err", err)
	}
	s.pubs.mu.Lock()
	e.written = time.Now()
	s.pubs.mu.Unlock()
}

// stopPublishing waits for the publications being written, before the
// writer stops.
func (s *Store) stopPublishing() {
	s.pubs.mu.Lock()
	s.pubs.closed = true
	s.pubs.mu.Unlock()
	s.pubs.wg.Wait()
}

// statsPublication is a funder's breakdown as published: its figures and
// what Small says of those masked (ProgrammeStats' unexported sets).
type statsPublication struct {
	ProgrammeStats
	Small []string
}

// newStatsPublication is a funder's breakdown as it is published.
func newStatsPublication(st ProgrammeStats) statsPublication {
	small := slices.Sorted(maps.Keys(st.small))
	small = slices.DeleteFunc(small, func(k string) bool { return !st.small[k] })
	return statsPublication{ProgrammeStats: st, Small: small}
}

// view names a funder's breakdown among the publications.
func (q StatsQuery) view() string { return "stats:" + q.By + ":" + q.From + ":" + q.To }

// publishedStats is a funder's breakdown from its month's publication,
// with the budget read now: it is accounts, not statistics.
func (tx *Tx) publishedStats(ctx context.Context, q StatsQuery) (ProgrammeStats, error) {
	pub, at, err := publishedView(ctx, tx, q.ProgrammeID, q.view(), func() (statsPublication, error) {
		st, err := tx.programmeStats(ctx, q, false)
		return newStatsPublication(st), err
	})
	if err != nil {
		return ProgrammeStats{}, err
	}
	out := pub.ProgrammeStats
	out.PublishedAt = &at
	out.masked, out.small = make(map[string]bool, len(out.Masked)), make(map[string]bool, len(pub.Small))
	for _, m := range out.Masked {
		out.masked[m] = true
	}
	for _, m := range pub.Small {
		out.small[m] = true
	}
	p, err := tx.programmeSettings(ctx, q.ProgrammeID)
	if err != nil {
		return out, err
	}
	out.ProgrammeName = p.Name
	out.Budget, err = tx.statBudget(ctx, p)
	return out, err
}
