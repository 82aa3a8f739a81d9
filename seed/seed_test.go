package seed_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"passnum"
	"passnum/seed"
	"passnum/store"
	"passnum/store/storetest"
)

// rowCounts are counts of raw rows the hand-outs and uses write, which
// the bulk path must write alike.
var rowCounts = []string{
	`SELECT COUNT(*) FROM beneficiaries`,
	`SELECT COUNT(*) FROM person_programme_locks`,
	`SELECT COALESCE(SUM(booklets), 0) FROM beneficiary_booklets`,
	`SELECT COALESCE(SUM(allocated_booklets - available_booklets), 0) FROM distributor_stock`,
	`SELECT COUNT(*) FROM booklets WHERE status = 'handed_out' AND beneficiary_id IS NOT NULL AND handed_out_at IS NOT NULL AND stat_month <> ''`,
	`SELECT COUNT(*) FROM booklets WHERE used_passes > 0 AND first_used_at IS NOT NULL`,
	`SELECT COALESCE(SUM(used_passes), 0) FROM booklets`,
	`SELECT COUNT(*) FROM passes WHERE status = 'assigned'`,
	`SELECT COUNT(*) FROM passes WHERE status = 'redeemed'`,
	`SELECT COUNT(*) FROM redemptions WHERE status = 'active'`,
	`SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE kind = 'redemption'`,
	`SELECT COUNT(*) FROM audit_log WHERE action = 'beneficiary.create'`,
	`SELECT COUNT(*) FROM audit_log WHERE action = 'booklet.hand_out'`,
	`SELECT COUNT(*) FROM audit_log WHERE action = 'pass.redeem'`,
	`SELECT COUNT(*) FROM audit_log`,
	`SELECT COUNT(*) FROM ledger_entries`,
}

// TestSeedBulkPassesCheck: a programme seeded by the bulk path, on a
// store opened as passnum seed opens it (Options.BulkLoad), passes the
// full check (counters equal their recount, ledger, trail, stock…), its
// dashboard figures are its raw rows' counts, and the per-item path with
// the same seed writes the same rows and the same figures.
func TestSeedBulkPassesCheck(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			clock := passnum.NewFixedClock(storetest.Epoch)
			bulk, bulkURL := e.OpenBulkLoad(t, clock)
			perItem, perItemURL := e.Open(t, clock)
			bulkStats := seedAndCheck(t, bulk, bulkURL, seed.Options{Passes: 5000, Seed: 7})
			perItemStats := seedAndCheck(t, perItem, perItemURL, seed.Options{Passes: 5000, Seed: 7, PerItem: true})
			for i := range bulkStats {
				x, y := statsJSON(t, bulkStats[i]), statsJSON(t, perItemStats[i])
				if x != y {
					t.Errorf("statistiques %q :\nchemin groupé   %s\nchemin unitaire %s", bulkStats[i].By, x, y)
				}
			}
			a, b := storetest.RawDB(t, bulkURL), storetest.RawDB(t, perItemURL)
			for _, q := range rowCounts {
				var x, y int64
				if err := a.QueryRow(q).Scan(&x); err != nil {
					t.Fatal(q, err)
				}
				if err := b.QueryRow(q).Scan(&y); err != nil {
					t.Fatal(q, err)
				}
				if x != y || x == 0 {
					t.Errorf("%s : %d par le chemin groupé, %d par le chemin unitaire", q, x, y)
				}
			}
			// The bulk path built again every index it deferred.
			if x, y := storetest.IndexDefinitions(t, a, bulkURL), storetest.IndexDefinitions(t, b, perItemURL); !slices.Equal(x, y) {
				t.Errorf("index après le chemin groupé :\n%v\naprès le chemin unitaire :\n%v", x, y)
			}
		})
	}
}

// seedAndCheck seeds s, runs the full check, compares the programme's
// totals with its raw rows, and returns its statistics as a whole and by
// département, age band and service.
func seedAndCheck(t *testing.T, s *store.Store, u string, o seed.Options) []store.ProgrammeStats {
	t.Helper()
	ctx := context.Background()
	res, err := seed.Run(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	var out []store.ProgrammeStats
	err = s.View(ctx, func(tx *store.Tx) error {
		for _, by := range []string{"", "departement", "age_band", "service"} {
			st, err := tx.ProgrammeStats(ctx, store.StatsQuery{ProgrammeID: res.ProgrammeID, By: by})
			if err != nil {
				return err
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.RawDB(t, u)
	var handed, used, amount int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM booklets WHERE status = 'handed_out'`).Scan(&handed); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM redemptions WHERE status = 'active'`).Scan(&used, &amount); err != nil {
		t.Fatal(err)
	}
	// The booklets were laid out in the order they were handed out
	// (BulkAllocate), so that hand-outs write in storage order.
	rows, err := db.Query(`SELECT handed_out_at FROM booklets WHERE status = 'handed_out' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		if at < last {
			t.Fatalf("a booklet handed out at %d comes after one handed out at %d in storage order", at, last)
		}
		last = at
	}
	rows.Close()
	tot := out[0].Total
	if handed != int64(res.HandedOut) || used != int64(res.Redeemed) || used == 0 {
		t.Fatalf("lignes : %d carnets remis, %d encaissements ; le seed annonce %d et %d", handed, used, res.HandedOut, res.Redeemed)
	}
	if *tot.BookletsHandedOut != handed || *tot.PassesUsed != used || *tot.AmountUsedCents != amount {
		t.Errorf("tableau de bord : %d remis, %d utilisés, %d centimes ; lignes : %d, %d, %d",
			*tot.BookletsHandedOut, *tot.PassesUsed, *tot.AmountUsedCents, handed, used, amount)
	}
	return out
}

// statsJSON is a programme's statistics as JSON, without the ids that
// differ from one database to another.
func statsJSON(t *testing.T, st store.ProgrammeStats) string {
	t.Helper()
	st.ProgrammeID = ""
	st.Budget = append([]store.FunderBudget(nil), st.Budget...)
	for i := range st.Budget {
		st.Budget[i].OrganisationID = ""
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
