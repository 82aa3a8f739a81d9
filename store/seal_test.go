package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"

	"passnum"
	"passnum/demo"
	"passnum/store"
	"passnum/store/storetest"
)

// sealedDemo opens a store with the demo's data, sealed, and a raw
// connection to the same database to tamper with it behind the store's
// back.
func sealedDemo(t *testing.T, e storetest.Engine) (*store.Store, *sql.DB, func(string, ...any), string) {
	t.Helper()
	ctx := context.Background()
	clock := passnum.NewFixedClock(storetest.Epoch)
	s, u := e.Open(t, clock)
	if _, err := demo.Seed(ctx, s, clock.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := s.Seal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the demo's entries were not sealed")
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("a clean demo database fails the check: %v", err)
	}
	db := storetest.RawDB(t, u)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, storetest.Bind(u, q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return s, db, exec, u
}

// wantBroken checks that Check names the entry id with the words what.
func wantBroken(t *testing.T, s *store.Store, id, what string) {
	t.Helper()
	err := s.Check(context.Background())
	var v *store.Violation
	if !errors.As(err, &v) || v.Invariant != "seal" {
		t.Fatalf("Check = %v; want a broken seal naming %s", err, id)
	}
	if !strings.Contains(v.Message, id) || !strings.Contains(v.Message, what) {
		t.Fatalf("Check = %q; want it to name %s and say %q", v.Message, id, what)
	}
}

func wantWhole(t *testing.T, s *store.Store) {
	t.Helper()
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("after undoing the change, Check = %v", err)
	}
}

func firstID(t *testing.T, db *sql.DB, q string, args ...any) (string, int64) {
	t.Helper()
	var id string
	var seq int64
	if err := db.QueryRow(q, args...).Scan(&id, &seq); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id, seq
}

// TestSealDetectsTampering alters, deletes and reorders sealed rows of a
// demo database on each engine, and sees each change named by Check as
// the first broken entry, then undone and passing again.
func TestSealDetectsTampering(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s, db, exec, u := sealedDemo(t, e)

			t.Run("cancellation's actor and reason rewritten", func(t *testing.T) {
				var id, actor, reason string
				if err := db.QueryRow(`SELECT id, actor_id, reason FROM audit_log WHERE action = 'redemption.cancel' ORDER BY seq LIMIT 1`).Scan(&id, &actor, &reason); err != nil {
					t.Fatal(err)
				}
				exec(`UPDATE audit_log SET actor_id = 'someone-else', reason = 'erreur de saisie' WHERE id = ?`, id)
				wantBroken(t, s, id, "modifiée")
				exec(`UPDATE audit_log SET actor_id = ?, reason = ? WHERE id = ?`, actor, reason, id)
				wantWhole(t, s)
			})

			t.Run("redemptions moved with their ledger rows to another place", func(t *testing.T) {
				rows, err := db.Query(`SELECT r.id, r.place_id FROM redemptions r WHERE r.status = 'active' AND r.settlement_id IS NULL ORDER BY r.id LIMIT 50`)
				if err != nil {
					t.Fatal(err)
				}
				moved := map[string]string{}
				for rows.Next() {
					var id, place string
					if err := rows.Scan(&id, &place); err != nil {
						t.Fatal(err)
					}
					moved[id] = place
				}
				rows.Close()
				var other string
				if err := db.QueryRow(`SELECT MAX(place_id) FROM redemptions`).Scan(&other); err != nil {
					t.Fatal(err)
				}
				var firstEntry string
				var firstSeq int64 = -1
				for id, place := range moved {
					if place == other {
						continue
					}
					entry, seq := firstID(t, db, storetest.Bind(u, `SELECT id, seq FROM ledger_entries WHERE redemption_id = ? AND kind = 'redemption'`), id)
					if firstSeq < 0 || seq < firstSeq {
						firstEntry, firstSeq = entry, seq
					}
					exec(`UPDATE redemptions SET place_id = ? WHERE id = ?`, other, id)
					exec(`UPDATE ledger_entries SET place_id = ? WHERE redemption_id = ?`, other, id)
				}
				wantBroken(t, s, firstEntry, "modifiée")
				for id, place := range moved {
					exec(`UPDATE redemptions SET place_id = ? WHERE id = ?`, place, id)
					exec(`UPDATE ledger_entries SET place_id = ? WHERE redemption_id = ?`, place, id)
				}
				wantWhole(t, s)
			})

			t.Run("every timestamp shifted", func(t *testing.T) {
				id, _ := firstID(t, db, `SELECT id, seq FROM audit_log ORDER BY seq LIMIT 1`)
				exec(`UPDATE audit_log SET at = at + 3600000000`)
				exec(`UPDATE ledger_entries SET at = at + 3600000000`)
				wantBroken(t, s, id, "modifiée")
				exec(`UPDATE audit_log SET at = at - 3600000000`)
				exec(`UPDATE ledger_entries SET at = at - 3600000000`)
				wantWhole(t, s)
			})

			t.Run("label and key entries deleted", func(t *testing.T) {
				type entry struct {
					id, org, kind, actor, action, otype, oid, reason, details string
					at, seq                                                   int64
				}
				rows, err := db.Query(`SELECT id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details, seq
					FROM audit_log WHERE action IN ('place.labelled', 'key.create') ORDER BY seq`)
				if err != nil {
					t.Fatal(err)
				}
				var gone []entry
				for rows.Next() {
					var x entry
					if err := rows.Scan(&x.id, &x.at, &x.org, &x.kind, &x.actor, &x.action, &x.otype, &x.oid, &x.reason, &x.details, &x.seq); err != nil {
						t.Fatal(err)
					}
					gone = append(gone, x)
				}
				rows.Close()
				if len(gone) < 2 {
					t.Fatalf("the demo has %d label and key entries", len(gone))
				}
				exec(`DELETE FROM audit_log WHERE action IN ('place.labelled', 'key.create')`)
				wantBroken(t, s, gone[0].id, "supprimée")
				for _, x := range gone {
					exec(`INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details, seq)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, x.id, x.at, x.org, x.kind, x.actor, x.action, x.otype, x.oid, x.reason, x.details, x.seq)
					// SQLite's trigger numbers an inserted row last: put it back.
					exec(`UPDATE audit_log SET seq = ? WHERE id = ?`, x.seq, x.id)
				}
				wantWhole(t, s)
			})

			t.Run("entries reordered", func(t *testing.T) {
				a, sa := firstID(t, db, `SELECT id, seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 10`)
				b, sb := firstID(t, db, `SELECT id, seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 20`)
				swap := func() {
					exec(`UPDATE audit_log SET seq = -1 WHERE id = ?`, a)
					exec(`UPDATE audit_log SET seq = ? WHERE id = ?`, sa, b)
					exec(`UPDATE audit_log SET seq = ? WHERE id = ?`, sb, a)
				}
				swap()
				wantBroken(t, s, a, "ordre modifié")
				sa, sb = sb, sa
				swap()
				wantWhole(t, s)
			})

			t.Run("a row slipped in among sealed entries", func(t *testing.T) {
				exec(`INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
					VALUES ('slipped-in', 0, 'org', 'user', 'u', 'key.create', 'key', 'k', '', '')`)
				exec(`UPDATE audit_log SET seq = 0 WHERE id = 'slipped-in'`)
				wantBroken(t, s, "slipped-in", "ajoutée")
				exec(`DELETE FROM audit_log WHERE id = 'slipped-in'`)
				wantWhole(t, s)
			})

			t.Run("a seal rewritten", func(t *testing.T) {
				var hash string
				if err := db.QueryRow(`SELECT hash FROM seals WHERE seq = 1`).Scan(&hash); err != nil {
					t.Fatal(err)
				}
				exec(`UPDATE seals SET hash = ? WHERE seq = 1`, strings.Repeat("0", 64))
				err := s.Check(context.Background())
				if err == nil || !strings.Contains(err.Error(), "sceau n° 1 modifié") {
					t.Fatalf("Check = %v; want seal 1 named as altered", err)
				}
				exec(`UPDATE seals SET hash = ? WHERE seq = 1`, hash)
				wantWhole(t, s)
			})

			t.Run("whole chain rewritten, caught by a kept digest", func(t *testing.T) {
				ctx := context.Background()
				kept, made, err := s.DailyDigest(ctx)
				if err != nil || !made || kept.Seq == 0 {
					t.Fatalf("DailyDigest = %+v, %v, %v", kept, made, err)
				}
				if again, made, err := s.DailyDigest(ctx); err != nil || made || again != kept {
					t.Fatalf("the day's digest signed again: %+v, %v, %v", again, made, err)
				}
				if err := s.CheckDigest(ctx, kept, ""); err != nil {
					t.Fatalf("the untouched chain fails its digest: %v", err)
				}
				forged := kept
				forged.Hash = strings.Repeat("1", 64)
				if err := s.CheckDigest(ctx, forged, ""); err == nil || !strings.Contains(err.Error(), "signature") {
					t.Fatalf("a digest altered after signing = %v; want a bad signature", err)
				}
				id, _ := firstID(t, db, `SELECT id, seq FROM audit_log WHERE action = 'redemption.cancel' ORDER BY seq LIMIT 1`)
				exec(`UPDATE audit_log SET reason = 'réécrit' WHERE id = ?`, id)
				exec(`DELETE FROM seals`)
				if _, err := s.Seal(ctx); err != nil {
					t.Fatal(err)
				}
				if err := s.Check(ctx); err != nil {
					t.Fatalf("a rewritten chain is consistent in itself, yet Check = %v", err)
				}
				err = s.CheckDigest(ctx, kept, "")
				var v *store.Violation
				if !errors.As(err, &v) || v.Invariant != "digest" || !strings.Contains(v.Message, "réécrite") {
					t.Fatalf("CheckDigest after rewriting the chain = %v; want it caught", err)
				}
			})
		})
	}
}

// TestSealFollowsNewEntries seals, writes more, and sees the new entries
// sealed in a further link of the chain, the whole chain passing.
func TestSealFollowsNewEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, s, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Seal(ctx); err != nil || n != 0 {
			t.Fatalf("sealing again = %d, %v; want nothing new", n, err)
		}
		if _, err := s.CreateOperatorKey(ctx, "sceaux"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Seal(ctx); err != nil || n == 0 {
			t.Fatalf("sealing a new entry = %d, %v", n, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSealBatchesABacklog seals more than two seals' worth of entries at
// once: the seals follow each other without gap or overlap, none holds
// more than its cap, the whole backlog is sealed, and the check passes on
// the chain and still catches a change in its middle.
func TestSealBatchesABacklog(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s, db, exec, u := sealedDemo(t, e)
			ctx := context.Background()
			var before int64
			if err := db.QueryRow(`SELECT COALESCE(MAX(last_seq), 0) FROM seals WHERE table_name = 'audit_log'`).Scan(&before); err != nil {
				t.Fatal(err)
			}
			backlog := 2*store.MaxSealRows + 7
			exec(`INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				SELECT 'backlog-' || CAST(i AS TEXT), 1000 + i, 'org', 'system', 'test', 'test.backlog', 'none', CAST(i AS TEXT), '', '' FROM n`, backlog)
			sealed, err := s.Seal(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if sealed != backlog {
				t.Fatalf("sealed %d entries, want the backlog's %d", sealed, backlog)
			}
			rows, err := db.Query(storetest.Bind(u, `SELECT first_seq, last_seq FROM seals WHERE table_name = 'audit_log' AND last_seq > ? ORDER BY seq`), before)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			next, seals := before+1, 0
			for rows.Next() {
				var first, last int64
				if err := rows.Scan(&first, &last); err != nil {
					t.Fatal(err)
				}
				if first != next {
					t.Errorf("seal %d starts at %d, want %d (right after the previous one)", seals+1, first, next)
				}
				if n := last - first + 1; n > store.MaxSealRows {
					t.Errorf("seal %d holds %d entries, more than %d", seals+1, n, store.MaxSealRows)
				}
				next, seals = last+1, seals+1
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if seals != 3 || next != before+int64(backlog)+1 {
				t.Fatalf("%d seals ending at %d, want 3 ending at %d", seals, next-1, before+int64(backlog))
			}
			wantWhole(t, s)
			id := "backlog-" + strconv.Itoa(store.MaxSealRows+3)
			exec(`UPDATE audit_log SET actor_id = 'someone-else' WHERE id = ?`, id)
			wantBroken(t, s, id, "modifiée")
		})
	}
}
