package linear

import (
	"maps"
	"slices"
)

// prime is the modulus Span computes with: rows of small integers, such
// as the sums a table publishes, span the same vectors modulo a prime
// this large as over the rationals, unless the prime divides one of
// their minors; those of the sums of a year's tables are small (their
// columns hold at most three non-zero coefficients of ±1).
const prime = 1<<31 - 1

// term is a non-zero coefficient of a row kept in a Span.
type term struct {
	col int
	val uint64 // in [1, prime)
}

// Span is the span of rows of integer coefficients, each given sparse
// (column to coefficient), kept in echelon form: as many as its rank,
// each led by a column none other leads by. Rows are added one by one,
// and Holds says whether a vector lies in their span: whether what a set
// of equations' left-hand sides publish fixes a combination of the
// unknowns. Exact, unlike Rank, and as quick as the rows are sparse.
type Span struct {
	lead map[int][]term // by leading column, its coefficient 1
}

// Add adds a row to the span.
func (s *Span) Add(row map[int]int64) {
	r := s.reduce(terms(row))
	if len(r) == 0 {
		return
	}
	inv := inverse(r[0].val)
	for i := range r {
		r[i].val = r[i].val * inv % prime
	}
	if s.lead == nil {
		s.lead = map[int][]term{}
	}
	s.lead[r[0].col] = r
}

// Holds says whether v lies in the span.
func (s *Span) Holds(v map[int]int64) bool {
	return len(s.reduce(terms(v))) == 0
}

// reduce takes from r each row whose leading column is r's, until r is
// nought or led by a column no row leads by: that column no combination
// of the rows can cancel without bringing in a smaller one.
func (s *Span) reduce(r []term) []term {
	for len(r) > 0 {
		p, ok := s.lead[r[0].col]
		if !ok {
			return r
		}
		r = subtract(r, p, r[0].val)
	}
	return r
}

// subtract is r - k·p, both sorted by column.
func subtract(r, p []term, k uint64) []term {
	out := make([]term, 0, len(r)+len(p))
	i, j := 0, 0
	for i < len(r) || j < len(p) {
		switch {
		case j == len(p) || i < len(r) && r[i].col < p[j].col:
			out = append(out, r[i])
			i++
		case i == len(r) || p[j].col < r[i].col:
			out = append(out, term{p[j].col, (prime - k*p[j].val%prime) % prime})
			j++
		default:
			if v := (r[i].val + prime - k*p[j].val%prime) % prime; v != 0 {
				out = append(out, term{r[i].col, v})
			}
			i, j = i+1, j+1
		}
	}
	return out
}

// terms are a row's non-zero coefficients modulo the prime, by column.
func terms(row map[int]int64) []term {
	out := make([]term, 0, len(row))
	for _, col := range slices.Sorted(maps.Keys(row)) {
		if v := (row[col]%prime + prime) % prime; v != 0 {
			out = append(out, term{col, uint64(v)})
		}
	}
	return out
}

// inverse is a's inverse modulo the prime (Fermat: a^(prime-2)).
func inverse(a uint64) uint64 {
	out, e := uint64(1), uint64(prime-2)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			out = out * a % prime
		}
		a = a * a % prime
	}
	return out
}
