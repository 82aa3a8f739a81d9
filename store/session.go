package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"passnum"
)

const sessionColumns = `se.id, se.training_id, t.title, t.organisation_id, se.site_id, si.name, si.commune_insee,
	se.starts_at, se.ends_at, se.capacity, se.booked, se.status, se.created_at`

const sessionFrom = ` FROM sessions se JOIN trainings t ON t.id = se.training_id JOIN sites si ON si.id = se.site_id`

func scanSession(sc interface{ Scan(...any) error }) (passnum.Session, error) {
	var s passnum.Session
	var starts, ends, created int64
	err := sc.Scan(&s.ID, &s.TrainingID, &s.Title, &s.PlaceID, &s.SiteID, &s.SiteName, &s.Commune,
		&starts, &ends, &s.Capacity, &s.Booked, &s.Status, &created)
	s.StartsAt, s.EndsAt, s.CreatedAt = fromMicros(starts), fromMicros(ends), fromMicros(created)
	s.SeatsLeft = s.Capacity - s.Booked
	if s.Status == passnum.SessionCancelled {
		s.SeatsLeft = 0
	}
	return s, err
}

// CreateSession schedules a session of one of the place's active trainings
// at one of its own sites. One conditional INSERT … SELECT checks both
// owners, so a place can never schedule another's training or use
// another's site, whatever it reads before.
func (tx *Tx) CreateSession(ctx context.Context, actor passnum.Actor, trainingID string, n passnum.NewSession) (passnum.Session, error) {
	var se passnum.Session
	if err := n.Validate(tx.now); err != nil {
		return se, err
	}
	id := passnum.NewID(tx.now)
	res, err := tx.exec(ctx, `INSERT INTO sessions (id, training_id, site_id, starts_at, ends_at, capacity, booked, status, created_at)
		SELECT ?, t.id, si.id, ?, ?, ?, 0, 'scheduled', ?
		FROM trainings t JOIN sites si ON si.organisation_id = t.organisation_id
		WHERE t.id = ? AND t.organisation_id = ? AND t.active = ? AND si.id = ?`,
		id, micros(n.StartsAt), micros(n.EndsAt), n.Capacity, micros(tx.now), trainingID, actor.OrganisationID, true, n.SiteID)
	if err != nil {
		return se, err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return se, tx.whySessionRefused(ctx, actor, trainingID)
	}
	if err := tx.audit(ctx, actor, "session.create", "session", id, "", map[string]any{"training_id": trainingID, "site_id": n.SiteID}); err != nil {
		return se, err
	}
	return tx.Session(ctx, id, "")
}

// whySessionRefused explains a refused session, read only after the
// conditional insert failed.
func (tx *Tx) whySessionRefused(ctx context.Context, actor passnum.Actor, trainingID string) error {
	t, err := tx.Training(ctx, trainingID, actor.OrganisationID)
	if err != nil {
		return err
	}
	if !t.Active {
		return passnum.Errorf(passnum.ETRAININGINACTIVE, "Cette formation est désactivée : elle ne peut plus recevoir de session. Publiez une nouvelle formation.")
	}
	return passnum.Invalid(passnum.FieldError{Field: "site_id", Detail: "ce site n'est pas l'un des vôtres : indiquez l'identifiant d'un de vos sites (points de présence)"})
}

// Session returns one session; placeID, when set, must own its training
// (another place's session is "not found").
func (tx *Tx) Session(ctx context.Context, id, placeID string) (passnum.Session, error) {
	q := `SELECT ` + sessionColumns + sessionFrom + ` WHERE se.id = ?`
	args := []any{id}
	if placeID != "" {
		q += ` AND t.organisation_id = ?`
		args = append(args, placeID)
	}
	s, err := scanSession(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("session")
	}
	return s, err
}

// SessionWindow bounds a list of sessions by their start; a zero From means
// now (upcoming sessions), a zero To no end.
type SessionWindow struct {
	From, To time.Time
}

// PublicSession reads a session as the public sees it: only a labelled
// place's.
func (tx *Tx) PublicSession(ctx context.Context, id string) (passnum.Session, error) {
	s, err := scanSession(tx.queryRow(ctx, `SELECT `+sessionColumns+sessionFrom+` JOIN organisations o ON o.id = t.organisation_id
		WHERE se.id = ? AND o.kind = 'place' AND o.status = 'labelled'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("session")
	}
	return s, err
}

// ListPublicSessions is ListSessions for the public: only a labelled
// place's training has public sessions.
func (tx *Tx) ListPublicSessions(ctx context.Context, trainingID string, w SessionWindow, p Page) ([]passnum.Session, string, error) {
	if _, err := tx.PublicTraining(ctx, trainingID); err != nil {
		return nil, "", err
	}
	return tx.listSessions(ctx, trainingID, w, p)
}

// ListSessions lists the scheduled sessions of a training in order of
// start, soonest first, with the seats left.
func (tx *Tx) ListSessions(ctx context.Context, trainingID string, w SessionWindow, p Page) ([]passnum.Session, string, error) {
	if _, err := tx.Training(ctx, trainingID, ""); err != nil {
		return nil, "", err
	}
	return tx.listSessions(ctx, trainingID, w, p)
}

func (tx *Tx) listSessions(ctx context.Context, trainingID string, w SessionWindow, p Page) ([]passnum.Session, string, error) {
	from := w.From
	if from.IsZero() {
		from = tx.now
	}
	q := `SELECT ` + sessionColumns + sessionFrom + ` WHERE se.training_id = ? AND se.status = 'scheduled' AND se.starts_at >= ?`
	args := []any{trainingID, micros(from)}
	if !w.To.IsZero() {
		q += ` AND se.starts_at < ?`
		args = append(args, micros(w.To))
	}
	q, args = p.ascending(q, args, "se.starts_at", "se.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].StartsAt), out[i].ID })
	return out, next, nil
}

// PlaceSessions lists the scheduled sessions of all of a place's
// trainings by their start, soonest first: the place's diary, whatever
// the training.
func (tx *Tx) PlaceSessions(ctx context.Context, placeID string, w SessionWindow, p Page) ([]passnum.Session, string, error) {
	from := w.From
	if from.IsZero() {
		from = tx.now
	}
	q := `SELECT ` + sessionColumns + sessionFrom + ` WHERE t.organisation_id = ? AND se.status = 'scheduled' AND se.starts_at >= ?`
	args := []any{placeID, micros(from)}
	if !w.To.IsZero() {
		q += ` AND se.starts_at < ?`
		args = append(args, micros(w.To))
	}
	q, args = p.ascending(q, args, "se.starts_at", "se.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].StartsAt), out[i].ID })
	return out, next, nil
}

// ascending is Page.apply for lists read oldest first (what comes next in
// time): the cursor names the last row seen, and the next page starts after
// it.
func (p Page) ascending(q string, args []any, keyCol, idCol string) (string, []any) {
	if p.afterID != "" {
		q += ` AND (` + keyCol + ` > ? OR (` + keyCol + ` = ? AND ` + idCol + ` > ?))`
		args = append(args, p.afterKey, p.afterKey, p.afterID)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	q += ` ORDER BY ` + keyCol + `, ` + idCol + ` LIMIT ` + strconv.Itoa(limit+1)
	return q, args
}

// CancelSession cancels a session that has not started, and with it every
// booking on it, each audited. The owning place or the operator may do it;
// the reason is kept and is what the people booked are told.
func (tx *Tx) CancelSession(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.Session, error) {
	owner := ""
	if actor.Role != passnum.RoleOperator {
		owner = actor.OrganisationID
	}
	se, err := tx.Session(ctx, id, owner)
	if err != nil {
		return se, err
	}
	if reason == "" {
		return se, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "indiquez pourquoi la session est annulée : le motif est communiqué aux personnes inscrites"})
	}
	res, err := tx.exec(ctx, `UPDATE sessions SET status = 'cancelled', booked = 0 WHERE id = ? AND status = 'scheduled' AND starts_at > ?`, id, micros(tx.now))
	if err != nil {
		return se, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if se.Status == passnum.SessionCancelled {
			return se, passnum.Errorf(passnum.ESESSIONCLOSED, "Cette session est déjà annulée.")
		}
		return se, passnum.Errorf(passnum.ESESSIONCLOSED, "Cette session a déjà commencé (le %s) : elle ne peut plus être annulée.", frTime(se.StartsAt))
	}
	rows, err := tx.query(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_at = ? WHERE session_id = ? AND status = 'booked' RETURNING id`, micros(tx.now), id)
	if err != nil {
		return se, err
	}
	var cancelled []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return se, err
		}
		cancelled = append(cancelled, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return se, err
	}
	if err := tx.audit(ctx, actor, "session.cancel", "session", id, reason, map[string]any{"bookings_cancelled": len(cancelled)}); err != nil {
		return se, err
	}
	for _, b := range cancelled {
		if err := tx.audit(ctx, actor, "booking.cancel", "booking", b, reason, map[string]any{"session_id": id, "session_cancelled": true}); err != nil {
			return se, err
		}
	}
	return tx.Session(ctx, id, "")
}

func frTime(t time.Time) string { return t.In(passnum.Paris).Format("02/01/2006 à 15h04") }
