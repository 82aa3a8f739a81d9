package store

import (
	"context"
	"time"
)

// KeepPublicationForTests writes a month of funders' figures for a
// programme as another server would (one view, its row saying the month is
// there), and answers what the table holds of it.
func (s *Store) KeepPublicationForTests(ctx context.Context, programmeID, month, view, body string, at time.Time) (string, time.Time, error) {
	stored, when, err := s.keepPublication(ctx, publicationKey{programmeID, month}, map[string][]byte{view: []byte(body)}, at)
	return string(stored[view]), when, err
}
