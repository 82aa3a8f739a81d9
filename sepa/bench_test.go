package sepa

import (
	"io"
	"strconv"
	"testing"

	"passnum/internal/peakheap"
)

// BenchmarkWriter5000 writes the file of a settlement paying 5,000 places,
// and reports the peak heap of one run (go test ./sepa -bench Writer5000
// -benchmem -run '^$').
func BenchmarkWriter5000(b *testing.B) {
	const n = 5000
	txs := make([]Transaction, n)
	var total int64
	for i := range txs {
		txs[i] = Transaction{
			PlaceID:     "01jd8k3m5n7p9q" + strconv.Itoa(100000+i),
			Creditor:    Account{Name: trickyNames[i%len(trickyNames)], IBAN: frIBAN(b, i), BIC: "CEPAFRPP213"},
			AmountCents: int64(1000 + i),
			Remittance:  strconv.Itoa(i%40+1) + " pass encaissés",
		}
		total += txs[i].AmountCents
	}
	write := func() {
		w, err := NewWriter(io.Discard, header(b, n, total))
		if err != nil {
			b.Fatal(err)
		}
		for _, tx := range txs {
			if err := w.Add(tx); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	peak := peakheap.Measure(write)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		write()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
