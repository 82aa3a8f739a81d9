package passnum

import (
	"fmt"
	"strings"
	"time"
)

// Reminders: a young person who gave an e-mail address or a mobile number
// and agreed to be contacted is reminded when their booklet sleeps (handed
// out more than the programme's dormant days ago, no pass used) or when
// their passes end within EndingSoonDays. At most one reminder per booklet
// and per calendar month (Paris), whatever its kind.

// ReminderKind is why a young person is reminded.
type ReminderKind string

const (
	ReminderDormant ReminderKind = "dormant"
	ReminderEnding  ReminderKind = "ending"
)

// EndingSoonDays: passes that end within this many days call for a
// reminder.
const EndingSoonDays = 30

// ReminderChannel is how a reminder goes.
type ReminderChannel string

const (
	ByEmail ReminderChannel = "email"
	BySMS   ReminderChannel = "sms"
)

// Label is the kind in French.
func (k ReminderKind) Label() string {
	switch k {
	case ReminderDormant:
		return "carnet pas encore utilisé"
	case ReminderEnding:
		return "pass bientôt expirés"
	}
	return "rappel"
}

// ReminderPeriod is the period a reminder counts in: the Paris month of
// now, YYYY-MM.
func ReminderPeriod(now time.Time) string { return ParisMonth(now) }

// ReminderPlace is a place near the young person, with its next sessions.
type ReminderPlace struct {
	Name, Address, Commune string
	DistanceKm             float64
	Sessions               []string // "mardi 8 décembre à 14 h 00 : Premiers pas sur smartphone"
}

// Reminder is one reminder to send.
type Reminder struct {
	BookletID, BeneficiaryID, ProgrammeID string
	Kind                                  ReminderKind
	FirstName, ProgrammeName              string
	Email, Phone                          string
	UnusedPasses                          int
	LastRedeemDay                         Date
	Places                                []ReminderPlace
}

// Channel is how the reminder goes: e-mail when there is an address, else
// a text message.
func (r Reminder) Channel() ReminderChannel {
	if r.Email != "" {
		return ByEmail
	}
	return BySMS
}

// Subject is the e-mail's subject.
func (r Reminder) Subject() string {
	if r.Kind == ReminderEnding {
		return fmt.Sprintf("Vos pass numériques sont valables jusqu'au %s", frenchDay(r.LastRedeemDay))
	}
	return "Vos pass numériques vous attendent"
}

// Text is the message, in French: why, until when, the nearest places and
// their next sessions, where to see the passes, how to stop the reminders.
func (r Reminder) Text(siteURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour %s,\n\n", r.FirstName)
	passes := CountOf(r.UnusedPasses, "pass numérique", "pass numériques")
	switch r.Kind {
	case ReminderEnding:
		fmt.Fprintf(&b, "Il vous reste %s du programme « %s », valables jusqu'au %s inclus. Après cette date, ils ne pourront plus être utilisés.\n", passes, r.ProgrammeName, frenchDay(r.LastRedeemDay))
	default:
		fmt.Fprintf(&b, "Vous avez reçu %s du programme « %s » et vous ne les avez pas encore utilisés. Chaque pass paie une formation aux outils numériques dans un lieu labellisé, gratuitement pour vous, jusqu'au %s.\n", passes, r.ProgrammeName, frenchDay(r.LastRedeemDay))
	}
	if len(r.Places) > 0 {
		b.WriteString("\nLes lieux les plus proches de chez vous :\n")
		for _, p := range r.Places {
			fmt.Fprintf(&b, "- %s, %s, %s (%s km)\n", p.Name, p.Address, p.Commune, strings.ReplaceAll(fmt.Sprintf("%.1f", p.DistanceKm), ".", ","))
			for _, s := range p.Sessions {
				fmt.Fprintf(&b, "    %s\n", s)
			}
		}
	}
	fmt.Fprintf(&b, "\nVos pass et tous les lieux : %s/mon-pass\n", strings.TrimRight(siteURL, "/"))
	fmt.Fprintf(&b, "\nVous recevez ce message parce que vous avez accepté d'être contacté au sujet de vos pass.\n%s\n", r.StopLine(siteURL))
	return b.String()
}

// SMS is the text message: short, one place, the address of the space.
func (r Reminder) SMS(siteURL string) string {
	var b strings.Builder
	if r.Kind == ReminderEnding {
		fmt.Fprintf(&b, "Pass numérique : vos %d pass sont valables jusqu'au %s.", r.UnusedPasses, frenchDay(r.LastRedeemDay))
	} else {
		fmt.Fprintf(&b, "Pass numérique : vos %d pass vous attendent, une formation gratuite près de chez vous.", r.UnusedPasses)
	}
	if len(r.Places) > 0 {
		fmt.Fprintf(&b, " Lieu le plus proche : %s, %s.", r.Places[0].Name, r.Places[0].Commune)
	}
	fmt.Fprintf(&b, " %s/mon-pass %s", strings.TrimRight(siteURL, "/"), r.StopLine(siteURL))
	return b.String()
}

// StopLine says how to stop the reminders, in every message: on the young
// person's own page, where one button withdraws their consent.
func (r Reminder) StopLine(siteURL string) string {
	return "Pour ne plus recevoir de rappels : " + strings.TrimRight(siteURL, "/") + "/mon-pass"
}
