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
