package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// BenchmarkRedeemHTTP64 runs the API measurement at 64 clients once, for
// profiling (go test -bench RedeemHTTP64 -cpuprofile …).
func BenchmarkRedeemHTTP64(b *testing.B) {
	o := Options{Engine: "sqlite", Clients: []int{64}, Duration: 3 * time.Second}
	for b.Loop() {
		r, err := o.measure(context.Background(), 64, true)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.Throughput, "redemptions/s")
		b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
	}
	_ = os.Stdout
}
