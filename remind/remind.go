// Package remind sends the reminders due (see passnum.Reminder): by e-mail
// through the mail package, or by text message through an sms.Sender. A
// run is idempotent within a month: each reminder is claimed in the
// database before it is sent, and the claim taken back if sending fails.
package remind

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"passnum"
	"passnum/mail"
	"passnum/sms"
	"passnum/store"
)

// Config says how reminders go out.
type Config struct {
	Mail    mail.Sender // nil: no e-mail reminder
	SMS     sms.Sender  // nil: no text message
	SiteURL string      // the public address, for the link to /mon-pass
	Log     *slog.Logger
}

// Report says what a run did.
type Report struct {
	Due, Email, SMS, Failed, NoChannel int
}

func (r Report) String() string {
	return fmt.Sprintf("%s dus : %d par courriel, %d par SMS, %d en échec (réessayés au prochain passage), %d sans moyen d'envoi configuré",
		passnum.CountOf(r.Due, "rappel", "rappels"), r.Email, r.SMS, r.Failed, r.NoChannel)
}

// nearPlaces is how many places a reminder names.
const nearPlaces = 3

// Run sends every reminder due now.
func Run(ctx context.Context, s *store.Store, cfg Config) (Report, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	var due []passnum.Reminder
	if err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.DueReminders(ctx)
		return err
	}); err != nil {
		return Report{}, err
	}
	rep := Report{Due: len(due)}
	for _, r := range due {
		ch := r.Channel()
		if (ch == passnum.ByEmail && cfg.Mail == nil) || (ch == passnum.BySMS && cfg.SMS == nil) {
			rep.NoChannel++
			continue
		}
		if err := s.View(ctx, func(tx *store.Tx) error {
			var err error
			r.Places, err = places(ctx, tx, r.BeneficiaryID)
			return err
		}); err != nil {
			return rep, err
		}
		claimed := false
		if err := s.Write(ctx, func(tx *store.Tx) error {
			var err error
			claimed, err = tx.RecordReminder(ctx, r, ch)
			return err
		}); err != nil {
			return rep, err
		}
		if !claimed {
			continue // another run sent it this month
		}
		var err error
		if ch == passnum.ByEmail {
			err = cfg.Mail.Send(ctx, mail.Message{To: r.Email, Subject: r.Subject(), Body: r.Text(cfg.SiteURL)})
		} else {
			err = cfg.SMS.Send(ctx, r.Phone, r.SMS(cfg.SiteURL))
		}
		if err != nil {
			rep.Failed++
			cfg.Log.Error("reminder not sent", "booklet", r.BookletID, "channel", string(ch), "err", err)
			if ferr := s.Write(ctx, func(tx *store.Tx) error { return tx.ForgetReminder(ctx, r.BookletID) }); ferr != nil {
				return rep, ferr
			}
			continue
		}
		if ch == passnum.ByEmail {
			rep.Email++
		} else {
			rep.SMS++
		}
	}
	return rep, nil
}

// places finds the labelled places nearest the young person's commune,
// with their next sessions.
func places(ctx context.Context, tx *store.Tx, beneficiaryID string) ([]passnum.ReminderPlace, error) {
	commune, err := tx.ReminderCommune(ctx, beneficiaryID)
	if err != nil {
		return nil, err
	}
	origin, err := passnum.ResolveOrigin(commune, "")
	if err != nil {
		return nil, nil // a commune with no centre: the message goes without places
	}
	sites, err := tx.SitesNear(ctx, store.NearQuery{Latitude: origin.Latitude, Longitude: origin.Longitude, Limit: 20})
	if err != nil {
		return nil, err
	}
	var out []passnum.ReminderPlace
	for _, st := range sites {
		if !st.AcceptsPass {
			continue
		}
		p := passnum.ReminderPlace{Name: st.Name, Address: strings.TrimSpace(st.Address), Commune: st.Commune, DistanceKm: st.DistanceKm}
		for _, o := range st.NextSessions {
			p.Sessions = append(p.Sessions, "le "+passnum.FormatDateTime(o.StartsAt)+" : "+o.TrainingTitle)
		}
		out = append(out, p)
		if len(out) == nearPlaces {
			break
		}
	}
	return out, nil
}
