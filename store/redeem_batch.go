package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"passnum"
)

// Group redemption.
//
// A redemption written alone costs the database a handful of statements
// (on SQLite, run one after the other by the single writer goroutine, with
// a savepoint around them; on PostgreSQL, a transaction of its own with a
// BEGIN and a COMMIT). Concurrent simple redemptions (a service, no site,
// no session) are instead queued to the batcher's goroutines (one on
// SQLite, two on PostgreSQL, see redeemWorkersPostgres): each takes
// whatever is waiting, without ever waiting for more, and redeems it in one
// write of one multi-row UPDATE and one multi-row INSERT per table. The
// batcher (queue, workers, one request per code, fallback, answers after
// the commit) is the same on both engines; the batch's statements are each
// engine's: redeemTogetherSQLite, one Store.Write through the writer (which
// may share its commit with other writes), and redeemTogetherPostgres, one
// transaction on the pool.
//
// The rules stay those of RedeemTraining, row by row: the same conditional
// UPDATE decides (assigned, programme open today, place labelled; built
// once in redeem_decide.go), the territory is checked in Go on what comes
// back by the same rule, and the rows written are the same
// (planRedeemBatch). A request whose pass does not come back runs alone through
// RedeemTraining afterwards, so that its refusal is exactly the one it gets
// today; so does every request of a batch whose write fails before its
// commit.

const (
	// redeemBatchMax caps the redemptions of one batch write.
	redeemBatchMax = 256
	// redeemWorkersPostgres is how many batch transactions may run at once
	// on PostgreSQL: while one waits for its commit, the next is filling.
	// On SQLite one worker is best: the writer runs writes one at a time
	// anyway, and while its batch is in the writer the requests wait in
	// the queue for the next one; a second worker would only split them
	// into two smaller commits (measured: about 15 redemptions a commit
	// instead of 20 at 64 clients, and 5 to 10 % fewer redemptions/s).
	redeemWorkersPostgres = 2
)

// redeemBatcher runs queued redemptions together.
type redeemBatcher struct {
	s       *Store
	queue   chan *redeemItem
	running atomic.Int32
	quit    chan struct{} // closed by Close: the workers drain the queue and return
	stopped chan struct{} // closed when every worker has returned

	batches, redemptions atomic.Int64
}

// redeemItem is one request in the queue and, once done is closed, its
// answer: a redemption, an error, or alone (run it through RedeemTraining).
type redeemItem struct {
	ctx   context.Context
	actor passnum.Actor
	req   RedeemRequest
	out   Redeemed
	err   error
	alone bool
	done  chan struct{}
}

func (s *Store) startRedeemBatcher() *redeemBatcher {
	b := &redeemBatcher{s: s, queue: make(chan *redeemItem, 4096), quit: make(chan struct{}), stopped: make(chan struct{})}
	workers := redeemWorkersPostgres
	if s.wdb != nil {
		workers = 1
	}
	b.running.Store(int32(workers))
	for range workers {
		go b.work()
	}
	return b
}

// RedeemBatchStats reports how many group-redemption writes ran and how
// many requests they carried (zero with GroupRedemptions off).
func (s *Store) RedeemBatchStats() (batches, redemptions int64) {
	if s.group == nil {
		return 0, 0
	}
	return s.group.batches.Load(), s.group.redemptions.Load()
}

// RedeemGrouped redeems a pass and answers exactly what RedeemTraining in
// a write of its own would: for a caller with nothing else to write with
// it, as the API's redemption without an Idempotency-Key.
// With GroupRedemptions, a simple redemption (a valid service, no site, no
// session) is redeemed together with the concurrent ones; any other runs
// alone through RedeemTraining. It opens its own writes: never call it
// from inside a Write (on SQLite the writer would wait on itself).
func (s *Store) RedeemGrouped(ctx context.Context, actor passnum.Actor, r RedeemRequest) (Redeemed, error) {
	if b := s.group; b != nil && r.SiteID == "" && r.SessionID == "" && passnum.ValidService(r.Service) {
		if it := b.submit(ctx, actor, r); !it.alone {
			return it.out, it.err
		}
	}
	var out Redeemed
	err := s.Write(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.RedeemTraining(ctx, actor, r)
		return err
	})
	return out, err
}

// submit queues one redemption and waits for its answer. Once queued, the
// request is answered even if its client goes away, so that "no answer"
// never hides a committed redemption.
func (b *redeemBatcher) submit(ctx context.Context, actor passnum.Actor, r RedeemRequest) *redeemItem {
	it := &redeemItem{ctx: ctx, actor: actor, req: r, done: make(chan struct{})}
	select {
	case b.queue <- it:
	case <-ctx.Done():
		it.err = b.s.mapErr(ctx.Err())
		return it
	case <-b.quit:
		it.err = passnum.Errorf(passnum.EUNAVAILABLE, "Le service s'arrête : réessayez dans un instant.")
		return it
	}
	select {
	case <-it.done:
	case <-b.stopped:
		// Queued as the store closed, after the workers' last look.
		select {
		case <-it.done:
		default:
			it.err = passnum.Errorf(passnum.EUNAVAILABLE, "Le service s'arrête : réessayez dans un instant.")
		}
	}
	return it
}

// stop answers what is queued and waits for the workers: before the
// SQLite writer stops, since their batches are its writes.
func (b *redeemBatcher) stop() {
	close(b.quit)
	<-b.stopped
}

func (b *redeemBatcher) work() {
	defer func() {
		if b.running.Add(-1) == 0 {
			close(b.stopped)
		}
	}()
	batch := make([]*redeemItem, 0, redeemBatchMax)
	for {
		var first *redeemItem
		select {
		case first = <-b.queue:
		case <-b.quit:
			// Answer what is still queued, then stop.
			for {
				select {
				case it := <-b.queue:
					b.run([]*redeemItem{it})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < redeemBatchMax {
			select {
			case it := <-b.queue:
				batch = append(batch, it)
			default:
				break fill
			}
		}
		b.run(batch)
		clear(batch)
	}
}

// run redeems a batch and answers every request in it, all after the
// batch's commit: a request sent back to run alone then sees what the
// batch wrote (a duplicate code is "already redeemed" by its first).
func (b *redeemBatcher) run(items []*redeemItem) {
	b.batches.Add(1)
	b.redemptions.Add(int64(len(items)))
	defer func() {
		if r := recover(); r != nil {
			b.s.log.Error("group redemption panicked", "panic", r, "stack", string(debug.Stack()))
			for _, it := range items {
				if it.err == nil && !it.alone && len(it.out.Redemptions) == 0 {
					it.err = fmt.Errorf("group redemption: panic: %v", r)
				}
			}
		}
		for _, it := range items {
			close(it.done)
		}
	}()
	var together []*redeemItem
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		switch {
		case it.ctx.Err() != nil:
			it.err = b.s.mapErr(it.ctx.Err())
		case seen[it.req.Code]:
			it.alone = true // the pass goes to the first request that named it
		default:
			seen[it.req.Code] = true
			together = append(together, it)
		}
	}
	if len(together) == 0 {
		return
	}
	// Rows in code order, so that two PostgreSQL batches lock shared
	// passes (the same pass sent twice at once) in the same order as far
	// as possible.
	slices.SortFunc(together, func(a, c *redeemItem) int { return strings.Compare(a.req.Code, c.req.Code) })
	results, committed, err := b.redeemTogether(together)
	switch {
	case err == nil:
		for i, it := range together {
			it.out, it.err, it.alone = results[i].out, results[i].err, results[i].alone
		}
	case committed:
		// The COMMIT itself failed: as for any write, the error is the
		// answer (whether it was kept is unknown to us too).
		for _, it := range together {
			it.err = b.s.mapErr(err)
		}
	default:
		// A deadlock, a serialization failure, a lost connection: nothing
		// was kept; each request runs alone and gets its own answer.
		b.s.log.Warn("group redemption failed: each request runs alone", "redemptions", len(together), "err", err)
		for _, it := range together {
			it.alone = true
		}
	}
}

// redeemResult is one request's outcome in a batch write.
type redeemResult struct {
	out   Redeemed
	err   error
	alone bool
}

// redeemTogether redeems items (distinct codes) in one write and returns
// each one's outcome, in items' order. committed reports that err came
// from the commit (the batch's statements had all run); any earlier error
// means nothing was kept.
func (b *redeemBatcher) redeemTogether(items []*redeemItem) (results []redeemResult, committed bool, err error) {
	if b.s.wdb != nil {
		return b.redeemTogetherSQLite(items)
	}
	return b.redeemTogetherPostgres(items)
}

// redeemBatchUndo gives back the passes of a place outside their
// programme's territory, taken by the UPDATE above in this transaction.
const redeemBatchUndo = `UPDATE passes SET status = 'assigned' WHERE id = ANY($1::text[]) AND status = 'redeemed'`

const redeemBatchRedemptions = `INSERT INTO redemptions (id, pass_id, programme_id, place_id, site_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
	SELECT v.id, v.pass_id, v.programme_id, v.place_id, NULLIF(v.site_id, ''), v.service, v.amount_cents, $10::int8, 'active', v.actor_kind, v.actor_id
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[], $9::text[])
	  AS v(id, pass_id, programme_id, place_id, site_id, service, amount_cents, actor_kind, actor_id)`

const redeemBatchLedger = `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
	SELECT v.id, v.redemption_id, v.programme_id, v.place_id, 'redemption', v.amount_cents, $6::int8
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[]) AS v(id, redemption_id, programme_id, place_id, amount_cents)`

const redeemBatchAudit = `INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
	SELECT v.id, $7::int8, v.organisation_id, v.actor_kind, v.actor_id, 'pass.redeem', 'redemption', v.object_id, '', v.details
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(id, organisation_id, actor_kind, actor_id, object_id, details)`

// redeemTaken is what the deciding UPDATE brought back for one request.
type redeemTaken struct {
	passID, programmeID string
	amount              int64
	territory, commune  string // the programme's territory, the place's commune
	onlySite            string // the place's only site, "" with none or several
}

// redeemRow is one redemption a batch writes: its rows in redemptions,
// ledger_entries and audit_log. The JSON names are those the SQLite
// statements read (redeem_batch_sqlite.go).
type redeemRow struct {
	RedemptionID string `json:"r"`
	LedgerID     string `json:"l"`
	AuditID      string `json:"a"`
	PassID       string `json:"ps"`
	ProgrammeID  string `json:"pg"`
	AmountCents  int64  `json:"m"`
	Details      string `json:"d"`
	PlaceID      string `json:"p"`
	SiteID       string `json:"st"` // "" is written NULL
	Service      string `json:"s"`
	ActorKind    string `json:"k"`
	ActorID      string `json:"i"`
}

// planRedeemBatch turns what the deciding UPDATE took (got, nil for a
// request refused) into each request's outcome, the rows to write and the
// passes to give back, those of a place outside their programme's
// territory. A refused request runs alone afterwards, so that
// RedeemTraining says why; the rows are those RedeemTraining writes.
func planRedeemBatch(items []*redeemItem, got []*redeemTaken, now time.Time) (results []redeemResult, rows []redeemRow, undo []string, err error) {
	results = make([]redeemResult, len(items))
	for i, it := range items {
		t := got[i]
		if t == nil {
			results[i].alone = true
			continue
		}
		if why := passnum.RedeemOutsideTerritory(t.territory, t.commune); why != nil {
			results[i].err = why
			undo = append(undo, t.passID)
			continue
		}
		red := passnum.Redemption{ID: passnum.NewID(now), Code: it.req.Code, ProgrammeID: t.programmeID, PlaceID: it.actor.OrganisationID,
			Service: it.req.Service, RedeemedAt: now, AmountCents: t.amount, Status: passnum.RedemptionActive, SiteID: t.onlySite}
		d, err := auditDetailsPass(t.passID)
		if err != nil {
			return nil, nil, nil, err
		}
		rows = append(rows, redeemRow{RedemptionID: red.ID, LedgerID: passnum.NewID(now), AuditID: passnum.NewID(now), PassID: t.passID,
			ProgrammeID: t.programmeID, AmountCents: t.amount, Details: d, PlaceID: red.PlaceID, SiteID: red.SiteID, Service: red.Service,
			ActorKind: it.actor.Kind, ActorID: it.actor.ID})
		results[i].out = Redeemed{Redemptions: []passnum.Redemption{red}, SiteID: red.SiteID}
	}
	return results, rows, undo, nil
}

// auditDetailsPass is the details RedeemTraining's audit entry carries for
// a pass redeemed alone, byte for byte.
func auditDetailsPass(passID string) (string, error) {
	d, err := json.Marshal(map[string]any{"pass_id": passID})
	return string(d), err
}

// writeRedeemRowsPostgres writes a batch's redemptions, their ledger and
// audit entries, each table in one statement over arrays, and the
// statistics' counters.
func writeRedeemRowsPostgres(ctx context.Context, tx *Tx, rows []redeemRow) error {
	var (
		redIDs, passIDs, progIDs, placeIDs, siteIDs, services, kinds, actorIDs []string
		amounts                                                                []int64
		ledgerIDs, auditIDs, details                                           []string
	)
	for _, r := range rows {
		redIDs, passIDs, progIDs, placeIDs = append(redIDs, r.RedemptionID), append(passIDs, r.PassID), append(progIDs, r.ProgrammeID), append(placeIDs, r.PlaceID)
		siteIDs = append(siteIDs, r.SiteID)
		services, amounts = append(services, r.Service), append(amounts, r.AmountCents)
		kinds, actorIDs = append(kinds, r.ActorKind), append(actorIDs, r.ActorID)
		ledgerIDs, auditIDs, details = append(ledgerIDs, r.LedgerID), append(auditIDs, r.AuditID), append(details, r.Details)
	}
	at := micros(tx.now)
	if _, err := tx.q.ExecContext(ctx, redeemBatchRedemptions, redIDs, passIDs, progIDs, placeIDs, siteIDs, services, amounts, kinds, actorIDs, at); err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, redeemBatchLedger, ledgerIDs, redIDs, progIDs, placeIDs, amounts, at); err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, redeemBatchAudit, auditIDs, placeIDs, kinds, actorIDs, redIDs, details, at); err != nil {
		return err
	}
	return tx.usesChanged(ctx, redIDs, passnum.ParisMonth(tx.now), +1)
}

// redeemTogetherPostgres is redeemTogether in one transaction on the pool,
// its arrays passed as PostgreSQL arrays.
func (b *redeemBatcher) redeemTogetherPostgres(items []*redeemItem) (results []redeemResult, committed bool, err error) {
	ctx := context.Background()
	s := b.s
	n := len(items)
	codes, places, ords := make([]string, n), make([]string, n), make([]int32, n)
	for i, it := range items {
		codes[i], places[i], ords[i] = it.req.Code, it.actor.OrganisationID, int32(i)
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer sqlTx.Rollback() // after a COMMIT, a no-op
	now := s.clock.Now()
	today := passnum.ParisDate(now).String()

	got := make([]*redeemTaken, n)
	rs, err := sqlTx.QueryContext(ctx, redeemBatchUpdate, codes, places, ords, today)
	if err != nil {
		return nil, false, err
	}
	for rs.Next() {
		var ord int32
		var t redeemTaken
		var bookletID string
		if err := rs.Scan(&ord, &t.passID, &t.programmeID, &bookletID, &t.amount, &t.territory, &t.commune, &t.onlySite); err != nil {
			rs.Close()
			return nil, false, err
		}
		if ord < 0 || int(ord) >= n || got[ord] != nil {
			rs.Close()
			return nil, false, errors.New("group redemption: unexpected row from the UPDATE")
		}
		got[ord] = &t
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, false, err
	}
	results, rows, undo, err := planRedeemBatch(items, got, now)
	if err != nil {
		return nil, false, err
	}
	if len(undo) > 0 {
		if _, err := sqlTx.ExecContext(ctx, redeemBatchUndo, undo); err != nil {
			return nil, false, err
		}
	}
	if len(rows) > 0 {
		if err := writeRedeemRowsPostgres(ctx, &Tx{s: s, q: sqlTx, now: now}, rows); err != nil {
			return nil, false, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, true, err
	}
	return results, false, nil
}
