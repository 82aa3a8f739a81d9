package remind_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/demo"
	"passnum/mail"
	"passnum/remind"
	"passnum/sms"
	"passnum/store"
	"passnum/store/storetest"
)

// failingSMS writes to an outbox, or fails while fail is set.
type failingSMS struct {
	sms.Outbox
	fail bool
}

func (f *failingSMS) Send(ctx context.Context, to, text string) error {
	if f.fail {
		return errors.New("opérateur SMS indisponible")
	}
	return f.Outbox.Send(ctx, to, text)
}

func files(t *testing.T, dir, glob string) []string {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(dir, glob))
	var out []string
	for _, f := range fs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// Reminders go to those who agreed, once a month per booklet, by e-mail or
// text message, with the places near them; a failed sending is tried again
// at the next run; the effect compares reminded and not reminded booklets.
func TestReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		ctx := context.Background()
		sum, err := demo.Seed(ctx, s, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		op := passnum.Actor{OrganisationID: sum.Keys["operator"].OrganisationID, Role: passnum.RoleOperator, Kind: "system", ID: "test"}
		dist := passnum.Actor{OrganisationID: sum.Keys["distributor"].OrganisationID, Role: passnum.RoleDistributor, Kind: "system", ID: "test"}
		place := passnum.Actor{OrganisationID: sum.Keys["place"].OrganisationID, Role: passnum.RolePlace, Kind: "system", ID: "test"}
		today := passnum.ParisDate(clock.Now())
		type person struct {
			name, email, phone string
			consent            bool
			booklet            passnum.Booklet
		}
		people := []*person{
			{name: "Alix", email: "alix@exemple.fr", consent: true},
			{name: "Bilal", phone: "06 12 34 56 78", consent: true},
			{name: "Chloé"},
			{name: "Dany", email: "dany@exemple.fr", consent: true},
		}
		var prog passnum.Programme
		err = s.Write(ctx, func(tx *store.Tx) error {
			var err error
			prog, err = tx.CreateProgramme(ctx, op, passnum.Programme{Name: "Pass numérique rappels", FaceValueCents: 1000, BookletSize: 3,
				ValidFrom: today.AddDays(-1), ValidUntil: today.AddDays(150), MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1, CancelWindowHours: 24,
				Territory: []string{"reg:27"}, Funders: []passnum.FunderShare{{OrganisationID: sum.Keys["funder"].OrganisationID, ShareBps: 10000}}})
			if err != nil {
				return err
			}
			if _, err := tx.Issue(ctx, op, prog.ID, 4); err != nil {
				return err
			}
			if _, err := tx.Allocate(ctx, op, prog.ID, dist.OrganisationID, 4); err != nil {
				return err
			}
			for _, p := range people {
				b, err := tx.CreateBeneficiary(ctx, dist, passnum.Beneficiary{FirstName: p.name, LastName: "Rappel", BirthDate: today.AddDays(-20 * 366),
					CommuneINSEE: "25056", JobSeeker: true, Email: p.email, Phone: p.phone, ContactConsent: p.consent})
				if err != nil {
					return err
				}
				if p.booklet, err = tx.HandOut(ctx, dist, b.ID, prog.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		redeem := func(p *person) {
			t.Helper()
			if err := s.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: p.booklet.Passes[0].Code, Service: passnum.NationalServices[0]})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		redeem(people[3]) // Dany starts at once: never dormant

		// The demo's young people who agreed to be contacted would be
		// reminded too, over the months this test goes through: they
		// withdraw, so that the counts below are this programme's.
		start := clock.Now()
		for _, days := range []int{0, 61, 96, 126, 156} {
			clock.Set(start.Add(time.Duration(days) * 24 * time.Hour))
			if err := s.Write(ctx, func(tx *store.Tx) error {
				due, err := tx.DueReminders(ctx)
				if err != nil {
					return err
				}
				for _, r := range due {
					if r.ProgrammeID != prog.ID {
						if err := tx.WithdrawContactConsent(ctx, r.BeneficiaryID); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		clock.Set(start)

		outbox := t.TempDir()
		smsDir := t.TempDir()
		sender := &failingSMS{Outbox: sms.Outbox{Dir: smsDir}}
		cfg := remind.Config{Mail: mail.Outbox{Dir: outbox}, SMS: sender, SiteURL: "https://pass.exemple.fr"}
		run := func() remind.Report {
			t.Helper()
			rep, err := remind.Run(ctx, s, cfg)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		// Before the dormant days, nobody from this programme is due.
		if rep := run(); rep.Email+rep.SMS != 0 {
			t.Fatalf("reminders sent before any booklet sleeps: %+v", rep)
		}

		clock.Advance(61 * 24 * time.Hour)
		sender.fail = true
		rep := run()
		if rep.Email != 1 || rep.SMS != 0 || rep.Failed != 1 {
			t.Fatalf("first run: %+v", rep)
		}
		mails := files(t, outbox, "*.eml")
		if len(mails) != 1 || !strings.Contains(mails[0], "alix@exemple.fr") || !strings.Contains(mails[0], "Alix") {
			t.Fatalf("mails: %q", mails)
		}
		// The text message failed: the next run sends it, and nothing else.
		sender.fail = false
		if rep := run(); rep.SMS != 1 || rep.Email != 0 {
			t.Fatalf("second run: %+v", rep)
		}
		texts := files(t, smsDir, "*.sms")
		if len(texts) != 1 || !strings.HasPrefix(texts[0], "+33612345678\n") || !strings.Contains(texts[0], "/mon-pass") {
			t.Fatalf("texts: %q", texts)
		}
		// Once a month: the same month again sends nothing.
		if rep := run(); rep.Email+rep.SMS != 0 {
			t.Fatalf("third run, same month: %+v", rep)
		}
		// Alix starts after her reminder.
		redeem(people[0])

		effect := func(secret bool) store.ReminderEffect {
			var eff store.ReminderEffect
			if err := s.View(ctx, func(tx *store.Tx) error {
				var err error
				eff, err = tx.ReminderEffect(ctx, prog.ID, secret)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return eff
		}
		figures := func(e store.ReminderEffect) []any {
			var out []any
			for _, p := range []*int64{e.Reminded, e.RemindedStarted, e.RecentlyReminded, e.RecentlyRemindedStarted, e.NotReminded, e.NotRemindedStarted,
				e.SentDormant, e.SentEnding, e.SentEmail, e.SentSMS} {
				if p == nil {
					out = append(out, nil)
				} else {
					out = append(out, *p)
				}
			}
			return out
		}
		// The month of the hand-outs is not yet wholly past its dormant
		// days: no booklet of it counts yet; the reminders sent do.
		eff := effect(false)
		if got, want := fmt.Sprint(figures(eff)), fmt.Sprint([]int64{0, 0, 0, 0, 0, 0, 2, 0, 1, 1}); got != want || eff.Through >= passnum.ParisMonth(start) {
			t.Fatalf("effect %s through %s, want %s before %s", got, eff.Through, want, passnum.ParisMonth(start))
		}

		// A month later Bilal still sleeps (Alix started): reminded again.
		// Within 30 days of the end, everyone who agreed and holds unused
		// passes hears until when (Dany too, who never slept).
		clock.Advance(35 * 24 * time.Hour)
		if rep := run(); rep.SMS != 1 || rep.Email != 0 {
			t.Fatalf("next month: %+v", rep)
		}
		// Now the month of the hand-outs is past: Alix and Bilal slept and
		// were reminded last month, too recently to judge (Alix started
		// since); Chloé slept and was never reminded; Dany, who started at
		// once, never slept and counts in neither. Three reminders went
		// (Bilal's failed text not counted).
		eff = effect(false)
		if got, want := fmt.Sprint(figures(eff)), fmt.Sprint([]int64{0, 0, 2, 1, 1, 0, 3, 0, 1, 2}); got != want || len(eff.Masked) != 0 || eff.Through < passnum.ParisMonth(start) {
			t.Fatalf("effect %s through %s, want %s (masked %v)", got, eff.Through, want, eff.Masked)
		}
		// A funder sees none of these few young people; the reminders
		// sent by kind: 3 dormant and 0 ending hide each other.
		if got := figures(effect(true)); fmt.Sprint(got) != fmt.Sprint(make([]any, 10)) {
			t.Fatalf("the funder's effect: %v", got)
		}
		// The counters the effect reads equal their recount.
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * 24 * time.Hour)
		rep = run()
		if rep.Email != 2 || rep.SMS != 1 {
			t.Fatalf("ending soon: %+v", rep)
		}
		mails = files(t, outbox, "*.eml")
		ending := 0
		for _, m := range mails {
			if strings.Contains(m, "valables jusqu") {
				ending++
			}
		}
		if len(mails) != 3 || ending != 2 || !strings.Contains(strings.Join(mails, ""), "dany@exemple.fr") {
			t.Fatalf("ending mails (%d of %d): %q", ending, len(mails), mails)
		}
		// A month on, Alix's and Bilal's first reminders are old enough to
		// judge: one of the two started since. The reminders sent count
		// the ending ones too (two e-mails, a text).
		if got, want := fmt.Sprint(figures(effect(false))), fmt.Sprint([]int64{2, 1, 0, 0, 1, 0, 3, 3, 3, 3}); got != want {
			t.Fatalf("effect a month on %s, want %s", got, want)
		}
		for _, m := range append(mails, files(t, smsDir, "*.sms")...) {
			if strings.Contains(m, "Chlo") {
				t.Fatalf("a reminder went to someone who did not agree: %q", m)
			}
		}
	})
}
