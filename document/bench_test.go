package document

import (
	"io"
	"iter"
	"testing"
	"time"

	"passnum"
	"passnum/internal/peakheap"
)

// millionRows yields n accounting rows across the lines of places places,
// reusing one row as a store's scan loop would.
func millionRows(n, places int) iter.Seq2[AccountingRow, error] {
	return func(yield func(AccountingRow, error) bool) {
		per := n / places
		var r AccountingRow
		r.Reference, r.Cutoff = "PN-20261130-0007", passnum.MustDate("2026-11-30")
		r.Kind, r.Service, r.AmountCents = AccountingRedemption, services[0], 1000
		day := time.Date(2026, 11, 12, 15, 0, 0, 0, passnum.Paris)
		for p := range places {
			count := per
			if p == places-1 {
				count = n - per*(places-1)
			}
			r.Line = passnum.SettlementLine{
				PlaceID: "place-" + FormatCount(int64(p)), PlaceName: "Espace public numérique n° " + FormatCount(int64(p)),
				Count: int64(count), RedemptionsCents: int64(count) * 1000, AmountCents: int64(count) * 1000,
				IBAN: testIBAN, Shares: sharesOf(int64(count) * 1000),
			}
			r.PlaceSIRET = "12345678200010"
			for i := range count {
				r.ID, r.Code, r.At = "01jd8k3m5n7p9qrstvwxyz0123", testCode(i%10000), day
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

func benchAccounting(b *testing.B, write func(io.Writer, AccountingExport, iter.Seq2[AccountingRow, error]) error) {
	const rows, places = 1_000_000, 5000
	run := func() {
		if err := write(io.Discard, accountingExport, millionRows(rows, places)); err != nil {
			b.Fatal(err)
		}
	}
	peak := peakheap.Measure(run)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkAccountingCSV1M writes an accounting export of 1,000,000
// redemptions across 5,000 places (go test ./document -run '^$' -bench
// Accounting -benchmem -benchtime 1x).
func BenchmarkAccountingCSV1M(b *testing.B) { benchAccounting(b, AccountingCSV) }

// BenchmarkAccountingXLSX1M writes the same export as a workbook.
func BenchmarkAccountingXLSX1M(b *testing.B) { benchAccounting(b, AccountingXLSX) }

// BenchmarkPlaceStatementPDF10k writes the statement of a place with
// 10,000 passes.
func BenchmarkPlaceStatementPDF10k(b *testing.B) {
	s := placeStatement(10_000)
	run := func() {
		if err := PlaceStatementPDF(io.Discard, s, passesOf(10_000, false)); err != nil {
			b.Fatal(err)
		}
	}
	peak := peakheap.Measure(run)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
