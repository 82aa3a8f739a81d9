package store

import (
	"context"
	"database/sql"
	"errors"

	"passnum"
)

// IdempotentAnswer is a stored answer to a POST.
type IdempotentAnswer struct {
	Status int
	Body   []byte
}

// LookupIdempotency returns the stored answer for (scope, key) if any. The
// same key with another request hash is refused.
func (tx *Tx) LookupIdempotency(ctx context.Context, scope, key, requestHash string) (*IdempotentAnswer, error) {
	var hash, body string
	var status int
	err := tx.queryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key).Scan(&hash, &status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if hash != requestHash {
		return nil, passnum.Errorf(passnum.EIDEMPOTENCYMISMATCH, "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé pour une nouvelle opération.")
	}
	return &IdempotentAnswer{Status: status, Body: []byte(body)}, nil
}

// ClaimIdempotency takes the key before the write runs. On PostgreSQL a
// concurrent retry with the same key waits on this row and then fails with
// a conflict, after which it finds the first answer; without the claim both
// would run the write.
func (tx *Tx) ClaimIdempotency(ctx context.Context, scope, key, requestHash string) error {
	_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 0, '', ?)`,
		scope, key, requestHash, micros(tx.now))
	if err != nil && tx.s.dialect.uniqueViolation(err) {
		return passnum.Errorf(passnum.ECONFLICT, "Une requête avec la même clé d'idempotence est en cours : réessayez.")
	}
	return err
}

// SaveIdempotency stores the answer in the same transaction as the write.
func (tx *Tx) SaveIdempotency(ctx context.Context, scope, key string, a IdempotentAnswer) error {
	_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = ?, body = ? WHERE scope = ? AND key = ?`, a.Status, string(a.Body), scope, key)
	return err
}
