package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"passnum"
)

// Attempt counters: every guarded attempt (a sign-in, a label application)
// is counted here before it is evaluated, by one upsert that increments the
// key's counter and returns the new count, so the limit holds whatever the
// concurrency and however many servers share the database: on SQLite the
// single writer runs the upserts one after another; on PostgreSQL the
// upsert takes the key's row lock until its transaction ends. Keys are
// stored hashed with their kind: a client address, an e-mail or a pass
// code never sits in the table.

// attemptsKept is how long a counter outlives its window: the longest
// window is a day.
const attemptsKept = 48 * time.Hour

func attemptKey(kind, key string) string { return hashKey(kind + "\x00" + key) }

// CountAttempt counts one attempt of key under limit l and reports the
// count. Over the limit it returns the limit's too_many_attempts refusal,
// with the wait until the key's window ends: the caller returns that error
// from its write, which then rolls the count back, so refused attempts do
// not lengthen the lock. The first attempt after a window has passed
// starts a new one. A refusal is told to the store's Events once the write
// ends (SetEvents), whoever asked and whatever they do with the error: the
// pages and the API count their refusals here, once.
func (tx *Tx) CountAttempt(ctx context.Context, l passnum.Limit, key string) (int, error) {
	if _, err := tx.exec(ctx, `DELETE FROM attempt_counters WHERE started_at < ?`, micros(tx.now.Add(-attemptsKept))); err != nil {
		return 0, err
	}
	expired := micros(tx.now.Add(-l.Window))
	var n int
	var started int64
	err := tx.queryRow(ctx, `INSERT INTO attempt_counters (kind, key_hash, started_at, attempts) VALUES (?, ?, ?, 1)
		ON CONFLICT (kind, key_hash) DO UPDATE SET
			attempts = CASE WHEN attempt_counters.started_at <= ? THEN 1 ELSE attempt_counters.attempts + 1 END,
			started_at = CASE WHEN attempt_counters.started_at <= ? THEN excluded.started_at ELSE attempt_counters.started_at END
		RETURNING attempts, started_at`, l.Kind, attemptKey(l.Kind, key), micros(tx.now), expired, expired).Scan(&n, &started)
	if err != nil {
		return 0, err
	}
	if n > l.Max {
		tx.refused = append(tx.refused, l.Kind)
		return n, l.Refusal(tx.now, fromMicros(started).Add(l.Window))
	}
	return n, nil
}

// GiveBackAttempt uncounts one attempt of key: a sign-in that succeeded
// (its address is not charged for it) or one the server could not
// evaluate (busy).
func (tx *Tx) GiveBackAttempt(ctx context.Context, l passnum.Limit, key string) error {
	_, err := tx.exec(ctx, `UPDATE attempt_counters SET attempts = attempts - 1 WHERE kind = ? AND key_hash = ? AND attempts > 0`,
		l.Kind, attemptKey(l.Kind, key))
	return err
}

// ForgetAttempts clears key's counter: the target of a successful sign-in,
// an account whose password was just reset, a young person whose
// counsellor lifted the lock.
func (tx *Tx) ForgetAttempts(ctx context.Context, l passnum.Limit, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM attempt_counters WHERE kind = ? AND key_hash = ?`, l.Kind, attemptKey(l.Kind, key))
	return err
}

// Attempts reads key's count in its current window (0 when the window has
// passed): what a counsellor's page shows of a young person's lock.
func (tx *Tx) Attempts(ctx context.Context, l passnum.Limit, key string) (int, time.Time, error) {
	var n int
	var started int64
	err := tx.queryRow(ctx, `SELECT attempts, started_at FROM attempt_counters WHERE kind = ? AND key_hash = ? AND started_at > ?`,
		l.Kind, attemptKey(l.Kind, key), micros(tx.now.Add(-l.Window))).Scan(&n, &started)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, time.Time{}, nil
		}
		return 0, time.Time{}, err
	}
	return n, fromMicros(started).Add(l.Window), nil
}
