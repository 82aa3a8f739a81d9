package store

import (
	"context"
	"strings"

	"passnum"
)

// BulkAllocate gives programmeID's stock booklets to distributors, lowest
// ids first, one by one in the order given: the k-th booklet to
// distributors[k]. Each distributor's booklets are one allocation, recorded
// as Allocate records it (its stock, the allocation, an audit entry), in
// the order each distributor first appears.
//
// A bulk load gives the booklets in the order it will hand them out: each
// distributor takes its lowest allocated booklet first, so the hand-outs
// then run through the booklets and their passes in storage order, and a
// batch of them writes neighbouring pages instead of a page per booklet
// (with a thousand agencies, their booklets in a thousand ranges, each
// batch touched pages all over the tables, written again at every
// checkpoint).
func (tx *Tx) BulkAllocate(ctx context.Context, actor passnum.Actor, programmeID string, distributors []string) ([]passnum.Allocation, error) {
	if len(distributors) == 0 {
		return nil, nil
	}
	count := map[string]int64{}
	var order []string
	for _, d := range distributors {
		if count[d] == 0 {
			order = append(order, d)
		}
		count[d]++
	}
	if err := tx.checkAllocation(ctx, programmeID, order); err != nil {
		return nil, err
	}
	total := int64(len(distributors))
	res, err := tx.exec(ctx, `UPDATE programmes SET unallocated_booklets = unallocated_booklets - ? WHERE id = ? AND unallocated_booklets >= ?`,
		total, programmeID, total)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Stock insuffisant : %s. Émettez d'abord de nouveaux carnets.",
			passnum.CountOf(total, "carnet demandé", "carnets demandés"))
	}
	ids, err := tx.stringColumn(ctx, `SELECT id FROM booklets WHERE programme_id = ? AND status = 'stock' AND distributor_id IS NULL ORDER BY id LIMIT ?`,
		programmeID, total)
	if err != nil {
		return nil, err
	}
	if int64(len(ids)) != total {
		return nil, passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Stock insuffisant : des carnets sont en cours d'attribution, réessayez.")
	}
	if err := tx.allocateBulkBooklets(ctx, ids, distributors); err != nil {
		return nil, err
	}
	out := make([]passnum.Allocation, len(order))
	rows := make([][]any, len(order))
	entries := make([]bulkAudit, len(order))
	for i, d := range order {
		if err := tx.addDistributorStock(ctx, programmeID, d, count[d]); err != nil {
			return nil, err
		}
		a := passnum.Allocation{ID: passnum.NewID(tx.now), ProgrammeID: programmeID, DistributorID: d, Booklets: count[d], CreatedAt: tx.now}
		out[i] = a
		rows[i] = []any{a.ID, programmeID, d, a.Booklets, micros(tx.now)}
		entries[i] = bulkAudit{tx.now, actor, "programme.allocate", "programme", programmeID,
			map[string]any{"distributor_id": d, "booklets": a.Booklets, "allocation_id": a.ID}}
	}
	if err := tx.execRows(ctx, `allocations (id, programme_id, distributor_id, booklets, created_at) VALUES `, `(?, ?, ?, ?, ?)`, "", rows); err != nil {
		return nil, err
	}
	return out, tx.insertAudit(ctx, entries)
}

// allocateBulkBooklets gives booklet ids[k] to distributors[k].
func (tx *Tx) allocateBulkBooklets(ctx context.Context, ids, distributors []string) error {
	for lo := 0; lo < len(ids); lo += bulkRows {
		hi := min(lo+bulkRows, len(ids))
		var q strings.Builder
		args := []any{micros(tx.now)}
		for k := lo; k < hi; k++ {
			if k > lo {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?)")
			args = append(args, ids[k], distributors[k])
		}
		res, err := tx.q.ExecContext(ctx, tx.s.dialect.rebind(tx.s.dialect.bulkUpdate(tx.alone)+`booklets SET status = 'allocated', distributor_id = v.column2, allocated_at = ?
			FROM (VALUES `+q.String()+`) AS v
			WHERE booklets.id = v.column1 AND booklets.status = 'stock' AND booklets.distributor_id IS NULL`), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(hi-lo) {
			return passnum.Errorf(passnum.ECONFLICT, "Des carnets ont changé d'état pendant l'attribution : rien n'a été attribué, recommencez.")
		}
	}
	return nil
}
