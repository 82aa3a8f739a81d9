package bench

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

// runProfiled prepares a fixture, then measures 64 clients once per
// iteration; with PASSNUM_BENCH_PROFILE=file it profiles the measurement
// alone, not the setup.
func runProfiled(b *testing.B, viaAPI bool) {
	o := Options{Engine: "sqlite", Clients: []int{64}, Duration: 3 * time.Second}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		f, err := o.setup(ctx, o.capacity(64), 0)
		if err != nil {
			b.Fatal(err)
		}
		if p := os.Getenv("PASSNUM_BENCH_PROFILE"); p != "" {
			out, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(out)
		}
		b.StartTimer()
		r, err := o.run(ctx, f, 64, viaAPI)
		pprof.StopCPUProfile()
		f.cleanup()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.Throughput, "redemptions/s")
		b.ReportMetric(r.BatchAvg, "redemptions/commit")
		b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkRedeemHTTP64 is the API measurement at 64 clients.
func BenchmarkRedeemHTTP64(b *testing.B) { runProfiled(b, true) }

// BenchmarkRedeemStoreGrouped64 is the writer's ceiling: 64 goroutines
// redeeming through the store with group commit, no HTTP.
func BenchmarkRedeemStoreGrouped64(b *testing.B) { runProfiled(b, false) }

// run measures the floor and the API alike: redemptions succeed, their
// latencies are ordered, and every commit carried at least one.
func TestRunMeasuresBothPaths(t *testing.T) {
	o := Options{Engine: "sqlite", Clients: []int{4}, Duration: 300 * time.Millisecond}
	ctx := context.Background()
	for _, viaAPI := range []bool{false, true} {
		f, err := o.setup(ctx, o.capacity(4), 0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.run(ctx, f, 4, viaAPI)
		f.cleanup()
		if err != nil {
			t.Fatalf("via API %v: %v", viaAPI, err)
		}
		if r.Ops == 0 || r.Errors != 0 || r.P50 <= 0 || r.P50 > r.P99 || r.Throughput <= 0 || r.BatchAvg < 1 {
			t.Errorf("via API %v: %+v", viaAPI, r)
		}
	}
}

func TestQuantile(t *testing.T) {
	if quantile(nil, 99) != 0 {
		t.Error("no latencies: want 0")
	}
	l := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for q, want := range map[int]time.Duration{0: 1, 50: 6, 99: 10, 100: 10} {
		if got := quantile(l, q); got != want {
			t.Errorf("quantile(1..10, %d) = %d, want %d", q, got, want)
		}
	}
}
