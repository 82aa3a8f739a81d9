package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The seals make the audit trail and the money ledger tamper-evident. The
// sealer takes the entries not yet sealed, in their table's seq order, and
// writes one seal per batch: the digest of each entry (seq, id, digest of
// its ids, actor, action or kind, amounts, instants and a hash of its
// reason), and the hash of the whole seal chained to the previous seal's.
// Changing, deleting, adding or reordering a sealed entry, or a seal,
// breaks the chain; Check names the first broken entry. Rewriting every
// seal after a change is caught by a digest kept outside (digest.go).
//
// Entries hold ids, never personal data: erasing a person changes no
// sealed row.

// maxSealRows bounds one seal, so that a seal stays a few hundred KiB.
const maxSealRows = 5000

// sealedRow is one entry as the chain sees it.
type sealedRow struct {
	seq    int64
	id     string
	digest string
}

// sealedColumns reads, for each sealed table, what its entries' digests
// cover, in that order. NULLs read as empty.
var sealedColumns = map[string]string{
	"audit_log":      `seq, id, at, organisation_id, actor_kind, actor_id, action, object_type, object_id, reason, details`,
	"ledger_entries": `seq, id, at, COALESCE(redemption_id, ''), COALESCE(settlement_id, ''), programme_id, place_id, kind, amount_cents`,
}

// sealedTableNames are the French words for the sealed tables.
var sealedTableNames = map[string]string{
	"audit_log":      "journal d'audit",
	"ledger_entries": "grand livre",
}

// rowDigest is the digest of one entry: each field length-prefixed, so
// that no two different rows encode alike; the audit entry's reason and
// details enter by their own hash.
func rowDigest(table string, seq int64, id string, at int64, rest []string) string {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(table)
	write(strconv.FormatInt(seq, 10))
	write(id)
	write(strconv.FormatInt(at, 10))
	for i, f := range rest {
		if table == "audit_log" && i >= len(rest)-2 { // reason, details
			sum := sha256.Sum256([]byte(f))
			f = hex.EncodeToString(sum[:])
		}
		write(f)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// readSealedRows returns the entries of table with from <= seq <= to, in
// seq order, with their digests: at most limit of them when limit > 0.
// The sealer reads one batch at a time: reading the whole backlog for
// each seal made sealing a million entries quadratic (minutes, not
// seconds).
func (tx *Tx) readSealedRows(ctx context.Context, table string, from, to int64, limit int) ([]sealedRow, error) {
	query := `SELECT ` + sealedColumns[table] + ` FROM ` + table + ` WHERE seq >= ? AND seq <= ? ORDER BY seq, id`
	args := []any{from, to}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var seq, at int64
		var id string
		var rest []string
		var err error
		if table == "audit_log" {
			rest = make([]string, 8)
			err = rows.Scan(&seq, &id, &at, &rest[0], &rest[1], &rest[2], &rest[3], &rest[4], &rest[5], &rest[6], &rest[7])
		} else {
			rest = make([]string, 5)
			var amount int64
			err = rows.Scan(&seq, &id, &at, &rest[0], &rest[1], &rest[2], &rest[3], &rest[4], &amount)
			rest = append(rest, strconv.FormatInt(amount, 10))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sealedRow{seq, id, rowDigest(table, seq, id, at, rest)})
	}
	return out, rows.Err()
}

// seal is one link of the chain.
type seal struct {
	seq         int64
	table       string
	first, last int64
	entries     string
	prevHash    string
	hash        string
}

func encodeEntries(rows []sealedRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d %s %s\n", r.seq, r.id, r.digest)
	}
	return b.String()
}

func decodeEntries(s string) ([]sealedRow, error) {
	var out []sealedRow
	for line := range strings.Lines(s) {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, errors.New("ligne illisible")
		}
		seq, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, sealedRow{seq, f[1], f[2]})
	}
	return out, nil
}

// computeHash is the seal's hash: SHA-256 over the previous seal's hash
// and everything the seal states.
func (s seal) computeHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "passnum-seal-v1\n%d\n%s\n%d\n%d\n%s\n", s.seq, s.table, s.first, s.last, s.prevHash)
	h.Write([]byte(s.entries))
	return hex.EncodeToString(h.Sum(nil))
}

// sealHead is the last seal's number and hash (0 and "" before the first)
// and, per table, the last seq sealed.
func (tx *Tx) sealHead(ctx context.Context) (int64, string, map[string]int64, error) {
	last := map[string]int64{}
	rows, err := tx.query(ctx, `SELECT table_name, MAX(last_seq) FROM seals GROUP BY table_name`)
	if err != nil {
		return 0, "", nil, err
	}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return 0, "", nil, err
		}
		last[t] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", nil, err
	}
	var seq int64
	var hash string
	err = tx.queryRow(ctx, `SELECT seq, hash FROM seals ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", last, nil
	}
	return seq, hash, last, err
}

// Seal seals every entry of the audit trail and the ledger written so far
// (on PostgreSQL, once the transactions that may still write below the
// current number have ended), one seal per batch, and returns how many
// entries it sealed. Several instances may seal at once: a seal written by
// another in between makes this one stop without error.
func (s *Store) Seal(ctx context.Context) (int, error) {
	total := 0
	for _, table := range sealedTables {
		horizon, err := s.sealHorizon(ctx, table)
		if err != nil {
			return total, err
		}
		for {
			n, err := s.sealBatch(ctx, table, horizon)
			total += n
			if err != nil || n == 0 {
				if errors.Is(err, errSealRace) {
					return total, nil
				}
				if err != nil {
					return total, err
				}
				break
			}
		}
	}
	return total, nil
}

var errSealRace = errors.New("another sealer wrote a seal")

// sealBatch writes one seal of up to maxSealRows entries of table with
// seq up to horizon, and returns how many it sealed.
func (s *Store) sealBatch(ctx context.Context, table string, horizon int64) (int, error) {
	var next seal
	var rows []sealedRow
	err := s.View(ctx, func(tx *Tx) error {
		seq, hash, last, err := tx.sealHead(ctx)
		if err != nil {
			return err
		}
		from := last[table] + 1
		if from > horizon {
			return nil
		}
		// The batch's range ends at its last row (or at the horizon when
		// fewer rows than the cap remain), so that ranges follow each other
		// without gaps.
		rows, err = tx.readSealedRows(ctx, table, from, horizon, maxSealRows+1)
		if err != nil {
			return err
		}
		to := horizon
		if len(rows) > maxSealRows {
			rows = rows[:maxSealRows]
			to = rows[len(rows)-1].seq
		}
		next = seal{seq: seq + 1, table: table, first: from, last: to, entries: encodeEntries(rows), prevHash: hash}
		next.hash = next.computeHash()
		return nil
	})
	if err != nil || next.seq == 0 {
		return 0, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		var head int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM seals`).Scan(&head); err != nil {
			return err
		}
		if head != next.seq-1 {
			return errSealRace
		}
		_, err := tx.exec(ctx, `INSERT INTO seals (seq, table_name, first_seq, last_seq, entries, prev_hash, hash, sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			next.seq, next.table, next.first, next.last, next.entries, next.prevHash, next.hash, micros(tx.now))
		return err
	})
	if err != nil {
		if s.dialect.uniqueViolation(err) {
			return 0, errSealRace
		}
		return 0, err
	}
	return len(rows), nil
}

// sealHorizon is the highest seq of table below which every entry is
// committed or will never be. SQLite writes one transaction at a time,
// in seq order: what a reader sees is a prefix. On PostgreSQL, a number
// read from the sequence may still be held by a transaction in flight;
// every such transaction had its id before taking its number
// (passnum_seal_next), so once the transactions in flight at the reading
// have all ended, nothing below it can appear any more.
func (s *Store) sealHorizon(ctx context.Context, table string) (int64, error) {
	if s.dialect != postgresDialect {
		var n int64
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM `+table).Scan(&n)
		return n, err
	}
	var last int64
	var called bool
	if err := s.db.QueryRowContext(ctx, `SELECT last_value, is_called FROM `+table+`_seal_seq`).Scan(&last, &called); err != nil {
		return 0, err
	}
	if !called {
		last--
	}
	inFlight, err := s.inFlight(ctx)
	if err != nil {
		return 0, err
	}
	for wait := 0; len(inFlight) > 0; wait++ {
		// A transaction that stays open 30 s (a settlement of millions
		// of redemptions): seal nothing this time.
		now, err := s.inFlight(ctx)
		if err != nil {
			return 0, err
		}
		for x := range inFlight {
			if !now[x] {
				delete(inFlight, x)
			}
		}
		if len(inFlight) == 0 {
			break
		}
		if wait == 300 {
			return 0, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return last, nil
}

// inFlight lists the transactions in progress on this database that
// have written (they have an id). pg_stat_activity shows them for the
// sessions of the same role: every instance of the server uses one role
// (docs/deployment.md).
func (s *Store) inFlight(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT backend_xid::text FROM pg_stat_activity
		WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, err
		}
		out[x] = true
	}
	return out, rows.Err()
}
