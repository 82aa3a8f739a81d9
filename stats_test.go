package passnum

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"passnum/internal/linear"
)

// TestMaskCellsProperties draws random tables and checks what statistical
// secrecy promises: no published cell counts 1 to 4 people, and a
// published total gives no masked cell back, as a reader of the marks
// would solve for it (givenBackByMarks); the total goes only when hiding
// every cell would not do.
func TestMaskCellsProperties(t *testing.T) {
	for seed := uint64(0); seed < 5000; seed++ {
		r := rand.New(rand.NewPCG(seed, 12))
		cells := make([]SecretCell, r.IntN(6))
		for i := range cells {
			people := r.Int64N(12)
			if r.IntN(4) == 0 {
				people = r.Int64N(1000)
			}
			cells[i] = SecretCell{Name: string(rune('a' + i)), People: people}
		}
		// Some rows masked whole already, in a third of the tables.
		var already []bool
		if r.IntN(3) == 0 {
			already = make([]bool, len(cells))
			for i := range already {
				already[i] = r.IntN(3) == 0
			}
		}
		masked, total := MaskColumn(cells, already)
		if len(masked) != len(cells) {
			t.Fatalf("seed %d: %d flags for %d cells", seed, len(masked), len(cells))
		}
		for i, c := range cells {
			if (c.People > 0 && c.People < SecrecyThreshold || already != nil && already[i]) && !masked[i] {
				t.Fatalf("seed %d: cell %+v published", seed, c)
			}
		}
		if !total {
			if c, ok := givenBackByMarks(cells, masked); ok {
				t.Fatalf("seed %d: %+v: %s given back by the total (%v)", seed, cells, c, masked)
			}
			continue
		}
		all := make([]bool, len(cells))
		for i := range all {
			all[i] = true
		}
		if _, ok := givenBackByMarks(cells, all); !ok {
			t.Fatalf("seed %d: %+v: total masked needlessly (%v)", seed, cells, masked)
		}
	}
}

// givenBackByMarks solves for each masked cell as a reader who knows the
// total and the marks would: « < 5 » is 1 to 4, « secret » nought or 5 and
// more (which of the two taken as known), a row masked whole too. It sums the others'
// possible values one cell at a time (a set of sums, not bounds), and
// names a cell counting somebody that only one value fits.
func givenBackByMarks(cells []SecretCell, masked []bool) (string, bool) {
	var sum int64
	var hidden []int
	for i, c := range cells {
		if masked[i] {
			hidden = append(hidden, i)
			sum += c.People
		}
	}
	values := func(i int) []int64 {
		p := cells[i].People
		lo, hi := int64(SecrecyThreshold), sum
		switch {
		case p <= 0:
			lo, hi = 0, 0
		case p < SecrecyThreshold:
			lo, hi = 1, SecrecyThreshold-1
		}
		var out []int64
		for v := lo; v <= min(hi, sum); v++ {
			out = append(out, v)
		}
		return out
	}
	for _, i := range hidden {
		if cells[i].People <= 0 {
			continue
		}
		// The sums the other masked cells can make.
		sums := map[int64]bool{0: true}
		for _, j := range hidden {
			if j == i {
				continue
			}
			next := map[int64]bool{}
			for s := range sums {
				for _, v := range values(j) {
					if s+v <= sum {
						next[s+v] = true
					}
				}
			}
			sums = next
		}
		fits := 0
		for _, v := range values(i) {
			if sums[sum-v] {
				fits++
			}
		}
		if fits == 1 {
			return cells[i].Name, true
		}
	}
	return "", false
}

func TestMaskCellsExamples(t *testing.T) {
	for _, tt := range []struct {
		name   string
		people []int64
		want   []bool
		total  bool
	}{
		{"nothing small", []int64{5, 12, 0}, []bool{false, false, false}, false},
		{"two small hide each other", []int64{3, 4, 40}, []bool{true, true, false}, false},
		{"one small takes the next smallest", []int64{40, 2, 9, 0}, []bool{false, true, true, false}, false},
		{"an empty cell hides nothing: the total", []int64{0, 2}, []bool{true, true}, true},
		{"1 beside 5 would be 1 and 5: the next", []int64{1, 5, 6, 30}, []bool{true, false, true, false}, false},
		{"two of 4 would be 4 each: a third", []int64{4, 4, 325}, []bool{true, true, true}, false},
		{"alone: the total goes", []int64{3}, []bool{true}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cells := make([]SecretCell, len(tt.people))
			for i, p := range tt.people {
				cells[i] = SecretCell{Name: string(rune('a' + i)), People: p}
			}
			got, total := MaskCells(cells)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("masked %v, want %v", got, tt.want)
				}
			}
			if total != tt.total {
				t.Fatalf("total masked %v, want %v", total, tt.total)
			}
		})
	}
}

func TestFirstUseBuckets(t *testing.T) {
	for days, want := range map[int]int{0: 0, 1: 1, 7: 7, 8: 8, 14: 8, 15: 15, 30: 15, 31: 31, 365: 181, 366: 366, 900: 366} {
		if got := FirstUseBucket(days); got != want {
			t.Errorf("FirstUseBucket(%d) = %d, want %d", days, got, want)
		}
	}
	if got := FirstUseBucketLabel(8); got != "8 à 14 jours" {
		t.Errorf("label %q", got)
	}
	if got := AgeBandOf(MustDate("2008-06-02"), MustDate("2026-06-01")); got != AgeBandUnder18 {
		t.Errorf("17 years old: %s", got)
	}
	if got := AgeBandOf(MustDate("2001-06-01"), MustDate("2026-06-01")); got != AgeBand25Plus {
		t.Errorf("25 years old: %s", got)
	}
}

// TestMaskColumn: rows masked whole count as masked cells of every column;
// a column's own small cells are masked, and a second beside a lone one.
func TestMaskColumn(t *testing.T) {
	cells := func(people ...int64) []SecretCell {
		out := make([]SecretCell, len(people))
		for i, n := range people {
			out[i] = SecretCell{Name: string(rune('a' + i)), People: n}
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		cells   []SecretCell
		already []bool
		want    []bool
		total   bool
	}{
		{"rows masked whole of nought do not hide the column's lone small cell", cells(0, 0, 3, 10), []bool{true, true, false, false}, []bool{true, true, true, true}, false},
		{"rows masked whole that count somebody hide it", cells(6, 7, 3, 10), []bool{true, true, false, false}, []bool{true, true, true, false}, false},
		{"a lone small cell and the smallest other", cells(3, 10, 20), nil, []bool{true, true, false}, false},
		{"a row masked whole of nought beside a lone small cell: a third", cells(0, 2, 30), []bool{true, false, false}, []bool{true, true, true}, false},
		{"nothing small, nothing masked", cells(5, 10), []bool{false, false}, []bool{false, false}, false},
		{"a lone small cell with no other: the total", cells(3), []bool{false}, []bool{true}, true},
		{"two cells of 1 would add up to 2: a third", cells(1, 1, 30), nil, []bool{true, true, true}, false},
		{"a cell of 1 beside an empty one only: the total", cells(1, 0), nil, []bool{true, true}, true},
		{"rows masked whole of nothing given back as zeros: no more", cells(0, 0, 12), []bool{true, true, false}, []bool{true, true, false}, false},
	} {
		got, total := MaskColumn(tt.cells, tt.already)
		if !slices.Equal(got, tt.want) || total != tt.total {
			t.Errorf("%s: %v, total %v; want %v, total %v", tt.name, got, total, tt.want, tt.total)
		}
	}
}

// TestMaskSeriesResistsDifferencing draws random monthly series and asks,
// as a funder could, for the months shown, the whole and every period
// that PeriodHides does not refuse; then solves for each hidden month:
// none may be determined by what was published, and hidden months under
// the threshold must not add up to the most they can.
func TestMaskSeriesResistsDifferencing(t *testing.T) {
	for seed := uint64(0); seed < 3000; seed++ {
		r := rand.New(rand.NewPCG(seed, 29))
		n := 1 + r.IntN(14)
		cells, months := make([]SecretCell, n), make([]string, n)
		for i := range cells {
			people := r.Int64N(7)
			if r.IntN(3) == 0 {
				people = r.Int64N(40)
			}
			months[i] = fmt.Sprintf("2026-%02d", i+1)
			if i >= 12 {
				months[i] = fmt.Sprintf("2027-%02d", i-11)
			}
			cells[i] = SecretCell{Name: months[i], People: people}
		}
		group, total := MaskSeries(cells)
		masked := make([]bool, n)
		for i, g := range group {
			masked[i] = g >= 0
		}
		var published [][]float64
		row := func(from, to int) []float64 {
			v := make([]float64, n)
			for i := from; i <= to; i++ {
				v[i] = 1
			}
			return v
		}
		for i, c := range cells {
			if c.People > 0 && c.People < SecrecyThreshold && !masked[i] {
				t.Fatalf("seed %d: %v: month %s of %d shown", seed, cells, c.Name, c.People)
			}
			if !masked[i] {
				published = append(published, row(i, i))
			}
		}
		// Each group: two months at least, not all of 1, not all of 4.
		sizes, sums, smalls := map[int]int64{}, map[int]int64{}, map[int]bool{}
		for i, g := range group {
			if g < 0 {
				continue
			}
			if sizes[g] == 0 {
				smalls[g] = true
			}
			sizes[g]++
			sums[g] += cells[i].People
			smalls[g] = smalls[g] && cells[i].People < SecrecyThreshold
		}
		for g := range sizes {
			if !total && (sizes[g] < 2 || sums[g] == sizes[g] || smalls[g] && sums[g] == sizes[g]*(SecrecyThreshold-1)) {
				t.Fatalf("seed %d: %v: group %d (%v) gives its months back", seed, cells, g, group)
			}
		}
		for from := range n {
			for to := from; to < n; to++ {
				if PeriodHides(months, group, total, months[from], months[to]) {
					continue
				}
				published = append(published, row(from, to))
			}
		}
		for i := range cells {
			if masked[i] && linear.Determined(published, i) {
				t.Fatalf("seed %d: %v: hidden month %s (%d) given back by the periods published", seed, cells, months[i], cells[i].People)
			}
		}
	}
}

func TestMaskSeriesExamples(t *testing.T) {
	for _, tt := range []struct {
		name   string
		months []string
		people []int64
		want   []int
		total  bool
	}{
		{"nothing small", nil, []int64{5, 12, 0}, []int{-1, -1, -1}, false},
		{"a lone small month and its nearest neighbour, not the smallest month", nil, []int64{3, 40, 0, 0, 6}, []int{0, 0, -1, -1, -1}, false},
		{"equal distance: the smaller neighbour", nil, []int64{9, 2, 7}, []int{-1, 0, 0}, false},
		{"an empty month is passed over", nil, []int64{3, 0, 8, 5}, []int{0, -1, 0, -1}, false},
		{"two months of 4 add up to what they can: a third", nil, []int64{4, 4, 20}, []int{0, 0, 0}, false},
		{"two small months side by side hide each other", nil, []int64{1, 2, 30}, []int{0, 0, -1}, false},
		{"two months of 1 add up to their number: a third", nil, []int64{1, 1, 0, 20, 30}, []int{0, 0, -1, 0, -1}, false},
		{"two small months apart each take a neighbour", nil, []int64{1, 30, 40, 50, 2, 60}, []int{0, 0, -1, 1, 1, -1}, false},
		{"a lone small month with no other: the total", nil, []int64{0, 3, 0}, []int{-1, 0, -1}, true},
		{"the same year first: December takes November, not the nearer January",
			[]string{"2025-11", "2025-12", "2026-01"}, []int64{50, 2, 9}, []int{0, 0, -1}, false},
		{"a year's only month crosses into the year before", []string{"2025-11", "2025-12", "2026-01"}, []int64{50, 9, 2}, []int{-1, 0, 0}, false},
	} {
		cells := make([]SecretCell, len(tt.people))
		for i, n := range tt.people {
			name := fmt.Sprintf("2026-%02d", i+1)
			if tt.months != nil {
				name = tt.months[i]
			}
			cells[i] = SecretCell{Name: name, People: n}
		}
		got, total := MaskSeries(cells)
		if !slices.Equal(got, tt.want) || total != tt.total {
			t.Errorf("%s: %v, total %v; want %v, total %v", tt.name, got, total, tt.want, tt.total)
		}
	}
}

func TestPeriodHides(t *testing.T) {
	months := []string{"2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"}
	group := []int{-1, 0, 0, -1, 1, 1}
	for _, tt := range []struct {
		from, to string
		want     bool
	}{
		{"", "", false}, {"2025-12", "2026-01", false}, {"2026-02", "2026-02", false}, {"", "2025-11", false},
		{"2025-12", "", false}, {"2026-02", "", false},
		{"2026-01", "", true}, {"", "2025-12", true}, {"2025-12", "2026-03", true},
	} {
		if got := PeriodHides(months, group, false, tt.from, tt.to); got != tt.want {
			t.Errorf("%q..%q: %v, want %v", tt.from, tt.to, got, tt.want)
		}
		// With the total hidden, any period holding a hidden month.
		holds := !(tt.from == "2026-02" && tt.to == "2026-02" || tt.to == "2025-11")
		if got := PeriodHides(months, group, true, tt.from, tt.to); got != holds {
			t.Errorf("total hidden, %q..%q: %v, want %v", tt.from, tt.to, got, holds)
		}
	}
}
