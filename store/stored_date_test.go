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
	})
}
