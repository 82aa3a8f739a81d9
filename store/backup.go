package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passnum"
)

// Backup writes a consistent copy of a running SQLite database to path:
// VACUUM INTO on a reader connection copies the last committed state while
// writes go on (WAL mode lets the writer continue), into a compact file of
// its own that opens as a database. It refuses to overwrite a file. On
// PostgreSQL the server's own tools do this job (pg_dump, or a base backup
// with WAL archiving for point-in-time recovery): see the README.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != sqliteDialect {
		return passnum.Errorf(passnum.EINVALID, "La sauvegarde intégrée est celle de SQLite : pour PostgreSQL, utilisez pg_dump (voir le README, « Sauvegardes »).")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return passnum.Errorf(passnum.ECONFLICT, "Le fichier %s existe déjà : choisissez un autre nom, une sauvegarde n'écrase rien.", path)
	}
	if strings.ContainsAny(abs, "?#") {
		return passnum.Errorf(passnum.EINVALID, "Le chemin de la sauvegarde ne peut contenir ni « ? » ni « # » : choisissez-en un autre.")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.mapErr(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("sauvegarde vers %s : %w", path, err)
	}
	return syncFile(abs)
}

// RestoreSQLite checks the SQLite database in file (a backup) and installs
// it at target, a "sqlite:" URL: the copy is made beside the target,
// brought up to this version's schema, checked (SQLite's integrity check,
// then every invariant of "passnum check"), and only then renamed over the
// target, so that a bad backup never replaces a good database. An existing
// target is kept beside it, renamed with the time of the restore, and is
// refused unless replace is set. It returns the name the old database was
// kept under, if any. The server must be stopped while it runs.
func RestoreSQLite(ctx context.Context, file, target string, replace bool) (kept string, err error) {
	d, dst, err := parseURL(target)
	if err != nil {
		return "", err
	}
	if d != sqliteDialect {
		return "", passnum.Errorf(passnum.EINVALID, "La restauration intégrée est celle de SQLite : pour PostgreSQL, utilisez pg_restore (voir le README, « Sauvegardes »).")
	}
	if err := sqliteHeader(file); err != nil {
		return "", err
	}
	_, statErr := os.Stat(dst)
	exists := statErr == nil
	if exists && !replace {
		return "", passnum.Errorf(passnum.ECONFLICT, "La base %s existe : arrêtez le serveur, puis relancez avec --replace pour la remplacer (elle sera gardée à côté, renommée).", dst)
	}
	tmp := dst + ".restauration"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	if err := copyFile(file, tmp); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
				os.Remove(f)
			}
		}
	}()
	if err := checkCopy(ctx, tmp); err != nil {
		return "", err
	}
	if exists {
		kept = fmt.Sprintf("%s.avant-restauration-%s", dst, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(dst, kept); err != nil {
			return "", fmt.Errorf("mise de côté de %s : %w", dst, err)
		}
		for _, ext := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(dst + ext); err == nil {
				if err := os.Rename(dst+ext, kept+ext); err != nil {
					return kept, fmt.Errorf("mise de côté de %s : %w", dst+ext, err)
				}
			}
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, fmt.Errorf("installation de la sauvegarde : %w", err)
	}
	return kept, syncDir(filepath.Dir(dst))
}

// checkCopy opens the copy at path, migrates it to this version's schema,
// and verifies it; it closes it cleanly, with its WAL folded back in.
func checkCopy(ctx context.Context, path string) error {
	s, err := Open(ctx, "sqlite:"+path, Options{Migrate: true, GroupRedemptions: GroupOff})
	if err != nil {
		return fmt.Errorf("la sauvegarde ne s'ouvre pas : %w", err)
	}
	var result string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		s.Close()
		return fmt.Errorf("contrôle d'intégrité de la sauvegarde : %w", err)
	}
	if result != "ok" {
		s.Close()
		return fmt.Errorf("la sauvegarde est endommagée (contrôle d'intégrité de SQLite : %s) : prenez-en une autre", result)
	}
	if err := s.Check(ctx); err != nil {
		s.Close()
		var v *Violation
		if errors.As(err, &v) {
			return fmt.Errorf("la sauvegarde ne passe pas « passnum check » (%s) : prenez-en une autre", v.Message)
		}
		return err
	}
	return s.Close()
}

// sqliteHeader refuses a file that does not start as a SQLite database.
func sqliteHeader(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("sauvegarde %s illisible : %w", file, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "SQLite format 3\x00" {
		return passnum.Errorf(passnum.EINVALID, "%s n'est pas une base SQLite : indiquez un fichier écrit par « passnum backup ».", file)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
