package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passnum"
)

// Violation is a broken invariant found by Check.
type Violation struct {
	// Invariant names the rule: "reference", "conservation", "redemption",
	// "stock", "booklet", "holding", "ledger", "funding", "audit", "seats",
	// "settlement", "settled", "correction", "shares", "balance",
	// "budget" or "stats".
	Invariant string
	// Message says what is wrong, in French, with the ids to look at.
	Message string
}

func (v *Violation) Error() string { return v.Message }

func violation(invariant, format string, args ...any) *Violation {
	return &Violation{Invariant: invariant, Message: fmt.Sprintf(format, args...)}
}

// Check verifies the invariants of the stored data in one consistent
// snapshot and returns the first violation as a *Violation, or nil:
//
//   - reference: the references that carry no foreign key (for speed: see
//     the migrations) point at existing rows: a pass's booklet, a booklet's
//     programme, a redemption's or ledger entry's place and programme;
//   - settled: no settled redemption is cancelled, and settlement_id and
//     settled_at go together (a redemption has one settlement: one column);
//   - conservation: per programme, issued_booklets booklets and
//     issued_booklets × booklet_size passes; each booklet holds booklet_size
//     passes;
//   - redemption: a pass has at most one active redemption, and is
//     'redeemed' if and only if it has one; a redemption belongs to its
//     pass's programme;
//   - stock: counters never negative; unallocated_booklets is the number of
//     booklets in stock; a distributor's available_booklets is the number of
//     its allocated booklets, allocated_booklets the sum of its allocations
//     and of the stock moved to it less the stock moved away, and the
//     number of booklets it holds or handed out;
//   - booklet: passes of a booklet in stock or allocated are unassigned,
//     passes of a handed-out booklet are assigned or redeemed, passes of a
//     blocked (lost) booklet blocked or redeemed, except that a replacement
//     booklet's voided passes stay unassigned, as many as its
//     voided_passes says; a pass belongs to its booklet's programme; a
//     booklet replaced is blocked, and its replacement is a booklet of the
//     same beneficiary and programme that hands out no more passes than
//     the replaced booklet had left unused (blocked), and at least one;
//   - holding: the per-beneficiary booklet counter matches the booklets
//     held, less those replaced (a replacement takes the lost booklet's
//     place under the limit); and the passes a person holds, used or
//     usable, are no more than their booklets are worth (counter ×
//     booklet size), however many times booklets were replaced;
//   - ledger: an active redemption has exactly its +amount entry, a cancelled
//     one +amount and −amount, each on the redemption's place and programme;
//   - funding: funders' shares of each programme sum to exactly 10000 bps;
//   - audit: every redemption has its 'pass.redeem' entry, every cancelled
//     one its 'redemption.cancel' entry; every blocked booklet its
//     'booklet.block' entry, every replacement its 'booklet.replace' entry;
//   - seats: a session's booked counter is its number of active bookings;
//   - settlement: a settlement's total is the sum of its paid lines; each
//     line pays exactly the redemptions and corrections naming it, with
//     amount + carried_out = redemptions + adjustments + carried_in
//     (amount ≥ 0 ≥ carried_out), and carries in its place's previous
//     carried_out; a settled redemption is on a paid line of its place,
//     and before its settlement's cut-off;
//   - correction: a correction takes back exactly a settled redemption of
//     its place, in a later settlement;
//   - shares: each paid line's funders' shares are the programme's and sum
//     to the line;
//   - balance: each place's ledger balance, per programme, is its active
//     redemptions less its corrections less what its paid lines paid;
//   - ledger (again): each correction has its entry on its redemption, each
//     paid line of a paid settlement its payment entry, nothing else;
//   - budget: no programme issued beyond its budget;
//   - stats: each booklet's used passes and first use are its active
//     redemptions', and every counter of the statistics equals its recount
//     from the raw rows (stat_recount.go).
//
// Before them all, seal: the chain of seals over the audit trail and the
// ledger is whole, and every sealed entry is as it was sealed
// (seal_check.go), so that a tampered row is named as such rather than by
// the rule its change happens to break.
//
// Rules run in that order; within a rule the smallest offending id is
// reported, so the answer is the same from one run to the next. Each rule
// is one or a few set-based queries (aggregates and anti-joins), never a
// query per row, so the check stays fast on millions of passes.
func (s *Store) Check(ctx context.Context) error { return s.CheckEach(ctx, nil) }

// checkRules are Check's rules in their order, each under the name
// CheckEach reports.
var checkRules = []struct {
	name string
	run  func(*Tx, context.Context) (*Violation, error)
}{
	{"seal", (*Tx).checkSeals},
	{"reference", (*Tx).checkReferences},
	{"settled", (*Tx).checkSettled},
	{"conservation", (*Tx).checkConservation},
	{"redemption", (*Tx).checkRedemptions},
	{"stock", (*Tx).checkStock},
	{"booklet", (*Tx).checkBooklets},
	{"holding", (*Tx).checkHoldings},
	{"ledger", (*Tx).checkLedger},
	{"funding", (*Tx).checkFunding},
	{"audit", (*Tx).checkAudit},
	{"seats", (*Tx).checkSeats},
	{"settlement", (*Tx).checkSettlements},
	{"correction", (*Tx).checkCorrections},
	{"shares", (*Tx).checkShares},
	{"balance", (*Tx).checkBalances},
	{"ledger (settlements)", (*Tx).checkLedgerSettlement},
	{"budget", (*Tx).checkBudgets},
	{"stats", (*Tx).checkStatCounts},
}

// CheckEach is Check, telling report (when not nil) how long each rule
// that passed took: "passnum check --timings" shows where a slow check
// spends its time on a large database.
func (s *Store) CheckEach(ctx context.Context, report func(rule string, took time.Duration)) error {
	return s.View(ctx, func(tx *Tx) error {
		for _, c := range checkRules {
			start := time.Now()
			v, err := c.run(tx, ctx)
			if err != nil {
				return err
			}
			if v != nil {
				return v
			}
			if report != nil {
				report(c.name, time.Since(start))
			}
		}
		return nil
	})
}

// firstRow scans the first row of query into dest and reports whether
// there was one. It suits queries over small tables (programmes, stock
// rows) that return only offending rows.
func (tx *Tx) firstRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	err := tx.queryRow(ctx, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// firstKey runs an aggregate query, SELECT MIN(id) … WHERE <offending>,
// over a large table and returns that id. An aggregate rather than ORDER BY
// id LIMIT 1: the LIMIT leads PostgreSQL to walk the primary key row by row
// hoping for an early match, which on sound data means every row, where an
// aggregate gets a hash join. The details of the one offending row are
// then read by id.
func (tx *Tx) firstKey(ctx context.Context, query string) (string, bool, error) {
	var id sql.NullString
	err := tx.queryRow(ctx, query).Scan(&id)
	return id.String, id.Valid, err
}

func (tx *Tx) checkReferences(ctx context.Context) (*Violation, error) {
	refs := []struct{ query, format string }{
		{`SELECT MIN(ps.id) FROM passes ps LEFT JOIN booklets b ON b.id = ps.booklet_id WHERE b.id IS NULL`, "pass %s : son carnet n'existe pas"},
		{`SELECT MIN(b.id) FROM booklets b LEFT JOIN programmes p ON p.id = b.programme_id WHERE p.id IS NULL`, "carnet %s : son programme n'existe pas"},
		{`SELECT MIN(r.id) FROM redemptions r LEFT JOIN organisations o ON o.id = r.place_id AND o.kind = 'place' WHERE o.id IS NULL`, "encaissement %s : son lieu n'existe pas"},
		{`SELECT MIN(r.id) FROM redemptions r LEFT JOIN programmes p ON p.id = r.programme_id WHERE p.id IS NULL`, "encaissement %s : son programme n'existe pas"},
		{`SELECT MIN(l.id) FROM ledger_entries l LEFT JOIN organisations o ON o.id = l.place_id WHERE o.id IS NULL`, "écriture %s : son lieu n'existe pas"},
		{`SELECT MIN(l.id) FROM ledger_entries l LEFT JOIN programmes p ON p.id = l.programme_id WHERE p.id IS NULL`, "écriture %s : son programme n'existe pas"},
	}
	for _, r := range refs {
		id, found, err := tx.firstKey(ctx, r.query)
		if err != nil || found {
			if found {
				return violation("reference", r.format, id), nil
			}
			return nil, err
		}
	}
	return nil, nil
}

func (tx *Tx) checkConservation(ctx context.Context) (*Violation, error) {
	var id string
	var issued, size, booklets, passes int64
	found, err := tx.firstRow(ctx, `SELECT p.id, p.issued_booklets, p.booklet_size, COALESCE(b.n, 0), COALESCE(ps.n, 0)
		FROM programmes p
		LEFT JOIN (SELECT programme_id, COUNT(*) AS n FROM booklets GROUP BY programme_id) b ON b.programme_id = p.id
		LEFT JOIN (SELECT programme_id, COUNT(*) AS n FROM passes GROUP BY programme_id) ps ON ps.programme_id = p.id
		WHERE COALESCE(b.n, 0) <> p.issued_booklets OR COALESCE(ps.n, 0) <> p.issued_booklets * p.booklet_size
		ORDER BY p.id LIMIT 1`, nil, &id, &issued, &size, &booklets, &passes)
	if err != nil {
		return nil, err
	}
	if found {
		if passes != issued*size {
			return violation("conservation", "programme %s : %d pass enregistrés pour %d carnets de %d", id, passes, issued, size), nil
		}
		return violation("conservation", "programme %s : %d carnets enregistrés pour %d émis", id, booklets, issued), nil
	}
	bookletID, found, err := tx.firstKey(ctx, `SELECT MIN(b.id) FROM booklets b JOIN programmes p ON p.id = b.programme_id
		LEFT JOIN (SELECT booklet_id, COUNT(*) AS n FROM passes GROUP BY booklet_id) ps ON ps.booklet_id = b.id
		WHERE COALESCE(ps.n, 0) <> p.booklet_size`)
	if err != nil || !found {
		return nil, err
	}
	var count int64
	if err := tx.queryRow(ctx, `SELECT p.booklet_size, (SELECT COUNT(*) FROM passes WHERE booklet_id = b.id)
		FROM booklets b JOIN programmes p ON p.id = b.programme_id WHERE b.id = ?`, bookletID).Scan(&size, &count); err != nil {
		return nil, err
	}
	return violation("conservation", "carnet %s : %d pass pour des carnets de %d", bookletID, count, size), nil
}

func (tx *Tx) checkRedemptions(ctx context.Context) (*Violation, error) {
	passID, found, err := tx.firstKey(ctx, `SELECT MIN(pass_id) FROM (
		SELECT pass_id FROM redemptions WHERE status = 'active' GROUP BY pass_id HAVING COUNT(*) > 1) x`)
	if err != nil {
		return nil, err
	}
	if found {
		var n int64
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM redemptions WHERE pass_id = ? AND status = 'active'`, passID).Scan(&n); err != nil {
			return nil, err
		}
		return violation("redemption", "pass %s : %d encaissements actifs", passID, n), nil
	}
	passID, found, err = tx.firstKey(ctx, `SELECT MIN(ps.id) FROM passes ps
		WHERE ps.status = 'redeemed' AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.pass_id = ps.id AND r.status = 'active')`)
	if err != nil {
		return nil, err
	}
	if found {
		return violation("redemption", "pass %s : statut « redeemed » sans encaissement actif", passID), nil
	}
	redemptionID, found, err := tx.firstKey(ctx, `SELECT MIN(r.id) FROM redemptions r JOIN passes ps ON ps.id = r.pass_id
		WHERE (r.status = 'active' AND ps.status <> 'redeemed') OR r.programme_id <> ps.programme_id`)
	if err != nil || !found {
		return nil, err
	}
	var status, rProgramme, pProgramme string
	if err := tx.queryRow(ctx, `SELECT r.pass_id, ps.status, r.programme_id, ps.programme_id
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE r.id = ?`, redemptionID).Scan(&passID, &status, &rProgramme, &pProgramme); err != nil {
		return nil, err
	}
	if rProgramme != pProgramme {
		return violation("redemption", "encaissement %s : programme %s, mais le pass %s appartient au programme %s", redemptionID, rProgramme, passID, pProgramme), nil
	}
	return violation("redemption", "encaissement %s actif, mais le pass %s a le statut « %s »", redemptionID, passID, status), nil
}

func (tx *Tx) checkStock(ctx context.Context) (*Violation, error) {
	var programmeID string
	var unallocated, inStock int64
	found, err := tx.firstRow(ctx, `SELECT p.id, p.unallocated_booklets, COALESCE(b.n, 0)
		FROM programmes p
		LEFT JOIN (SELECT programme_id, COUNT(*) AS n FROM booklets WHERE status = 'stock' GROUP BY programme_id) b ON b.programme_id = p.id
		WHERE p.unallocated_booklets < 0 OR p.unallocated_booklets <> COALESCE(b.n, 0)
		ORDER BY p.id LIMIT 1`, nil, &programmeID, &unallocated, &inStock)
	if err != nil {
		return nil, err
	}
	if found {
		return violation("stock", "programme %s : %d carnets non attribués au compteur, %d carnets en stock", programmeID, unallocated, inStock), nil
	}
	var distributorID string
	var allocated, available, allocatedBooklets, received, allocations int64
	found, err = tx.firstRow(ctx, `SELECT s.programme_id, s.distributor_id, s.allocated_booklets, s.available_booklets,
			COALESCE(b.allocated, 0), COALESCE(b.received, 0), COALESCE(a.n, 0)
		FROM distributor_stock s
		LEFT JOIN (SELECT programme_id, distributor_id, CAST(SUM(CASE WHEN status = 'allocated' THEN 1 ELSE 0 END) AS BIGINT) AS allocated, COUNT(*) AS received
			FROM booklets WHERE distributor_id IS NOT NULL GROUP BY programme_id, distributor_id) b
			ON b.programme_id = s.programme_id AND b.distributor_id = s.distributor_id
		LEFT JOIN (SELECT programme_id, distributor_id, CAST(SUM(n) AS BIGINT) AS n FROM (
				SELECT programme_id, distributor_id, booklets AS n FROM allocations
				UNION ALL SELECT programme_id, to_distributor_id, booklets FROM stock_transfers WHERE to_distributor_id IS NOT NULL
				UNION ALL SELECT programme_id, from_distributor_id, -booklets FROM stock_transfers) x
			GROUP BY programme_id, distributor_id) a
			ON a.programme_id = s.programme_id AND a.distributor_id = s.distributor_id
		WHERE s.available_booklets < 0 OR s.available_booklets > s.allocated_booklets
			OR s.available_booklets <> COALESCE(b.allocated, 0)
			OR s.allocated_booklets <> COALESCE(a.n, 0) OR s.allocated_booklets <> COALESCE(b.received, 0)
		ORDER BY s.programme_id, s.distributor_id LIMIT 1`, nil,
		&programmeID, &distributorID, &allocated, &available, &allocatedBooklets, &received, &allocations)
	if err != nil {
		return nil, err
	}
	if found {
		where := "programme " + programmeID + ", distributeur " + distributorID
		switch {
		case available < 0 || available > allocated:
			return violation("stock", "%s : %d carnets disponibles pour %d attribués", where, available, allocated), nil
		case available != allocatedBooklets:
			return violation("stock", "%s : %d carnets disponibles au compteur, %d carnets attribués non remis", where, available, allocatedBooklets), nil
		case allocated != allocations:
			return violation("stock", "%s : %d carnets attribués au compteur, %d selon les attributions et les déplacements de stock", where, allocated, allocations), nil
		default:
			return violation("stock", "%s : %d carnets attribués au compteur, %d carnets reçus", where, allocated, received), nil
		}
	}
	// Booklets or allocations of a distributor that has no stock row.
	found, err = tx.firstRow(ctx, `SELECT x.programme_id, x.distributor_id FROM (
			SELECT programme_id, distributor_id FROM booklets WHERE distributor_id IS NOT NULL GROUP BY programme_id, distributor_id
			UNION SELECT programme_id, distributor_id FROM allocations GROUP BY programme_id, distributor_id) x
		WHERE NOT EXISTS (SELECT 1 FROM distributor_stock s WHERE s.programme_id = x.programme_id AND s.distributor_id = x.distributor_id)
		ORDER BY x.programme_id, x.distributor_id LIMIT 1`, nil, &programmeID, &distributorID)
	if err != nil || !found {
		return nil, err
	}
	return violation("stock", "programme %s, distributeur %s : des carnets ou des attributions sans ligne de stock", programmeID, distributorID), nil
}

func (tx *Tx) checkBooklets(ctx context.Context) (*Violation, error) {
	passID, found, err := tx.firstKey(ctx, `SELECT MIN(ps.id) FROM passes ps JOIN booklets b ON b.id = ps.booklet_id
		WHERE (b.status IN ('stock', 'allocated') AND ps.status <> 'unassigned')
			OR (b.status = 'handed_out' AND ps.status NOT IN ('assigned', 'redeemed', 'unassigned'))
			OR (b.status = 'blocked' AND ps.status NOT IN ('blocked', 'redeemed', 'unassigned'))
			OR ps.programme_id <> b.programme_id`)
	if err != nil {
		return nil, err
	}
	if !found {
		if v, err := tx.checkVoided(ctx); v != nil || err != nil {
			return v, err
		}
		return tx.checkReplacements(ctx)
	}
	var passStatus, passProgramme, bookletID, bookletStatus, bookletProgramme string
	if err := tx.queryRow(ctx, `SELECT ps.status, ps.programme_id, b.id, b.status, b.programme_id
		FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE ps.id = ?`, passID).
		Scan(&passStatus, &passProgramme, &bookletID, &bookletStatus, &bookletProgramme); err != nil {
		return nil, err
	}
	if passProgramme != bookletProgramme {
		return violation("booklet", "pass %s : programme %s, mais son carnet %s appartient au programme %s", passID, passProgramme, bookletID, bookletProgramme), nil
	}
	return violation("booklet", "pass %s au statut « %s » dans le carnet %s au statut « %s »", passID, passStatus, bookletID, bookletStatus), nil
}

// checkVoided: a booklet handed out (or blocked since) has exactly
// voided_passes unassigned passes; a booklet still in stock voids none.
func (tx *Tx) checkVoided(ctx context.Context) (*Violation, error) {
	bookletID, found, err := tx.firstKey(ctx, `SELECT MIN(b.id) FROM booklets b
		LEFT JOIN (SELECT booklet_id, COUNT(*) AS n FROM passes
			WHERE status = 'unassigned' AND booklet_id IN (SELECT id FROM booklets WHERE status IN ('handed_out', 'blocked'))
			GROUP BY booklet_id) u ON u.booklet_id = b.id
		WHERE (b.status IN ('handed_out', 'blocked') AND COALESCE(u.n, 0) <> b.voided_passes)
			OR (b.status IN ('stock', 'allocated') AND b.voided_passes <> 0)`)
	if err != nil || !found {
		return nil, err
	}
	var status string
	var voided, unassigned int64
	if err := tx.queryRow(ctx, `SELECT status, voided_passes, (SELECT COUNT(*) FROM passes WHERE booklet_id = booklets.id AND status = 'unassigned')
		FROM booklets WHERE id = ?`, bookletID).Scan(&status, &voided, &unassigned); err != nil {
		return nil, err
	}
	return violation("booklet", "carnet %s au statut « %s » : %d pass non remis pour %d pass annulés (voided_passes)", bookletID, status, unassigned, voided), nil
}

// checkReplacements: a replaced booklet is blocked, and its replacement
// exists, belongs to the same beneficiary and programme, and hands out at
// least one pass and no more than the replaced booklet had left unused.
func (tx *Tx) checkReplacements(ctx context.Context) (*Violation, error) {
	bookletID, found, err := tx.firstKey(ctx, `SELECT MIN(b.id) FROM booklets b LEFT JOIN booklets n ON n.id = b.replaced_by
		WHERE b.replaced_by IS NOT NULL AND (b.status <> 'blocked' OR n.id IS NULL
			OR n.beneficiary_id IS NULL OR n.beneficiary_id <> b.beneficiary_id OR n.programme_id <> b.programme_id)`)
	if err != nil {
		return nil, err
	}
	if !found {
		return tx.checkCarried(ctx)
	}
	var status passnum.BookletStatus
	var replacedBy string
	if err := tx.queryRow(ctx, `SELECT status, replaced_by FROM booklets WHERE id = ?`, bookletID).Scan(&status, &replacedBy); err != nil {
		return nil, err
	}
	if status != passnum.BookletBlocked {
		return violation("booklet", "carnet %s remplacé par le carnet %s, mais au statut « %s » au lieu de « blocked »", bookletID, replacedBy, status), nil
	}
	return violation("booklet", "carnet %s remplacé par le carnet %s, qui n'existe pas ou n'appartient pas au même bénéficiaire et au même programme", bookletID, replacedBy), nil
}

// checkCarried: a replacement hands out no more passes than the booklet it
// replaces had left unused (its blocked passes; a redemption cancelled
// after the block adds one), and at least one. Replacements made before
// that rule (replaced_whole, marked by migration 00007) handed out a whole
// booklet and are left as they were.
func (tx *Tx) checkCarried(ctx context.Context) (*Violation, error) {
	bookletID, found, err := tx.firstKey(ctx, `SELECT MIN(b.id) FROM booklets b JOIN booklets n ON n.id = b.replaced_by
		JOIN programmes p ON p.id = b.programme_id
		LEFT JOIN (SELECT booklet_id, COUNT(*) AS n FROM passes
			WHERE status = 'blocked' AND booklet_id IN (SELECT id FROM booklets WHERE replaced_by IS NOT NULL)
			GROUP BY booklet_id) x ON x.booklet_id = b.id
		WHERE n.replaced_whole = 0 AND (p.booklet_size - n.voided_passes > COALESCE(x.n, 0) OR n.voided_passes >= p.booklet_size)`)
	if err != nil || !found {
		return nil, err
	}
	var replacedBy string
	var handed, unused int64
	if err := tx.queryRow(ctx, `SELECT b.replaced_by, p.booklet_size - n.voided_passes, (SELECT COUNT(*) FROM passes WHERE booklet_id = b.id AND status = 'blocked')
		FROM booklets b JOIN booklets n ON n.id = b.replaced_by JOIN programmes p ON p.id = b.programme_id WHERE b.id = ?`, bookletID).
		Scan(&replacedBy, &handed, &unused); err != nil {
		return nil, err
	}
	return violation("booklet", "carnet %s remplacé par le carnet %s, qui remet %d pass alors que %d seulement restaient inutilisés", bookletID, replacedBy, handed, unused), nil
}

func (tx *Tx) checkHoldings(ctx context.Context) (*Violation, error) {
	// Counters without booklets, and booklets held beyond the counter.
	beneficiaryID, found, err := tx.firstKey(ctx, `SELECT MIN(x.beneficiary_id) FROM (
			SELECT bb.beneficiary_id FROM beneficiary_booklets bb
			LEFT JOIN (SELECT beneficiary_id, programme_id, COUNT(*) AS n FROM booklets WHERE beneficiary_id IS NOT NULL AND replaced_by IS NULL GROUP BY beneficiary_id, programme_id) b
				ON b.beneficiary_id = bb.beneficiary_id AND b.programme_id = bb.programme_id
			WHERE bb.booklets <> COALESCE(b.n, 0)
			UNION ALL
			SELECT b.beneficiary_id FROM booklets b WHERE b.beneficiary_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM beneficiary_booklets bb WHERE bb.beneficiary_id = b.beneficiary_id AND bb.programme_id = b.programme_id)) x`)
	if err != nil {
		return nil, err
	}
	if !found {
		return tx.checkHeldValue(ctx)
	}
	// The beneficiary's first programme whose counter is wrong.
	var programmeID string
	var counter, held int64
	if _, err := tx.firstRow(ctx, `SELECT x.programme_id, COALESCE(bb.booklets, 0), COALESCE(b.n, 0)
		FROM (SELECT programme_id FROM beneficiary_booklets WHERE beneficiary_id = ? UNION SELECT programme_id FROM booklets WHERE beneficiary_id = ?) x
		LEFT JOIN beneficiary_booklets bb ON bb.beneficiary_id = ? AND bb.programme_id = x.programme_id
		LEFT JOIN (SELECT programme_id, COUNT(*) AS n FROM booklets WHERE beneficiary_id = ? AND replaced_by IS NULL GROUP BY programme_id) b ON b.programme_id = x.programme_id
		WHERE COALESCE(bb.booklets, 0) <> COALESCE(b.n, 0)
		ORDER BY x.programme_id LIMIT 1`, []any{beneficiaryID, beneficiaryID, beneficiaryID, beneficiaryID}, &programmeID, &counter, &held); err != nil {
		return nil, err
	}
	return violation("holding", "bénéficiaire %s, programme %s : %d carnets au compteur, %d carnets remis (hors carnets remplacés)", beneficiaryID, programmeID, counter, held), nil
}

// checkHeldValue: the passes a person holds in a programme (usable or
// used) are no more than their booklets are worth, unless they received a
// whole replacement before migration 00007.
func (tx *Tx) checkHeldValue(ctx context.Context) (*Violation, error) {
	var beneficiaryID, programmeID string
	var held, booklets, size int64
	found, err := tx.firstRow(ctx, `SELECT bb.beneficiary_id, bb.programme_id, v.n, bb.booklets, p.booklet_size
		FROM beneficiary_booklets bb JOIN programmes p ON p.id = bb.programme_id
		JOIN (SELECT bk.beneficiary_id, bk.programme_id, COUNT(*) AS n FROM passes ps JOIN booklets bk ON bk.id = ps.booklet_id
			WHERE bk.beneficiary_id IS NOT NULL AND ps.status IN ('assigned', 'redeemed') GROUP BY bk.beneficiary_id, bk.programme_id) v
			ON v.beneficiary_id = bb.beneficiary_id AND v.programme_id = bb.programme_id
		WHERE v.n > bb.booklets * p.booklet_size
			AND NOT EXISTS (SELECT 1 FROM booklets w WHERE w.beneficiary_id = bb.beneficiary_id AND w.programme_id = bb.programme_id AND w.replaced_whole = 1)
		ORDER BY bb.beneficiary_id, bb.programme_id LIMIT 1`, nil, &beneficiaryID, &programmeID, &held, &booklets, &size)
	if err != nil || !found {
		return nil, err
	}
	return violation("holding", "bénéficiaire %s, programme %s : %d pass utilisables ou utilisés pour %d carnet(s) de %d", beneficiaryID, programmeID, held, booklets, size), nil
}

// ledgerTotals sums a redemption's ledger entries by kind.
const ledgerTotals = `SELECT redemption_id,
		CAST(SUM(CASE WHEN kind = 'redemption' THEN 1 ELSE 0 END) AS BIGINT) AS red_n,
		CAST(SUM(CASE WHEN kind = 'redemption' THEN amount_cents ELSE 0 END) AS BIGINT) AS red_sum,
		CAST(SUM(CASE WHEN kind = 'cancellation' THEN 1 ELSE 0 END) AS BIGINT) AS can_n,
		CAST(SUM(CASE WHEN kind = 'cancellation' THEN amount_cents ELSE 0 END) AS BIGINT) AS can_sum
	FROM ledger_entries`

func (tx *Tx) checkLedger(ctx context.Context) (*Violation, error) {
	id, found, err := tx.firstKey(ctx, `SELECT MIN(r.id) FROM redemptions r
		LEFT JOIN (`+ledgerTotals+` GROUP BY redemption_id) l ON l.redemption_id = r.id
		WHERE NOT (COALESCE(l.red_n, 0) = 1 AND COALESCE(l.red_sum, 0) = r.amount_cents AND (
			(r.status = 'active' AND COALESCE(l.can_n, 0) = 0)
			OR (r.status = 'cancelled' AND COALESCE(l.can_n, 0) = 1 AND COALESCE(l.can_sum, 0) = -r.amount_cents)))`)
	if err != nil {
		return nil, err
	}
	if found {
		var status passnum.RedemptionStatus
		var amount, redN, redSum, canN, canSum int64
		if err := tx.queryRow(ctx, `SELECT r.status, r.amount_cents, COALESCE(l.red_n, 0), COALESCE(l.red_sum, 0), COALESCE(l.can_n, 0), COALESCE(l.can_sum, 0)
			FROM redemptions r LEFT JOIN (`+ledgerTotals+` WHERE redemption_id = ? GROUP BY redemption_id) l ON l.redemption_id = r.id
			WHERE r.id = ?`, id, id).Scan(&status, &amount, &redN, &redSum, &canN, &canSum); err != nil {
			return nil, err
		}
		want := fmt.Sprintf("une écriture de +%d et aucune annulation", amount)
		state := "actif"
		if status == passnum.RedemptionCancelled {
			want = fmt.Sprintf("une écriture de +%d et une annulation de −%d", amount, amount)
			state = "annulé"
		}
		return violation("ledger", "encaissement %s %s de %d centimes : au grand livre, %d écriture(s) d'encaissement (total %d) et %d d'annulation (total %d) ; attendu %s",
			id, state, amount, redN, redSum, canN, canSum, want), nil
	}
	entryID, found, err := tx.firstKey(ctx, `SELECT MIN(l.id) FROM ledger_entries l JOIN redemptions r ON r.id = l.redemption_id
		WHERE l.place_id <> r.place_id OR l.programme_id <> r.programme_id`)
	if err != nil || !found {
		return nil, err
	}
	var redemptionID string
	if err := tx.queryRow(ctx, `SELECT redemption_id FROM ledger_entries WHERE id = ?`, entryID).Scan(&redemptionID); err != nil {
		return nil, err
	}
	return violation("ledger", "écriture %s : lieu ou programme différent de ceux de l'encaissement %s", entryID, redemptionID), nil
}

func (tx *Tx) checkFunding(ctx context.Context) (*Violation, error) {
	var id string
	var total, n int64
	found, err := tx.firstRow(ctx, `SELECT p.id, COALESCE(f.total, 0), COALESCE(f.n, 0)
		FROM programmes p
		LEFT JOIN (SELECT programme_id, CAST(SUM(share_bps) AS BIGINT) AS total, COUNT(*) AS n FROM programme_funders GROUP BY programme_id) f
			ON f.programme_id = p.id
		WHERE COALESCE(f.total, 0) <> ?
		ORDER BY p.id LIMIT 1`, []any{passnum.TotalBasisPoints}, &id, &total, &n)
	if err != nil || !found {
		return nil, err
	}
	return violation("funding", "programme %s : les parts de ses %d financeur(s) totalisent %d points de base au lieu de %d", id, n, total, passnum.TotalBasisPoints), nil
}

// auditRules pair a state change with the audit entry it must have left:
// a query for the first object without it, and what to say of that object.
var auditRules = []struct{ query, format string }{
	{`SELECT MIN(r.id) FROM redemptions r
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'redemption' AND a.object_id = r.id AND a.action = 'pass.redeem')`,
		"encaissement %s : aucune entrée « pass.redeem » au journal d'audit"},
	{`SELECT MIN(r.id) FROM redemptions r
		WHERE r.status = 'cancelled'
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'redemption' AND a.object_id = r.id AND a.action = 'redemption.cancel')`,
		"encaissement %s annulé : aucune entrée « redemption.cancel » au journal d'audit"},
	{`SELECT MIN(b.id) FROM booklets b
		WHERE b.status = 'blocked'
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'booklet' AND a.object_id = b.id AND a.action = 'booklet.block')`,
		"carnet %s bloqué : aucune entrée « booklet.block » au journal d'audit"},
	{`SELECT MIN(b.replaced_by) FROM booklets b
		WHERE b.replaced_by IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'booklet' AND a.object_id = b.replaced_by AND a.action = 'booklet.replace')`,
		"carnet %s remis en remplacement : aucune entrée « booklet.replace » au journal d'audit"},
	{`SELECT MIN(d.booklet_id) FROM duplicate_confirmations d
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'booklet' AND a.object_id = d.booklet_id AND a.action = 'booklet.duplicate_confirmed')`,
		"carnet %s remis malgré un carnet reçu ailleurs : aucune entrée « booklet.duplicate_confirmed » au journal d'audit"},
	{`SELECT MIN(c.beneficiary_id) FROM beneficiary_changes c
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'beneficiary' AND a.object_id = c.beneficiary_id AND a.action = 'beneficiary.correct')`,
		"bénéficiaire %s : fiche corrigée sans entrée « beneficiary.correct » au journal d'audit"},
	{`SELECT MIN(s.id) FROM settlements s
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'settlement' AND a.object_id = s.id AND a.action = 'settlement.create')`,
		"remboursement %s : aucune entrée « settlement.create » au journal d'audit"},
	{`SELECT MIN(s.id) FROM settlements s
		WHERE s.status <> 'created'
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'settlement' AND a.object_id = s.id AND a.action = 'settlement.sent')`,
		"remboursement %s envoyé : aucune entrée « settlement.sent » au journal d'audit"},
	{`SELECT MIN(s.id) FROM settlements s
		WHERE s.status = 'paid'
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'settlement' AND a.object_id = s.id AND a.action = 'settlement.paid')`,
		"remboursement %s payé : aucune entrée « settlement.paid » au journal d'audit"},
	{`SELECT MIN(c.redemption_id) FROM corrections c
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'redemption' AND a.object_id = c.redemption_id AND a.action = 'redemption.correct')`,
		"encaissement %s corrigé : aucune entrée « redemption.correct » au journal d'audit"},
	{`SELECT MIN(m.id) FROM stock_transfers m
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'stock_transfer' AND a.object_id = m.id AND a.action = 'stock.move')`,
		"déplacement de stock %s : aucune entrée « stock.move » au journal d'audit"},
	{`SELECT MIN(e.programme_id) FROM programme_expiries e
		WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'programme' AND a.object_id = e.programme_id AND a.action = 'programme.expire')`,
		"programme %s expiré : aucune entrée « programme.expire » au journal d'audit"},
}

func (tx *Tx) checkAudit(ctx context.Context) (*Violation, error) {
	for _, rule := range auditRules {
		id, found, err := tx.firstKey(ctx, rule.query)
		if err != nil {
			return nil, err
		}
		if found {
			return violation("audit", rule.format, id), nil
		}
	}
	return nil, nil
}

func (tx *Tx) checkSeats(ctx context.Context) (*Violation, error) {
	id, found, err := tx.firstKey(ctx, `SELECT MIN(s.id) FROM sessions s
		LEFT JOIN (SELECT session_id, COUNT(*) AS n FROM bookings WHERE status = 'booked' GROUP BY session_id) b ON b.session_id = s.id
		WHERE s.booked <> COALESCE(b.n, 0)`)
	if err != nil || !found {
		return nil, err
	}
	var booked, active int64
	if err := tx.queryRow(ctx, `SELECT booked, (SELECT COUNT(*) FROM bookings WHERE session_id = sessions.id AND status = 'booked') FROM sessions WHERE id = ?`, id).
		Scan(&booked, &active); err != nil {
		return nil, err
	}
	return violation("seats", "session %s : %d places comptées réservées pour %d réservations actives", id, booked, active), nil
}
