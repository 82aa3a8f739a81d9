package passnum

import (
	"strings"
	"testing"
	"time"
)

// idMillis decodes the time prefix of an id: its first 10 symbols are two
// zero bits and 48 bits of milliseconds.
func idMillis(t *testing.T, id string) int64 {
	t.Helper()
	var v int64
	for i := 0; i < 10; i++ {
		k := strings.IndexByte(idAlphabet, id[i])
		if k < 0 {
			t.Fatalf("id %q: symbol %q outside the alphabet", id, id[i])
		}
		v = v<<5 | int64(k)
	}
	return v
}

func TestNewID(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 123_000_000, time.UTC)
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		id := NewID(now)
		if !ValidID(id) {
			t.Fatalf("NewID = %q, not a valid id", id)
		}
		if seen[id] {
			t.Fatalf("NewID drew %q twice in the same millisecond", id)
		}
		seen[id] = true
		if id[0] > '7' {
			t.Fatalf("id %q: first symbol above 7, but 128 bits leave its top two bits zero", id)
		}
		if got := idMillis(t, id); got != now.UnixMilli() {
			t.Fatalf("id %q carries %d ms, want %d", id, got, now.UnixMilli())
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		before time.Time
		after  time.Time
	}{
		{"one millisecond", t0, t0.Add(time.Millisecond)},
		{"one second", t0, t0.Add(time.Second)},
		{"a year", t0, t0.AddDate(1, 0, 0)},
		{"across a carry of the first symbols", time.UnixMilli(1<<40 - 1), time.UnixMilli(1 << 40)},
		{"epoch", time.UnixMilli(0), time.UnixMilli(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 100; i++ {
				a, b := NewID(tt.before), NewID(tt.after)
				if a >= b {
					t.Fatalf("NewID(%s) = %s sorts after NewID(%s) = %s", tt.before, a, tt.after, b)
				}
			}
		})
	}
}

func TestValidID(t *testing.T) {
	good := NewID(time.Now())
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"fresh id", good, true},
		{"all zeros", strings.Repeat("0", 26), true},
		{"every symbol", "0123456789abcdefghjkmnpqrs", true},
		{"empty", "", false},
		{"one short", good[:25], false},
		{"one too many", good + "0", false},
		{"upper case", strings.ToUpper(good[:1]) + "ABCDEFGHJKMNPQRSTVWXYZ012", false},
		{"i", "i" + good[1:], false},
		{"l", "l" + good[1:], false},
		{"o", "o" + good[1:], false},
		{"u", "u" + good[1:], false},
		{"dash", "-" + good[1:], false},
		{"path traversal", "../" + good[3:], false},
		{"non-ASCII", "é" + good[2:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidID(tt.id); got != tt.want {
				t.Fatalf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}
