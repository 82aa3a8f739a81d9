package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"

	"passnum"
)

// Group redemption (PostgreSQL).
//
// On PostgreSQL each write is a transaction of its own on a pool: the server
// groups the commits' WAL flushes, but every redemption still costs a BEGIN,
// its UPDATE, three INSERTs and a COMMIT. Concurrent simple redemptions (a
// service, no site, no session) are instead queued to a few batcher
// goroutines: each takes whatever is waiting, without ever waiting for more,
// and redeems it in one transaction of one multi-row UPDATE and one
// multi-row INSERT per table. The rules stay those of RedeemTraining, row by
// row: the same conditional UPDATE decides (assigned, programme open today,
// place labelled), the territory is checked in Go on what comes back, and
// the rows written are the same. A request whose pass does not come back
// runs alone through RedeemTraining afterwards, so that its refusal is
// exactly the one it gets today; so does every request of a batch whose
// transaction fails before its commit.

const (
	// redeemBatchMax caps the redemptions of one batch transaction.
	redeemBatchMax = 256
	// redeemWorkers is how many batch transactions may run at once: while
	// one waits for its commit, the next batch is filling.
	redeemWorkers = 2
)

// redeemBatcher runs queued redemptions together.
type redeemBatcher struct {
	s       *Store
	queue   chan *redeemItem
	running atomic.Int32
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
	b := &redeemBatcher{s: s, queue: make(chan *redeemItem, 4096), stopped: make(chan struct{})}
	b.running.Store(redeemWorkers)
	s.wg.Add(redeemWorkers)
	for range redeemWorkers {
		go b.work()
	}
	return b
}

// RedeemBatchStats reports how many group-redemption transactions ran and
// how many requests they carried (PostgreSQL; zero otherwise).
func (s *Store) RedeemBatchStats() (batches, redemptions int64) {
	if s.group == nil {
		return 0, 0
	}
	return s.group.batches.Load(), s.group.redemptions.Load()
}

// RedeemGrouped is RedeemTraining for a write whose only work is this
// redemption, as the API's redemption without an Idempotency-Key: on
// PostgreSQL with GroupRedemptions, a simple redemption (a valid service,
// no site, no session) is redeemed together with the concurrent ones, in a
// transaction of the batcher's, and this Tx stays empty. It answers exactly
// what RedeemTraining would. The write must then do nothing more: any
// further statement on this Tx fails. Anywhere else (SQLite, a Tx that has
// already run a statement, a write with its own instant, a site or a
// session) it is RedeemTraining.
func (tx *Tx) RedeemGrouped(ctx context.Context, actor passnum.Actor, r RedeemRequest) (Redeemed, error) {
	b := tx.s.group
	if b == nil || !tx.pg.fresh() || r.SiteID != "" || r.SessionID != "" || !passnum.ValidService(r.Service) {
		return tx.RedeemTraining(ctx, actor, r)
	}
	it := b.submit(ctx, actor, r)
	if it.alone {
		return tx.RedeemTraining(ctx, actor, r)
	}
	tx.pg.handOff()
	return it.out, it.err
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
	case <-b.s.done:
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

func (b *redeemBatcher) work() {
	defer b.s.wg.Done()
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
		case <-b.s.done:
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
	// Rows in code order, so that two batches lock shared passes (the
	// same pass sent twice at once) in the same order as far as possible.
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

// redeemResult is one request's outcome in a batch transaction.
type redeemResult struct {
	out   Redeemed
	err   error
	alone bool
}

// redeemBatchUpdate is RedeemTraining's deciding UPDATE, for many rows:
// each row carries its code, its place and its position in the batch.
const redeemBatchUpdate = `UPDATE passes SET status = 'redeemed'
	FROM unnest($1::text[], $2::text[], $3::int4[]) AS v(code, place_id, ord)
	WHERE passes.code = v.code AND passes.status = 'assigned'
	  AND passes.programme_id IN (SELECT id FROM programmes WHERE valid_from <= $4::text AND last_redeem_day >= $4::text)
	  AND EXISTS (SELECT 1 FROM organisations WHERE organisations.id = v.place_id AND kind = 'place' AND status = 'labelled')
	RETURNING v.ord, passes.id, passes.programme_id,
	  (SELECT face_value_cents FROM programmes WHERE programmes.id = passes.programme_id),
	  (SELECT territory FROM programmes WHERE programmes.id = passes.programme_id),
	  (SELECT COALESCE(commune_insee, '') FROM organisations WHERE organisations.id = v.place_id)`

// redeemBatchUndo gives back the passes of a place outside their
// programme's territory, taken by the UPDATE above in this transaction.
const redeemBatchUndo = `UPDATE passes SET status = 'assigned' WHERE id = ANY($1::text[]) AND status = 'redeemed'`

const redeemBatchRedemptions = `INSERT INTO redemptions (id, pass_id, programme_id, place_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id)
	SELECT v.id, v.pass_id, v.programme_id, v.place_id, v.service, v.amount_cents, $9::int8, 'active', v.actor_kind, v.actor_id
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[])
	  AS v(id, pass_id, programme_id, place_id, service, amount_cents, actor_kind, actor_id)`

const redeemBatchLedger = `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
	SELECT v.id, v.redemption_id, v.programme_id, v.place_id, 'redemption', v.amount_cents, $6::int8
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[]) AS v(id, redemption_id, programme_id, place_id, amount_cents)`

const redeemBatchAudit = `INSERT INTO audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details)
	SELECT v.id, $7::int8, v.organisation_id, v.actor_kind, v.actor_id, 'pass.redeem', 'redemption', v.object_id, '', v.details
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(id, organisation_id, actor_kind, actor_id, object_id, details)`

// redeemTogether redeems items (distinct codes) in one transaction and
// returns each one's outcome. committed reports that err came from the
// COMMIT; any earlier error means nothing was kept.
func (b *redeemBatcher) redeemTogether(items []*redeemItem) (results []redeemResult, committed bool, err error) {
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

	type taken struct {
		passID, programmeID string
		amount              int64
	}
	got := make([]*taken, n)
	rows, err := sqlTx.QueryContext(ctx, redeemBatchUpdate, codes, places, ords, today)
	if err != nil {
		return nil, false, err
	}
	results = make([]redeemResult, n)
	var undo []string
	for rows.Next() {
		var ord int32
		var t taken
		var terr, placeCommune string
		if err := rows.Scan(&ord, &t.passID, &t.programmeID, &t.amount, &terr, &placeCommune); err != nil {
			rows.Close()
			return nil, false, err
		}
		if ord < 0 || int(ord) >= n || got[ord] != nil {
			rows.Close()
			return nil, false, errors.New("group redemption: unexpected row from the UPDATE")
		}
		got[ord] = &t
		if tc := strings.Split(terr, ","); placeCommune != "" && !passnum.InTerritory(tc, placeCommune) {
			results[ord].err = outsideTerritory(tc)
			undo = append(undo, t.passID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if len(undo) > 0 {
		if _, err := sqlTx.ExecContext(ctx, redeemBatchUndo, undo); err != nil {
			return nil, false, err
		}
	}

	var (
		redIDs, passIDs, progIDs, placeIDs, services, kinds, actorIDs []string
		amounts                                                       []int64
		ledgerIDs, auditIDs, details                                  []string
	)
	for i, it := range items {
		t := got[i]
		switch {
		case t == nil:
			results[i].alone = true // refused: RedeemTraining says why
			continue
		case results[i].err != nil:
			continue // outside the territory
		}
		red := passnum.Redemption{ID: passnum.NewID(now), Code: it.req.Code, ProgrammeID: t.programmeID, PlaceID: it.actor.OrganisationID,
			Service: it.req.Service, RedeemedAt: now, AmountCents: t.amount, Status: passnum.RedemptionActive}
		d, err := json.Marshal(map[string]any{"pass_id": t.passID})
		if err != nil {
			return nil, false, err
		}
		redIDs, passIDs, progIDs, placeIDs = append(redIDs, red.ID), append(passIDs, t.passID), append(progIDs, t.programmeID), append(placeIDs, red.PlaceID)
		services, amounts = append(services, red.Service), append(amounts, t.amount)
		kinds, actorIDs = append(kinds, it.actor.Kind), append(actorIDs, it.actor.ID)
		ledgerIDs, auditIDs, details = append(ledgerIDs, passnum.NewID(now)), append(auditIDs, passnum.NewID(now)), append(details, string(d))
		results[i].out = Redeemed{Redemptions: []passnum.Redemption{red}}
	}
	if len(redIDs) > 0 {
		at := micros(now)
		if _, err := sqlTx.ExecContext(ctx, redeemBatchRedemptions, redIDs, passIDs, progIDs, placeIDs, services, amounts, kinds, actorIDs, at); err != nil {
			return nil, false, err
		}
		if _, err := sqlTx.ExecContext(ctx, redeemBatchLedger, ledgerIDs, redIDs, progIDs, placeIDs, amounts, at); err != nil {
			return nil, false, err
		}
		if _, err := sqlTx.ExecContext(ctx, redeemBatchAudit, auditIDs, placeIDs, kinds, actorIDs, redIDs, details, at); err != nil {
			return nil, false, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, true, err
	}
	return results, false, nil
}

// pgWriteTx is a PostgreSQL write transaction that begins with its first
// statement. A write that hands its work to the redemption batcher
// (RedeemGrouped) thus holds no connection while it waits, and costs no
// BEGIN and COMMIT of its own.
type pgWriteTx struct {
	db        *sql.DB
	ctx       context.Context
	groupable bool // the write runs at the clock's instant
	tx        *sql.Tx
	beginErr  error
	handedOff bool
	misused   bool // a statement came after the hand-off
}

// errHandedOff answers a statement on a Tx whose work was done by the
// batcher: its redemption is already committed, so nothing may be added to
// it as if it were one atomic write.
var errHandedOff = errors.New("store: statement on a write whose redemption was grouped (RedeemGrouped must be its last step)")

// fresh reports whether nothing ran yet: the write may hand over its work.
func (p *pgWriteTx) fresh() bool {
	return p != nil && p.groupable && p.tx == nil && p.beginErr == nil && !p.handedOff
}

func (p *pgWriteTx) handOff() { p.handedOff = true }

func (p *pgWriteTx) begin() error {
	if p.handedOff {
		p.misused = true
		return errHandedOff
	}
	if p.tx == nil && p.beginErr == nil {
		p.tx, p.beginErr = p.db.BeginTx(p.ctx, nil)
	}
	return p.beginErr
}

func (p *pgWriteTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.begin(); err != nil {
		return nil, err
	}
	return p.tx.ExecContext(ctx, query, args...)
}

func (p *pgWriteTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := p.begin(); err != nil {
		return nil, err
	}
	return p.tx.QueryContext(ctx, query, args...)
}

// cancelled makes a *sql.Row that holds an error without touching the
// database (database/sql offers no other way to build one).
var cancelled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (p *pgWriteTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := p.begin(); err != nil {
		// Its Scan fails; writeOnce then answers with the real error.
		return p.db.QueryRowContext(cancelled, query)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}

// failure is what made a statement fail before reaching the database: a
// failed BEGIN, or a statement after the hand-off. It is the write's answer
// whatever fn made of it.
func (p *pgWriteTx) failure() error {
	if p.beginErr != nil {
		return p.beginErr
	}
	if p.misused {
		return errHandedOff
	}
	return nil
}

func (p *pgWriteTx) commit() error {
	if err := p.failure(); err != nil {
		return err
	}
	if p.tx == nil {
		return nil // nothing ran here, or the batcher did the work
	}
	return p.tx.Commit()
}

func (p *pgWriteTx) rollback() {
	if p.tx != nil {
		p.tx.Rollback()
	}
}
