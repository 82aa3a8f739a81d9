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

	"passnum"
)

// A funder's figures are published once a month. Read live, two readings
// around one redemption would differ by that one use and tell its commune,
// age band, distributor, place and service, whatever each reading masks;
// so the month's figures are computed at one instant (funderViews: the
// programme's own counters, every breakdown of every year begun, and the
// closing table) and every reading that month gets them, from
// stat_publications. All at once, since views computed at different times
// would give the same away: a département's breakdown read before a
// redemption, its communes' after.
//
// The instant is no reader's to choose: serve publishes each funded
// programme's month as it begins (PublishMonth, every few minutes), so two
// publications are a month apart; a reading computes them only when serve
// has not yet (the month's first minutes, a programme just created). Each
// of them is masked on its own, and a cell's change from one month to the
// next is masked as a cell is (stat_publication_change.go).
//
// Whoever computes them writes them at once and answers what the table
// holds: when another reading, or another server, wrote the month's first,
// theirs stands, so that every reading of the month, on every server, gets
// the same. Within a server, readings of a month being computed wait for it
// rather than compute their own.
type publications struct {
	mu     sync.Mutex
	flight map[publicationKey]*publicationFlight
}

// publicationKey names a programme's month of funderViews.
type publicationKey struct{ programmeID, month string }

// monthViews is the view of the row that says a programme's month of
// funderViews is published; viewClosing the closing table's, viewProgramme
// the programme's own counters'.
const (
	monthViews    = ""
	viewClosing   = "closing"
	viewProgramme = "counters:all"
)

// statRow is one of the programme's own counters, as published.
type statRow struct {
	Month           string
	Code, N, Amount int64
}

// programmePublication is the programme's own counters and stock, as
// published: a funder's figures over any period are computed from them.
type programmePublication struct {
	Rows                              []statRow
	IssuedBooklets, AllocatedBooklets int64
	// Cohorts: the rows hold cohort_used (migration 00022). A month
	// published before has the passes used in the period in its place.
	Cohorts bool `json:",omitempty"`
}

type publicationFlight struct {
	done   chan struct{}
	bodies map[string][]byte
	at     time.Time
	err    error
}

// publishedView is the month's publication of view for a programme (the
// month of the transaction's day, in Paris), read from the table, or
// computed with the month's other views (funderViews) and written. absent
// says the month's views do not hold this one (a closing table before the
// month of its first day).
func publishedView[T any](ctx context.Context, tx *Tx, programmeID, view string) (v T, at time.Time, absent bool, err error) {
	month := tx.Today().YearMonth()
	rows, err := tx.query(ctx, `SELECT view, body, published_at FROM stat_publications WHERE programme_id = ? AND month = ? AND view IN (?, ?)`,
		programmeID, month, view, monthViews)
	if err != nil {
		return v, at, false, err
	}
	var body []byte
	published := false
	for rows.Next() {
		var name, b string
		var when int64
		if err := rows.Scan(&name, &b, &when); err != nil {
			rows.Close()
			return v, at, false, err
		}
		published = true
		if name == view {
			body = []byte(b)
		}
		at = fromMicros(when)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return v, at, false, err
	}
	if !published {
		bodies, when, err := tx.s.publish(ctx, publicationKey{programmeID, month}, func() (map[string][]byte, time.Time, error) {
			return tx.funderViews(ctx, programmeID)
		})
		if err != nil {
			return v, when, false, err
		}
		body, at = bodies[view], when
	}
	if body == nil {
		return v, at, true, nil
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, at, false, fmt.Errorf("publication %s du programme %s (%s) illisible : %w", view, programmeID, month, err)
	}
	return v, at, false, nil
}

// funderViews computes, at one instant, what a funder reads of a programme
// for the month: each breakdown of each calendar year begun
// (Programme.FunderYears), masked together (yearTables), and from the
// month of its first day the closing table, which hides what those
// years' tables by distributor hide (closingHiddenByYears).
func (tx *Tx) funderViews(ctx context.Context, programmeID string) (map[string][]byte, time.Time, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return nil, time.Time{}, err
	}
	bodies, byYears := map[string][]byte{}, map[string]bool{}
	// The programme's own counters, a few hundred rows, and its stock,
	// from which a funder's figures over any period are computed
	// (publishedProgrammeStats).
	rows := []statRow{}
	if err := tx.eachStatCount(ctx, `programme_id = ? AND dim = '`+dimAll+`'`, []any{p.ID}, true, func(_, month string, code, n, amount int64) {
		rows = append(rows, statRow{Month: month, Code: code, N: n, Amount: amount})
	}); err != nil {
		return nil, time.Time{}, err
	}
	allocated, err := tx.allocatedBooklets(ctx, p.ID)
	if err != nil {
		return nil, time.Time{}, err
	}
	if bodies[viewProgramme], err = json.Marshal(programmePublication{Rows: rows, IssuedBooklets: p.Stock.IssuedBooklets, AllocatedBooklets: allocated, Cohorts: true}); err != nil {
		return nil, time.Time{}, err
	}
	shown, err := tx.lastShown(ctx, p.ID)
	if err != nil {
		return nil, time.Time{}, err
	}
	// The programme's booklets, read once for the year tables' linked
	// sets and the closing table.
	groups, err := tx.bookletGroups(ctx, p, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	first, last := p.FunderYears(tx.Today())
	var years []string
	for y := first; y <= last; y++ {
		years = append(years, strconv.Itoa(y))
	}
	shapes := yearShapes(groups, years)
	for y := first; y <= last; y++ {
		year := strconv.Itoa(y)
		tables, raw, err := tx.yearTables(ctx, p, year, shapes[year], shown)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, by := range StatBreakdowns {
			q := StatsQuery{ProgrammeID: p.ID, From: year + "-01", To: year + "-12", By: by, Secret: true}
			st := tables[by]
			if by == dimDistributor {
				closingHiddenByYears(byYears, &st)
			}
			// What the next publications count changes from, and must
			// not give back, from the breakdown as published.
			pub, last, r := newStatsPublication(st), shown[q.view()], raw[by]
			pub.Kept = keptValues(&st, by, last.values)
			pub.Sets = carriedSets(&pub, &r, by, last, maxPassesPerPerson(p))
			if bodies[q.view()], err = json.Marshal(pub); err != nil {
				return nil, time.Time{}, err
			}
		}
	}
	// The closing table from the month its first day (J-30) falls in.
	if p.ClosingFrom().YearMonth() > tx.Today().YearMonth() {
		return bodies, tx.now, nil
	}
	t := closingFromGroups(p, tx.Today(), groups, byYears)
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

// publish computes the publication of k and writes it, or waits for this
// server's reading that does; it answers what the table holds.
func (s *Store) publish(ctx context.Context, k publicationKey, compute func() (map[string][]byte, time.Time, error)) (map[string][]byte, time.Time, error) {
	p := &s.pubs
	p.mu.Lock()
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
		p.flight = map[publicationKey]*publicationFlight{}
	}
	f := &publicationFlight{done: make(chan struct{})}
	p.flight[k] = f
	p.mu.Unlock()

	f.bodies, f.at, f.err = compute()
	if f.err == nil {
		f.bodies, f.at, f.err = s.keepPublication(ctx, k, f.bodies, f.at)
	}
	p.mu.Lock()
	delete(p.flight, k)
	p.mu.Unlock()
	close(f.done)
	return f.bodies, f.at, f.err
}

// keepPublication writes a publication, with the row that says the month's
// views are all there, unless the month's is written already, and answers
// what the table holds. It runs beside the reading that computed it: on
// SQLite as a write (the writer has its own connection), on PostgreSQL in
// a transaction of pubDB, so that readings waiting for it, each holding a
// connection of the main pool, cannot starve it.
func (s *Store) keepPublication(ctx context.Context, k publicationKey, bodies map[string][]byte, at time.Time) (map[string][]byte, time.Time, error) {
	bodies = maps.Clone(bodies)
	bodies[monthViews] = []byte("{}")
	stored, when := map[string][]byte{}, time.Time{}
	keep := func(tx *Tx) error {
		for _, view := range slices.Sorted(maps.Keys(bodies)) {
			if _, err := tx.exec(ctx, `INSERT INTO stat_publications (programme_id, view, month, published_at, body) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (programme_id, view, month) DO NOTHING`, k.programmeID, view, k.month, micros(at), string(bodies[view])); err != nil {
				return err
			}
		}
		rows, err := tx.query(ctx, `SELECT view, body, published_at FROM stat_publications WHERE programme_id = ? AND month = ?`, k.programmeID, k.month)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var view, body string
			var t int64
			if err := rows.Scan(&view, &body, &t); err != nil {
				return err
			}
			if view == monthViews {
				when = fromMicros(t)
			} else {
				stored[view] = []byte(body)
			}
		}
		return rows.Err()
	}
	if s.pubDB == nil {
		return stored, when, s.Write(ctx, keep)
	}
	sqlTx, err := s.pubDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, when, s.mapErr(err)
	}
	defer sqlTx.Rollback()
	if err := keep(&Tx{s: s, q: sqlTx, now: at}); err != nil {
		return nil, when, s.mapErr(err)
	}
	return stored, when, s.mapErr(sqlTx.Commit())
}

// statsPublication is a funder's breakdown as published: its figures and
// what Small says of those masked (ProgrammeStats' unexported sets). Kept
// are the values last shown of the figures it hides, from which the next
// publication's changes are counted (lastShown), and Sets its hidden sets
// and those it carries, which the next publications must not give back
// (quietHides): never shown.
type statsPublication struct {
	ProgrammeStats
	Small []string
	Kept  map[string]int64 `json:",omitempty"`
	Sets  []hiddenSet      `json:",omitempty"`
}

// newStatsPublication is a funder's breakdown as it is published.
func newStatsPublication(st ProgrammeStats) statsPublication {
	var small []string
	for k, ok := range st.small {
		if ok {
			small = append(small, k)
		}
	}
	slices.Sort(small)
	return statsPublication{ProgrammeStats: st, Small: small}
}

// view names a funder's breakdown among the publications.
func (q StatsQuery) view() string { return "stats:" + q.By + ":" + q.From + ":" + q.To }

// publishedStats is a funder's breakdown from its month's publication,
// with the budget read now: it is accounts, not statistics.
func (tx *Tx) publishedStats(ctx context.Context, q StatsQuery) (ProgrammeStats, error) {
	p, err := tx.programmeSettings(ctx, q.ProgrammeID)
	if err != nil {
		return ProgrammeStats{}, err
	}
	if err := q.checkSecretPeriod(p, tx.Today()); err != nil {
		return ProgrammeStats{}, err
	}
	pub, at, absent, err := publishedView[statsPublication](ctx, tx, q.ProgrammeID, q.view())
	if err != nil {
		return ProgrammeStats{}, err
	}
	if absent {
		// A year begun since the month's publication: the new year's
		// first minutes, before serve publishes January.
		return ProgrammeStats{}, passnum.Errorf(passnum.EUNAVAILABLE, "Les chiffres de l'année %s ne sont pas encore publiés pour les financeurs : réessayez dans quelques minutes.", q.From[:4])
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
	out.ProgrammeName = p.Name
	out.Budget, err = tx.statBudget(ctx, p)
	return out, err
}

// PublishMonth publishes, for each programme with a funder that has not
// expired, its month's figures for funders (funderViews) unless they are
// already: serve runs it as each month begins, so that funders' readings
// do not wait for them. It answers how many programmes it published.
func (s *Store) PublishMonth(ctx context.Context) (int, error) {
	var ids []string
	err := s.View(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT p.id FROM programmes p
			WHERE EXISTS (SELECT 1 FROM programme_funders f WHERE f.programme_id = p.id)
				AND NOT EXISTS (SELECT 1 FROM programme_expiries e WHERE e.programme_id = p.id)
				AND NOT EXISTS (SELECT 1 FROM stat_publications sp WHERE sp.programme_id = p.id AND sp.view = ? AND sp.month = ?)
			ORDER BY p.id`, monthViews, tx.Today().YearMonth())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		// A reading of its own each, as a funder's first reading would.
		if err := s.View(ctx, func(tx *Tx) error {
			_, _, err := tx.s.publish(ctx, publicationKey{id, tx.Today().YearMonth()}, func() (map[string][]byte, time.Time, error) {
				return tx.funderViews(ctx, id)
			})
			return err
		}); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// publishedProgrammeStats are a funder's figures of the programme, over
// any period, computed from its counters as the month's publication holds
// them, with the budget read now. Read live, two readings around a
// hand-out or a first use would say whether that young person is in the
// target public, how long they waited, whether they finished their
// booklet. A month published before the counters were (an older server's)
// reads them live.
func (tx *Tx) publishedProgrammeStats(ctx context.Context, q StatsQuery) (ProgrammeStats, error) {
	if _, err := tx.programmeSettings(ctx, q.ProgrammeID); err != nil {
		return ProgrammeStats{}, err
	}
	pub, at, absent, err := publishedView[programmePublication](ctx, tx, q.ProgrammeID, viewProgramme)
	if err != nil {
		return ProgrammeStats{}, err
	}
	if absent {
		return tx.programmeStats(ctx, q, true)
	}
	q.published = &pub
	st, err := tx.programmeStats(ctx, q, true)
	st.PublishedAt = &at
	return st, err
}
