// Package peakheap measures how much heap a piece of code holds at its
// peak, for the benchmarks quoted in BENCHMARKS.md: a writer that streams
// keeps it flat however many rows it writes.
package peakheap

import (
	"runtime"
	"sync"
	"time"
)

// Measure runs f and returns the largest live heap seen while it ran
// (runtime.MemStats.HeapAlloc, sampled every millisecond, after a garbage
// collection before f starts), in bytes. A sample stops the world
// briefly: measure apart from timings.
func Measure(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	peak := ms.HeapAlloc
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapAlloc)
}
