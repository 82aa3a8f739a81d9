package store

import (
	"slices"
	"testing"
)

// A month's quarter key and the quarter's months; what is not a month has
// neither.
func TestQuarterOfAMonth(t *testing.T) {
	for _, c := range []struct {
		month, key string
		months     []string
	}{
		{"2025-01", "T2025-1", []string{"2025-01", "2025-02", "2025-03"}},
		{"2025-06", "T2025-2", []string{"2025-04", "2025-05", "2025-06"}},
		{"2025-08", "T2025-3", []string{"2025-07", "2025-08", "2025-09"}},
		{"2026-12", "T2026-4", []string{"2026-10", "2026-11", "2026-12"}},
		{"", "", nil},
		{"2025-00", "", nil},
		{"2025-13", "", nil},
		{"2025-7", "", nil},
		{"T2025-3", "", nil},
	} {
		if got := quarterOf(c.month); got != c.key {
			t.Errorf("quarterOf(%q) = %q, want %q", c.month, got, c.key)
		}
		if got := quarterMonths(c.month); !slices.Equal(got, c.months) {
			t.Errorf("quarterMonths(%q) = %q, want %q", c.month, got, c.months)
		}
		if c.key != "" && (!isQuarter(c.key) || isQuarter(c.month)) {
			t.Errorf("isQuarter mistakes %q or %q", c.key, c.month)
		}
	}
}
