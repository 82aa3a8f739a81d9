package store

import "passnum"

// eventsBox holds the Events a store tells what it decided; set once the
// server's metrics exist (SetEvents), read by the writer.
type eventsBox struct{ ev passnum.Events }

// SetEvents makes ev hear the attempts the store's limits refuse
// (CountAttempt): one place for the pages' and the API's refusals, so that
// each is counted once. Without it nobody hears them.
func (s *Store) SetEvents(ev passnum.Events) {
	s.events.Store(&eventsBox{ev})
}

// tellRefused tells the Events of the limits a write's run refused.
func (s *Store) tellRefused(kinds []string) {
	if len(kinds) == 0 {
		return
	}
	b := s.events.Load()
	if b == nil {
		return
	}
	for _, k := range kinds {
		b.ev.Refused(k)
	}
}
