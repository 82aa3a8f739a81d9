-- Each breakdown cell's counters for every month together (month ''), kept
-- beside its months' by every write from now on, so that a breakdown over
-- the whole programme reads one row per cell and metric instead of one per
-- month (store/stat_counts.go, allMonths). The programme as a whole keeps
-- its months only. The rows are filled here from the months' counters and
-- the deltas not yet folded; passnum check recounts them like any other.
-- The index serves a breakdown read by month: its all-months rows, or a
-- period's months, without walking every month of every cell. It changes
-- only when a counter row is added, not when one is added to.

-- +goose Up
DELETE FROM stat_counts WHERE month = '';
DELETE FROM stat_deltas WHERE month = '';
INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
    SELECT programme_id, dim, dim_value, '', metric, bucket, SUM(n), SUM(amount_cents)
    FROM (SELECT programme_id, dim, dim_value, metric, bucket, n, amount_cents FROM stat_counts WHERE dim <> 'all'
          UNION ALL SELECT programme_id, dim, dim_value, metric, bucket, n, amount_cents FROM stat_deltas WHERE dim <> 'all') AS months
    GROUP BY programme_id, dim, dim_value, metric, bucket;
CREATE INDEX stat_counts_month ON stat_counts (programme_id, dim, month);

-- +goose Down
DROP INDEX stat_counts_month;
DELETE FROM stat_counts WHERE month = '';
DELETE FROM stat_deltas WHERE month = '';
