package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"passnum/mail"
	"passnum/remind"
	"passnum/sms"
	"passnum/store"
)

// smsFlag adds --sms-outbox: where text messages are written, none by
// default (reminders by text message then wait; see docs/deployment.md
// to plug a provider).
func smsFlag(fs *flag.FlagSet) *string {
	return fs.String("sms-outbox", os.Getenv("PASSNUM_SMS_OUTBOX"), "dossier où écrire les SMS de rappel, faute d'opérateur SMS branché ; aucun par défaut : pas de rappel par SMS (PASSNUM_SMS_OUTBOX)")
}

func smsSender(dir string) sms.Sender {
	if dir == "" {
		return nil
	}
	return sms.Outbox{Dir: dir}
}

// reminders runs "passnum reminders run": the reminders due now, for a
// cron when no server runs (serve sends them every day by itself).
func reminders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return fmt.Errorf("usage : passnum reminders run [--db URL] [--public-url URL] [--smtp URL | --outbox DOSSIER] [--sms-outbox DOSSIER]")
	}
	fs := newFlags("reminders run", stderr)
	db := dbFlag(fs)
	public := publicURLFlag(fs, "http://127.0.0.1:8080")
	outbox := fs.String("outbox", envOr("PASSNUM_OUTBOX", "outbox"), "dossier où écrire les courriels quand aucun serveur SMTP n'est réglé (PASSNUM_OUTBOX)")
	smtpURL := fs.String("smtp", os.Getenv("PASSNUM_SMTP"), "serveur d'envoi des courriels (PASSNUM_SMTP)")
	from := fs.String("mail-from", envOr("PASSNUM_MAIL_FROM", "Pass numérique <ne-pas-repondre@passnum.example>"), "expéditeur des courriels (PASSNUM_MAIL_FROM)")
	smsDir := smsFlag(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	sender, err := mail.New(mail.Config{SMTPURL: *smtpURL, From: *from, OutboxDir: *outbox})
	if err != nil {
		return err
	}
	rep, err := remind.Run(ctx, s, remind.Config{Mail: sender, SMS: smsSender(*smsDir), SiteURL: *public, Log: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.String()+".")
	return nil
}

// remindersDaily sends the reminders due, at start and then every day.
func remindersDaily(ctx context.Context, s *store.Store, cfg remind.Config, log *slog.Logger) {
	for {
		rep, err := remind.Run(ctx, s, cfg)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("reminders run failed", "err", err)
		case rep.Due > 0:
			log.Info("reminders run", "due", rep.Due, "email", rep.Email, "sms", rep.SMS, "failed", rep.Failed, "no_channel", rep.NoChannel)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}
