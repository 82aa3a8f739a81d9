package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

const trainingColumns = `id, organisation_id, title, service, level, duration_minutes, passes_cost, description, active, created_at`

func scanTraining(sc interface{ Scan(...any) error }) (passnum.Training, error) {
	var t passnum.Training
	var created int64
	err := sc.Scan(&t.ID, &t.PlaceID, &t.Title, &t.Service, &t.Level, &t.DurationMinutes, &t.PassesCost, &t.Description, &t.Active, &created)
	t.CreatedAt = fromMicros(created)
	return t, err
}

// CreateTraining publishes a training in the acting place's catalogue. A
// place may prepare its catalogue before it is labelled; only bookings and
// redemptions need the label.
func (tx *Tx) CreateTraining(ctx context.Context, actor passnum.Actor, t passnum.Training) (passnum.Training, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	if err := tx.mustBePlace(ctx, actor.OrganisationID); err != nil {
		return t, err
	}
	t.ID = passnum.NewID(tx.now)
	t.PlaceID = actor.OrganisationID
	t.Active = true
	t.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO trainings (`+trainingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.PlaceID, t.Title, t.Service, t.Level, t.DurationMinutes, t.PassesCost, t.Description, true, micros(tx.now)); err != nil {
		return t, err
	}
	return t, tx.audit(ctx, actor, "training.create", "training", t.ID, "", map[string]any{"passes_cost": t.PassesCost})
}

// mustBePlace refuses an organisation that is not a place.
func (tx *Tx) mustBePlace(ctx context.Context, orgID string) error {
	var kind string
	err := tx.queryRow(ctx, `SELECT kind FROM organisations WHERE id = ?`, orgID).Scan(&kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if kind != string(passnum.RolePlace) {
		return passnum.Errorf(passnum.EFORBIDDEN, "Seul un lieu peut publier des formations dans son catalogue.")
	}
	return nil
}

// Training returns one training; placeID, when set, must own it (another
// place's training is "not found").
func (tx *Tx) Training(ctx context.Context, id, placeID string) (passnum.Training, error) {
	q := `SELECT ` + trainingColumns + ` FROM trainings WHERE id = ?`
	args := []any{id}
	if placeID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, placeID)
	}
	t, err := scanTraining(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("formation")
	}
	return t, err
}

// PublicTraining reads a training as the public sees it: only a labelled
// place's (another place may prepare its catalogue; it is not public yet).
func (tx *Tx) PublicTraining(ctx context.Context, id string) (passnum.Training, error) {
	t, err := scanTraining(tx.queryRow(ctx, `SELECT `+qualified("t.", trainingColumns)+` FROM trainings t JOIN organisations o ON o.id = t.organisation_id
		WHERE t.id = ? AND o.kind = 'place' AND o.status = 'labelled'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("formation")
	}
	return t, err
}

// ListPublicTrainings is a labelled place's public catalogue: its active
// trainings, newest first. A place that is not labelled has none.
func (tx *Tx) ListPublicTrainings(ctx context.Context, placeID string, p Page) ([]passnum.Training, string, error) {
	var kind, status string
	err := tx.queryRow(ctx, `SELECT kind, status FROM organisations WHERE id = ?`, placeID).Scan(&kind, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !publicPlace(kind, status)) {
		return nil, "", notFound("lieu")
	}
	if err != nil {
		return nil, "", err
	}
	return tx.ListTrainings(ctx, placeID, false, p)
}

// ListTrainings is a place's catalogue, newest first: its active trainings,
// or all of them with inactive.
func (tx *Tx) ListTrainings(ctx context.Context, placeID string, inactive bool, p Page) ([]passnum.Training, string, error) {
	var kind string
	err := tx.queryRow(ctx, `SELECT kind FROM organisations WHERE id = ?`, placeID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != string(passnum.RolePlace)) {
		return nil, "", notFound("lieu")
	}
	if err != nil {
		return nil, "", err
	}
	q := `SELECT ` + trainingColumns + ` FROM trainings WHERE organisation_id = ?`
	args := []any{placeID}
	if !inactive {
		q += ` AND active = ?`
		args = append(args, true)
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Training
	for rows.Next() {
		t, err := scanTraining(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// DeactivateTraining takes a training out of the catalogue: no new session
// can be scheduled for it. Sessions already scheduled stay, for the people
// booked on them, until the place cancels them. Deactivating twice changes
// nothing. The owning place or the operator may do it.
func (tx *Tx) DeactivateTraining(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.Training, error) {
	owner := ""
	if actor.Role != passnum.RoleOperator {
		owner = actor.OrganisationID
	}
	t, err := tx.Training(ctx, id, owner)
	if err != nil {
		return t, err
	}
	res, err := tx.exec(ctx, `UPDATE trainings SET active = ? WHERE id = ? AND active = ?`, false, id, true)
	if err != nil {
		return t, err
	}
	t.Active = false
	if n, _ := res.RowsAffected(); n == 0 {
		return t, nil
	}
	return t, tx.audit(ctx, actor, "training.deactivate", "training", id, reason, nil)
}
