package passnum

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum/territory"
)

// This file holds the rules behind the programme statistics: the age
// bands, who counts as the target public, the time-to-first-use buckets
// and statistical secrecy. The store keeps counters by these rules; the
// pages, the API and the exports show them.

// Age bands, as the national mediators' tools count them.
const (
	AgeBandUnder18 = "moins_18"
	AgeBand18to24  = "18_24"
	AgeBand25Plus  = "25_plus"
)

// AgeBands lists the bands in order.
var AgeBands = []string{AgeBandUnder18, AgeBand18to24, AgeBand25Plus}

// AgeBandOf is the band of someone born on birth, on day on.
func AgeBandOf(birth, on Date) string {
	switch age := birth.AgeOn(on); {
	case age < 18:
		return AgeBandUnder18
	case age <= 24:
		return AgeBand18to24
	default:
		return AgeBand25Plus
	}
}

// AgeBandLabel is a band in French.
func AgeBandLabel(band string) string {
	switch band {
	case AgeBandUnder18:
		return "moins de 18 ans"
	case AgeBand18to24:
		return "18 à 24 ans"
	case AgeBand25Plus:
		return "25 ans et plus"
	}
	return "âge inconnu"
}

// InTargetPublic says whether a young person belongs to the public the
// State's co-funding asks at least half of the passes to reach: people
// far from employment. The record holds only what eligibility needs, so
// today that is a job seeker who is not studying; a finer criterion
// (no diploma, a priority neighbourhood) goes here when the record holds
// it.
func InTargetPublic(b *Beneficiary) bool { return b.JobSeeker && !b.InStudies }

// DepartementOf is the département of a commune ("" when unknown).
func DepartementOf(communeINSEE string) string {
	if c, ok := territory.LookupCommune(communeINSEE); ok {
		return c.Departement
	}
	return ""
}

// ParisMonth is the Paris month of an instant, "2026-03".
func ParisMonth(t time.Time) string { return t.In(Paris).Format("2006-01") }

// FirstUseBuckets are the lower bounds, in days, of the buckets of the
// time from a booklet's hand-out to its first use: each day of the first
// week, then the second week, the rest of the first month, the second and
// third months, up to six months, up to a year, and beyond.
var FirstUseBuckets = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 31, 61, 91, 181, 366}

// FirstUseBucket is the bucket (its lower bound) of a wait of days.
func FirstUseBucket(days int) int {
	b := 0
	for _, lo := range FirstUseBuckets {
		if days >= lo {
			b = lo
		}
	}
	return b
}

// FirstUseBucketLabel says a bucket in French.
func FirstUseBucketLabel(lo int) string {
	i := slices.Index(FirstUseBuckets, lo)
	switch {
	case i < 0:
		return "durée inconnue"
	case lo == 0:
		return "le jour même"
	case i == len(FirstUseBuckets)-1:
		return "plus d'un an"
	}
	hi := FirstUseBuckets[i+1] - 1
	if hi == lo {
		if lo == 1 {
			return "1 jour"
		}
		return strconv.Itoa(lo) + " jours"
	}
	return strconv.Itoa(lo) + " à " + strconv.Itoa(hi) + " jours"
}

// SecrecyThreshold is the fewest people a cell a funder sees may count.
const SecrecyThreshold = 5

// MaskedCount is what a count of 1 to 4 young people statistical secrecy
// hides reads as, on the pages and in the files; MaskedFigure, what any
// other hidden figure reads as (a second cell hidden so that the first
// cannot be given back, passes, a rate, an amount, a wait), of which
// "< 5" would not be true.
const (
	MaskedCount  = "< 5"
	MaskedFigure = "secret"
)

// SecrecyNote says how the pages and files write what statistical
// secrecy hides, under a table that may hide some; non-breaking spaces
// keep each mark whole within its guillemets.
var SecrecyNote = "Secret statistique\u00a0: un nombre de jeunes inférieur à 5 est affiché «\u00a0" + strings.ReplaceAll(MaskedCount, " ", "\u00a0") + "\u00a0»\u00a0; " +
	"ce qui permettrait de le retrouver (une seconde case quand un total, un autre tableau de l'année ou la publication du mois précédent le redonnerait par soustraction, un nombre de pass, un taux, un montant, un délai) " +
	"est affiché «\u00a0" + MaskedFigure + "\u00a0»."

// SecretCell is one cell of a published table: its name and the number
// of people it counts (a lower bound when only passes are known).
type SecretCell struct {
	Name   string
	People int64
}

// MaskCells applies statistical secrecy to one table whose total is
// published with it. A cell counting 1 to 4 people is masked (primary
// secrecy); an empty cell reveals nobody and stays. When exactly one cell
// is masked, the total would give it back by subtraction, so the smallest
// other cell is masked too (secondary secrecy); when no other cell can
// hide it, the total is masked instead. It returns which cells are masked,
// in cells' order, and whether the total is.
func MaskCells(cells []SecretCell) (masked []bool, total bool) {
	return MaskColumn(cells, nil)
}

// MaskColumn is MaskCells over one figure's column of a table some of
// whose rows are masked whole already (already, in cells' order; nil for
// none): the figure of such a row is hidden, and counts as masked when
// deciding whether a second cell must be.
func MaskColumn(cells []SecretCell, already []bool) (masked []bool, total bool) {
	masked = make([]bool, len(cells))
	n, ones, one := 0, true, false
	for i, c := range cells {
		if i < len(already) && already[i] || c.People > 0 && c.People < SecrecyThreshold {
			masked[i] = true
			n++
			ones, one = ones && c.People <= 1, one || c.People == 1
		}
	}
	// Hidden cells of 1 (and empty ones) add up to the number of those of
	// 1: a cell hidden for itself counts somebody, so the total would give
	// each back as surely as a lone one (zeros given back say nobody).
	// More are hidden until neither holds; when none is left, the total.
	for n == 1 || n >= 2 && ones && one {
		second := -1
		for i, c := range cells {
			if masked[i] {
				continue
			}
			// The smallest cell that counts somebody; an empty one only
			// when nothing else is left, since a masked zero still hides
			// the first.
			if second < 0 || better(c, cells[second]) {
				second = i
			}
		}
		if second < 0 {
			return masked, true
		}
		masked[second] = true
		n++
		ones, one = ones && cells[second].People <= 1, one || cells[second].People == 1
	}
	return masked, false
}

// ComparePartners orders the cells secrecy may hide beside another, the
// one it picks first: a cell that counts somebody, then the smallest,
// then the first name.
func ComparePartners(a, b SecretCell) int {
	if (a.People > 0) != (b.People > 0) {
		if a.People > 0 {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(a.People, b.People), cmp.Compare(a.Name, b.Name))
}

// better says whether a comes before b (ComparePartners).
func better(a, b SecretCell) bool { return ComparePartners(a, b) < 0 }

// MaskSeries applies statistical secrecy to one figure's months ("2026-03",
// in time order) when any period of them may be asked for (a funder's
// dashboard, its API, its yearly report). A month of 1 to 4 people is
// hidden, in a group of hidden months whose sum cannot give any of them
// back: two at least, not all of 1 (a hidden month counts somebody), and
// not all under the threshold adding up to the most they can (two months
// of 4). A group grows by the nearest month
// that counts somebody, in the same calendar year first (the smaller of
// two at the same distance), so that a year holds its groups whole and
// its figure stays shown (PeriodHides); a month already in another group
// brings its group along. group is each month's group (-1: shown). An
// empty month stays shown: it says nobody. total says that no month is
// left to grow a group and the series' total must go too.
func MaskSeries(cells []SecretCell) (group []int, total bool) {
	group = make([]int, len(cells))
	for i := range group {
		group[i] = -1
	}
	small := func(i int) bool { return cells[i].People > 0 && cells[i].People < SecrecyThreshold }
	year := func(i int) string { return cells[i].Name[:min(4, len(cells[i].Name))] }
	safe := func(g int) bool {
		var k, sum int64
		all := true
		for i, c := range cells {
			if group[i] == g {
				k++
				sum += c.People
				all = all && small(i)
			}
		}
		// A hidden month counts somebody (an empty one is shown): months
		// of 1 each add up to their number, and would be given back.
		return k >= 2 && sum > k && !(all && sum == k*(SecrecyThreshold-1))
	}
	groups := 0
	for i := range cells {
		if !small(i) || group[i] >= 0 {
			continue
		}
		g := groups
		groups++
		group[i] = g
		for !safe(g) {
			next, otherYear, dist := -1, false, 0
			for j, c := range cells {
				if group[j] == g || c.People == 0 {
					continue
				}
				d, same := len(cells), false
				for k := range cells {
					if group[k] == g {
						d = min(d, max(j-k, k-j))
						same = same || year(k) == year(j)
					}
				}
				better := next < 0 || otherYear && same ||
					otherYear == !same && (d < dist || d == dist && c.People < cells[next].People)
				if better {
					next, otherYear, dist = j, !same, d
				}
			}
			if next < 0 {
				total = true
				break
			}
			if h := group[next]; h >= 0 {
				for k := range group {
					if group[k] == h {
						group[k] = g
					}
				}
			} else {
				group[next] = g
			}
		}
	}
	return group, total
}

// PeriodHides says whether the period from..to (months "2026-03",
// inclusive, "" for an open end) must hide a series' figure, given its
// months' groups and whether its total is hidden (from MaskSeries): when
// the period holds part of a group, its figure would be the months shown
// plus a part of the group, and another period's figure taken from it
// would give one of them back; when it holds any hidden month and the
// total is hidden, it would give back what the total hides. A period
// holding each group whole or not at all adds up months shown and whole
// groups, whose sums give none of their months back.
func PeriodHides(months []string, group []int, total bool, from, to string) bool {
	in, all := map[int]int{}, map[int]int{}
	for i, m := range months {
		g := group[i]
		if g < 0 {
			continue
		}
		all[g]++
		if (from == "" || m >= from) && (to == "" || m <= to) {
			in[g]++
			if total {
				return true
			}
		}
	}
	for g, n := range in {
		if n < all[g] {
			return true
		}
	}
	return false
}

// HideOneMore hides one more cell of a line whose total is hidden when
// none of its cells is (masked, in cells' order): the cells shown would
// add up to the total. It hides the smallest cell that counts somebody
// and says whether there was one; a line of empty cells has a total of
// nobody to keep.
func HideOneMore(cells []SecretCell, masked []bool) bool {
	if slices.Contains(masked, true) {
		return false
	}
	pick := -1
	for i, c := range cells {
		if c.People > 0 && (pick < 0 || better(c, cells[pick])) {
			pick = i
		}
	}
	if pick < 0 {
		return false
	}
	masked[pick] = true
	return true
}
