package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Opening a database at the schema this program expects: the migrations
// (SQL files in migrations/, Go ones beside this file) are embedded and
// applied by goose at open with Options.Migrate; without it, a schema that
// is behind is refused, so that a server never runs on tables it does not
// know. On PostgreSQL a session lock keeps two servers from migrating at
// once.

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationDB is the connection migrations run on: SQLite's writer, or
// the PostgreSQL pool.
func (s *Store) migrationDB() *sql.DB {
	if s.wdb != nil {
		return s.wdb
	}
	return s.db
}

// migrate brings the schema to this program's version when apply is set,
// and otherwise refuses a schema that is behind; a schema ahead of the
// program is always refused.
func (s *Store) migrate(ctx context.Context, apply bool) error {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	var popts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if s.dialect == postgresDialect {
		gd = goose.DialectPostgres
		// Two servers starting together must not both migrate.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		popts = append(popts, goose.WithSessionLocker(locker))
	}
	popts = append(popts, goose.WithGoMigrations(migration00009(), migration00012(s.dialect), migration00013(), migration00016(s.dialect), migration00019(s.dialect), migration00020(), migration00022()))
	p, err := goose.NewProvider(gd, s.migrationDB(), fsys, popts...)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return unavailable("lecture de la version du schéma", err)
	}
	if current > target {
		return fmt.Errorf("le schéma de la base (version %d) est plus récent que ce programme (version %d) : mettez passnum à jour", current, target)
	}
	if err := s.restoreDeferredIndexes(ctx, apply); err != nil {
		return err
	}
	if current == target {
		return nil
	}
	if !apply {
		return fmt.Errorf("le schéma de la base (version %d) est en retard sur ce programme (version %d) : lancez « passnum serve » ou « passnum migrate » pour le mettre à jour", current, target)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("mise à jour du schéma : %w", err)
	}
	return nil
}
