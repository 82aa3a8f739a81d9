package linear

import "testing"

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
