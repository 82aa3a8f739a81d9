// Package linear answers what an attacker holding published sums can
// solve: whether an unknown, or a sum of some, is fixed by a set of
// linear equations' left-hand sides. Span, exact and sparse, serves the
// year tables' audit of statistical secrecy; Rank and Determined, dense
// and in floating point, the tests' attackers.
package linear

import (
	"math"
	"slices"
)

// Determined says whether unknown i is fixed by equations whose
// coefficients are rows (each as long as the unknowns): whether the unit
// vector of i lies in their span, by Gaussian elimination.
func Determined(rows [][]float64, i int) bool {
	if len(rows) == 0 {
		return false
	}
	unit := make([]float64, len(rows[0]))
	unit[i] = 1
	return Rank(append(slices.Clone(rows), unit)) == Rank(rows)
}

// Rank is the rank of a matrix given by rows, which it leaves unchanged.
func Rank(m [][]float64) int {
	a := make([][]float64, len(m))
	for r := range m {
		a[r] = slices.Clone(m[r])
	}
	rank := 0
	for c := 0; len(a) > 0 && c < len(a[0]); c++ {
		p := -1
		for r := rank; r < len(a); r++ {
			if math.Abs(a[r][c]) > 1e-9 && (p < 0 || math.Abs(a[r][c]) > math.Abs(a[p][c])) {
				p = r
			}
		}
		if p < 0 {
			continue
		}
		a[rank], a[p] = a[p], a[rank]
		for r := range a {
			if r != rank && math.Abs(a[r][c]) > 1e-9 {
				f := a[r][c] / a[rank][c]
				for j := range a[r] {
					a[r][j] -= f * a[rank][j]
				}
			}
		}
		rank++
	}
	return rank
}
