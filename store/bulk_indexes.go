package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// A bulk load inserts millions of rows into tables whose secondary
// indexes are keyed by values in no useful order (a young person's
// identity key, an agency, an action): each batch then dirties pages all
// over each index, and every checkpoint writes them back. Built once at
// the end, an index is one sort. DeferIndexes drops the secondary indexes
// the load does not read and records their definitions in
// deferred_indexes, in the same transaction; RestoreIndexes builds them
// again, one transaction each, and so does the next opening of the
// database if the load stopped before (restoreDeferredIndexes): no
// database is ever left without its indexes.

// deferredTables are the tables a bulk load writes millions of rows to.
var deferredTables = []string{"beneficiaries", "booklets", "redemptions", "ledger_entries", "audit_log"}

// bulkReadIndexes are the secondary indexes the bulk path reads: a
// distributor's stock in id order (pickBulkBooklets, BulkAllocate).
// Unique indexes are never deferred: they refuse what the load must not
// write, while it writes.
var bulkReadIndexes = []string{"booklets_stock"}

// runner is what the index statements run on: the migration connection
// at opening, a write's transaction otherwise.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// deferrableIndexesSQL lists a table's non-unique secondary indexes
// created by CREATE INDEX, with the statement that builds each.
func (d dialect) deferrableIndexesSQL() string {
	if d == postgresDialect {
		return `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
			AND NOT x.indisunique AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
			ORDER BY i.relname`
	}
	return `SELECT il.name, m.sql FROM pragma_index_list(?) il JOIN sqlite_master m ON m.type = 'index' AND m.name = il.name
		WHERE il."unique" = 0 AND il.origin = 'c' ORDER BY il.name`
}

// DeferIndexes drops the secondary indexes of the bulk-loaded tables that
// the bulk path does not read, and returns how many it dropped. Queries
// still answer without them, slowly: it is for an offline load, followed
// by RestoreIndexes.
func (s *Store) DeferIndexes(ctx context.Context) (int, error) {
	n := 0
	err := s.WriteExclusive(ctx, func(tx *Tx) error {
		n = 0
		for _, t := range deferredTables {
			idx, err := readPairs(ctx, tx.q, s.dialect.deferrableIndexesSQL(), t)
			if err != nil {
				return err
			}
			for _, i := range idx {
				if slices.Contains(bulkReadIndexes, i[0]) {
					continue
				}
				if _, err := tx.q.ExecContext(ctx, s.dialect.rebind(`INSERT INTO deferred_indexes (name, definition) VALUES (?, ?)`), i[0], i[1]); err != nil {
					return err
				}
				if _, err := tx.q.ExecContext(ctx, `DROP INDEX `+quoteIdent(i[0])); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// RestoreIndexes builds the deferred indexes again, each in a write of its
// own (on SQLite the WAL is emptied between them), telling progress how
// far it is (may be nil).
func (s *Store) RestoreIndexes(ctx context.Context, progress func(done, total int)) error {
	pending, err := readPairs(ctx, s.db, `SELECT name, definition FROM deferred_indexes ORDER BY name`)
	if err != nil {
		return err
	}
	for k, i := range pending {
		if err := s.WriteExclusive(ctx, func(tx *Tx) error {
			return buildDeferredIndex(ctx, s.dialect, tx.q, i[0], i[1])
		}); err != nil {
			return err
		}
		if progress != nil {
			progress(k+1, len(pending))
		}
	}
	return nil
}

// buildDeferredIndex builds one deferred index and takes it off the list,
// unless another process (two servers opening the same database) built it
// meanwhile: its row is locked first (on SQLite the transaction holds the
// write lock) and looked at again.
func buildDeferredIndex(ctx context.Context, d dialect, q runner, name, definition string) error {
	lock := `SELECT name FROM deferred_indexes WHERE name = ?`
	if d == postgresDialect {
		lock += ` FOR UPDATE`
	}
	rows, err := q.QueryContext(ctx, d.rebind(lock), name)
	if err != nil {
		return err
	}
	still := rows.Next()
	if err := rows.Close(); err != nil || !still {
		return err
	}
	if d == postgresDialect {
		// Sorting in memory rather than in temporary files: a few
		// hundred megabytes for the biggest index of a national load.
		if _, err := q.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return err
		}
	}
	if _, err := q.ExecContext(ctx, definition); err != nil {
		return fmt.Errorf("reconstruction de l'index %s : %w", name, err)
	}
	_, err = q.ExecContext(ctx, d.rebind(`DELETE FROM deferred_indexes WHERE name = ?`), name)
	return err
}

// restoreDeferredIndexes builds, at opening, the indexes a bulk load
// deferred and did not build again (it stopped midway). Without apply
// (a server that does not migrate), it refuses to open such a database.
func (s *Store) restoreDeferredIndexes(ctx context.Context, apply bool) error {
	db := s.migrationDB()
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'deferred_indexes'`
	if s.dialect == postgresDialect {
		exists = `SELECT COUNT(*) FROM pg_class WHERE relname = 'deferred_indexes' AND relnamespace = current_schema()::regnamespace`
	}
	var n int
	if err := db.QueryRowContext(ctx, exists).Scan(&n); err != nil || n == 0 {
		return err
	}
	pending, err := readPairs(ctx, db, `SELECT name, definition FROM deferred_indexes ORDER BY name`)
	if err != nil || len(pending) == 0 {
		return err
	}
	if !apply {
		return fmt.Errorf("%d index de la base restent à reconstruire (un chargement en masse s'est arrêté avant la fin) : lancez « passnum migrate » pour les reconstruire", len(pending))
	}
	s.log.Warn("rebuilding the indexes a bulk load left deferred", "indexes", len(pending))
	for _, i := range pending {
		if err := s.restoreDeferredIndex(ctx, db, i[0], i[1]); err != nil {
			return err
		}
	}
	return nil
}

// restoreDeferredIndex builds one index at opening, in a transaction of
// its own on the migration connection.
func (s *Store) restoreDeferredIndex(ctx context.Context, db *sql.DB, name, definition string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after a COMMIT, a no-op
	if err := buildDeferredIndex(ctx, s.dialect, tx, name, definition); err != nil {
		return err
	}
	return tx.Commit()
}

// readPairs reads a two-column result.
func readPairs(ctx context.Context, q runner, query string, args ...any) ([][2]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// quoteIdent quotes a name read from the catalog for a statement.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
