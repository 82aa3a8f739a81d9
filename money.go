package passnum

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// TotalBasisPoints is what funders' shares always add up to.
const TotalBasisPoints = 10000

// Apportion splits amount (cents, may be negative for a correction) by
// shares in basis points, with largest-remainder rounding so that the parts
// always sum exactly to amount. Ties go to the earlier share, so the result
// is deterministic.
func Apportion(amount int64, sharesBps []int64) []int64 {
	parts := make([]int64, len(sharesBps))
	if len(sharesBps) == 0 {
		return parts
	}
	sign := int64(1)
	if amount < 0 {
		sign, amount = -1, -amount
	}
	var total int64
	for _, s := range sharesBps {
		total += s
	}
	if total <= 0 {
		parts[0] = sign * amount
		return parts
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, len(sharesBps))
	var given int64
	for i, s := range sharesBps {
		q := amount * s
		parts[i] = q / total
		rems[i] = rem{i, q % total}
		given += parts[i]
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < amount; k++ {
		parts[rems[k%len(rems)].i]++
		given++
	}
	for i := range parts {
		parts[i] *= sign
	}
	return parts
}

// FormatEuros writes cents as French users read them in messages: "10 €",
// "12,50 €", "570 000 €" (thousands grouped by a space).
func FormatEuros(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[i])
	}
	if rest := u % 100; rest != 0 {
		fmt.Fprintf(&b, ",%02d", rest)
	}
	b.WriteString(" €")
	return b.String()
}
