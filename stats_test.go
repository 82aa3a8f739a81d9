package passnum

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"passnum/internal/linear"
)

// TestMaskCellsProperties draws random tables and checks what statistical
// secrecy promises: no published cell counts 1 to 4 people, a published
// total never gives back a single masked cell, and nothing else is masked
// than the small cells and at most one more.
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
		masked, total := MaskCells(cells)
		if len(masked) != len(cells) {
			t.Fatalf("seed %d: %d flags for %d cells", seed, len(masked), len(cells))
		}
		small, hidden := 0, 0
		for i, c := range cells {
			isSmall := c.People > 0 && c.People < SecrecyThreshold
			if isSmall {
				small++
				if !masked[i] {
					t.Fatalf("seed %d: cell %+v published", seed, c)
				}
			}
			if masked[i] {
				hidden++
			}
		}
		if !total && hidden == 1 {
			t.Fatalf("seed %d: %+v: one masked cell and its total published (%v)", seed, cells, masked)
		}
		if hidden > small+1 || (hidden == small+1 && small != 1) {
			t.Fatalf("seed %d: %+v: %d masked for %d small cells", seed, cells, hidden, small)
		}
		if total && !(small == 1 && len(cells) == 1) {
			t.Fatalf("seed %d: %+v: total masked needlessly", seed, cells)
		}
	}
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
		{"only an empty cell is left", []int64{0, 2}, []bool{true, true}, false},
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
		{"rows masked whole hide the column's lone small cell", cells(0, 0, 3, 10), []bool{true, true, false, false}, []bool{true, true, true, false}, false},
		{"a lone small cell and the smallest other", cells(3, 10, 20), nil, []bool{true, true, false}, false},
		{"a lone row masked whole and a lone small cell hide each other", cells(0, 2, 30), []bool{true, false, false}, []bool{true, true, false}, false},
		{"nothing small, nothing masked", cells(5, 10), []bool{false, false}, []bool{false, false}, false},
		{"a lone small cell with no other: the total", cells(3), []bool{false}, []bool{true}, true},
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
		masked, total := MaskSeries(cells)
		var published [][]float64
		row := func(from, to int) []float64 {
			v := make([]float64, n)
			for i := from; i <= to; i++ {
				v[i] = 1
			}
			return v
		}
		var hiddenSum, k int64
		small := true
		for i, c := range cells {
			if c.People > 0 && c.People < SecrecyThreshold && !masked[i] {
				t.Fatalf("seed %d: %v: month %s of %d shown", seed, cells, c.Name, c.People)
			}
			if masked[i] {
				k++
				hiddenSum += c.People
				small = small && c.People < SecrecyThreshold
			} else {
				published = append(published, row(i, i))
			}
		}
		if !total && k > 0 && small && hiddenSum == k*(SecrecyThreshold-1) {
			t.Fatalf("seed %d: %v: hidden months all of %d, their sum published", seed, cells, SecrecyThreshold-1)
		}
		for from := range n {
			for to := from; to < n; to++ {
				if PeriodHides(months, masked, total, months[from], months[to]) {
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
		people []int64
		want   []bool
		total  bool
	}{
		{"nothing small", []int64{5, 12, 0}, []bool{false, false, false}, false},
		{"a lone small month and its nearest neighbour, not the smallest month", []int64{3, 40, 0, 0, 6}, []bool{true, true, false, false, false}, false},
		{"equal distance: the smaller neighbour", []int64{9, 2, 7}, []bool{false, true, true}, false},
		{"an empty month is passed over", []int64{3, 0, 8, 5}, []bool{true, false, true, false}, false},
		{"two months of 4 add up to what they can: a third", []int64{4, 4, 20}, []bool{true, true, true}, false},
		{"two small months hide each other", []int64{1, 30, 2}, []bool{true, false, true}, false},
		{"a lone small month with no other: the total", []int64{0, 3, 0}, []bool{false, true, false}, true},
	} {
		cells := make([]SecretCell, len(tt.people))
		for i, n := range tt.people {
			cells[i] = SecretCell{Name: strconv.Itoa(i), People: n}
		}
		got, total := MaskSeries(cells)
		if !slices.Equal(got, tt.want) || total != tt.total {
			t.Errorf("%s: %v, total %v; want %v, total %v", tt.name, got, total, tt.want, tt.total)
		}
	}
}

func TestPeriodHides(t *testing.T) {
	months := []string{"2025-11", "2025-12", "2026-01", "2026-02"}
	hidden := []bool{false, true, true, false}
	for _, tt := range []struct {
		from, to string
		want     bool
	}{
		{"", "", false}, {"2025-12", "2026-01", false}, {"2026-02", "", false}, {"", "2025-11", false},
		{"2026-01", "", true}, {"", "2025-12", true}, {"2025-12", "2025-12", true},
	} {
		if got := PeriodHides(months, hidden, false, tt.from, tt.to); got != tt.want {
			t.Errorf("%q..%q: %v, want %v", tt.from, tt.to, got, tt.want)
		}
		// With the total hidden, any period holding a hidden month.
		if got := PeriodHides(months, hidden, true, tt.from, tt.to); got != (tt.want || tt.from == "" && tt.to == "" || tt.from == "2025-12") {
			t.Errorf("total hidden, %q..%q: %v", tt.from, tt.to, got)
		}
	}
}
