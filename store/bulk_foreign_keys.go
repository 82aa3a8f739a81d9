package store

import (
	"context"
	"database/sql"
	"fmt"
)

// CheckForeignKeys verifies every foreign key of the database, and
// returns an error naming the first row whose parent is missing. A bulk
// load's SQLite writer does not enforce them as it writes
// (Options.BulkLoad): the load runs this at its end. PostgreSQL always
// enforces them, and there is nothing to do. It reads on the writer's
// connection: a reader would hold the log for minutes at the national
// scale, and the writer could not empty it meanwhile (boundWAL).
func (s *Store) CheckForeignKeys(ctx context.Context) error {
	if s.dialect != sqliteDialect {
		return nil
	}
	return s.Write(ctx, func(tx *Tx) error {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		err := tx.q.QueryRowContext(ctx, `PRAGMA foreign_key_check`).Scan(&table, &rowid, &parent, &fk)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("clé étrangère rompue : la ligne %d de la table %s renvoie à une ligne absente de la table %s ; la base n'est pas utilisable, chargez-la de nouveau", rowid.Int64, table, parent)
	})
}
