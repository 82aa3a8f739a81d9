package store

import "context"

// RefillStatsForTests runs migration 00013's fill on the database as it
// stands: what an existing database gets when it migrates.
func (s *Store) RefillStatsForTests(ctx context.Context) error {
	return s.Write(ctx, func(tx *Tx) error {
		if err := fillBookletStats(ctx, tx.q); err != nil {
			return err
		}
		counters, err := recountStats(ctx, tx.q, currentSchema)
		if err != nil {
			return err
		}
		// Deltas not yet folded (PostgreSQL) are in the recount already.
		if _, err := tx.exec(ctx, `DELETE FROM stat_deltas`); err != nil {
			return err
		}
		return writeStats(ctx, tx.q, counters)
	})
}
