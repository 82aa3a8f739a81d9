package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"passnum"
	"passnum/store"
)

// retentionActor is who pseudonymises at the end of retention, in the
// audit trail.
var retentionActor = passnum.Actor{Role: passnum.RoleOperator, Kind: "system", ID: "retention"}

// retentionFlag adds --retention-months, PASSNUM_RETENTION_MONTHS or the
// default, passnum.DefaultRetentionMonths.
func retentionFlag(fs *flag.FlagSet) *int {
	def := passnum.DefaultRetentionMonths
	if v, err := strconv.Atoi(os.Getenv("PASSNUM_RETENTION_MONTHS")); err == nil {
		def = v
	}
	return fs.Int("retention-months", def, "mois de conservation de l'identité des jeunes après la fin de leur programme, puis pseudonymisation (PASSNUM_RETENTION_MONTHS ; "+strconv.Itoa(passnum.DefaultRetentionMonths)+" par défaut)")
}

// retention runs "passnum retention run": the pseudonymisation of the
// identities whose retention is over, for a cron; serve runs it daily.
func retention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return usageError{"sous-commande de conservation inconnue : utilisez « passnum retention run »"}
	}
	fs := newFlags("retention run", stderr)
	db := dbFlag(fs)
	months := retentionFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := passnum.CheckRetentionMonths(*months); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	run, err := runRetention(ctx, s, *months)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, retentionWords(run))
	return nil
}

func runRetention(ctx context.Context, s *store.Store, months int) (store.RetentionRun, error) {
	var run store.RetentionRun
	err := s.Write(ctx, func(tx *store.Tx) error {
		var err error
		run, err = tx.RunRetention(ctx, retentionActor, months)
		return err
	})
	return run, err
}

func retentionWords(run store.RetentionRun) string {
	return fmt.Sprintf("Conservation des données : %s (programme terminé, ou inscription sans carnet, depuis %d mois ou plus).",
		passnum.CountOf(int64(run.Pseudonymised), "identité pseudonymisée", "identités pseudonymisées"), run.Months)
}

// retentionDaily runs the retention at start, then every day, until ctx
// ends. A failure is logged and tried again the next day.
func retentionDaily(ctx context.Context, s *store.Store, months int, log *slog.Logger) {
	for {
		run, err := runRetention(ctx, s, months)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("retention run failed", "err", err)
		case run.Pseudonymised > 0:
			log.Info("retention run", "pseudonymised", run.Pseudonymised, "months", months)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}
