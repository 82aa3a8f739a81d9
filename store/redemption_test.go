package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

func catRedeem(t *testing.T, w *world, place passnum.Actor, r store.RedeemRequest) (store.Redeemed, error) {
	t.Helper()
	return write(t, w.s, func(ctx context.Context, tx *store.Tx) (store.Redeemed, error) {
		return tx.RedeemTraining(ctx, place, r)
	})
}

func catPassStatuses(t *testing.T, w *world, codes []string) []passnum.PassStatus {
	t.Helper()
	out := make([]passnum.PassStatus, len(codes))
	for i, c := range codes {
		out[i] = w.Pass(c).Status
	}
	return out
}

func wantStatuses(t *testing.T, got []passnum.PassStatus, want ...passnum.PassStatus) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
}

const (
	as = passnum.PassAssigned
	rd = passnum.PassRedeemed
)

func TestRedeemAtSiteAndSession(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		other := w.MustPlace("Fablab des Usines")
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		site2 := catSite(t, w, w.place, "Annexe des Grésilles")
		otherSite := catSite(t, w, other, "Fablab")
		tr := catTraining(t, w, w.place, 1)
		se := catSession(t, w, w.place, tr.ID, site, time.Hour, 10)
		otherSession := catSession(t, w, other, catTraining(t, w, other, 1).ID, otherSite, time.Hour, 10)
		codes := func() []string {
			var out []string
			for _, p := range w.MustHandOut(w.dist, w.MustBeneficiary(w.dist).ID, w.prog.ID).Passes {
				out = append(out, p.Code)
			}
			return out
		}()
		clock.Advance(3 * time.Hour) // the training took place

		t.Run("refusals change nothing", func(t *testing.T) {
			cases := []struct {
				name  string
				r     store.RedeemRequest
				code  string
				field string
			}{
				{"another place's site", store.RedeemRequest{Service: catService, SiteID: otherSite}, passnum.EINVALID, "site_id"},
				{"unknown site", store.RedeemRequest{Service: catService, SiteID: passnum.NewID(clock.Now())}, passnum.EINVALID, "site_id"},
				{"another place's session", store.RedeemRequest{SessionID: otherSession.ID}, passnum.EINVALID, "session_id"},
				{"service of another training", store.RedeemRequest{SessionID: se.ID, Service: "Aide aux démarches administratives"}, passnum.EINVALID, "service"},
				{"site other than the session's", store.RedeemRequest{SessionID: se.ID, SiteID: site2}, passnum.EINVALID, "site_id"},
				{"no service and no session", store.RedeemRequest{}, passnum.EINVALID, "service"},
			}
			for _, c := range cases {
				c.r.Code = codes[0]
				_, err := catRedeem(t, w, w.place, c.r)
				e := wantCode(t, err, c.code)
				if c.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != c.field) {
					t.Fatalf("%s: fields %+v", c.name, e.Fields)
				}
			}
			wantStatuses(t, catPassStatuses(t, w, codes[:1]), as)
		})

		t.Run("at a site", func(t *testing.T) {
			out, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[0], Service: catService, SiteID: site2})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Redemptions) != 1 || out.SiteID != site2 || out.SessionID != "" || out.GroupID != "" {
				t.Fatalf("redeemed %+v", out)
			}
			got := rawStrings(t, db, `SELECT COALESCE(site_id, '') || '/' || COALESCE(session_id, '') || '/' || COALESCE(group_id, '') FROM redemptions WHERE id = '`+out.Redemptions[0].ID+`'`)
			if len(got) != 1 || got[0] != site2+"//" {
				t.Fatalf("stored %v", got)
			}
		})

		t.Run("for a session, service and site from it", func(t *testing.T) {
			out, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[1], SessionID: se.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Redemptions) != 1 || out.Redemptions[0].Service != tr.Service || out.SiteID != site || out.SessionID != se.ID {
				t.Fatalf("redeemed %+v", out)
			}
			got := rawStrings(t, db, `SELECT site_id || '/' || session_id FROM redemptions WHERE id = '`+out.Redemptions[0].ID+`'`)
			if len(got) != 1 || got[0] != site+"/"+se.ID {
				t.Fatalf("stored %v", got)
			}
			// The same service given explicitly is accepted.
			if _, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[2], SessionID: se.ID, Service: tr.Service, SiteID: site}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("cancelled session", func(t *testing.T) {
			later := catSession(t, w, w.place, tr.ID, site, 24*time.Hour, 3)
			if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Session, error) {
				return tx.CancelSession(ctx, w.place, later.ID, "salle indisponible")
			}); err != nil {
				t.Fatal(err)
			}
			_, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[3], SessionID: later.ID})
			wantCode(t, err, passnum.ESESSIONCLOSED)
			wantStatuses(t, catPassStatuses(t, w, codes[3:4]), as)
		})
		mustCheck(t, s)
	})
}

func TestRedeemTrainingOfSeveralPasses(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		three := catTraining(t, w, w.place, 3)
		se := catSession(t, w, w.place, three.ID, site, time.Hour, 10)
		clock.Advance(3 * time.Hour)
		codesOf := func(bk passnum.Booklet) []string {
			var out []string
			for _, p := range bk.Passes {
				out = append(out, p.Code)
			}
			return out
		}

		t.Run("three passes at once, then two left: nothing", func(t *testing.T) {
			codes := codesOf(w.MustHandOut(w.dist, w.MustBeneficiary(w.dist).ID, w.prog.ID))
			out, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[2], SessionID: se.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Redemptions) != 3 || out.GroupID == "" || out.Redemptions[0].Code != codes[2] {
				t.Fatalf("redeemed %+v", out)
			}
			// The scanned pass, then the booklet's others in order.
			wantStatuses(t, catPassStatuses(t, w, codes), rd, rd, rd, as, as)
			for _, r := range out.Redemptions {
				if r.Service != three.Service || r.AmountCents != 1000 || r.Status != passnum.RedemptionActive {
					t.Fatalf("redemption %+v", r)
				}
				if n := catAuditCount(t, w, "redemption", r.ID, "pass.redeem"); n != 1 {
					t.Fatalf("redemption %s: %d audit entries", r.ID, n)
				}
			}
			if got := rawStrings(t, db, `SELECT CAST(SUM(l.amount_cents) AS TEXT) FROM ledger_entries l JOIN redemptions r ON r.id = l.redemption_id WHERE r.group_id = '`+out.GroupID+`'`); len(got) != 1 || got[0] != "3000" {
				t.Fatalf("ledger for the group: %v", got)
			}
			mustCheck(t, s)

			_, err = catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[3], SessionID: se.ID})
			e := wantCode(t, err, passnum.ENOTENOUGHPASSES)
			if e.Extra["passes_required"] != 3 || e.Extra["passes_available"] != 2 {
				t.Fatalf("extra %v", e.Extra)
			}
			wantStatuses(t, catPassStatuses(t, w, codes), rd, rd, rd, as, as)

			// Cancelling one redemption of the group cancels the training.
			if _, err := w.Cancel(w.place, out.Redemptions[1].ID, "mauvaise session"); err != nil {
				t.Fatal(err)
			}
			wantStatuses(t, catPassStatuses(t, w, codes), as, as, as, as, as)
			for _, r := range out.Redemptions {
				got := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
					return tx.Redemption(ctx, r.ID, "")
				})
				if got.Status != passnum.RedemptionCancelled {
					t.Fatalf("redemption left active: %+v", got)
				}
			}
			_, err = w.Cancel(w.place, out.Redemptions[0].ID, "encore")
			wantCode(t, err, passnum.EALREADYCANCELLED)
			mustCheck(t, s)
		})

		t.Run("same booklet first, then the oldest", func(t *testing.T) {
			ben := w.MustBeneficiary(w.dist)
			first := codesOf(w.MustHandOut(w.dist, ben.ID, w.prog.ID))
			clock.Advance(time.Minute)
			second := codesOf(w.MustHandOut(w.dist, ben.ID, w.prog.ID))
			for _, c := range first[:4] {
				w.MustRedeem(w.place, c)
			}
			// One pass left in the first booklet: a pass scanned from the
			// second takes its own booklet's passes.
			out, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: second[4], SessionID: se.ID})
			if err != nil {
				t.Fatal(err)
			}
			wantStatuses(t, catPassStatuses(t, w, second), rd, rd, as, as, rd)
			wantStatuses(t, catPassStatuses(t, w, first[4:]), as)
			// Two left in the second booklet, one in the first: scanning
			// the first's takes both of the second.
			if _, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: first[4], SessionID: se.ID}); err != nil {
				t.Fatal(err)
			}
			wantStatuses(t, catPassStatuses(t, w, append(first, second...)), rd, rd, rd, rd, rd, rd, rd, rd, rd, rd)
			if len(out.Redemptions) != 3 {
				t.Fatalf("redeemed %+v", out)
			}
			mustCheck(t, s)
		})

		t.Run("a training above the programme's maximum", func(t *testing.T) {
			six := catTraining(t, w, w.place, 6)
			se6 := catSession(t, w, w.place, six.ID, site, time.Hour, 10)
			clock.Advance(2 * time.Hour)
			ben := w.MustBeneficiary(w.dist)
			codes := append(codesOf(w.MustHandOut(w.dist, ben.ID, w.prog.ID)), codesOf(w.MustHandOut(w.dist, ben.ID, w.prog.ID))...)
			_, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: codes[0], SessionID: se6.ID})
			if e := wantCode(t, err, passnum.EINVALID); e.Fields[0].Field != "session_id" {
				t.Fatalf("fields %+v", e.Fields)
			}
			for _, st := range catPassStatuses(t, w, codes) {
				if st != as {
					t.Fatal("a refused training redeemed a pass")
				}
			}
		})
		mustCheck(t, s)
	})
}

// Every pass of one booklet scanned at once, each for a training of three
// passes: five passes pay for one training, never more, never a part.
func TestRedeemTrainingRace(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		se := catSession(t, w, w.place, catTraining(t, w, w.place, 3).ID, site, time.Hour, 10)
		clock.Advance(3 * time.Hour)
		for round := range 3 {
			bk := w.MustHandOut(w.dist, w.MustBeneficiary(w.dist).ID, w.prog.ID)
			errs := race(len(bk.Passes), func(i int) error {
				_, err := catRedeem(t, w, w.place, store.RedeemRequest{Code: bk.Passes[i].Code, SessionID: se.ID})
				return err
			})
			won := 0
			for i, err := range errs {
				switch passnum.ErrorCode(err) {
				case "":
					won++
				case passnum.ENOTENOUGHPASSES, passnum.EALREADYREDEEMED, passnum.ECONFLICT:
				default:
					t.Fatalf("round %d, contender %d: %v", round, i, err)
				}
			}
			redeemed := 0
			for _, p := range bk.Passes {
				if w.Pass(p.Code).Status == rd {
					redeemed++
				}
			}
			if won != 1 || redeemed != 3 {
				t.Fatalf("round %d: %d trainings redeemed, %d passes used; want 1 and 3", round, won, redeemed)
			}
			mustCheck(t, s)
		}
	})
}
