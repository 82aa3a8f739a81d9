package store

import (
	"fmt"
	"testing"
)

// TestReminderEffectSecrecy: the slept booklets' table is hidden whole
// from a funder when any of its cells, or the total started since (which
// the dashboard's other figures give back), counts 1 to 4 young people;
// shown whole otherwise. Hiding only the small started figure left it
// recoverable: with nobody reminded, "never reminded, started since" is
// that total.
func TestReminderEffectSecrecy(t *testing.T) {
	for _, c := range []struct {
		figs   [6]int64 // reminded, started; lately, started; never, started
		hidden bool
	}{
		{[6]int64{0, 0, 0, 0, 181, 3}, true},
		{[6]int64{26, 0, 0, 0, 58, 4}, true},
		{[6]int64{40, 10, 20, 6, 200, 50}, false},
		{[6]int64{40, 10, 3, 0, 200, 50}, true}, // three reminded lately
		{[6]int64{40, 40, 20, 20, 200, 200}, false},
		{[6]int64{40, 38, 20, 20, 200, 200}, true}, // two reminded not started
		{[6]int64{0, 0, 0, 0, 0, 0}, false},
	} {
		f := c.figs
		e := ReminderEffect{Reminded: &f[0], RemindedStarted: &f[1], RecentlyReminded: &f[2], RecentlyRemindedStarted: &f[3],
			NotReminded: &f[4], NotRemindedStarted: &f[5], SentDormant: new(int64), SentEnding: new(int64), SentEmail: new(int64), SentSMS: new(int64)}
		e.applySecrecy()
		got := []*int64{e.Reminded, e.RemindedStarted, e.RecentlyReminded, e.RecentlyRemindedStarted, e.NotReminded, e.NotRemindedStarted}
		nils := 0
		for _, p := range got {
			if p == nil {
				nils++
			}
		}
		if c.hidden && (nils != 6 || len(e.Masked) != 6) || !c.hidden && (nils != 0 || len(e.Masked) != 0) {
			t.Errorf("%v: %d hidden, masked %v; want all hidden: %v", c.figs, nils, e.Masked, c.hidden)
		}
	}
	// The reminders sent: a small one hides its pair, by kind and by
	// channel.
	d, en, m, s := int64(3), int64(100), int64(60), int64(43)
	z := int64(0)
	e := ReminderEffect{Reminded: &z, RemindedStarted: &z, RecentlyReminded: &z, RecentlyRemindedStarted: &z, NotReminded: &z, NotRemindedStarted: &z,
		SentDormant: &d, SentEnding: &en, SentEmail: &m, SentSMS: &s}
	e.applySecrecy()
	if e.SentDormant != nil || e.SentEnding != nil || e.SentEmail == nil || e.SentSMS == nil || fmt.Sprint(e.Masked) != "[sent_dormant sent_ending]" {
		t.Errorf("sent: %v %v %v %v, masked %v", e.SentDormant, e.SentEnding, e.SentEmail, e.SentSMS, e.Masked)
	}
}
