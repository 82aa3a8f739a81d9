package passnum

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestApportionKnownCases(t *testing.T) {
	tests := []struct {
		name   string
		amount int64
		shares []int64
		want   []int64
	}{
		{"even split", 1000, []int64{5000, 5000}, []int64{500, 500}},
		{"odd cent goes to the first of a tie", 1001, []int64{5000, 5000}, []int64{501, 500}},
		{"largest remainder", 100, []int64{3333, 3333, 3334}, []int64{33, 33, 34}},
		{"largest remainder, other order", 100, []int64{3334, 3333, 3333}, []int64{34, 33, 33}},
		{"two cents over three equal shares", 2, []int64{3333, 3333, 3334}, []int64{1, 0, 1}},
		{"one cent over three", 1, []int64{3333, 3333, 3334}, []int64{0, 0, 1}},
		{"région 60 % état 40 %", 1000, []int64{6000, 4000}, []int64{600, 400}},
		{"one funder", 1234, []int64{10000}, []int64{1234}},
		{"tiny share", 999, []int64{9999, 1}, []int64{999, 0}},
		{"tiny share with a remainder", 10001, []int64{9999, 1}, []int64{10000, 1}},
		{"zero amount", 0, []int64{2500, 7500}, []int64{0, 0}},
		{"negative odd cent mirrors the positive", -1001, []int64{5000, 5000}, []int64{-501, -500}},
		{"negative largest remainder", -100, []int64{3333, 3333, 3334}, []int64{-33, -33, -34}},
		{"no funder", 1000, nil, []int64{}},
		{"shares summing to zero give all to the first", 1000, []int64{0, 0}, []int64{1000, 0}},
		{"shares not summing to 10000 are proportions", 10, []int64{1, 2}, []int64{3, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Apportion(tt.amount, tt.shares)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Apportion(%d, %v) = %v, want %v", tt.amount, tt.shares, got, tt.want)
			}
		})
	}
}

// randomShares splits 10000 basis points into n positive shares.
func randomShares(r *rand.Rand, n int) []int64 {
	cuts := []int64{0, TotalBasisPoints}
	for len(cuts) < n+1 {
		c := 1 + r.Int64N(TotalBasisPoints-1)
		if !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	slices.Sort(cuts)
	shares := make([]int64, n)
	for i := range shares {
		shares[i] = cuts[i+1] - cuts[i]
	}
	return shares
}

func TestApportionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 27))
	for i := 0; i < 20000; i++ {
		shares := randomShares(r, 1+r.IntN(6))
		var amount int64
		switch r.IntN(3) {
		case 0:
			amount = r.Int64N(100) // a few cents: rounding dominates
		case 1:
			amount = r.Int64N(100_000_000) // up to a million euros
		default:
			amount = -r.Int64N(1_000_000) // corrections
		}
		parts := Apportion(amount, shares)
		if len(parts) != len(shares) {
			t.Fatalf("Apportion(%d, %v) = %v: %d parts for %d shares", amount, shares, parts, len(parts), len(shares))
		}
		var sum int64
		for k, p := range parts {
			sum += p
			// Each part is the exact share rounded down or up: never a cent more.
			exact := amount * shares[k] // in 1/10000 of a cent
			if d := p*TotalBasisPoints - exact; d <= -TotalBasisPoints || d >= TotalBasisPoints {
				t.Fatalf("Apportion(%d, %v) = %v: part %d is %d, exact %d/10000", amount, shares, parts, k, p, exact)
			}
			if (amount > 0 && p < 0) || (amount < 0 && p > 0) {
				t.Fatalf("Apportion(%d, %v) = %v: part %d has the wrong sign", amount, shares, parts, k)
			}
		}
		if sum != amount {
			t.Fatalf("Apportion(%d, %v) = %v sums to %d", amount, shares, parts, sum)
		}
		// A reversal apportions exactly as the entry it reverses, so that
		// every funder's account returns to zero.
		neg := Apportion(-amount, shares)
		for k := range parts {
			if neg[k] != -parts[k] {
				t.Fatalf("Apportion(%d, %v) = %v but Apportion(%d) = %v", amount, shares, parts, -amount, neg)
			}
		}
	}
}

func TestApportionDoesNotModifyShares(t *testing.T) {
	shares := []int64{3333, 3333, 3334}
	Apportion(100, shares)
	if !slices.Equal(shares, []int64{3333, 3333, 3334}) {
		t.Fatalf("shares changed to %v", shares)
	}
}
