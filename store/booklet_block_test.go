package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func (f *fixture) Block(actor passnum.Actor, bookletID, distributorID, reason string) (passnum.Booklet, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.BlockBooklet(ctx, actor, bookletID, distributorID, reason)
	})
}

func (f *fixture) Replace(actor passnum.Actor, bookletID, distributorID, reason string) (passnum.Booklet, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.ReplaceBooklet(ctx, actor, bookletID, distributorID, reason)
	})
}

func (f *fixture) Booklet(id string) passnum.Booklet {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) { return tx.Booklet(ctx, id) })
}

func (f *fixture) audit(objectID string) []passnum.AuditEntry {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
		out, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "booklet", ObjectID: objectID})
		return out, err
	})
}

func passStatuses(bk passnum.Booklet) []passnum.PassStatus {
	var out []passnum.PassStatus
	for _, p := range bk.Passes {
		out = append(out, p.Status)
	}
	return out
}

func TestBlockBooklet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		other := w.MustDistributor("France Travail Dijon")
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)

		// Only the agency that handed it out, or the operator.
		_, err := w.Block(other, bk.ID, other.OrganisationID, "perdu")
		wantCode(t, err, passnum.ENOTFOUND)
		_, err = w.Block(w.dist, passnum.NewID(clock.Now()), w.dist.OrganisationID, "perdu")
		wantCode(t, err, passnum.ENOTFOUND)
		// A reason is required.
		e := wantCode(t, must2(w.Block(w.dist, bk.ID, w.dist.OrganisationID, "  ")), passnum.EINVALID)
		if len(e.Fields) != 1 || e.Fields[0].Field != "reason" {
			t.Fatalf("fields %+v", e.Fields)
		}
		if got := w.Booklet(bk.ID); got.Status != passnum.BookletHandedOut {
			t.Fatalf("refused block changed the booklet: %s", got.Status)
		}

		clock.Advance(time.Minute)
		blocked, err := w.Block(w.dist, bk.ID, w.dist.OrganisationID, " carnet perdu dans le bus ")
		if err != nil {
			t.Fatal(err)
		}
		if blocked.Status != passnum.BookletBlocked || blocked.BeneficiaryID != w.ben.ID {
			t.Fatalf("blocked booklet %+v", blocked)
		}
		// The redeemed pass stays redeemed, the others are blocked.
		wantStatuses(t, passStatuses(blocked), passnum.PassRedeemed, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked)
		if p := w.Pass(bk.Passes[0].Code); p.Status != passnum.PassRedeemed || p.LastRedemption == nil {
			t.Fatalf("redeemed pass after block: %+v", p)
		}
		// A blocked pass can no longer be redeemed.
		_, err = w.Redeem(w.place, bk.Passes[1].Code)
		wantCode(t, err, passnum.EBLOCKED)
		if p := w.Pass(bk.Passes[1].Code); p.Status != passnum.PassBlocked {
			t.Fatalf("pass status %s after a refused redemption", p.Status)
		}
		// Blocking twice says so.
		_, err = w.Block(w.op, bk.ID, "", "perdu")
		wantCode(t, err, passnum.EBLOCKED)

		entries := w.audit(bk.ID)
		if len(entries) == 0 || entries[0].Action != "booklet.block" || entries[0].Reason != "carnet perdu dans le bus" || entries[0].OrganisationID != w.dist.OrganisationID {
			t.Fatalf("audit %+v", entries)
		}
		if !strings.Contains(entries[0].Details, `"blocked_passes":4`) {
			t.Fatalf("audit details %s", entries[0].Details)
		}
		// The stock is unchanged: blocking gives nothing back.
		if st := w.Stock(w.prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 5 || st.AllocatedBooklets != 6 {
			t.Fatalf("stock %+v", st)
		}
		mustCheck(t, s)

		// The operator blocks any agency's booklet.
		ben2 := w.MustBeneficiary(w.dist)
		bk2 := w.MustHandOut(w.dist, ben2.ID, w.prog.ID)
		got, err := w.Block(w.op, bk2.ID, "", "volé")
		if err != nil {
			t.Fatal(err)
		}
		wantStatuses(t, passStatuses(got), passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked)
		mustCheck(t, s)
	})
}

// must2 drops a value to keep its error.
func must2[T any](_ T, err error) error { return err }

func TestBlockBookletNotHandedOut(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		ids := rawStrings(t, db, `SELECT id FROM booklets WHERE status = 'allocated' ORDER BY id LIMIT 1`)
		_, err := w.Block(w.dist, ids[0], w.dist.OrganisationID, "perdu à l'accueil")
		wantCode(t, err, passnum.ECONFLICT)
		_, err = w.Replace(w.dist, ids[0], w.dist.OrganisationID, "perdu à l'accueil")
		wantCode(t, err, passnum.ECONFLICT)
		// A booklet still in the central stock belongs to no agency.
		ids = rawStrings(t, db, `SELECT id FROM booklets WHERE status = 'stock' ORDER BY id LIMIT 1`)
		_, err = w.Block(w.dist, ids[0], w.dist.OrganisationID, "perdu")
		wantCode(t, err, passnum.ENOTFOUND)
		_, err = w.Block(w.op, ids[0], "", "perdu")
		wantCode(t, err, passnum.ECONFLICT)
		mustCheck(t, s)
	})
}

func TestReplaceBooklet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock, func(p *passnum.Programme) { p.MaxBookletsPerBeneficiary = 1 })
		other := w.MustDistributor("France Travail Dijon")
		w.MustAllocate(w.prog.ID, other.OrganisationID, 2)
		old := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, old.Passes[0].Code)
		w.MustRedeem(w.place, old.Passes[1].Code)
		_, err := w.HandOut(w.dist, w.ben.ID, w.prog.ID)
		wantCode(t, err, passnum.EBOOKLETLIMIT)

		_, err = w.Replace(other, old.ID, other.OrganisationID, "perdu")
		wantCode(t, err, passnum.ENOTFOUND)
		_, err = w.Replace(w.dist, old.ID, w.dist.OrganisationID, "")
		wantCode(t, err, passnum.EINVALID)

		// Replacing a booklet not yet blocked blocks it in the same gesture,
		// even though the beneficiary is at the limit of one booklet.
		clock.Advance(time.Minute)
		nb, err := w.Replace(w.dist, old.ID, w.dist.OrganisationID, "carnet perdu lors d'un déménagement")
		if err != nil {
			t.Fatal(err)
		}
		if nb.ID == old.ID || nb.Status != passnum.BookletHandedOut || nb.BeneficiaryID != w.ben.ID || nb.DistributorID != w.dist.OrganisationID || nb.ProgrammeID != w.prog.ID {
			t.Fatalf("new booklet %+v", nb)
		}
		// It carries the unused value of the lost booklet only: 3 passes,
		// the other 2 voided (never handed out).
		wantStatuses(t, passStatuses(nb), passnum.PassAssigned, passnum.PassAssigned, passnum.PassAssigned, passnum.PassUnassigned, passnum.PassUnassigned)
		if nb.VoidedPasses != 2 {
			t.Fatalf("voided passes %d, want 2", nb.VoidedPasses)
		}
		wantStatuses(t, passStatuses(w.Booklet(old.ID)), passnum.PassRedeemed, passnum.PassRedeemed, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked)
		// A voided pass cannot be redeemed.
		_, err = w.Redeem(w.place, nb.Passes[4].Code)
		wantCode(t, err, passnum.ENOTASSIGNED)
		if st := w.Stock(w.prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 4 || st.AllocatedBooklets != 6 {
			t.Fatalf("stock after replacement %+v, want 4 of 6 available", st)
		}
		if p := w.Programme(w.prog.ID); p.Stock.HandedOutBooklets != 2 {
			t.Fatalf("programme handed out %d booklets, want 2", p.Stock.HandedOutBooklets)
		}
		// Both entries are in the audit trail, with the reason.
		if a := w.audit(old.ID); len(a) == 0 || a[0].Action != "booklet.block" || a[0].Reason != "carnet perdu lors d'un déménagement" {
			t.Fatalf("old booklet audit %+v", a)
		}
		a := w.audit(nb.ID)
		if len(a) != 1 || a[0].Action != "booklet.replace" || a[0].Reason != "carnet perdu lors d'un déménagement" || !strings.Contains(a[0].Details, old.ID) {
			t.Fatalf("new booklet audit %+v", a)
		}
		// The new booklet works; the limit still holds for a plain hand-out.
		w.MustRedeem(w.place, nb.Passes[0].Code)
		_, err = w.HandOut(w.dist, w.ben.ID, w.prog.ID)
		wantCode(t, err, passnum.EBOOKLETLIMIT)
		// A booklet is replaced once.
		_, err = w.Replace(w.dist, old.ID, w.dist.OrganisationID, "perdu")
		e := wantCode(t, err, passnum.ECONFLICT)
		if e.Extra["replaced_by"] != nb.ID {
			t.Fatalf("extra %v", e.Extra)
		}
		mustCheck(t, s)

		// The replacement may be lost too: blocked first by the agency, then
		// replaced by the operator, from the agency's stock.
		if _, err := w.Block(w.dist, nb.ID, w.dist.OrganisationID, "volé"); err != nil {
			t.Fatal(err)
		}
		third, err := w.Replace(w.op, nb.ID, "", "vol déclaré")
		if err != nil {
			t.Fatal(err)
		}
		if third.BeneficiaryID != w.ben.ID || third.DistributorID != w.dist.OrganisationID {
			t.Fatalf("third booklet %+v", third)
		}
		// The second booklet had 2 passes left of the 3 it carried.
		wantStatuses(t, passStatuses(third), passnum.PassAssigned, passnum.PassAssigned, passnum.PassUnassigned, passnum.PassUnassigned, passnum.PassUnassigned)
		if st := w.Stock(w.prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 3 {
			t.Fatalf("stock %+v, want 3 available", st)
		}
		if st := w.Stock(w.prog.ID, other.OrganisationID); st.AvailableBooklets != 2 {
			t.Fatalf("the other agency's stock moved: %+v", st)
		}
		mustCheck(t, s)

		// Nothing to replace when every pass was used.
		ben2 := w.MustBeneficiary(w.dist)
		used := w.MustHandOut(w.dist, ben2.ID, w.prog.ID)
		for _, p := range used.Passes {
			w.MustRedeem(w.place, p.Code)
		}
		_, err = w.Replace(w.dist, used.ID, w.dist.OrganisationID, "perdu")
		wantCode(t, err, passnum.ECONFLICT)
		if got := w.Booklet(used.ID); got.Status != passnum.BookletHandedOut {
			t.Fatalf("refused replacement left the booklet %s", got.Status)
		}
		mustCheck(t, s)
	})
}

// The attack review's case: after using 4 passes of 5, replace, then
// replace again: the young person holds 4 used and 1 usable, never more
// than their one booklet was worth.
func TestChainedReplacementsCarryOnlyUnusedValue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock, func(p *passnum.Programme) { p.MaxBookletsPerBeneficiary = 1 })
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		for _, p := range bk.Passes[:4] {
			w.MustRedeem(w.place, p.Code)
		}
		current := bk
		for i := range 3 {
			clock.Advance(time.Minute)
			nb, err := w.Replace(w.dist, current.ID, w.dist.OrganisationID, "perdu")
			if err != nil {
				t.Fatalf("replacement %d: %v", i+1, err)
			}
			wantStatuses(t, passStatuses(nb), passnum.PassAssigned, passnum.PassUnassigned, passnum.PassUnassigned, passnum.PassUnassigned, passnum.PassUnassigned)
			current = nb
			mustCheck(t, s)
		}
		passes, err := beneficiaryPasses(t, s, w.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		usable, used := 0, 0
		for _, p := range passes {
			switch p.Status {
			case passnum.PassAssigned:
				usable++
			case passnum.PassRedeemed:
				used++
			}
		}
		if usable != 1 || used != 4 {
			t.Fatalf("after chained replacements: %d usable, %d used; want 1 and 4", usable, used)
		}
		// The last pass is usable once; then nothing is left to replace.
		w.MustRedeem(w.place, current.Passes[0].Code)
		_, err = w.Replace(w.dist, current.ID, w.dist.OrganisationID, "perdu")
		wantCode(t, err, passnum.ECONFLICT)
		mustCheck(t, s)
	})
}

func TestReplaceBookletRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		// An agency with one booklet: no stock left for a replacement.
		small := w.MustDistributor("Mission locale de Dole")
		w.MustAllocate(w.prog.ID, small.OrganisationID, 1)
		ben := w.MustBeneficiary(small)
		bk := w.MustHandOut(small, ben.ID, w.prog.ID)
		_, err := w.Replace(small, bk.ID, small.OrganisationID, "perdu")
		wantCode(t, err, passnum.EINSUFFICIENTSTOCK)
		// All or nothing: the booklet was not blocked either.
		if got := w.Booklet(bk.ID); got.Status != passnum.BookletHandedOut {
			t.Fatalf("booklet %s after a refused replacement", got.Status)
		}
		// Blocking alone still works, and the replacement comes once stock
		// arrives.
		if _, err := w.Block(small, bk.ID, small.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		_, err = w.Replace(small, bk.ID, small.OrganisationID, "perdu")
		wantCode(t, err, passnum.EINSUFFICIENTSTOCK)
		w.MustAllocate(w.prog.ID, small.OrganisationID, 1)
		if _, err := w.Replace(small, bk.ID, small.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)

		// After the hand-out period no replacement is given, but a lost
		// booklet can still be blocked (passes are redeemable in the grace
		// period).
		bk2 := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		clock.Set(at("2027-01-05 10:00:00"))
		_, err = w.Replace(w.dist, bk2.ID, w.dist.OrganisationID, "perdu")
		wantCode(t, err, passnum.EPROGRAMMECLOSED)
		if got := w.Booklet(bk2.ID); got.Status != passnum.BookletHandedOut {
			t.Fatalf("booklet %s after a refused replacement", got.Status)
		}
		if _, err := w.Block(w.dist, bk2.ID, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
	})
}

// Blocking while a place redeems the same booklet's passes: each pass ends
// either redeemed (with its redemption) or blocked, never both, never lost.
func TestBlockWhileRedeeming(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		n := len(bk.Passes) + 1
		errs := race(n, func(i int) error {
			if i == len(bk.Passes) {
				_, err := w.Block(w.dist, bk.ID, w.dist.OrganisationID, "perdu")
				return err
			}
			_, err := w.Redeem(w.place, bk.Passes[i].Code)
			return err
		})
		if errs[len(bk.Passes)] != nil {
			t.Fatalf("block: %v", errs[len(bk.Passes)])
		}
		got := w.Booklet(bk.ID)
		for i, p := range got.Passes {
			switch {
			case errs[i] == nil && p.Status != passnum.PassRedeemed:
				t.Errorf("pass %d redeemed but %s", i, p.Status)
			case errs[i] != nil && (passnum.ErrorCode(errs[i]) != passnum.EBLOCKED || p.Status != passnum.PassBlocked):
				t.Errorf("pass %d refused with %v, status %s", i, errs[i], p.Status)
			}
		}
		mustCheck(t, s)
	})
}

// Two counsellors replacing the same lost booklet at once: one replacement.
func TestReplaceRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		errs := race(8, func(i int) error {
			actor, dist := w.dist, w.dist.OrganisationID
			if i%2 == 1 {
				actor, dist = w.op, ""
			}
			_, err := w.Replace(actor, bk.ID, dist, "perdu")
			return err
		})
		wantWinners(t, errs, 1, passnum.ECONFLICT)
		if st := w.Stock(w.prog.ID, w.dist.OrganisationID); st.AvailableBooklets != 4 {
			t.Fatalf("stock %+v, want 4 available (one hand-out, one replacement)", st)
		}
		mustCheck(t, s)
	})
}

// Check knows the rules of lost booklets.
func TestCheckCatchesBlockViolations(t *testing.T) {
	const (
		blockedPass = `SELECT id FROM passes WHERE status = 'blocked' ORDER BY id LIMIT 1`
		replaced    = `SELECT id FROM booklets WHERE replaced_by IS NOT NULL`
		newBooklet  = `SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL`
		blockedOnly = `SELECT id FROM booklets WHERE status = 'blocked' AND replaced_by IS NULL`
	)
	tests := []struct {
		name      string
		sql       []string
		invariant string
		mention   string
	}{
		{"blocked pass set back to assigned", []string{`UPDATE passes SET status = 'assigned' WHERE id = (` + blockedPass + `)`}, "booklet", blockedPass},
		{"pass of a handed-out booklet blocked", []string{`UPDATE passes SET status = 'blocked' WHERE id = (SELECT ps.id FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE b.status = 'handed_out' AND ps.status = 'assigned' ORDER BY ps.id LIMIT 1)`},
			"booklet", `SELECT ps.id FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE b.status = 'handed_out' AND ps.status = 'assigned'`},
		{"replaced booklet unblocked", []string{`UPDATE booklets SET status = 'handed_out' WHERE id = (` + replaced + `)`, `UPDATE passes SET status = 'assigned' WHERE booklet_id = (` + replaced + `) AND status = 'blocked'`},
			"booklet", replaced},
		{"replacement forgotten", []string{`UPDATE booklets SET replaced_by = NULL WHERE replaced_by IS NOT NULL`}, "holding", `SELECT id FROM beneficiaries`},
		{"booklet marked replaced without a replacement", []string{`UPDATE booklets SET replaced_by = (` + replaced + `) WHERE id = (` + blockedOnly + `)`}, "booklet", blockedOnly},
		{"block audit entry deleted", []string{`DELETE FROM audit_log WHERE action = 'booklet.block' AND object_id = (` + blockedOnly + `)`}, "audit", blockedOnly},
		{"replace audit entry deleted", []string{`DELETE FROM audit_log WHERE action = 'booklet.replace'`}, "audit", newBooklet},
	}
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				emptyDatabase(t, db)
				w := populate(t, s, clock)
				// One booklet replaced, another only blocked.
				held := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.Booklet, error) {
					return tx.BeneficiaryBooklets(ctx, w.ben.ID)
				})
				if _, err := w.Replace(w.dist, held[0].ID, w.dist.OrganisationID, "perdu"); err != nil {
					t.Fatal(err)
				}
				other := w.MustBeneficiary(w.dist)
				bk := w.MustHandOut(w.dist, other.ID, w.prog.ID)
				if _, err := w.Block(w.dist, bk.ID, w.dist.OrganisationID, "volé"); err != nil {
					t.Fatal(err)
				}
				mustCheck(t, s)
				wantViolation(t, s, db, tt.name, tt.invariant, tt.mention, tt.sql)
			})
		}
	})
}

// Cancelling a redemption of a pass whose booklet was blocked since leaves
// the pass blocked: a lost booklet's pass must not come back to life.
func TestCancelRedemptionInBlockedBooklet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		red := w.MustRedeem(w.place, bk.Passes[0].Code)
		if _, err := w.Block(w.dist, bk.ID, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Cancel(w.place, red.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		if p := w.Pass(bk.Passes[0].Code); p.Status != passnum.PassBlocked {
			t.Fatalf("pass of a blocked booklet after its redemption was cancelled: %s", p.Status)
		}
		_, err := w.Redeem(w.place, bk.Passes[0].Code)
		wantCode(t, err, passnum.EBLOCKED)
		mustCheck(t, s)
	})
}

// Check finds a replacement worth more than what the lost booklet had
// left.
func TestCheckCatchesReplacementValue(t *testing.T) {
	const (
		replacement = `SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL`
		lost        = `SELECT id FROM booklets WHERE replaced_by IS NOT NULL`
	)
	tests := []struct {
		name, invariant, mention string
		sql                      []string
	}{
		{"voided pass handed out", "booklet", replacement,
			[]string{`UPDATE passes SET status = 'assigned' WHERE id = (SELECT MIN(id) FROM passes WHERE status = 'unassigned' AND booklet_id = (` + replacement + `))`}},
		{"replacement handed out whole", "booklet", lost,
			[]string{`UPDATE passes SET status = 'assigned' WHERE status = 'unassigned' AND booklet_id = (` + replacement + `)`,
				`UPDATE booklets SET voided_passes = 0 WHERE id = (` + replacement + `)`}},
		{"voided passes miscounted", "booklet", replacement,
			[]string{`UPDATE booklets SET voided_passes = voided_passes + 1 WHERE id = (` + replacement + `)`}},
	}
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				emptyDatabase(t, db)
				w := newWorld(t, s, clock)
				bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
				w.MustRedeem(w.place, bk.Passes[0].Code)
				if _, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu"); err != nil {
					t.Fatal(err)
				}
				mustCheck(t, s)
				wantViolation(t, s, db, tt.name, tt.invariant, tt.mention, tt.sql)
			})
		}
	})
}

// A replacement handed out whole before the rule (marked replaced_whole by
// its migration) is left as it was: check accepts it, and only it.
func TestCheckAcceptsEarlierWholeReplacements(t *testing.T) {
	const replacement = `SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL`
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)
		if _, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE passes SET status = 'assigned' WHERE status = 'unassigned' AND booklet_id = (` + replacement + `)`,
			`UPDATE booklets SET voided_passes = 0 WHERE id = (` + replacement + `)`,
		} {
			rawExec(t, db, q)
		}
		if err := s.Check(t.Context()); err == nil {
			t.Fatal("a whole replacement passed check without its mark")
		}
		rawExec(t, db, `UPDATE booklets SET replaced_whole = 1 WHERE id = (`+replacement+`)`)
		mustCheck(t, s)
	})
}
