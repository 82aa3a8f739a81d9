package store

import (
	"slices"
	"testing"
)

// The recount's compact counters give back what was added to them, under
// the keys added; a key with a string never added is not there, and
// taking it keeps no string; the roll-up adds the months to their
// quarter's and the all-months rows, the programme's own rows left alone.
func TestTallyKeepsWhatItCounts(t *testing.T) {
	tl := newTally()
	dep := func(value, month string) statKey {
		return statKey{programme: "p1", dim: dimDepartement, value: value, month: month, metric: metricUsed, bucket: -1}
	}
	tl.add(dep("35", "2025-07"), 2, 2000)
	tl.add(dep("35", "2025-08"), 1, 1000)
	tl.add(dep("35", "2025-07"), 1, 1000)
	tl.add(dep("29", "2025-10"), 4, 4000)
	whole := statKey{programme: "p1", dim: dimAll, month: "2025-07", metric: metricUsed, bucket: -1}
	tl.add(whole, 3, 3000)
	tl.add(statKey{programme: "p1", dim: dimDistributor, value: "d1", month: "2025-07", metric: metricStarted, bucket: -1}, 1, 0)
	tl.add(statKey{programme: "p1", dim: dimDistributor, value: "d1", month: "2025-07", metric: metricStarted, bucket: -1}, -1, 0)
	rollUpMonths(tl)
	tl.dropZeros()

	want := map[statKey]statVal{
		dep("35", "2025-07"): {3, 3000}, dep("35", "2025-08"): {1, 1000}, dep("35", "T2025-3"): {4, 4000}, dep("35", allMonths): {4, 4000},
		dep("29", "2025-10"): {4, 4000}, dep("29", "T2025-4"): {4, 4000}, dep("29", allMonths): {4, 4000},
		whole: {3, 3000},
	}
	var keys []statKey
	err := tl.sorted(func(k statKey, v statVal) error {
		keys = append(keys, k)
		if want[k] != v {
			t.Errorf("%+v: %+v, want %+v", k, v, want[k])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(want) || tl.len() != len(want) {
		t.Fatalf("%d counters (%d held), want %d: %+v", len(keys), tl.len(), len(want), keys)
	}
	if !slices.IsSortedFunc(keys, compareStatKeys) {
		t.Errorf("not in key order: %+v", keys)
	}

	names := len(tl.names)
	if v := tl.take(dep("75", "2025-07")); v != (statVal{}) || len(tl.names) != names {
		t.Errorf("an unknown cell: %+v, %d names (was %d)", v, len(tl.names), names)
	}
	if v := tl.take(dep("35", "T2025-3")); v != (statVal{4, 4000}) || tl.len() != len(want)-1 {
		t.Errorf("take: %+v, %d left", v, tl.len())
	}
	if v := tl.take(dep("35", "T2025-3")); v != (statVal{}) {
		t.Errorf("taken twice: %+v", v)
	}
}
