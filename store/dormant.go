package store

import (
	"context"
	"database/sql"
	"time"

	"passnum"
)

// DormantBooklet is a booklet handed out long ago and never used: the
// counsellor who handed it out calls the young person back.
type DormantBooklet struct {
	BookletID     string
	ProgrammeID   string
	ProgrammeName string
	BeneficiaryID string
	FirstName     string
	LastName      string
	HandedOutAt   time.Time
	// DaysDormant is the number of whole days since the hand-out.
	DaysDormant int
	// CalledAt is when a counsellor marked the young person called back.
	CalledAt *time.Time
	// Email and Phone are given only while the young person agrees to be
	// contacted; LastReminderAt is when the last reminder went to them.
	Email          string
	Phone          string
	LastReminderAt *time.Time
}

// maxDormant bounds one agency's list.
const maxDormant = 2000

// DormantBooklets lists an agency's dormant booklets, oldest first: handed
// out more than their programme's dormant_days ago, no pass used, still
// usable (not lost, the programme still redeeming).
func (tx *Tx) DormantBooklets(ctx context.Context, distributorID string) ([]DormantBooklet, error) {
	rows, err := tx.query(ctx, `SELECT b.id, b.programme_id, p.name, b.beneficiary_id, n.first_name, n.last_name, b.handed_out_at, b.called_at,
			CASE WHEN n.contact_consent_at IS NOT NULL THEN n.email ELSE '' END, CASE WHEN n.contact_consent_at IS NOT NULL THEN n.phone ELSE '' END,
			(SELECT MAX(r.sent_at) FROM reminders r WHERE r.booklet_id = b.id)
		`+dormantWhere+`
		ORDER BY b.handed_out_at, b.id LIMIT ?`, distributorID, micros(tx.now), tx.Today().String(), maxDormant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DormantBooklet{}
	for rows.Next() {
		var d DormantBooklet
		var at int64
		var called, reminded sql.NullInt64
		if err := rows.Scan(&d.BookletID, &d.ProgrammeID, &d.ProgrammeName, &d.BeneficiaryID, &d.FirstName, &d.LastName, &at, &called,
			&d.Email, &d.Phone, &reminded); err != nil {
			return nil, err
		}
		d.HandedOutAt, d.CalledAt, d.LastReminderAt = fromMicros(at), nullMicros(called), nullMicros(reminded)
		d.DaysDormant = int(tx.now.Sub(d.HandedOutAt) / (24 * time.Hour))
		out = append(out, d)
	}
	return out, rows.Err()
}

// dormantWhere picks an agency's dormant booklets: its arguments are the
// agency, now in microseconds and today's day.
const dormantWhere = `FROM booklets b JOIN programmes p ON p.id = b.programme_id JOIN beneficiaries n ON n.id = b.beneficiary_id
		WHERE b.distributor_id = ? AND b.status = 'handed_out' AND b.used_passes = 0
		  AND b.handed_out_at < ? - p.dormant_days * 86400000000 AND p.last_redeem_day >= ?`

// DormantCount counts an agency's dormant booklets (the same as
// DormantBooklets lists, without its bound).
func (tx *Tx) DormantCount(ctx context.Context, distributorID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) `+dormantWhere, distributorID, micros(tx.now), tx.Today().String()).Scan(&n)
	return n, err
}

// MarkCalled records that a counsellor called back the young person of a
// dormant booklet (distributorID "" for the operator; another agency's
// booklet is not found). Marking it again moves the mark to now.
func (tx *Tx) MarkCalled(ctx context.Context, actor passnum.Actor, bookletID, distributorID string) (DormantBooklet, error) {
	b, err := tx.ownBooklet(ctx, bookletID, distributorID)
	if err != nil {
		return DormantBooklet{}, err
	}
	if b.status != passnum.BookletHandedOut {
		return DormantBooklet{}, passnum.Errorf(passnum.ECONFLICT, "Ce carnet n'est pas entre les mains d'un bénéficiaire (encore en stock, ou bloqué) : il n'y a personne à rappeler.")
	}
	if _, err := tx.exec(ctx, `UPDATE booklets SET called_at = ? WHERE id = ?`, micros(tx.now), b.id); err != nil {
		return DormantBooklet{}, err
	}
	if err := tx.audit(ctx, actor, "booklet.call", "booklet", b.id, "", map[string]any{"beneficiary_id": b.beneficiaryID, "programme_id": b.programmeID}); err != nil {
		return DormantBooklet{}, err
	}
	now := tx.now
	return DormantBooklet{BookletID: b.id, ProgrammeID: b.programmeID, BeneficiaryID: b.beneficiaryID, CalledAt: &now}, nil
}
