package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"passnum"
)

// The bulk path loads history (passnum seed) at a few microseconds a row
// instead of the half millisecond of the per-item writes. It writes
// exactly the rows HandOut and Redeem write — beneficiaries, locks,
// booklets, passes, stock, redemptions, ledger and audit entries, in the
// same order so the audit and ledger sequence numbers come out alike —
// with statements of hundreds of rows, but leaves the booklets' used
// passes and the statistics' counters alone: the caller sets them once at
// the end (RebuildBookletUses, then RebuildStats). A bulk write checks what the per-item one checks, but a
// refusal fails the whole call: it is for data known to be valid.

// bulkRows is how many rows one multi-row statement carries: well under
// both engines' limits on parameters (SQLite 32,766, PostgreSQL 65,535)
// for the widest row (16 columns).
const bulkRows = 400

// execRows inserts rows into head, a table and its columns followed by
// "VALUES", bulkRows at a time; row is one row's SQL, such as "(?, ?, ?)",
// and tail ends the statement. Alone in its SQLite transaction, as a
// bulk load's writes are, a conflict rolls the transaction back
// (bulkInsert), which spares SQLite a statement journal of the pages a
// statement touches (those with foreign keys or triggers keep one).
func (tx *Tx) execRows(ctx context.Context, head, row, tail string, rows [][]any) error {
	for lo := 0; lo < len(rows); lo += bulkRows {
		hi := min(lo+bulkRows, len(rows))
		var q strings.Builder
		q.WriteString(tx.s.dialect.bulkInsert(tx.alone) + head)
		var args []any
		for i, r := range rows[lo:hi] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, r...)
		}
		q.WriteString(tail)
		if _, err := tx.q.ExecContext(ctx, tx.s.dialect.rebind(q.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// bulkAudit is one audit entry of a bulk write.
type bulkAudit struct {
	at                         time.Time
	actor                      passnum.Actor
	action, objectType, object string
	details                    map[string]any
}

// insertAudit writes audit entries in the order given, as tx.audit would
// one after the other.
func (tx *Tx) insertAudit(ctx context.Context, entries []bulkAudit) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		d := ""
		if len(e.details) > 0 {
			b, err := json.Marshal(e.details)
			if err != nil {
				return err
			}
			d = string(b)
		}
		rows[i] = []any{passnum.NewID(e.at), micros(e.at), e.actor.OrganisationID, e.actor.Kind, e.actor.ID, e.action, e.objectType, e.object, "", d}
	}
	return tx.execRows(ctx, `audit_log (id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, "", rows)
}

// BulkHandOutRow is a young person to register and hand a booklet to, at
// At (zero: the transaction's instant), by Distributor.
type BulkHandOutRow struct {
	Distributor passnum.Actor
	Beneficiary passnum.Beneficiary
	At          time.Time
}

// BulkHandedOut is the booklet a row received: its id and its passes'
// codes, in pass order (as Booklet lists them).
type BulkHandedOut struct {
	BeneficiaryID, BookletID string
	Codes                    []string
}

// BulkHandOut registers the rows' young people and hands each a booklet
// of programmeID from their distributor's stock (the lowest ids first, as
// HandOut). Each person must be new to the programme: the bulk path does
// not ask whether they hold a booklet elsewhere, the lock row's unique key
// refuses them.
func (tx *Tx) BulkHandOut(ctx context.Context, programmeID string, rows []BulkHandOutRow) ([]BulkHandedOut, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	out := make([]BulkHandedOut, len(rows))
	for i := range rows {
		if err := tx.prepareBulkHandOut(&rows[i], &p); err != nil {
			return nil, fmt.Errorf("ligne %d : %w", i+1, err)
		}
		out[i].BeneficiaryID = rows[i].Beneficiary.ID
	}
	if err := tx.pickBulkBooklets(ctx, programmeID, rows, out); err != nil {
		return nil, err
	}
	if err := tx.insertBulkBeneficiaries(ctx, programmeID, rows); err != nil {
		return nil, err
	}
	if err := tx.takeBulkStock(ctx, programmeID, rows); err != nil {
		return nil, err
	}
	if err := tx.handBulkBooklets(ctx, programmeID, rows, out); err != nil {
		return nil, err
	}
	return out, tx.readBulkCodes(ctx, out)
}

// prepareBulkHandOut checks a row as CreateBeneficiary and HandOut would
// and fills in what they would (id, agency, instant).
func (tx *Tx) prepareBulkHandOut(r *BulkHandOutRow, p *passnum.Programme) error {
	if r.At.IsZero() {
		r.At = tx.now
	}
	b := &r.Beneficiary
	day := passnum.ParisDate(r.At)
	if err := b.Validate(day); err != nil {
		return err
	}
	b.ID, b.DistributorID, b.CreatedAt = passnum.NewID(r.At), r.Distributor.OrganisationID, r.At
	b.PseudonymisedAt, b.ContactConsentAt = nil, nil
	if b.ContactConsent {
		b.ContactConsentAt = &b.CreatedAt
	}
	if err := p.HandOutOpen(day); err != nil {
		return err
	}
	if reasons := passnum.CheckEligibility(b, p, day); len(reasons) > 0 {
		return passnum.NotEligible(b, p, day, reasons)
	}
	return nil
}
