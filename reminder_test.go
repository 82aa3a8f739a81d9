package passnum

import (
	"strings"
	"testing"
)

// Every reminder, e-mail or text message, says how to stop them.
func TestReminderSaysHowToStop(t *testing.T) {
	for _, kind := range []ReminderKind{ReminderDormant, ReminderEnding} {
		r := Reminder{Kind: kind, FirstName: "Alix", ProgrammeName: "Pass numérique", UnusedPasses: 5, LastRedeemDay: MustDate("2026-12-31"),
			Places: []ReminderPlace{{Name: "EPN de Planoise", Address: "6 rue Picasso", Commune: "Besançon", DistanceKm: 1.2}}}
		want := "Pour ne plus recevoir de rappels : https://pass.exemple.fr/mon-pass"
		if text := r.Text("https://pass.exemple.fr/"); !strings.Contains(text, want) {
			t.Errorf("%s e-mail without how to stop:\n%s", kind, text)
		}
		if text := r.SMS("https://pass.exemple.fr"); !strings.Contains(text, want) {
			t.Errorf("%s text message without how to stop:\n%s", kind, text)
		}
	}
}
