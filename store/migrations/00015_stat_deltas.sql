-- What each write adds to the statistics' counters, on PostgreSQL, before
-- it is folded into stat_counts. Every redemption adds to the same few
-- counter rows (the programme's month, its département, place, service…);
-- an upsert keeps such a row locked until its transaction commits, so
-- concurrent redemptions committed one at a time. Inserting a delta row
-- locks nothing another transaction needs; the store folds the deltas into
-- stat_counts every few seconds, in one transaction, and every reader reads
-- the sum of both. SQLite, whose writes are one at a time anyway, adds to
-- stat_counts directly and leaves this table empty.

-- +goose Up
CREATE TABLE stat_deltas (
    programme_id TEXT NOT NULL,
    dim          TEXT NOT NULL,
    dim_value    TEXT NOT NULL,
    month        TEXT NOT NULL,
    metric       TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL
);

-- +goose Down
INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
    SELECT programme_id, dim, dim_value, month, metric, bucket, SUM(n), SUM(amount_cents) FROM stat_deltas
    GROUP BY programme_id, dim, dim_value, month, metric, bucket
    ON CONFLICT (programme_id, dim, dim_value, month, metric, bucket) DO UPDATE
    SET n = stat_counts.n + excluded.n, amount_cents = stat_counts.amount_cents + excluded.amount_cents;
DROP TABLE stat_deltas;
