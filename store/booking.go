package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"passnum"
)

const bookingColumns = `bk.id, bk.session_id, bk.beneficiary_id, bk.status, t.id, t.title, t.organisation_id, se.starts_at, bk.created_at, bk.cancelled_at`

const bookingFrom = ` FROM bookings bk JOIN sessions se ON se.id = bk.session_id JOIN trainings t ON t.id = se.training_id
	JOIN beneficiaries b ON b.id = bk.beneficiary_id`

func scanBooking(sc interface{ Scan(...any) error }) (passnum.Booking, error) {
	var bk passnum.Booking
	var starts, created int64
	var cancelled sql.NullInt64
	err := sc.Scan(&bk.ID, &bk.SessionID, &bk.BeneficiaryID, &bk.Status, &bk.TrainingID, &bk.TrainingTitle, &bk.PlaceID, &starts, &created, &cancelled)
	bk.StartsAt, bk.CreatedAt = fromMicros(starts), fromMicros(created)
	bk.CancelledAt = nullMicros(cancelled)
	return bk, err
}

// Book gives a beneficiary of the acting distributor a seat in a session.
// The seat is taken by one conditional UPDATE under the counter's CHECK, so
// concurrent bookings never overbook; a partial unique index keeps one
// active booking per person and session.
func (tx *Tx) Book(ctx context.Context, actor passnum.Actor, sessionID, beneficiaryID string) (passnum.Booking, error) {
	var bk passnum.Booking
	if _, err := tx.Beneficiary(ctx, beneficiaryID, tx.ownerUnlessOperator(actor)); err != nil {
		return bk, err
	}
	se, err := tx.Session(ctx, sessionID, "")
	if err != nil {
		return bk, err
	}
	var status passnum.OrgStatus
	if err := tx.queryRow(ctx, `SELECT status FROM organisations WHERE id = ?`, se.PlaceID).Scan(&status); err != nil {
		return bk, err
	}
	if status != passnum.OrgLabelled {
		return bk, passnum.Errorf(passnum.EPLACENOTLABELLED, "Ce lieu n'est pas labellisé en ce moment : ses sessions ne peuvent pas être réservées avec le Pass numérique. Choisissez un autre lieu.")
	}
	var existing string
	err = tx.queryRow(ctx, `SELECT id FROM bookings WHERE session_id = ? AND beneficiary_id = ? AND status = 'booked'`, sessionID, beneficiaryID).Scan(&existing)
	if err == nil {
		return bk, alreadyBooked(existing)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return bk, err
	}
	res, err := tx.exec(ctx, `UPDATE sessions SET booked = booked + 1
		WHERE id = ? AND status = 'scheduled' AND starts_at > ? AND booked < capacity`, sessionID, micros(tx.now))
	if err != nil {
		return bk, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return bk, tx.whyNotBookable(ctx, sessionID)
	}
	bk = passnum.Booking{ID: passnum.NewID(tx.now), SessionID: sessionID, BeneficiaryID: beneficiaryID, Status: passnum.BookingBooked,
		TrainingID: se.TrainingID, TrainingTitle: se.Title, PlaceID: se.PlaceID, StartsAt: se.StartsAt, CreatedAt: tx.now}
	if _, err := tx.exec(ctx, `INSERT INTO bookings (id, session_id, beneficiary_id, status, created_at, actor_kind, actor_id) VALUES (?, ?, ?, 'booked', ?, ?, ?)`,
		bk.ID, sessionID, beneficiaryID, micros(tx.now), actor.Kind, actor.ID); err != nil {
		if tx.s.dialect.uniqueViolation(err) {
			return bk, alreadyBooked("")
		}
		return bk, err
	}
	return bk, tx.audit(ctx, actor, "booking.create", "booking", bk.ID, "", map[string]any{"session_id": sessionID, "beneficiary_id": beneficiaryID})
}

func alreadyBooked(bookingID string) error {
	e := passnum.Errorf(passnum.EALREADYBOOKED, "Cette personne a déjà une place dans cette session.")
	if bookingID != "" {
		e.Extra = map[string]any{"booking_id": bookingID}
	}
	return e
}

// whyNotBookable explains a refused seat, read only after the conditional
// update failed.
func (tx *Tx) whyNotBookable(ctx context.Context, sessionID string) error {
	se, err := tx.Session(ctx, sessionID, "")
	if err != nil {
		return err
	}
	switch {
	case se.Status == passnum.SessionCancelled:
		return passnum.Errorf(passnum.ESESSIONCLOSED, "Cette session a été annulée par le lieu : choisissez une autre session.")
	case !se.StartsAt.After(tx.now):
		return passnum.Errorf(passnum.ESESSIONCLOSED, "Cette session a commencé le %s : elle ne peut plus être réservée. Choisissez une session à venir.", frTime(se.StartsAt))
	}
	return passnum.Errorf(passnum.ESESSIONFULL, "Cette session est complète (%s) : choisissez une autre session.", passnum.CountOf(se.Capacity, "place", "places"))
}

func (tx *Tx) ownerUnlessOperator(actor passnum.Actor) string {
	if actor.Role == passnum.RoleOperator {
		return ""
	}
	return actor.OrganisationID
}

// Booking returns one booking; distributorID, when set, must be the
// beneficiary's distributor.
func (tx *Tx) Booking(ctx context.Context, id, distributorID string) (passnum.Booking, error) {
	q := `SELECT ` + bookingColumns + bookingFrom + ` WHERE bk.id = ?`
	args := []any{id}
	if distributorID != "" {
		q += ` AND b.distributor_id = ?`
		args = append(args, distributorID)
	}
	bk, err := scanBooking(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return bk, notFound("réservation")
	}
	return bk, err
}

// CancelBooking gives a seat back before the session starts. The
// beneficiary's distributor or the operator may do it.
func (tx *Tx) CancelBooking(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.Booking, error) {
	bk, err := tx.Booking(ctx, id, tx.ownerUnlessOperator(actor))
	if err != nil {
		return bk, err
	}
	res, err := tx.exec(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_at = ?
		WHERE id = ? AND status = 'booked' AND session_id IN (SELECT id FROM sessions WHERE starts_at > ?)`, micros(tx.now), id, micros(tx.now))
	if err != nil {
		return bk, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if bk.Status == passnum.BookingCancelled {
			return bk, passnum.Errorf(passnum.ECONFLICT, "Cette réservation est déjà annulée.")
		}
		return bk, passnum.Errorf(passnum.ESESSIONCLOSED, "La session a commencé le %s : la réservation ne peut plus être annulée.", frTime(bk.StartsAt))
	}
	res, err = tx.exec(ctx, `UPDATE sessions SET booked = booked - 1 WHERE id = ? AND status = 'scheduled' AND booked > 0`, bk.SessionID)
	if err != nil {
		return bk, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		// An active booking on a session whose counter is already zero:
		// refuse rather than let the counter drift from the bookings.
		return bk, fmt.Errorf("session %s: booked counter out of step with booking %s", bk.SessionID, id)
	}
	if err := tx.audit(ctx, actor, "booking.cancel", "booking", id, reason, map[string]any{"session_id": bk.SessionID}); err != nil {
		return bk, err
	}
	return tx.Booking(ctx, id, "")
}

// BeneficiaryBookings lists a beneficiary's bookings, newest first,
// cancelled ones included.
func (tx *Tx) BeneficiaryBookings(ctx context.Context, beneficiaryID string, p Page) ([]passnum.Booking, string, error) {
	q := `SELECT ` + bookingColumns + bookingFrom + ` WHERE bk.beneficiary_id = ?`
	q, args := p.apply(q, []any{beneficiaryID}, "bk.created_at", "bk.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Booking
	for rows.Next() {
		bk, err := scanBooking(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, bk)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// SessionAttendees lists who is booked on a session, in booking order:
// first name, birth year and whether they still hold passes usable today
// or later. placeID, when set, must own the session.
func (tx *Tx) SessionAttendees(ctx context.Context, sessionID, placeID string) ([]passnum.Attendee, error) {
	if _, err := tx.Session(ctx, sessionID, placeID); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT bk.id, b.first_name, b.birth_date, bk.created_at,
			(SELECT COUNT(*) FROM booklets bl JOIN passes ps ON ps.booklet_id = bl.id JOIN programmes p ON p.id = ps.programme_id
				WHERE bl.beneficiary_id = b.id AND ps.status = 'assigned' AND p.last_redeem_day >= ?)
		FROM bookings bk JOIN beneficiaries b ON b.id = bk.beneficiary_id
		WHERE bk.session_id = ? AND bk.status = 'booked'
		ORDER BY bk.created_at, bk.id`, tx.Today().String(), sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []passnum.Attendee{}
	for rows.Next() {
		var a passnum.Attendee
		var bd passnum.Date
		var created int64
		if err := rows.Scan(&a.BookingID, &a.FirstName, &bd, &created, &a.UnusedPasses); err != nil {
			return nil, err
		}
		a.BirthYear = bd.Year
		a.BookedAt = fromMicros(created)
		a.HasUnusedPasses = a.UnusedPasses > 0
		out = append(out, a)
	}
	return out, rows.Err()
}
