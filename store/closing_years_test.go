package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"testing"

	"passnum"
	"passnum/store"
)

// TestClosingTableHidesWhatYearsHide plays a funder who reads the
// closing table of a programme over 2026 and 2027 beside its year
// tables by distributor: a closing line shown less the same
// distributor's years shown must not give back a year hidden. Before the
// closing table took the years into account, a small antenna's 23
// booklets handed out over the programme, less the 20 shown in 2027,
// gave back the 3 its 2026 cell hid; the same for the booklets started
// and the passes used.
func TestClosingTableHidesWhatYearsHide(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		f := newFixture(t, s, clock)
		prog := f.MustProgramme(func(p *passnum.Programme) {
			p.Name, p.ValidUntil = "Pass numérique 2026-2027", passnum.MustDate("2027-06-30")
		})
		f.MustIssue(prog.ID, 70)
		place := f.MustPlace("Médiathèque")
		small, mid, other, big := f.MustDistributor("Petite antenne"), f.MustDistributor("Agence moyenne"),
			f.MustDistributor("Antenne"), f.MustDistributor("Grande mission locale")
		for _, d := range []struct {
			a passnum.Actor
			n int64
		}{{small, 23}, {mid, 13}, {other, 13}, {big, 17}} {
			f.MustAllocate(prog.ID, d.a.OrganisationID, d.n)
		}
		// handOut hands out n booklets, and uses uses[i] passes of the
		// i-th (none past the list).
		handOut := func(a passnum.Actor, n int, uses ...int) {
			for i := range n {
				b := f.MustBeneficiary(a)
				bk := f.MustHandOut(a, b.ID, prog.ID)
				if i < len(uses) {
					for _, ps := range bk.Passes[:uses[i]] {
						f.MustRedeem(place, ps.Code)
					}
				}
			}
		}
		// 2026: the small antenna's 3 young people are hidden (with the
		// agency's 6, second in the column); the antenna's 2 booklets
		// started and the big agency's 16 passes used (2 young people at
		// least) are hidden in lines shown. 48 passes used in all keep
		// the year's total shown.
		handOut(small, 3)
		handOut(mid, 6, 5, 5, 5, 5, 5, 5)
		handOut(other, 7, 1, 1)
		handOut(big, 8, 2, 2, 2, 2, 2, 2, 2, 2)
		// 2027: every line and those figures shown, but the agency's and
		// the antenna's passes used.
		clock.Set(at("2027-02-15 10:00:00"))
		handOut(small, 20)
		handOut(mid, 7, 2, 2, 2, 2, 2, 1, 1)
		handOut(other, 6, 1, 1, 1, 1, 1, 1)
		handOut(big, 9, 5, 5, 5, 5, 5, 5, 5, 5, 5)
		clock.Set(at("2027-06-05 10:00:00"))

		years := map[int]store.ProgrammeStats{}
		for _, y := range []int{2026, 2027} {
			years[y] = view(t, s, func(ctx context.Context, tx *store.Tx) (store.ProgrammeStats, error) {
				year := strconv.Itoa(y)
				return tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: prog.ID, From: year + "-01", To: year + "-12", By: "distributor", Secret: true})
			})
		}
		get := func(secret bool) store.ClosingTable {
			return view(t, s, func(ctx context.Context, tx *store.Tx) (store.ClosingTable, error) {
				return tx.ClosingTable(ctx, prog.ID, secret)
			})
		}
		open, tb := get(false), get(true)
		if !tb.InPeriod {
			t.Fatalf("closing table not in its period on %s (from %s)", clock.Now(), tb.From)
		}
		// Published with the year tables, at one instant.
		if tb.PublishedAt == nil || years[2026].PublishedAt == nil || !tb.PublishedAt.Equal(*years[2026].PublishedAt) {
			t.Errorf("the funder's closing table published at %v, its year tables at %v", tb.PublishedAt, years[2026].PublishedAt)
		}

		// The figures of young people both tables give, by the name the
		// year tables give them ("" for the cell's young people).
		maxPerPerson := int64(prog.BookletSize) * int64(prog.MaxBookletsPerBeneficiary)
		type figure struct {
			name    string
			closing func(d store.DistributorClosing) *int64
			year    func(f store.StatFigures) *int64
			people  func(n int64) int64
		}
		count := func(n int64) int64 { return n }
		figures := []figure{
			{"", func(d store.DistributorClosing) *int64 { return d.BookletsHandedOut },
				func(f store.StatFigures) *int64 { return f.BookletsHandedOut }, count},
			{"booklets_started", func(d store.DistributorClosing) *int64 { return d.BookletsStarted },
				func(f store.StatFigures) *int64 { return f.BookletsStarted }, count},
			{"passes_used", func(d store.DistributorClosing) *int64 { return d.PassesUsed },
				func(f store.StatFigures) *int64 { return f.PassesUsed }, func(n int64) int64 { return (n + maxPerPerson - 1) / maxPerPerson }},
		}
		// yearCell is a distributor's figure in a year table: hidden, or
		// its value (0 with no cell).
		yearCell := func(y int, id string, fig figure) (n int64, hidden bool) {
			st := years[y]
			if st.Hides(id, fig.name) {
				return 0, true
			}
			for _, c := range st.Cells {
				if c.Key == id {
					if v := fig.year(c.StatFigures); v != nil {
						return *v, false
					}
					return 0, true
				}
			}
			return 0, false
		}
		line := func(tb store.ClosingTable, a passnum.Actor) store.DistributorClosing { return closingLine(t, tb, a) }

		// The hole is there to close: what the operator's table shows,
		// less 2027 as the funder sees it, is what 2026 hides.
		for _, c := range []struct {
			a    passnum.Actor
			fig  figure
			want int64
		}{{small, figures[0], 3}, {other, figures[1], 2}, {big, figures[2], 16}} {
			n2026, hidden2026 := yearCell(2026, c.a.OrganisationID, c.fig)
			n2027, hidden2027 := yearCell(2027, c.a.OrganisationID, c.fig)
			whole := val(c.fig.closing(line(open, c.a)))
			if !hidden2026 || hidden2027 || whole-n2027 != c.want {
				t.Fatalf("%s %q: 2026 %d (hidden %v), 2027 %d (hidden %v), whole programme %d: not the case to check",
					c.a.OrganisationID, c.fig.name, n2026, hidden2026, n2027, hidden2027, whole)
			}
		}

		// The funder's attack: a closing figure shown, less the years
		// shown, must not give back a year hidden; simplest, a figure a
		// year hides is hidden in the closing table.
		for _, d := range tb.Distributors {
			for _, fig := range figures {
				v := fig.closing(d)
				if v == nil {
					continue
				}
				rest, hidden := *v, []int{}
				for _, y := range []int{2026, 2027} {
					n, h := yearCell(y, d.DistributorID, fig)
					if h {
						hidden = append(hidden, y)
					} else {
						rest -= n
					}
				}
				if len(hidden) == 0 {
					continue
				}
				if len(hidden) == 1 {
					t.Errorf("%s %q: closing table shows %d, the years shown give back %d for %d (%d young people)",
						d.DistributorID, fig.name, *v, rest, hidden[0], fig.people(rest))
				} else {
					t.Errorf("%s %q: closing table shows %d, years %v hide it", d.DistributorID, fig.name, *v, hidden)
				}
			}
		}
		if d := line(tb, small); d.BookletsHandedOut != nil || d.BookletsAllocated != nil || d.BookletsNotHandedOut != nil ||
			d.BookletsStarted != nil || d.PassesUsed != nil || !contains(tb.Masked, small.OrganisationID) {
			t.Errorf("small antenna shown: %+v; masked %v", d, tb.Masked)
		}
		if d := line(tb, other); val(d.BookletsHandedOut) != 13 || d.BookletsStarted != nil ||
			!contains(tb.Masked, store.FigureMasked(other.OrganisationID, "booklets_started")) {
			t.Errorf("antenna: %+v; masked %v", d, tb.Masked)
		}
		if d := line(tb, big); val(d.BookletsHandedOut) != 17 || val(d.BookletsStarted) != 17 || d.PassesUsed != nil || d.PassesUnused != nil ||
			!contains(tb.Masked, store.FigureMasked(big.OrganisationID, "passes_used")) {
			t.Errorf("big agency: %+v; masked %v", d, tb.Masked)
		}

		// The closing table's own rule still holds: each name once; in a
		// column whose total is shown, no line hidden alone; nothing
		// shown counts 1 to 4 young people.
		seen := map[string]bool{}
		for _, m := range tb.Masked {
			if seen[m] {
				t.Errorf("%q masked twice: %v", m, tb.Masked)
			}
			seen[m] = true
		}
		for _, fig := range figures {
			if fig.closing(tb.Totals) == nil {
				continue
			}
			var hidden []string
			for _, d := range tb.Distributors {
				if fig.closing(d) == nil {
					hidden = append(hidden, d.DistributorID)
				}
			}
			if len(hidden) == 1 {
				t.Errorf("%q: the totals give back the one line hidden, %s", fig.name, hidden[0])
			}
			for _, d := range append(tb.Distributors, tb.Totals) {
				if v := fig.closing(d); v != nil && *v > 0 && fig.people(*v) < passnum.SecrecyThreshold {
					t.Errorf("%q of %q shows %d: %d young people", fig.name, d.DistributorID, *v, fig.people(*v))
				}
			}
		}
		if t.Failed() {
			t.Logf("closing table masked %v; 2026 masked %v; 2027 masked %v", tb.Masked, years[2026].Masked, years[2027].Masked)
			for _, d := range open.Distributors {
				t.Logf("operator's line %s: %s", d.DistributorID, fmt.Sprint(val(d.BookletsHandedOut), " handed out, ",
					val(d.BookletsStarted), " started, ", val(d.PassesUsed), " passes used"))
			}
		}
	})
}
