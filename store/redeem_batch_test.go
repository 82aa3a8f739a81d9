package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// Group redemption: Store.RedeemGrouped runs concurrent simple redemptions
// together, several in one write of multi-row statements, on both engines
// (through the writer on SQLite, in a transaction of the batcher's on
// PostgreSQL). It must answer what RedeemTraining alone would, request by
// request, and write the same rows.

const groupService = "Maîtrise des outils numériques du quotidien"

// redeemGrouped is what the API does without an Idempotency-Key.
func redeemGrouped(s *store.Store, actor passnum.Actor, r store.RedeemRequest) (store.Redeemed, error) {
	return s.RedeemGrouped(context.Background(), actor, r)
}

// redeemAlone is the normal path: RedeemTraining in its own write.
func redeemAlone(s *store.Store, actor passnum.Actor, r store.RedeemRequest) (store.Redeemed, error) {
	var out store.Redeemed
	ctx := context.Background()
	err := s.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.RedeemTraining(ctx, actor, r)
		return err
	})
	return out, err
}

// together runs n calls at once.
func together(n int, call func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			call(i)
		}()
	}
	close(start)
	wg.Wait()
}

// handOutMany hands out booklets booklets of w's programme, one per new
// beneficiary, and returns their codes.
func handOutMany(t *testing.T, w *world, booklets int) []string {
	t.Helper()
	w.MustIssue(w.prog.ID, int64(booklets))
	w.MustAllocate(w.prog.ID, w.dist.OrganisationID, int64(booklets))
	var codes []string
	for range booklets {
		for _, p := range w.MustHandOut(w.dist, w.MustBeneficiary(w.dist).ID, w.prog.ID).Passes {
			codes = append(codes, p.Code)
		}
	}
	return codes
}

func logBatches(t *testing.T, s *store.Store) {
	t.Helper()
	if b, n := s.RedeemBatchStats(); b > 0 {
		t.Logf("%s: %d requests in %d group writes (%.1f each)", s.Engine(), n, b, float64(n)/float64(b))
	}
}

func TestRedeemGroupedDistinctPasses(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		codes := handOutMany(t, w, 40) // 200 passes
		places := []passnum.Actor{w.place, w.MustPlace("Fablab des Usines")}
		places[1].Kind, places[1].ID = "user", "agent-fablab"
		// One by the normal path, to compare the rows written.
		ref, err := redeemAlone(s, places[0], store.RedeemRequest{Code: codes[0], Service: groupService})
		if err != nil {
			t.Fatal(err)
		}
		codes = codes[1:]
		b0, _ := s.RedeemBatchStats()
		outs := make([]store.Redeemed, len(codes))
		errs := make([]error, len(codes))
		together(len(codes), func(i int) {
			outs[i], errs[i] = redeemGrouped(s, places[i%2], store.RedeemRequest{Code: codes[i], Service: groupService})
		})
		logBatches(t, s)
		if b1, _ := s.RedeemBatchStats(); b1 == b0 {
			t.Fatal("no group write ran")
		}
		seen := map[string]bool{}
		for i, code := range codes {
			if errs[i] != nil {
				t.Fatalf("redeem %d: %v", i, errs[i])
			}
			if len(outs[i].Redemptions) != 1 || outs[i].GroupID != "" || outs[i].SiteID != "" || outs[i].SessionID != "" {
				t.Fatalf("redeem %d: %+v", i, outs[i])
			}
			red := outs[i].Redemptions[0]
			want := ref.Redemptions[0]
			want.ID, want.Code, want.PlaceID = red.ID, code, places[i%2].OrganisationID
			if !reflect.DeepEqual(red, want) {
				t.Fatalf("redemption %d:\n got %+v\nwant %+v", i, red, want)
			}
			if seen[red.ID] {
				t.Fatalf("redemption id %s twice", red.ID)
			}
			seen[red.ID] = true
			stored := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
				return tx.Redemption(ctx, red.ID, "")
			})
			if !stored.RedeemedAt.Equal(red.RedeemedAt) {
				t.Fatalf("stored at %s, answered %s", stored.RedeemedAt, red.RedeemedAt)
			}
			stored.RedeemedAt = red.RedeemedAt
			if !reflect.DeepEqual(stored, red) {
				t.Fatalf("stored redemption:\n got %+v\nwant %+v", stored, red)
			}
			if p := w.Pass(code); p.Status != passnum.PassRedeemed {
				t.Fatalf("pass %d: %s", i, p.Status)
			}
		}
		// The same audit entry as the normal path writes.
		auditOf := func(red passnum.Redemption) passnum.AuditEntry {
			entries := view(t, s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
				out, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "redemption", ObjectID: red.ID})
				return out, err
			})
			if len(entries) != 1 {
				t.Fatalf("audit of %s: %+v", red.ID, entries)
			}
			return entries[0]
		}
		refAudit := auditOf(ref.Redemptions[0])
		for i := range codes {
			red := outs[i].Redemptions[0]
			got := auditOf(red)
			var details map[string]string
			if err := json.Unmarshal([]byte(got.Details), &details); err != nil || len(details) != 1 || details["pass_id"] != w.Pass(codes[i]).ID {
				t.Fatalf("audit details %q (%v)", got.Details, err)
			}
			want := refAudit
			want.ID, want.ObjectID, want.Details = got.ID, red.ID, got.Details
			want.OrganisationID, want.ActorKind, want.ActorID = places[i%2].OrganisationID, places[i%2].Kind, places[i%2].ID
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("audit entry:\n got %+v\nwant %+v", got, want)
			}
		}
		// Ledger: one +amount entry per redemption, on its place and
		// programme, at its instant; and the redemption's actor.
		var n, total int64
		if err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(l.amount_cents), 0) FROM ledger_entries l JOIN redemptions r ON r.id = l.redemption_id
			WHERE l.kind = 'redemption' AND l.amount_cents = r.amount_cents AND l.place_id = r.place_id AND l.programme_id = r.programme_id AND l.at = r.redeemed_at`).Scan(&n, &total); err != nil {
			t.Fatal(err)
		}
		if want := int64(len(codes) + 1); n != want || total != want*1000 {
			t.Fatalf("ledger: %d entries, %d cents; want %d", n, total, want)
		}
		var badActors int
		if err := db.QueryRow(`SELECT COUNT(*) FROM redemptions WHERE NOT ((place_id = '` + places[0].OrganisationID + `' AND actor_kind = '` + places[0].Kind + `' AND actor_id = '` + places[0].ID + `')
			OR (place_id = '` + places[1].OrganisationID + `' AND actor_kind = 'user' AND actor_id = 'agent-fablab'))
			OR site_id IS NOT NULL OR session_id IS NOT NULL OR group_id IS NOT NULL`).Scan(&badActors); err != nil {
			t.Fatal(err)
		}
		if badActors != 0 {
			t.Fatalf("%d redemptions with the wrong actor or extra references", badActors)
		}
		mustCheck(t, s)
	})
}

func TestRedeemGroupedSamePass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		code := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID).Passes[0].Code
		places := []passnum.Actor{w.place, w.MustPlace("Fablab des Usines")}
		outs := make([]store.Redeemed, 100)
		errs := make([]error, 100)
		together(100, func(i int) {
			outs[i], errs[i] = redeemGrouped(s, places[i%2], store.RedeemRequest{Code: code, Service: groupService})
		})
		logBatches(t, s)
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("redeemed twice: by %d and %d", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("nobody redeemed: %v", errs[0])
		}
		red := outs[winner].Redemptions[0]
		for i, err := range errs {
			if i == winner {
				continue
			}
			e := wantCode(t, err, passnum.EALREADYREDEEMED)
			if at, _ := e.Extra["redeemed_at"].(time.Time); !at.Equal(red.RedeemedAt) || e.Extra["place_id"] != red.PlaceID {
				t.Fatalf("refusal %d names %v, want the winner's %v at %s", i, e.Extra, red.RedeemedAt, red.PlaceID)
			}
		}
		mustCheck(t, s)
	})
}

// TestRedeemGroupedRefusals sends good and bad redemptions at once: every
// refusal is the normal path's, word for word, and changes nothing.
func TestRedeemGroupedRefusals(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		codes := handOutMany(t, w, 6) // 30 passes, booklets of 5
		paris := w.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Espace numérique parisien", SIRET: nextSIRET(), CommuneINSEE: "75056"})
		w.MustSetPlaceStatus(paris.ID, passnum.OrgLabelled, "")
		pending := actorOf(w.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu en attente", SIRET: nextSIRET(), CommuneINSEE: "21231"}))
		suspended := w.MustPlace("Lieu suspendu")
		w.MustSetPlaceStatus(suspended.OrganisationID, passnum.OrgSuspended, "contrôle")
		// Booklet 1 (codes 5-9) is lost; code 10 was redeemed before.
		bk := view(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Pass, error) { return tx.Pass(ctx, codes[5]) }).BookletID
		if _, err := w.Block(w.dist, bk, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		before := w.MustRedeem(w.place, codes[10])
		var unassigned string
		if err := db.QueryRow(`SELECT code FROM passes WHERE status = 'unassigned' ORDER BY code LIMIT 1`).Scan(&unassigned); err != nil {
			t.Fatal(err)
		}
		type attempt struct {
			name  string
			actor passnum.Actor
			r     store.RedeemRequest
			want  string // "" for a success
		}
		req := func(code string) store.RedeemRequest { return store.RedeemRequest{Code: code, Service: groupService} }
		attempts := []attempt{
			{"good", w.place, req(codes[0]), ""},
			{"good", w.place, req(codes[1]), ""},
			{"blocked", w.place, req(codes[5]), passnum.EBLOCKED},
			{"blocked", w.place, req(codes[6]), passnum.EBLOCKED},
			{"already redeemed", w.place, req(codes[10]), passnum.EALREADYREDEEMED},
			{"unknown", w.place, req(passnum.NewPassCode()), passnum.ENOTFOUND},
			{"not handed out", w.place, req(unassigned), passnum.ENOTASSIGNED},
			{"outside the territory", actorOf(paris), req(codes[11]), passnum.EOUTSIDETERRITORY},
			{"outside the territory", actorOf(paris), req(codes[12]), passnum.EOUTSIDETERRITORY},
			{"good", w.place, req(codes[13]), ""},
			{"place not labelled", pending, req(codes[14]), passnum.EPLACENOTLABELLED},
			{"place suspended", suspended, req(codes[15]), passnum.EPLACENOTLABELLED},
			{"bad service", w.place, store.RedeemRequest{Code: codes[16], Service: "Cours de cuisine"}, passnum.EINVALID},
			{"good", w.place, req(codes[17]), ""},
		}
		// Several rounds, so that the refusals meet good redemptions in
		// shared batches.
		for round := range 3 {
			outs := make([]store.Redeemed, len(attempts))
			errs := make([]error, len(attempts))
			together(len(attempts), func(i int) {
				a := attempts[i]
				outs[i], errs[i] = redeemGrouped(s, a.actor, a.r)
			})
			for i, a := range attempts {
				if a.want == "" {
					if errs[i] != nil {
						t.Fatalf("round %d, %s: %v", round, a.name, errs[i])
					}
					continue
				}
				wantCode(t, errs[i], a.want)
				_, alone := redeemAlone(s, a.actor, a.r)
				if errs[i].Error() != alone.Error() || passnum.ErrorCode(errs[i]) != passnum.ErrorCode(alone) {
					t.Fatalf("round %d, %s:\ngrouped %v\n  alone %v", round, a.name, errs[i], alone)
				}
				var ge, ae *passnum.Error
				if !errors.As(errs[i], &ge) || !errors.As(alone, &ae) || !reflect.DeepEqual(ge.Extra, ae.Extra) {
					t.Fatalf("round %d, %s: extra %v, alone %v", round, a.name, ge.Extra, ae.Extra)
				}
			}
			// Refusals change nothing; successes stay.
			for _, c := range []int{11, 12, 14, 15, 16} {
				if p := w.Pass(codes[c]); p.Status != passnum.PassAssigned {
					t.Fatalf("round %d: refused pass %d is %s", round, c, p.Status)
				}
			}
			if p := w.Pass(codes[10]); p.LastRedemption == nil || p.LastRedemption.RedemptionID != before.ID {
				t.Fatalf("the earlier redemption changed: %+v", p.LastRedemption)
			}
			mustCheck(t, s)
			// Next round: the good ones are now already redeemed.
			for i := range attempts {
				if attempts[i].want == "" {
					attempts[i].want = passnum.EALREADYREDEEMED
					attempts[i].name = "good, again"
				}
			}
		}
		logBatches(t, s)
	})
}

// TestRedeemGroupedNotSimple: a redemption at a site or for a session
// is not grouped; RedeemGrouped runs it through RedeemTraining, in a write
// of its own, with all that it writes.
func TestRedeemGroupedNotSimple(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		codes := handOutMany(t, w, 1)
		site := catSite(t, w, w.place, "Médiathèque Pierre-Bayle")
		tr := catTraining(t, w, w.place, 2)
		se := catSession(t, w, w.place, tr.ID, site, time.Hour, 10)
		clock.Advance(3 * time.Hour) // the training took place
		b0, _ := s.RedeemBatchStats()
		out, err := redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[0], Service: groupService, SiteID: site})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Redemptions) != 1 || out.SiteID != site {
			t.Fatalf("at a site: %+v", out)
		}
		out, err = redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[1], SessionID: se.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Redemptions) != 2 || out.SessionID != se.ID || out.SiteID != site || out.GroupID == "" {
			t.Fatalf("for a session of two passes: %+v", out)
		}
		got := rawStrings(t, db, `SELECT COALESCE(site_id, '') || '/' || COALESCE(session_id, '') || '/' || COALESCE(group_id, '') FROM redemptions ORDER BY id`)
		if want := []string{site + "//", site + "/" + se.ID + "/" + out.GroupID, site + "/" + se.ID + "/" + out.GroupID}; !reflect.DeepEqual(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}
		// A refusal without a service is the normal path's too.
		_, err = redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[3]})
		wantCode(t, err, passnum.EINVALID)
		if b1, _ := s.RedeemBatchStats(); b1 != b0 {
			t.Fatalf("%d group writes for redemptions that are not simple", b1-b0)
		}
		mustCheck(t, s)
	})
}

// openWith opens a store of the engine on a fresh database with opts (a
// fixed clock at the epoch), and returns it with its URL.
func openWith(t *testing.T, engine string, opts store.Options) (*store.Store, *passnum.FixedClock, string) {
	t.Helper()
	u := "sqlite:" + filepath.Join(t.TempDir(), "passnum.db")
	if engine == "postgres" {
		u = storetest.NewPostgresDatabase(t)
		opts.MaxConns = 8
	}
	clock := passnum.NewFixedClock(storetest.Epoch)
	opts.Clock, opts.Migrate = clock, true
	s, err := store.Open(t.Context(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock, u
}

// TestRedeemGroupedOff: with GroupRedemptions off, nothing is grouped.
func TestRedeemGroupedOff(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s, clock, _ := openWith(t, engine, store.Options{GroupRedemptions: store.GroupOff})
			w := newWorld(t, s, clock)
			codes := handOutMany(t, w, 2)
			errs := make([]error, len(codes))
			together(len(codes), func(i int) {
				_, errs[i] = redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[i], Service: groupService})
			})
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if b, _ := s.RedeemBatchStats(); b != 0 {
				t.Fatalf("%d group writes with grouping off", b)
			}
			mustCheck(t, s)
		})
	}
}

// TestRedeemGroupedClose closes the store while redemptions are coming:
// each gets an answer, a success is kept, a refusal is "unavailable".
func TestRedeemGroupedClose(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s, clock, u := openWith(t, engine, store.Options{})
			w := newWorld(t, s, clock)
			codes := handOutMany(t, w, 20)
			errs := make([]error, len(codes))
			finished := make(chan struct{})
			go func() {
				together(len(codes), func(i int) {
					if i == len(codes)/2 {
						s.Close()
					}
					_, errs[i] = redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[i], Service: groupService})
				})
				close(finished)
			}()
			select {
			case <-finished:
			case <-time.After(30 * time.Second):
				t.Fatal("redemptions still waiting 30 s after Close")
			}
			s2, err := store.Open(t.Context(), u, store.Options{Clock: clock, MaxConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			for i, err := range errs {
				p := view(t, s2, func(ctx context.Context, tx *store.Tx) (passnum.Pass, error) { return tx.Pass(ctx, codes[i]) })
				switch {
				case err == nil && p.Status != passnum.PassRedeemed:
					t.Fatalf("redemption %d answered but pass %s", i, p.Status)
				case err != nil && passnum.ErrorCode(err) != passnum.EUNAVAILABLE:
					t.Fatalf("redemption %d: %v", i, err)
				case err != nil && p.Status != passnum.PassAssigned:
					t.Fatalf("redemption %d refused (%v) but pass %s", i, err, p.Status)
				}
			}
			mustCheck(t, s2)
		})
	}
}

// lockedBuffer collects a store's log lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRedeemGroupedBatchFails: when a batch's write fails as a whole
// (here a pass that is 'assigned' but already has an active redemption,
// which breaks the unique index), every request in it runs alone and gets
// its own answer: the others are redeemed.
func TestRedeemGroupedBatchFails(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testRedeemGroupedBatchFails(t, engine) })
	}
}

func testRedeemGroupedBatchFails(t *testing.T, engine string) {
	var logs lockedBuffer
	s, clock, u := openWith(t, engine, store.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	db := openRaw(t, u)
	w := newWorld(t, s, clock)
	codes := handOutMany(t, w, 6)
	bad := w.Pass(codes[0])
	if _, err := db.Exec(`INSERT INTO redemptions (id, pass_id, programme_id, place_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
		VALUES ('` + passnum.NewID(clock.Now()) + `', '` + bad.ID + `', '` + w.prog.ID + `', '` + w.place.OrganisationID + `', 'x', 1000, 0, 'active', 'test', 'test')`); err != nil {
		t.Fatal(err)
	}
	_, alone := redeemAlone(s, w.place, store.RedeemRequest{Code: codes[0], Service: groupService})
	if alone == nil {
		t.Fatal("the broken pass was redeemed")
	}
	for round := 0; round < 5 && !strings.Contains(logs.String(), "group redemption failed"); round++ {
		n := 6
		errs := make([]error, n)
		start := 1 + round*n
		if start+n > len(codes) {
			break
		}
		together(n+1, func(i int) {
			if i == n {
				_, err := redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[0], Service: groupService})
				if err == nil || err.Error() != alone.Error() {
					t.Errorf("broken pass: %v, alone %v", err, alone)
				}
				return
			}
			_, errs[i] = redeemGrouped(s, w.place, store.RedeemRequest{Code: codes[start+i], Service: groupService})
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, redemption %d: %v", round, i, err)
			}
		}
	}
	if !strings.Contains(logs.String(), "group redemption failed") {
		t.Fatalf("no batch met the broken pass; log:\n%s", logs.String())
	}
	if _, err := db.Exec(`DELETE FROM redemptions WHERE actor_kind = 'test'`); err != nil {
		t.Fatal(err)
	}
	// The row written behind the store's back counted in its booklet's
	// uses when the booklet's other passes were redeemed: the statistics
	// are computed again, as an existing database's migration does.
	if err := s.RefillStatsForTests(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
}

// TestRedeemGroupedSharesCommit: on SQLite the group's write may share the
// writer's commit with other writes, under a savepoint: a failing group
// write leaves its batch-mate's changes alone (and its requests then run
// alone), and a failing batch-mate leaves the group's redemptions alone.
func TestRedeemGroupedSharesCommit(t *testing.T) {
	var logs lockedBuffer
	s, clock, u := openWith(t, "sqlite", store.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	db := openRaw(t, u)
	w := newWorld(t, s, clock)
	codes := handOutMany(t, w, 6) // 30 passes: 5 attempts of 4, then 1 and 5 attempts of 1
	ctx := t.Context()
	// hold blocks the writer, then queues the group's write of reqs and
	// another write, so that they share the writer's next commit; it
	// returns the writer's commits and writes meanwhile.
	hold := func(reqs []string, other func(*store.Tx) error) (commits, writes int64, groupErrs []error, otherErr error) {
		c0, w0 := s.WriterStats()
		held, release := make(chan struct{}), make(chan struct{})
		go s.Write(ctx, func(*store.Tx) error {
			close(held)
			<-release
			return nil
		})
		<-held
		b0, _ := s.RedeemBatchStats()
		groupErrs = make([]error, len(reqs))
		var wg sync.WaitGroup
		for i, code := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, groupErrs[i] = redeemGrouped(s, w.place, store.RedeemRequest{Code: code, Service: groupService})
			}()
		}
		for b, _ := s.RedeemBatchStats(); b == b0; b, _ = s.RedeemBatchStats() {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the batch's write is queued
		otherDone := make(chan error, 1)
		go func() { otherDone <- s.Write(ctx, other) }()
		time.Sleep(20 * time.Millisecond)
		close(release)
		wg.Wait()
		otherErr = <-otherDone
		c1, w1 := s.WriterStats()
		return c1 - c0, w1 - w0, groupErrs, otherErr
	}

	// Sharing depends on timing (the group's write must be queued when
	// the writer is released): each case is tried until it shares.
	const attempts = 5
	next := 0
	take := func(n int) []string {
		next += n
		return codes[next-n : next]
	}

	// A failing batch-mate: the group's redemptions stay.
	boom := errors.New("boom")
	for attempt := 1; ; attempt++ {
		group, mate := take(3), take(1)[0]
		commits, writes, errs, other := hold(group, func(tx *store.Tx) error {
			if _, err := tx.Redeem(ctx, w.place, store.RedeemRequest{Code: mate, Service: groupService}); err != nil {
				return err
			}
			return boom
		})
		if other != boom {
			t.Fatalf("other write: %v", other)
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("grouped %d: %v", i, err)
			}
			if p := w.Pass(group[i]); p.Status != passnum.PassRedeemed {
				t.Fatalf("grouped %d: pass %s", i, p.Status)
			}
		}
		if p := w.Pass(mate); p.Status != passnum.PassAssigned {
			t.Fatalf("the failed write's redemption was kept: %s", p.Status)
		}
		if writes == commits+1 { // only the group's write and the other may share
			break
		}
		if attempt == attempts {
			t.Fatalf("%d writes in %d commits: the group's write never shared a commit", writes, commits)
		}
	}

	// A failing group write (a broken pass): its batch-mate stays, and
	// its request runs alone, refused as alone.
	broken := take(1)[0]
	bad := w.Pass(broken)
	if _, err := db.Exec(`INSERT INTO redemptions (id, pass_id, programme_id, place_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
		VALUES ('` + passnum.NewID(clock.Now()) + `', '` + bad.ID + `', '` + w.prog.ID + `', '` + w.place.OrganisationID + `', 'x', 1000, 0, 'active', 'test', 'test')`); err != nil {
		t.Fatal(err)
	}
	_, alone := redeemAlone(s, w.place, store.RedeemRequest{Code: broken, Service: groupService})
	if alone == nil {
		t.Fatal("the broken pass was redeemed")
	}
	for attempt := 1; ; attempt++ {
		mate := take(1)[0]
		commits, writes, errs, other := hold([]string{broken}, func(tx *store.Tx) error {
			_, err := tx.Redeem(ctx, w.place, store.RedeemRequest{Code: mate, Service: groupService})
			return err
		})
		if other != nil {
			t.Fatalf("other write: %v", other)
		}
		if p := w.Pass(mate); p.Status != passnum.PassRedeemed {
			t.Fatalf("batch-mate: pass %s", p.Status)
		}
		if errs[0] == nil || errs[0].Error() != alone.Error() {
			t.Fatalf("broken pass: %v, alone %v", errs[0], alone)
		}
		if writes == commits+1 {
			break
		}
		if attempt == attempts {
			t.Fatalf("%d writes in %d commits: the group's write never shared a commit", writes, commits)
		}
	}
	if !strings.Contains(logs.String(), "group redemption failed") {
		t.Fatalf("the group write did not fail; log:\n%s", logs.String())
	}
	if _, err := db.Exec(`DELETE FROM redemptions WHERE actor_kind = 'test'`); err != nil {
		t.Fatal(err)
	}
	// The row written behind the store's back counted in its booklet's
	// uses when the booklet's other passes were redeemed: the statistics
	// are computed again, as an existing database's migration does.
	if err := s.RefillStatsForTests(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
}

// TestRedemptionRecordsTheOnlySite: a redemption that names neither a site
// nor a session is recorded at the place's site when the place has exactly
// one, on the normal path, the group path and the seed's bulk path alike
// (the pages use the first, the API the second); a place with several
// sites or none records none.
func TestRedemptionRecordsTheOnlySite(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		codes := handOutMany(t, w, 8) // 40 passes
		one := w.place
		only := catSite(t, w, one, "Médiathèque Pierre-Bayle")
		two := w.MustPlace("Fablab des Usines")
		catSite(t, w, two, "Fablab, atelier nord")
		catSite(t, w, two, "Fablab, atelier sud")
		none := w.MustPlace("Espace numérique sans site")
		want := map[string]string{one.OrganisationID: only, two.OrganisationID: "", none.OrganisationID: ""}
		places := []passnum.Actor{one, two, none}

		check := func(path string, out store.Redeemed, place passnum.Actor) {
			t.Helper()
			w := want[place.OrganisationID]
			if out.SiteID != w || len(out.Redemptions) != 1 || out.Redemptions[0].SiteID != w {
				t.Fatalf("%s at %s: answered site %q (%+v), want %q", path, place.OrganisationID, out.SiteID, out.Redemptions, w)
			}
			stored := rawStrings(t, db, `SELECT COALESCE(site_id, '') FROM redemptions WHERE id = '`+out.Redemptions[0].ID+`'`)
			if len(stored) != 1 || stored[0] != w {
				t.Fatalf("%s at %s: stored site %v, want %q", path, place.OrganisationID, stored, w)
			}
		}
		for i, p := range places {
			out, err := redeemAlone(s, p, store.RedeemRequest{Code: codes[i], Service: groupService})
			if err != nil {
				t.Fatal(err)
			}
			check("alone", out, p)
		}
		codes = codes[len(places):]
		// The seed's bulk path records the same.
		var bulk []store.BulkRedeemRow
		for i, p := range places {
			bulk = append(bulk, store.BulkRedeemRow{Place: p, Code: codes[i], Service: groupService})
		}
		if err := s.Write(context.Background(), func(tx *store.Tx) error { return tx.BulkRedeem(context.Background(), bulk) }); err != nil {
			t.Fatal(err)
		}
		if err := s.RebuildBookletUses(context.Background()); err != nil { // as the seed does after its bulk writes
			t.Fatal(err)
		}
		if _, err := s.RebuildStats(context.Background()); err != nil {
			t.Fatal(err)
		}
		for i, p := range places {
			stored := rawStrings(t, db, `SELECT COALESCE(r.site_id, '') FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE ps.code = '`+codes[i]+`'`)
			if len(stored) != 1 || stored[0] != want[p.OrganisationID] {
				t.Fatalf("bulk at %s: stored site %v, want %q", p.OrganisationID, stored, want[p.OrganisationID])
			}
		}
		codes = codes[len(places):]
		b0, _ := s.RedeemBatchStats()
		outs := make([]store.Redeemed, len(codes))
		errs := make([]error, len(codes))
		together(len(codes), func(i int) {
			outs[i], errs[i] = redeemGrouped(s, places[i%3], store.RedeemRequest{Code: codes[i], Service: groupService})
		})
		if b1, _ := s.RedeemBatchStats(); b1 == b0 {
			t.Fatal("no group write ran")
		}
		for i := range codes {
			if errs[i] != nil {
				t.Fatalf("grouped %d: %v", i, errs[i])
			}
			check("grouped", outs[i], places[i%3])
		}
		mustCheck(t, s)
	})
}
