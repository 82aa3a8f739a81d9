package passnum

import (
	"math/rand/v2"
	"slices"
	"testing"
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
