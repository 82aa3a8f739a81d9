package store

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"passnum"
)

// BenchmarkFirstUseSecrecy masks the first-use distributions of a
// breakdown by commune at national scale: 35,000 communes, most of them
// with a few booklets started.
func BenchmarkFirstUseSecrecy(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	base := ProgrammeStats{Total: StatFigures{FirstUse: make([]FirstUseBucket, len(passnum.FirstUseBuckets))}}
	for i := range base.Total.FirstUse {
		base.Total.FirstUse[i].Booklets = ptr(int64(0))
	}
	for c := range 35000 {
		f := StatFigures{FirstUse: make([]FirstUseBucket, len(passnum.FirstUseBuckets))}
		for j, lo := range passnum.FirstUseBuckets {
			n := int64(r.IntN(3) * r.IntN(12))
			f.FirstUse[j] = FirstUseBucket{FromDays: lo, Booklets: ptr(n)}
			*base.Total.FirstUse[j].Booklets += n
		}
		base.Cells = append(base.Cells, StatCell{Key: fmt.Sprintf("%05d", c), StatFigures: f})
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := base
		s.Masked = nil
		s.Cells = make([]StatCell, len(base.Cells))
		for i, c := range base.Cells {
			c.FirstUse = append([]FirstUseBucket(nil), c.FirstUse...)
			for j := range c.FirstUse {
				c.FirstUse[j].Booklets = ptr(*c.FirstUse[j].Booklets)
			}
			s.Cells[i] = c
		}
		s.Total.FirstUse = append([]FirstUseBucket(nil), base.Total.FirstUse...)
		b.StartTimer()
		s.applyFirstUseSecrecy()
	}
}
