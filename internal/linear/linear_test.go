package linear

import (
	"math/rand/v2"
	"testing"
)

func TestDetermined(t *testing.T) {
	// x0+x1+x2 and x0+x1 published: x2 is fixed, x0 is not.
	rows := [][]float64{{1, 1, 1}, {1, 1, 0}}
	if !Determined(rows, 2) || Determined(rows, 0) || Determined(rows, 1) {
		t.Fatalf("x2 alone should be fixed: %v %v %v", Determined(rows, 0), Determined(rows, 1), Determined(rows, 2))
	}
	// With x0 - x1 too (a difference published), every one is.
	rows = append(rows, []float64{1, -1, 0})
	for i := range 3 {
		if !Determined(rows, i) {
			t.Fatalf("x%d not fixed by %v", i, rows)
		}
	}
	if Determined(nil, 0) || Rank([][]float64{{2, 4}, {1, 2}}) != 1 {
		t.Fatal("nothing published fixes nothing; proportional rows are of rank 1")
	}
}

func TestSpan(t *testing.T) {
	// The same equations as TestDetermined, kept sparse.
	var s Span
	s.Add(map[int]int64{0: 1, 1: 1, 2: 1})
	s.Add(map[int]int64{0: 1, 1: 1})
	if !s.Holds(map[int]int64{2: 1}) || s.Holds(map[int]int64{0: 1}) || s.Holds(map[int]int64{1: 1}) {
		t.Fatal("x2 alone should be fixed")
	}
	if !s.Holds(map[int]int64{0: 3, 1: 3, 2: -2}) || !s.Holds(nil) {
		t.Fatal("3(x0+x1) - 2x2 and nought lie in the span")
	}
	s.Add(map[int]int64{0: 1, 1: -1})
	for i := range 3 {
		if !s.Holds(map[int]int64{i: 1}) {
			t.Fatalf("x%d not fixed", i)
		}
	}
}

// TestSpanAgreesWithRank sets Span against Rank on random rows of -1, 0
// and 1, like the sums of tables.
func TestSpanAgreesWithRank(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 300 {
		cols, n := 2+r.IntN(7), 1+r.IntN(7)
		var s Span
		var dense [][]float64
		for range n {
			row, d := map[int]int64{}, make([]float64, cols)
			for c := range cols {
				if v := r.IntN(3) - 1; v != 0 {
					row[c], d[c] = int64(v), float64(v)
				}
			}
			s.Add(row)
			dense = append(dense, d)
		}
		for c := range cols {
			if got, want := s.Holds(map[int]int64{c: 1}), Determined(dense, c); got != want {
				t.Fatalf("round %d: x%d fixed by %v: Span says %v, Rank %v", round, c, dense, got, want)
			}
		}
	}
}
