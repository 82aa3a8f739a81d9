package peakheap

import "testing"

var sink [][]byte

func TestMeasureSeesAnAllocation(t *testing.T) {
	small := Measure(func() {})
	big := Measure(func() {
		for range 64 {
			sink = append(sink, make([]byte, 1<<20))
		}
	})
	sink = nil
	if big < small+60<<20 {
		t.Fatalf("holding 64 MiB measured %d bytes, nothing %d", big, small)
	}
}
