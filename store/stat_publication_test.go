package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// TestFunderBreakdownPublishedForTheMonth: a funder's breakdown is the
// same all month. Read live, the readings before and after one hand-out
// differed by that young person's distributor. The operator's is live;
// the next month publishes anew; the publication is read from the table
// once written, by any reader.
func TestFunderBreakdownPublishedForTheMonth(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 40)
		big, small := f.MustDistributor("Grande mission locale"), f.MustDistributor("Petite antenne")
		f.MustAllocate(prog.ID, big.OrganisationID, 20)
		f.MustAllocate(prog.ID, small.OrganisationID, 20)
		n := 0
		handOut := func(d passnum.Actor, k int) {
			for range k {
				n++
				b := f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Martin %d", n) })
				f.MustHandOut(d, b.ID, prog.ID)
			}
		}
		handOut(big, 8)
		handOut(small, 6)
		// A clock finer than the table's microseconds: the first reading
		// says the instant the table keeps, as every later one does.
		clock.Set(clock.Now().Add(123456789 * time.Nanosecond))
		get := func(secret bool) store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "distributor", From: "2026-01", To: "2026-12", Secret: secret})
			})
		}
		handed := func(st store.ProgrammeStats, d passnum.Actor) int64 {
			for _, c := range st.Cells {
				if c.Key == d.OrganisationID {
					return val(c.BookletsHandedOut)
				}
			}
			return -1
		}
		first := get(true)
		if first.PublishedAt == nil || !first.PublishedAt.Equal(clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("published at %v, want the first reading's instant %v", first.PublishedAt, clock.Now())
		}
		if handed(first, small) != 6 || val(first.Total.BookletsHandedOut) != 14 {
			t.Fatalf("first reading: small agency %d, total %d; want 6 and 14", handed(first, small), val(first.Total.BookletsHandedOut))
		}

		clock.Advance(time.Hour)
		handOut(small, 1)
		f.MustIssue(prog.ID, 2)
		again := get(true)
		if !reflect.DeepEqual(again.Cells, first.Cells) || !reflect.DeepEqual(again.Total, first.Total) || !reflect.DeepEqual(again.Masked, first.Masked) || !again.PublishedAt.Equal(*first.PublishedAt) {
			t.Fatalf("the month's second reading differs from its first:\n%+v\n%+v", again, first)
		}
		// Every view of the month was computed with the first: the
		// breakdown by age band, read for the first time after the
		// hand-out, does not count it either.
		byAge := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
			return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "age_band", From: "2026-01", To: "2026-12", Secret: true})
		})
		if val(byAge.Total.BookletsHandedOut) != 14 || byAge.PublishedAt == nil || !byAge.PublishedAt.Equal(*first.PublishedAt) {
			t.Errorf("the month's breakdown by age band, read after the hand-out: %d booklets, published at %v; want 14 at %v",
				val(byAge.Total.BookletsHandedOut), byAge.PublishedAt, first.PublishedAt)
		}
		// Months before its first day (J-30), a funder's closing table
		// has its days, no figures, and is not published.
		closing := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
			return tx.ClosingTable(ctx, prog.ID, true)
		})
		if closing.InPeriod || closing.PublishedAt != nil || len(closing.Distributors) != 0 || closing.Totals.BookletsHandedOut != nil {
			t.Errorf("the funder's closing table before J-30: in period %v, published at %v, %d lines, %v handed out; want its days only",
				closing.InPeriod, closing.PublishedAt, len(closing.Distributors), closing.Totals.BookletsHandedOut)
		}
		// The programme's own figures too, over any months.
		whole := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
			return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, From: "2026-03", To: "2026-03", Secret: true})
		})
		// The stock too: the two booklets issued since count in none.
		if val(whole.Total.PassesIssued) != val(first.Total.PassesIssued) {
			t.Errorf("the funder's figures of March count %d passes issued, the month's publication %d", val(whole.Total.PassesIssued), val(first.Total.PassesIssued))
		}
		if val(whole.Total.BookletsHandedOut) != 14 || val(whole.Total.TargetPublic) != val(first.Total.TargetPublic) || whole.PublishedAt == nil || !whole.PublishedAt.Equal(*first.PublishedAt) {
			t.Errorf("the funder's figures of March, read after the hand-out: %d booklets (target public %d) published at %v; want 14 (%d) at %v",
				val(whole.Total.BookletsHandedOut), val(whole.Total.TargetPublic), whole.PublishedAt, val(first.Total.TargetPublic), first.PublishedAt)
		}
		if op := get(false); handed(op, small) != 7 || op.PublishedAt != nil {
			t.Errorf("operator's breakdown: small agency %d (published at %v), want 7, live", handed(op, small), op.PublishedAt)
		}
		// The budget is accounts, read now: engaged counts the new booklet.
		if len(again.Budget) == 0 || len(first.Budget) == 0 {
			t.Fatalf("no budget: the programme's funders are missing")
		}
		if again.Budget[0].EngagedCents == first.Budget[0].EngagedCents {
			t.Errorf("budget engaged %d both times: the budget is not published, it is read now", again.Budget[0].EngagedCents)
		}

		// Once in the table, read from it. One year begun: its six
		// breakdowns, the programme's counters and the row that says the
		// month's views are there (the closing table waits for the month
		// of its first day).
		var count int
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(10 * time.Millisecond) {
			if err := db.QueryRow(`SELECT COUNT(*) FROM stat_publications WHERE programme_id = '` + prog.ID + `'`).Scan(&count); err != nil {
				t.Fatal(err)
			}
			if count > 0 {
				break
			}
		}
		if want := len(store.StatBreakdowns) + 2; count != want {
			t.Fatalf("%d publications in the table, want %d", count, want)
		}
		if _, err := db.Exec(`UPDATE stat_publications SET body = REPLACE(body, 'Petite antenne', 'Antenne lue dans la table')`); err != nil {
			t.Fatal(err)
		}
		if st := get(true); st.Cells[slicesIndexCell(st.Cells, small.OrganisationID)].Label != "Antenne lue dans la table" {
			t.Errorf("the month's reading once written: %q, want it from the table", st.Cells[slicesIndexCell(st.Cells, small.OrganisationID)].Label)
		}

		// The next month, the young person handed out since counts: in
		// the total, not in the small agency's line, which would say
		// "one more" beside last month's 6 (stat_publication_change.go).
		clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, passnum.Paris))
		next := get(true)
		if val(next.Total.BookletsHandedOut) != 15 || next.PublishedAt == nil || !next.PublishedAt.Equal(clock.Now()) {
			t.Errorf("next month: %d handed out published at %v, want 15 at %v", val(next.Total.BookletsHandedOut), next.PublishedAt, clock.Now())
		}
		if !next.Hides(small.OrganisationID, "") || next.Small(small.OrganisationID, "") {
			t.Errorf("next month: the small agency's 7, one more than last month's 6, is %d (masked %v), want it secret", handed(next, small), next.Masked)
		}
		// Still one more than last shown a month later; five more the
		// month after, and shown again.
		clock.Set(time.Date(2026, 5, 1, 9, 0, 0, 0, passnum.Paris))
		if st := get(true); !st.Hides(small.OrganisationID, "") {
			t.Errorf("May: the small agency's 7, one more than its 6 last shown, is shown")
		}
		handOut(small, 4)
		clock.Set(time.Date(2026, 6, 1, 9, 0, 0, 0, passnum.Paris))
		if st := get(true); handed(st, small) != 11 {
			t.Errorf("June: the small agency's 11, five more than its 6 last shown, is %d (masked %v)", handed(st, small), st.Masked)
		}
	})
}

// TestFunderBreakdownPublishedOnce: readers of a month's first publication
// at the same time, while young people get their booklets, all get the
// same figures.
func TestFunderBreakdownPublishedOnce(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 60)
		d := f.MustDistributor("Mission locale")
		f.MustAllocate(prog.ID, d.OrganisationID, 60)
		var bens []string
		for i := range 40 {
			bens = append(bens, f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Durand %d", i) }).ID)
		}
		for _, id := range bens[:10] {
			f.MustHandOut(d, id, prog.ID)
		}
		const readers = 16
		got := make([]store.ProgrammeStats, readers)
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, id := range bens[10:] {
				f.MustHandOut(d, id, prog.ID)
			}
		})
		for i := range readers {
			wg.Go(func() {
				err := s.View(t.Context(), func(tx *store.Tx) error {
					var err error
					got[i], err = tx.ProgrammeStats(t.Context(), store.StatsQuery{ProgrammeID: prog.ID, By: "age_band", From: "2026-01", To: "2026-12", Secret: true})
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i := range got {
			if !reflect.DeepEqual(got[i].Cells, got[0].Cells) || !reflect.DeepEqual(got[i].Total, got[0].Total) || got[i].PublishedAt == nil || !got[i].PublishedAt.Equal(*got[0].PublishedAt) {
				t.Fatalf("reader %d got %d booklets handed out (published at %v), reader 0 %d (at %v)", i, val(got[i].Total.BookletsHandedOut), got[i].PublishedAt, val(got[0].Total.BookletsHandedOut), got[0].PublishedAt)
			}
		}
	})
}

// TestPublishMonth: serve's monthly run publishes each funded programme's
// month once; a funder's reading then gets those figures, computed before
// the hand-out that followed.
func TestPublishMonth(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 20)
		d := f.MustDistributor("Mission locale")
		f.MustAllocate(prog.ID, d.OrganisationID, 20)
		for i := range 6 {
			f.MustHandOut(d, f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Petit %d", i) }).ID, prog.ID)
		}
		published := clock.Now()
		if n, err := s.PublishMonth(t.Context()); err != nil || n != 1 {
			t.Fatalf("the month's run published %d programmes (%v), want 1", n, err)
		}
		clock.Advance(time.Hour)
		f.MustHandOut(d, f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = "Petit 7" }).ID, prog.ID)
		st := view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
			return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "departement", From: "2026-01", To: "2026-12", Secret: true})
		})
		if st.PublishedAt == nil || !st.PublishedAt.Equal(published) || val(st.Total.BookletsHandedOut) != 6 {
			t.Errorf("the funder's reading: %d booklets published at %v, want 6 at %v", val(st.Total.BookletsHandedOut), st.PublishedAt, published)
		}
		// Once written, the next run has nothing to do.
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(10 * time.Millisecond) {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM stat_publications WHERE programme_id = '` + prog.ID + `' AND view = ''`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
		}
		if n, err := s.PublishMonth(t.Context()); err != nil || n != 0 {
			t.Errorf("the month's second run published %d programmes (%v), want none", n, err)
		}
		// The next month, again.
		clock.Set(time.Date(2026, 4, 1, 0, 5, 0, 0, passnum.Paris))
		if n, err := s.PublishMonth(t.Context()); err != nil || n != 1 {
			t.Errorf("the next month's run published %d programmes (%v), want 1", n, err)
		}
	})
}

// TestPublicationFirstWrittenStands: two servers on one database may both
// compute a month's figures; the first written stands, and the other
// answers it, not its own, to its readers.
func TestPublicationFirstWrittenStands(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme()
		f.MustIssue(prog.ID, 10)
		d := f.MustDistributor("Mission locale")
		f.MustAllocate(prog.ID, d.OrganisationID, 10)
		for i := range 6 {
			f.MustHandOut(d, f.MustBeneficiary(d, func(b *passnum.Beneficiary) { b.LastName = fmt.Sprintf("Roux %d", i) }).ID, prog.ID)
		}
		read := func() store.ProgrammeStats {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, By: "service", From: "2026-01", To: "2026-12", Secret: true})
			})
		}
		first := read()
		// Another server's figures for the same month, computed later
		// from a reading that began before this one's were written.
		body, at, err := s.KeepPublicationForTests(t.Context(), prog.ID, "2026-03", "stats:service:2026-01:2026-12", `{"Cells":[{"Key":"ailleurs"}]}`, clock.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body, "ailleurs") || !at.Equal(*first.PublishedAt) {
			t.Errorf("the second server's write answered its own figures (%q, %v), not the first written (%v)", body, at, first.PublishedAt)
		}
		if again := read(); !reflect.DeepEqual(again.Cells, first.Cells) || !again.PublishedAt.Equal(*first.PublishedAt) {
			t.Errorf("after a second server's write, a reading gets %+v at %v, want the first written", again.Cells, again.PublishedAt)
		}
	})
}
