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
	// Passes is the figure shown when it counts passes, of which one
	// person counts at most PerPerson (0 when it counts people): a
	// reader's bounds are then in passes (MarkBounds).
	Passes, PerPerson int64
}

// PassesCell is a cell whose figure counts passes, one person at most
// perPerson: the people it counts at least, and its bounds in passes.
func PassesCell(name string, passes, perPerson int64) SecretCell {
	if perPerson <= 0 {
		return SecretCell{Name: name, People: passes}
	}
	return SecretCell{Name: name, People: (passes + perPerson - 1) / perPerson, Passes: passes, PerPerson: perPerson}
}

// Bounds are what a reader knows of cell c's figure from its mark, as
// MarkBounds, in passes for a figure of passes (« < 5 » is 1 to 4
// people's worth), and the figure itself.
func (c SecretCell) Bounds() (lo, hi, v int64) {
	lo, hi = MarkBounds(c.People)
	if c.PerPerson <= 0 || c.People <= 0 {
		return lo, hi, max(c.People, 0)
	}
	most := (SecrecyThreshold - 1) * c.PerPerson
	if c.People < SecrecyThreshold {
		return 1, most, c.Passes
	}
	return most + 1, unbounded, c.Passes
}

// MaskCells applies statistical secrecy to one table whose total is
// published with it. A cell counting 1 to 4 people is masked (primary
// secrecy); an empty cell reveals nobody and stays. While the total would
// give a masked cell back, by subtraction or by what the marks tell of
// each (ColumnGivesBack), another cell is masked (secondary secrecy); when
// no other cell is left, the total is masked instead. It returns which
// cells are masked, in cells' order, and whether the total is.
func MaskCells(cells []SecretCell) (masked []bool, total bool) {
	return MaskColumn(cells, nil)
}

// MaskColumn is MaskCells over one figure's column of a table some of
// whose rows are masked whole already (already, in cells' order; nil for
// none): the figure of such a row is hidden, and counts as masked when
// deciding whether a second cell must be.
func MaskColumn(cells []SecretCell, already []bool) (masked []bool, total bool) {
	masked = make([]bool, len(cells))
	var hidden []int
	for i, c := range cells {
		if i < len(already) && already[i] || c.People > 0 && c.People < SecrecyThreshold {
			masked[i] = true
			hidden = append(hidden, i)
		}
	}
	for ColumnGivesBack(cells, hidden) {
		second := partner(cells, masked, hidden)
		if second < 0 {
			return masked, true
		}
		masked[second] = true
		hidden = append(hidden, second)
	}
	return masked, false
}

// partnerTries is how many of the cells secrecy would pick first
// (ComparePartners) partner tries for one that protects the others alone.
const partnerTries = 8

// partner is the cell to hide beside hidden: of the first few cells in
// ComparePartners' order, the first after whose hiding the column gives
// nothing back, else the very first; -1 when every cell is hidden.
func partner(cells []SecretCell, masked []bool, hidden []int) int {
	var first []int // the first partnerTries unmasked cells, in order
	for i, c := range cells {
		if masked[i] {
			continue
		}
		at, _ := slices.BinarySearchFunc(first, c, func(j int, c SecretCell) int { return ComparePartners(cells[j], c) })
		if at < partnerTries {
			first = slices.Insert(first, at, i)
			first = first[:min(len(first), partnerTries)]
		}
	}
	for _, i := range first {
		if !ColumnGivesBack(cells, append(slices.Clip(hidden), i)) {
			return i
		}
	}
	if len(first) == 0 {
		return -1
	}
	return first[0]
}

// unbounded stands for no upper bound in MarkBounds' sums.
const unbounded = int64(1) << 40

// MarkBounds is what a reader knows of a masked cell counting p people
// from its mark, at best: 1 to 4 for « < 5 »; for « secret », nought or
// 5 and more, which of the two taken as known (a reader may infer it
// from the rest of the table). A row masked whole marks each of its
// figures so too (testing: a département shown as 13 beside its 13
// communes, all « < 5 » and in rows masked whole, was read as 1 each).
func MarkBounds(p int64) (lo, hi int64) {
	switch {
	case p <= 0:
		return 0, 0
	case p < SecrecyThreshold:
		return 1, SecrecyThreshold - 1
	}
	return SecrecyThreshold, unbounded
}

// ColumnGivesBack says whether the cells hidden of a column whose total
// is known give one back: the total less the cells shown is their sum, and
// each lies within its mark's bounds (MarkBounds), so a cell's value lies
// between the sum less the most and the least the others can count. When
// that leaves it one value, it is given back: a lone hidden cell, two of
// 1, two of 4, or 1 beside 5 ("< 5" and "secret" making 6). An empty cell
// given back says nobody, and is not counted.
func ColumnGivesBack(cells []SecretCell, hidden []int) bool {
	sum := newHiddenSum(cells, hidden)
	for _, i := range hidden {
		if sum.gives(i) {
			return true
		}
	}
	return false
}

// GivenBackWithin says whether hidden cell at, one of the cells hidden
// whose sum a reader knows, is given back by that sum and the marks'
// bounds (ColumnGivesBack): two hidden communes whose sum the tables give
// as 2 are 1 each, though no table gives either.
func GivenBackWithin(cells []SecretCell, hidden []int, at int) bool {
	return newHiddenSum(cells, hidden).gives(at)
}

// GivenBackBetween is GivenBackWithin for hidden cells whose sum a reader
// knows only to lie between lo and hi: a département hidden « < 5 » less
// its communes shown bounds its hidden communes' sum (four of them under
// a département of at most 4 are 1 each).
func GivenBackBetween(cells []SecretCell, hidden []int, lo, hi int64, at int) bool {
	h := newHiddenSum(cells, hidden)
	h.sumLo, h.sumHi = lo, hi
	return h.gives(at)
}

// SumBounds are the least and the most hidden cells count together, by
// their marks (MarkBounds).
func SumBounds(cells []SecretCell, hidden []int) (lo, hi int64) {
	h := newHiddenSum(cells, hidden)
	return h.lo, h.hi
}

// hiddenSum is what a reader knows of hidden cells: their sum, between
// sumLo and sumHi (the same when known), and the least and the most they
// can count by their marks.
type hiddenSum struct {
	cells        []SecretCell
	sumLo, sumHi int64
	lo, hi       int64
}

func newHiddenSum(cells []SecretCell, hidden []int) hiddenSum {
	h := hiddenSum{cells: cells}
	for _, i := range hidden {
		l, u, v := cells[i].Bounds()
		h.sumLo, h.lo, h.hi = h.sumLo+v, h.lo+l, h.hi+u
	}
	h.sumHi = h.sumLo
	return h
}

// gives says whether the others' bounds leave hidden cell i one value;
// an empty cell says nobody, and is never given back.
func (h hiddenSum) gives(i int) bool {
	if h.cells[i].People <= 0 {
		return false
	}
	l, u, _ := h.cells[i].Bounds()
	return max(l, h.sumLo-(h.hi-u)) == min(u, h.sumHi-(h.lo-l))
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
