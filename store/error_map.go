package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"passnum"
)

// Driver errors as the product answers them: one place turns what
// database/sql, modernc's SQLite and pgx return into the domain's coded
// errors (passnum.Error) or leaves them internal (logged, a 500).

// mapErr turns driver errors into domain errors: a busy or unreachable
// database is "unavailable" (503), a constraint the application should have
// caught is a conflict; anything else is logged and stays internal.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	var de *passnum.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return passnum.Errorf(passnum.EUNAVAILABLE, "La requête a été interrompue avant d'aboutir : réessayez.")
	}
	if s.dialect.unavailable(err) || strings.Contains(err.Error(), "sql: database is closed") {
		s.log.Warn("database unavailable", "err", err)
		return passnum.Errorf(passnum.EUNAVAILABLE, "La base de données est momentanément indisponible : réessayez dans quelques secondes.")
	}
	if s.dialect.uniqueViolation(err) {
		return passnum.Errorf(passnum.ECONFLICT, "Cet enregistrement existe déjà.")
	}
	if s.dialect.invalidText(err) {
		return passnum.Errorf(passnum.EINVALID, "Un texte envoyé contient un caractère nul (U+0000) ou n'est pas en UTF-8 : retirez-le et réessayez.")
	}
	return err
}

func unavailable(what string, err error) error {
	return fmt.Errorf("%s : %w", what, err)
}
