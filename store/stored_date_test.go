package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// TestBadStoredDateIsAnError: a day stored unreadable (here a birth date
// that does not exist) makes the reads that need it fail, saying so,
// instead of reading it as the zero day (a holder born in year 0).
func TestBadStoredDateIsAnError(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		if p := w.Pass(bk.Passes[0].Code); p.Beneficiary == nil || p.Beneficiary.BirthYear != w.ben.BirthDate.Year {
			t.Fatalf("before: holder %+v", p.Beneficiary)
		}
		if _, err := db.ExecContext(t.Context(), `UPDATE beneficiaries SET birth_date = '2005-02-30' WHERE id = $1`, w.ben.ID); err != nil {
			t.Fatal(err)
		}
		reads := map[string]func(ctx context.Context, tx *store.Tx) error{
			"pass": func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Pass(ctx, bk.Passes[0].Code)
				return err
			},
			"beneficiary": func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Beneficiary(ctx, w.ben.ID, "")
				return err
			},
		}
		for name, read := range reads {
			err := s.View(t.Context(), func(tx *store.Tx) error { return read(t.Context(), tx) })
			if err == nil || !strings.Contains(err.Error(), "2005-02-30") {
				t.Errorf("%s read with a birth date that does not exist: %v, want an error naming it", name, err)
			}
		}

		// A hand-out to someone whose birth date is unreadable fails and
		// writes nothing: no booklet handed out, no counter moved (the
		// statistics' age band is never guessed).
		other := w.MustBeneficiary(w.dist)
		if _, err := db.ExecContext(t.Context(), `UPDATE beneficiaries SET birth_date = 'n/a' WHERE id = $1`, other.ID); err != nil {
			t.Fatal(err)
		}
		var before, after store.ProgrammeStats
		stats := func(into *store.ProgrammeStats) {
			if err := s.View(t.Context(), func(tx *store.Tx) error {
				var err error
				*into, err = tx.ProgrammeStats(t.Context(), store.StatsQuery{ProgrammeID: w.prog.ID, By: "age_band"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		stats(&before)
		err := s.Write(t.Context(), func(tx *store.Tx) error {
			_, err := tx.HandOut(t.Context(), w.dist, other.ID, w.prog.ID)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "n/a") {
			t.Fatalf("hand-out with an unreadable birth date: %v, want an error naming it", err)
		}
		stats(&after)
		if *after.Total.BookletsHandedOut != *before.Total.BookletsHandedOut || len(after.Cells) != len(before.Cells) {
			t.Errorf("a refused hand-out moved the counters: %d → %d booklets, %d → %d age bands",
				*before.Total.BookletsHandedOut, *after.Total.BookletsHandedOut, len(before.Cells), len(after.Cells))
		}
	})
}
