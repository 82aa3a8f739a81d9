package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/territory"
)

// rawCell is what the test recounts itself from the raw rows.
type rawCell struct{ handed, target, replaced, started, completed, used, amount, expired int64 }

// rawStats recounts a programme's figures by breakdown from the raw rows
// (booklets, their beneficiaries, redemptions), in Go, for the months
// from..to ("" for open ends). A replacement counts where the booklet it
// replaced did (the first of the chain, for the same young person), and
// the passes expired of a booklet are its passes less those it and its
// replacements used.
func rawStats(t *testing.T, db *sql.DB, programmeID, by, from, to string) map[string]*rawCell {
	t.Helper()
	in := func(month string) bool { return (from == "" || month >= from) && (to == "" || month <= to) }
	out := map[string]*rawCell{}
	cell := func(k string) *rawCell {
		if out[k] == nil {
			out[k] = &rawCell{}
		}
		return out[k]
	}
	key := func(dist, commune, birth string, handed int64, place, service string) string {
		switch by {
		case "departement":
			c, _ := territory.LookupCommune(commune)
			return c.Departement
		case "commune":
			return commune
		case "distributor":
			return dist
		case "age_band":
			return passnum.AgeBandOf(passnum.MustDate(birth), passnum.ParisDate(time.UnixMicro(handed)))
		case "place":
			return place
		case "service":
			return service
		case "micro":
			// Commune, distributor and age band together: the finest
			// cells the year's tables add up.
			return commune + "|" + dist + "|" + passnum.AgeBandOf(passnum.MustDate(birth), passnum.ParisDate(time.UnixMicro(handed)))
		}
		return ""
	}
	rows, err := db.Query(`SELECT b.id, b.distributor_id, n.commune_insee, n.birth_date, b.handed_out_at, n.job_seeker, n.in_studies,
			CASE WHEN EXISTS (SELECT 1 FROM booklets o WHERE o.replaced_by = b.id) THEN 1 ELSE 0 END, p.booklet_size - b.voided_passes,
			p.booklet_size, COALESCE(b.replaced_by, '')
		FROM booklets b JOIN beneficiaries n ON n.id = b.beneficiary_id JOIN programmes p ON p.id = b.programme_id
		WHERE b.programme_id = $1 AND b.handed_out_at IS NOT NULL`, programmeID)
	if err != nil {
		t.Fatal(err)
	}
	type bk struct {
		dist, commune, birth string
		handed               int64
		repl                 bool
		usable, used, size   int64
		target               bool
		replacedBy           string
	}
	booklets := map[string]*bk{}
	for rows.Next() {
		var id string
		var b bk
		var repl int
		var js, st bool
		if err := rows.Scan(&id, &b.dist, &b.commune, &b.birth, &b.handed, &js, &st, &repl, &b.usable, &b.size, &b.replacedBy); err != nil {
			t.Fatal(err)
		}
		b.repl, b.target = repl == 1, js && !st
		booklets[id] = &b
	}
	rows.Close()
	// Each booklet's first of its chain.
	replaces := map[string]string{}
	for id, b := range booklets {
		if b.replacedBy != "" {
			replaces[b.replacedBy] = id
		}
	}
	root := func(id string) *bk {
		for replaces[id] != "" {
			id = replaces[id]
		}
		return booklets[id]
	}
	// A booklet's cell: its first's commune, and age band at its
	// hand-out.
	bookletKey := func(id, place, service string) string {
		b, r := booklets[id], root(id)
		return key(b.dist, r.commune, r.birth, r.handed, place, service)
	}
	rows, err = db.Query(`SELECT ps.booklet_id, r.place_id, r.service, r.redeemed_at, r.amount_cents FROM redemptions r JOIN passes ps ON ps.id = r.pass_id
		WHERE r.programme_id = $1 AND r.status = 'active'`, programmeID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, place, service string
		var at, amount int64
		if err := rows.Scan(&id, &place, &service, &at, &amount); err != nil {
			t.Fatal(err)
		}
		b := booklets[id]
		b.used++
		if in(passnum.ParisMonth(time.UnixMicro(at))) {
			c := cell(bookletKey(id, place, service))
			c.used++
			c.amount += amount
		}
	}
	rows.Close()
	if by == "place" || by == "service" {
		return out
	}
	for id, b := range booklets {
		if !in(passnum.ParisMonth(time.UnixMicro(b.handed))) {
			continue
		}
		c := cell(bookletKey(id, "", ""))
		if b.repl {
			c.replaced++
			continue
		}
		c.handed++
		if b.target {
			c.target++
		}
		if b.used > 0 {
			c.started++
			if b.used >= b.usable {
				c.completed++
			}
		}
		c.expired += b.size
		for next := id; next != ""; next = booklets[next].replacedBy {
			c.expired -= booklets[next].used
		}
	}
	return out
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// TestProgrammeStatsEqualARecount: on random datasets, every figure of
// every breakdown, over random periods, equals the test's own recount
// from the raw rows.
func TestProgrammeStatsEqualARecount(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				r := rand.New(rand.NewPCG(seed, 14))
				w := newStatWorld(t, s, clock, r)
				for range 150 {
					w.step(r, clock)
				}
				// The whole programme (read from the cells' all-months rows),
				// a period covering every month (the same rows), and periods
				// read from the months' and the quarters' rows: quarters held
				// whole, months of quarters cut by the period, both.
				periods := [][2]string{{"", ""}, {"2000-01", "2099-12"}, {"2026-03", "2026-05"}, {"2026-06", ""}, {"", "2026-04"},
					{"2026-04", "2026-09"}, {"2026-01", "2026-07"}, {"2026-05", "2026-05"}}
				check(t, s, db, w, periods)
				// Once the programme has ended, the passes expired of each
				// period's booklets too.
				for !passnum.ParisDate(clock.Now()).After(w.prog.LastRedeemDay()) {
					clock.Advance(24 * time.Hour)
				}
				check(t, s, db, w, periods)
			})
		})
	}
}

// check sets every figure of every breakdown over periods against the
// test's recount (rawStats).
func check(t *testing.T, s *store.Store, db *sql.DB, w *statWorld, periods [][2]string) {
	t.Helper()
	ended := 0
	for _, by := range append([]string{""}, store.StatBreakdowns...) {
		for _, pd := range periods {
			got := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: w.prog.ID, By: by, From: pd[0], To: pd[1]})
			})
			want := rawStats(t, db, w.prog.ID, by, pd[0], pd[1])
			// The budget engaged is the programme's to date,
			// whatever the period: the face value of every
			// booklet handed out.
			var engaged int64
			for _, b := range got.Budget {
				engaged += b.EngagedCents
			}
			if whole := rawStats(t, db, w.prog.ID, "", "", "")[""]; whole != nil && engaged != whole.handed*int64(got.BookletSize)*got.FaceValueCents {
				t.Fatalf("period %v: engaged %d, want %d booklets' worth", pd, engaged, whole.handed)
			}
			if by == "" {
				c := want[""]
				if c == nil {
					c = &rawCell{}
				}
				f := got.Total
				if val(f.BookletsHandedOut) != c.handed || val(f.PassesUsed) != c.used || val(f.AmountUsedCents) != c.amount ||
					val(f.BookletsStarted) != c.started || val(f.BookletsCompleted) != c.completed || val(f.TargetPublic) != c.target || val(f.BookletsReplaced) != c.replaced {
					t.Fatalf("period %v total %+v, recount %+v", pd, f, *c)
				}
				ended += checkExpired(t, f, c, "total", pd)
				continue
			}
			if by == "age_band" {
				// Youngest first.
				for i := 1; i < len(got.Cells); i++ {
					if slices.Index(passnum.AgeBands, got.Cells[i-1].Key) > slices.Index(passnum.AgeBands, got.Cells[i].Key) {
						t.Fatalf("age bands in the order %s, %s", got.Cells[i-1].Key, got.Cells[i].Key)
					}
				}
			}
			seen := 0
			for _, cell := range got.Cells {
				c := want[cell.Key]
				if c == nil {
					c = &rawCell{}
				} else {
					seen++
				}
				f := cell.StatFigures
				if val(f.BookletsHandedOut) != c.handed || val(f.PassesUsed) != c.used || val(f.AmountUsedCents) != c.amount ||
					val(f.BookletsStarted) != c.started || val(f.BookletsCompleted) != c.completed || val(f.TargetPublic) != c.target || val(f.BookletsReplaced) != c.replaced {
					t.Fatalf("by %s period %v cell %s: %+v, recount %+v", by, pd, cell.Key, f, *c)
				}
				if store.BreakdownCountsBooklets(by) {
					ended += checkExpired(t, f, c, by+" "+cell.Key, pd)
				}
			}
			for k, c := range want {
				if got := slicesIndexCell(got.Cells, k); got < 0 && *c != (rawCell{}) {
					t.Fatalf("by %s period %v: cell %s missing (%+v)", by, pd, k, *c)
				}
			}
		}
	}
	if ended > 0 != passnum.ParisDate(s.Now()).After(w.prog.LastRedeemDay()) {
		t.Fatalf("%d figures of passes expired, the programme ending %s", ended, w.prog.LastRedeemDay())
	}
}

// checkExpired sets a figure's passes expired against the recount's,
// when it has one (once the programme has ended), and says so.
func checkExpired(t *testing.T, f store.StatFigures, c *rawCell, cell string, pd [2]string) int {
	t.Helper()
	if f.PassesExpired == nil {
		return 0
	}
	if *f.PassesExpired != c.expired {
		t.Fatalf("%s period %v: %d passes expired, recount %d (%+v)", cell, pd, *f.PassesExpired, c.expired, *c)
	}
	return 1
}

func slicesIndexCell(cells []store.StatCell, key string) int {
	for i, c := range cells {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// TestProgrammeStatsSecrecy: with secrecy, a cell of fewer than 5 young
// people is null and named, and a second cell hides it from the total.
func TestProgrammeStatsSecrecy(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 20)
		big, small, mid := f.MustDistributor("Grande mission locale"), f.MustDistributor("Petite antenne"), f.MustDistributor("Agence moyenne")
		for _, d := range []struct {
			a passnum.Actor
			n int
		}{{big, 8}, {small, 2}, {mid, 6}} {
			f.MustAllocate(prog.ID, d.a.OrganisationID, int64(d.n))
			for i := range d.n {
				b := f.MustBeneficiary(d.a, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %s %d", d.a.OrganisationID, i) })
				f.MustHandOut(d.a, b.ID, prog.ID)
			}
		}
		get := func(secret bool) store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2026-01", To: "2026-12", Secret: secret})
			})
		}
		open := get(false)
		if len(open.Masked) != 0 || len(open.Cells) != 3 {
			t.Fatalf("operator's view masked %v (%d cells)", open.Masked, len(open.Cells))
		}
		st := get(true)
		if len(st.Masked) != 2 || !contains(st.Masked, small.OrganisationID) || !contains(st.Masked, mid.OrganisationID) {
			t.Fatalf("masked %v, want the small agency and the next smallest", st.Masked)
		}
		// The small agency's counts are under 5 ("< 5"); the next
		// smallest's, hidden only to keep it from being given back, are
		// not ("secret").
		if !st.Small(small.OrganisationID, "") || st.Small(mid.OrganisationID, "") || st.Small(big.OrganisationID, "") {
			t.Errorf("small: %v, %v, %v; want true, false, false", st.Small(small.OrganisationID, ""), st.Small(mid.OrganisationID, ""), st.Small(big.OrganisationID, ""))
		}
		for _, c := range st.Cells {
			masked := c.BookletsHandedOut == nil
			if masked != contains(st.Masked, c.Key) {
				t.Fatalf("cell %s: handed out %v, masked list %v", c.Key, c.BookletsHandedOut, st.Masked)
			}
		}
		if val(st.Total.BookletsHandedOut) != 16 {
			t.Fatalf("total %v", st.Total.BookletsHandedOut)
		}
	})
}

// TestProgrammeStatsSecrecyFigures: in a cell shown to a funder, a
// figure of fewer than 5 young people is null and named
// ("<cell>:<figure>") with what would give it back (the use rate of a
// count of booklets started, the amount of passes used), and a second
// cell of its column hides it from the total; the operator sees all.
func TestProgrammeStatsSecrecyFigures(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 30)
		place := f.MustPlace("Médiathèque")
		big, mid, other := f.MustDistributor("Grande mission locale"), f.MustDistributor("Agence moyenne"), f.MustDistributor("Antenne")
		// Booklets handed out and started (one pass used each).
		for _, d := range []struct {
			a               passnum.Actor
			handed, started int
		}{{big, 8, 2}, {mid, 6, 6}, {other, 7, 0}} {
			f.MustAllocate(prog.ID, d.a.OrganisationID, int64(d.handed))
			for i := range d.handed {
				b := f.MustBeneficiary(d.a, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %s %d", d.a.OrganisationID, i) })
				bk := f.MustHandOut(d.a, b.ID, prog.ID)
				if i < d.started {
					f.MustRedeem(place, bk.Passes[0].Code)
				}
			}
		}
		get := func(secret bool) store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2026-01", To: "2026-12", Secret: secret})
			})
		}
		cell := func(st store.ProgrammeStats, a passnum.Actor) store.StatFigures {
			return st.Cells[slicesIndexCell(st.Cells, a.OrganisationID)].StatFigures
		}
		open := get(false)
		if len(open.Masked) != 0 || val(cell(open, big).BookletsStarted) != 2 {
			t.Fatalf("operator's view: masked %v, big agency %+v", open.Masked, cell(open, big))
		}
		st := get(true)
		// No cell is masked whole: each counts 5 young people or more.
		for _, c := range st.Cells {
			if c.BookletsHandedOut == nil || contains(st.Masked, c.Key) {
				t.Fatalf("cell %s masked whole: %v", c.Key, st.Masked)
			}
		}
		// Booklets started: the big agency's 2, and the agency of 6 beside
		// them (the antenna's 0 would not hide them from the total).
		for _, a := range []passnum.Actor{big, mid} {
			c := cell(st, a)
			if c.BookletsStarted != nil || c.UseRate != nil || c.FirstUseMedianDays != nil || c.FirstUse != nil ||
				!contains(st.Masked, store.FigureMasked(a.OrganisationID, "booklets_started")) {
				t.Errorf("%s: started %v, rate %v shown; masked %v", a.OrganisationID, c.BookletsStarted, c.UseRate, st.Masked)
			}
		}
		if c := cell(st, other); val(c.BookletsStarted) != 0 || c.UseRate == nil {
			t.Errorf("the antenna's started %v, rate %v", c.BookletsStarted, c.UseRate)
		}
		// Passes used: 2 passes are at least one person, 6 at least two.
		if c := cell(st, big); c.PassesUsed != nil || c.AmountUsedCents != nil || !contains(st.Masked, store.FigureMasked(big.OrganisationID, "passes_used")) {
			t.Errorf("big agency's passes used %v, amount %v shown", c.PassesUsed, c.AmountUsedCents)
		}
		// The total counts 8 booklets started: shown. Its 8 passes used
		// are at least 2 young people (5 passes to a person): masked.
		if val(st.Total.BookletsStarted) != 8 || st.Total.UseRate == nil {
			t.Errorf("total started %v, rate %v", st.Total.BookletsStarted, st.Total.UseRate)
		}
		if st.Total.PassesUsed != nil || !contains(st.Masked, store.FigureMasked("total", "passes_used")) {
			t.Errorf("total passes used %v shown; masked %v", st.Total.PassesUsed, st.Masked)
		}
		// What is shown counts nobody or 5 young people and more.
		for _, c := range append(st.Cells, store.StatCell{Key: "total", StatFigures: st.Total}) {
			for _, n := range []*int64{c.BookletsHandedOut, c.BookletsReplaced, c.TargetPublic, c.BookletsStarted, c.BookletsCompleted} {
				if n != nil && *n > 0 && *n < passnum.SecrecyThreshold {
					t.Errorf("cell %s shows %d young people", c.Key, *n)
				}
			}
		}
	})
}

// TestProgrammeStatsSecrecyFirstUse: the distribution of the wait before
// the first use is masked bucket by bucket, in each row and in each
// bucket's column: a bucket of 3 booklets inside an agency of 10 is hidden,
// with another that would give it back from the agency's booklets started.
func TestProgrammeStatsSecrecyFirstUse(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 40)
		place := f.MustPlace("Médiathèque")
		big, mid, other := f.MustDistributor("Grande mission locale"), f.MustDistributor("Agence moyenne"), f.MustDistributor("Antenne")
		// Each booklet handed out and used the same day, or 10 days later.
		var later []string
		for _, d := range []struct {
			a              passnum.Actor
			sameDay, after int
		}{{big, 7, 3}, {mid, 6, 0}, {other, 9, 6}} {
			f.MustAllocate(prog.ID, d.a.OrganisationID, int64(d.sameDay+d.after))
			for i := range d.sameDay + d.after {
				b := f.MustBeneficiary(d.a, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %s %d", d.a.OrganisationID, i) })
				bk := f.MustHandOut(d.a, b.ID, prog.ID)
				if i < d.sameDay {
					f.MustRedeem(place, bk.Passes[0].Code)
				} else {
					later = append(later, bk.Passes[0].Code)
				}
			}
		}
		clock.Advance(10 * 24 * time.Hour)
		for _, code := range later {
			f.MustRedeem(place, code)
		}
		get := func(secret bool) store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2026-01", To: "2026-12", Secret: secret})
			})
		}
		bucket := func(f store.StatFigures, from int) *int64 {
			for _, b := range f.FirstUse {
				if b.FromDays == from {
					return b.Booklets
				}
			}
			t.Fatalf("no bucket from day %d in %+v", from, f.FirstUse)
			return nil
		}
		cell := func(st store.ProgrammeStats, a passnum.Actor) store.StatFigures {
			return st.Cells[slicesIndexCell(st.Cells, a.OrganisationID)].StatFigures
		}
		open := get(false)
		if val(bucket(cell(open, big), 8)) != 3 || val(bucket(open.Total, 0)) != 22 || len(open.Masked) != 0 {
			t.Fatalf("operator's view: big agency %+v, total %+v, masked %v", cell(open, big).FirstUse, open.Total.FirstUse, open.Masked)
		}
		st := get(true)
		// The big agency's 3 late booklets are hidden, among its empty
		// buckets: its 10 booklets started less its 7 of the same day
		// leave 3 spread over 14 hidden buckets.
		if b := bucket(cell(st, big), 8); b != nil || !contains(st.Masked, store.FigureMasked(big.OrganisationID, "first_use")) {
			t.Errorf("big agency's bucket from day 8: %v; masked %v", b, st.Masked)
		}
		if val(cell(st, big).BookletsStarted) != 10 || val(bucket(cell(st, big), 0)) != 7 {
			t.Errorf("big agency: started %v, same day %v; want 10 and 7 shown", cell(st, big).BookletsStarted, bucket(cell(st, big), 0))
		}
		// Nothing shown is given back: a bucket shown counts 5 booklets
		// or more (a zero shown would say its hidden neighbours count
		// somebody), and in each line whose sum is shown the hidden
		// buckets are not one alone, nor all at 4.
		type line struct {
			name   string
			hidden []int64 // the hidden buckets' true counts
		}
		var lines []line
		shown := func(f store.StatFigures) bool { return f.FirstUse != nil }
		pairs := [][2]store.StatFigures{{st.Total, open.Total}}
		for _, a := range []passnum.Actor{big, mid, other} {
			pairs = append(pairs, [2]store.StatFigures{cell(st, a), cell(open, a)})
		}
		for r, p := range pairs {
			l := line{name: fmt.Sprint("row ", r)}
			for i, b := range p[0].FirstUse {
				if b.Booklets == nil {
					l.hidden = append(l.hidden, *p[1].FirstUse[i].Booklets)
				} else if *b.Booklets < passnum.SecrecyThreshold {
					t.Errorf("row %d shows %d booklets from day %d", r, *b.Booklets, b.FromDays)
				}
			}
			if shown(p[0]) {
				lines = append(lines, l)
			}
		}
		for i, from := range passnum.FirstUseBuckets {
			if st.Total.FirstUse == nil || st.Total.FirstUse[i].Booklets == nil {
				continue
			}
			l := line{name: fmt.Sprint("column of day ", from)}
			for _, p := range pairs[1:] {
				if !shown(p[0]) || p[0].FirstUse[i].Booklets == nil {
					l.hidden = append(l.hidden, *p[1].FirstUse[i].Booklets)
				}
			}
			lines = append(lines, l)
		}
		for _, l := range lines {
			var sum int64
			small := true
			for _, n := range l.hidden {
				sum += n
				small = small && n < passnum.SecrecyThreshold
			}
			if sum > 0 && (len(l.hidden) == 1 || small && sum == int64(len(l.hidden))*(passnum.SecrecyThreshold-1)) {
				t.Errorf("%s: hidden %v given back by its sum", l.name, l.hidden)
			}
		}
	})
}

// closingLine is the line of distributor a in a closing table.
func closingLine(t *testing.T, tb store.ClosingTable, a passnum.Actor) store.DistributorClosing {
	t.Helper()
	for _, d := range tb.Distributors {
		if d.DistributorID == a.OrganisationID {
			return d
		}
	}
	t.Fatalf("no line for %s", a.OrganisationID)
	return store.DistributorClosing{}
}

// TestClosingTableSecrecy: the closing table a funder sees by distributor
// is masked as its dashboard is: a distributor of 2 young people and a
// second line, with their stock (allocated less not handed out is handed
// out), then, in the lines shown, the booklets started and the passes
// used of 1 to 4 young people.
func TestClosingTableSecrecy(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 40)
		place := f.MustPlace("Médiathèque")
		big, mid, other, small := f.MustDistributor("Grande mission locale"), f.MustDistributor("Agence moyenne"), f.MustDistributor("Antenne"), f.MustDistributor("Petite antenne")
		for _, d := range []struct {
			a               passnum.Actor
			handed, started int
		}{{big, 8, 2}, {mid, 6, 6}, {other, 7, 0}, {small, 2, 1}} {
			f.MustAllocate(prog.ID, d.a.OrganisationID, int64(d.handed+1))
			for i := range d.handed {
				b := f.MustBeneficiary(d.a, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %s %d", d.a.OrganisationID, i) })
				bk := f.MustHandOut(d.a, b.ID, prog.ID)
				if i < d.started {
					f.MustRedeem(place, bk.Passes[0].Code)
				}
			}
		}
		// A funder reads it from its first day, J-30.
		from := prog.ClosingFrom()
		clock.Set(time.Date(from.Year, time.Month(from.Month), from.Day, 10, 0, 0, 0, passnum.Paris))
		get := func(secret bool) store.ClosingTable {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
				return tx.ClosingTable(ctx, prog.ID, secret)
			})
		}
		line := func(tb store.ClosingTable, a passnum.Actor) store.DistributorClosing { return closingLine(t, tb, a) }
		open := get(false)
		if len(open.Masked) != 0 || val(line(open, small).BookletsHandedOut) != 2 || val(open.Totals.BookletsStarted) != 9 {
			t.Fatalf("operator's table: masked %v, %+v", open.Masked, open)
		}
		tb := get(true)
		// The small antenna's 2, and the next smallest line (6), whole.
		for _, a := range []passnum.Actor{small, mid} {
			d := line(tb, a)
			if d.BookletsHandedOut != nil || d.BookletsStarted != nil || d.PassesUsed != nil || d.PassesUnused != nil ||
				d.BookletsAllocated != nil || d.BookletsNotHandedOut != nil || !contains(tb.Masked, a.OrganisationID) {
				t.Errorf("%s shown: %+v; masked %v", a.OrganisationID, d, tb.Masked)
			}
		}
		if d := line(tb, big); val(d.BookletsAllocated) != 9 || val(d.BookletsNotHandedOut) != 1 {
			t.Errorf("big agency's stock: %+v", d)
		}
		// The big agency's 2 booklets started, among 8 handed out shown;
		// the antenna's 0 started stays (it hides nobody).
		if d := line(tb, big); val(d.BookletsHandedOut) != 8 || d.BookletsStarted != nil || d.PassesUsed != nil || d.PassesUnused != nil ||
			!contains(tb.Masked, store.FigureMasked(big.OrganisationID, "booklets_started")) {
			t.Errorf("big agency: %+v; masked %v", d, tb.Masked)
		}
		if d := line(tb, other); val(d.BookletsHandedOut) != 7 || d.BookletsStarted == nil || *d.BookletsStarted != 0 {
			t.Errorf("antenna: %+v", d)
		}
		// The totals: 23 booklets handed out and 9 started shown; 9 passes
		// used are at least 2 young people: masked.
		if val(tb.Totals.BookletsHandedOut) != 23 || val(tb.Totals.BookletsStarted) != 9 || tb.Totals.PassesUsed != nil {
			t.Errorf("totals: %+v; masked %v", tb.Totals, tb.Masked)
		}
		// What is shown counts nobody or 5 young people and more.
		for _, d := range append(tb.Distributors, tb.Totals) {
			for _, n := range []*int64{d.BookletsHandedOut, d.BookletsStarted} {
				if n != nil && *n > 0 && *n < passnum.SecrecyThreshold {
					t.Errorf("line %q shows %d young people", d.DistributorID, *n)
				}
			}
		}
	})
}

// TestProgrammeStatsSecrecyKeepsStock: when the programme's total counts
// fewer than 5 young people, a funder sees no figure of people, but still
// the passes issued and allocated, which count nobody.
func TestProgrammeStatsSecrecyKeepsStock(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 10)
		d := f.MustDistributor("Petite antenne")
		f.MustAllocate(prog.ID, d.OrganisationID, 4)
		for i := range 2 {
			b := f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %d", i) })
			f.MustHandOut(d, b.ID, prog.ID)
		}
		st := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
			return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2026-01", To: "2026-12", Secret: true})
		})
		if !contains(st.Masked, "total") {
			t.Fatalf("masked %v: two young people, the total should be masked", st.Masked)
		}
		size := int64(prog.BookletSize)
		if val(st.Total.PassesIssued) != 10*size || val(st.Total.PassesAllocated) != 4*size {
			t.Errorf("masked total hides the stock: issued %v, allocated %v", st.Total.PassesIssued, st.Total.PassesAllocated)
		}
		if st.Total.BookletsHandedOut != nil || st.Total.PassesHandedOut != nil || st.Total.PassesUsed != nil {
			t.Errorf("masked total shows people: %+v", st.Total)
		}
		if len(st.Cells) != 1 || val(st.Cells[0].PassesAllocated) != 4*size || st.Cells[0].BookletsHandedOut != nil {
			t.Errorf("masked agency: %+v", st.Cells)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
