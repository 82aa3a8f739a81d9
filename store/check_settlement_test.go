package store_test

import (
	"context"
	"database/sql"
	"testing"

	"passnum"
	"passnum/store"

	"modernc.org/sqlite"
)

// settledWorld is a history with every kind of settlement row: a paid
// settlement with its payments in the ledger, a later one still to send
// whose line took a correction, and a correction still waiting.
type settledWorld struct {
	*world
	other      passnum.Actor
	first      passnum.Settlement // paid
	second     passnum.Settlement // created; took taken
	taken      passnum.Correction // of the place, taken by second
	waiting    passnum.Correction // of other, not taken yet
	untouched  passnum.Redemption // of other, settled by first, never corrected
	firstPlace []passnum.Redemption
}

func populateSettled(t *testing.T, s *store.Store, clock *passnum.FixedClock) *settledWorld {
	t.Helper()
	w := &settledWorld{world: newWorld(t, s, clock)}
	w.other = w.MustPlace("Fablab de Dole")
	w.MustBankAccount(w.place, 0)
	w.MustBankAccount(w.other, 1)
	clock.Set(at("2026-03-12 15:00:00"))
	w.firstPlace = w.redeemMany(w.place, 3)
	others := w.redeemMany(w.other, 2)
	w.untouched = others[1]
	clock.Set(at("2026-04-02 10:00:00"))
	w.first = w.MustSettle(w.prog.ID, passnum.MustDate("2026-03-31"))
	w.first = w.mustPay(w.first.ID, passnum.MustDate("2026-04-02"))
	w.taken = w.MustCorrect(w.firstPlace[0].ID, "doublon")
	clock.Set(at("2026-04-08 16:00:00"))
	w.redeemMany(w.place, 2)
	clock.Set(at("2026-04-20 10:00:00"))
	w.second = w.MustSettle(w.prog.ID, passnum.MustDate("2026-04-19"))
	w.waiting = w.MustCorrect(others[0].ID, "pass d'un autre bénéficiaire")
	w.redeemMany(w.other, 1) // waiting for the next run
	mustCheck(t, s)
	return w
}

// dropCheck is the SQL that lets a test write what a CHECK forbids: the
// database is the first guard, and check must still see the damage when
// the guard is gone (an old backup restored, a hand-made edit).
func dropCheck(db *sql.DB, table, constraint, update string) []string {
	if _, ok := db.Driver().(*sqlite.Driver); ok {
		return []string{`PRAGMA ignore_check_constraints = ON; ` + update}
	}
	return []string{`ALTER TABLE ` + table + ` DROP CONSTRAINT IF EXISTS ` + constraint + `; ` + update}
}

func TestCheckCatchesSettlementViolations(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		var w *settledWorld
		tests := []struct {
			name      string
			sql       func() []string
			invariant string
			mention   func() string
		}{
			{"settlement total edited", func() []string {
				return []string{`UPDATE settlements SET total_cents = total_cents + 1 WHERE id = '` + w.first.ID + `'`}
			}, "settlement", func() string { return `SELECT id FROM settlements` }},
			{"line count edited", func() []string {
				return []string{`UPDATE settlement_lines SET count = count + 1 WHERE settlement_id = '` + w.first.ID + `' AND place_id = '` + w.other.OrganisationID + `'`}
			}, "settlement", func() string { return `SELECT '` + w.first.ID + `'` }},
			{"redemption moved to another settlement", func() []string {
				return []string{`UPDATE redemptions SET settlement_id = '` + w.second.ID + `' WHERE id = '` + w.firstPlace[1].ID + `'`}
			}, "settlement", func() string { return `SELECT id FROM settlements` }},
			{"carry edited", func() []string {
				return []string{
					`UPDATE settlement_lines SET carried_in_cents = -100, amount_cents = amount_cents - 100 WHERE settlement_id = '` + w.second.ID + `'`,
					`UPDATE settlements SET total_cents = total_cents - 100 WHERE id = '` + w.second.ID + `'`,
				}
			}, "settlement", func() string { return `SELECT '` + w.second.ID + `'` }},
			{"settled redemption cancelled", func() []string {
				return dropCheck(db, "redemptions", "redemptions_settled_stay_active", `UPDATE redemptions SET status = 'cancelled', cancelled_at = redeemed_at WHERE id = '`+w.untouched.ID+`'`)
			}, "settled", func() string { return `SELECT '` + w.untouched.ID + `'` }},
			{"correction of another amount", func() []string {
				return []string{`UPDATE corrections SET amount_cents = amount_cents - 1 WHERE id = '` + w.waiting.ID + `'`}
			}, "correction", func() string { return `SELECT '` + w.waiting.ID + `'` }},
			{"correction of an unsettled redemption", func() []string {
				const unsettled = `(SELECT MIN(id) FROM redemptions WHERE settlement_id IS NULL AND status = 'active')`
				return []string{
					`UPDATE corrections SET redemption_id = ` + unsettled + ` WHERE id = '` + w.waiting.ID + `'`,
					`UPDATE audit_log SET object_id = ` + unsettled + ` WHERE action = 'redemption.correct' AND object_id = '` + w.waiting.RedemptionID + `'`,
				}
			}, "correction", func() string { return `SELECT '` + w.waiting.ID + `'` }},
			{"funder share edited", func() []string {
				return []string{`UPDATE settlement_line_shares SET amount_cents = amount_cents + 1
					WHERE settlement_id = '` + w.first.ID + `' AND place_id = '` + w.place.OrganisationID + `' AND share_bps = 6000`}
			}, "shares", func() string { return `SELECT '` + w.first.ID + `'` }},
			{"payment entry deleted", func() []string {
				return []string{`DELETE FROM ledger_entries WHERE kind = 'payment' AND place_id = '` + w.place.OrganisationID + `'`}
			}, "balance", func() string { return `SELECT '` + w.place.OrganisationID + `'` }},
			{"correction entry deleted", func() []string {
				return []string{`DELETE FROM ledger_entries WHERE kind = 'correction' AND redemption_id = '` + w.waiting.RedemptionID + `'`}
			}, "balance", func() string { return `SELECT '` + w.other.OrganisationID + `'` }},
			{"payment booked to the unpaid settlement", func() []string {
				return []string{`UPDATE ledger_entries SET settlement_id = '` + w.second.ID + `' WHERE kind = 'payment' AND place_id = '` + w.place.OrganisationID + `'`}
			}, "ledger", func() string { return `SELECT id FROM settlements` }},
			{"correction entry moved to another redemption", func() []string {
				return []string{`UPDATE ledger_entries SET redemption_id = '` + w.untouched.ID + `' WHERE kind = 'correction' AND redemption_id = '` + w.waiting.RedemptionID + `'`}
			}, "ledger", func() string { return `SELECT '` + w.waiting.ID + `'` }},
			{"issued beyond the budget", func() []string {
				return dropCheck(db, "programmes", "programmes_within_budget", `UPDATE programmes SET budget_cents = 1000`)
			}, "budget", func() string { return `SELECT id FROM programmes` }},
			{"settlement audit entry deleted", func() []string {
				return []string{`DELETE FROM audit_log WHERE action = 'settlement.create' AND object_id = '` + w.second.ID + `'`}
			}, "audit", func() string { return `SELECT '` + w.second.ID + `'` }},
			{"correction audit entry deleted", func() []string {
				return []string{`DELETE FROM audit_log WHERE action = 'redemption.correct'`}
			}, "audit", func() string { return `SELECT redemption_id FROM corrections` }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				emptyDatabase(t, db)
				w = populateSettled(t, s, clock)
				wantViolation(t, s, db, tt.name, tt.invariant, tt.mention(), tt.sql())
			})
		}
	})
}

// The database refuses, by itself, a settled redemption cancelled and a
// budget below what was issued.
func TestSettlementGuardsInTheDatabase(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := populateSettled(t, s, clock)
		for _, q := range []string{
			`UPDATE redemptions SET status = 'cancelled', cancelled_at = redeemed_at WHERE id = '` + w.untouched.ID + `'`,
			`UPDATE redemptions SET settlement_id = NULL WHERE id = '` + w.untouched.ID + `'`,
			`UPDATE programmes SET budget_cents = 1000`,
			`UPDATE settlement_lines SET amount_cents = amount_cents + 1 WHERE settlement_id = '` + w.first.ID + `'`,
			`INSERT INTO corrections (id, redemption_id, programme_id, place_id, amount_cents, reason, created_at, created_by)
				SELECT 'x' || id, redemption_id, programme_id, place_id, amount_cents, reason, created_at, created_by FROM corrections WHERE id = '` + w.taken.ID + `'`,
		} {
			if _, err := db.ExecContext(context.Background(), q); err == nil {
				t.Errorf("the database accepted %s", q)
			}
		}
		mustCheck(t, s)
	})
}
