-- Each breakdown cell's counters get a row for each quarter of the year,
-- its months together (month "T2025-3" for July to September 2025), kept
-- beside its months' by every write from then on (stat_counts.go,
-- quarterOf). A breakdown over a period reads the quarters it holds whole
-- instead of their months. The rows are filled here from the months'
-- counters and the deltas not yet folded; passnum check recounts them like
-- any other. The reminders' counters (added by 00020) have no quarters.

-- +goose Up
INSERT INTO stat_counts (programme_id, dim, dim_value, month, metric, bucket, n, amount_cents)
SELECT programme_id, dim, dim_value, quarter, metric, bucket, SUM(n), SUM(amount_cents)
FROM (
    SELECT programme_id, dim, dim_value, metric, bucket, n, amount_cents,
        'T' || substr(month, 1, 4) || '-' || CAST((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) AS quarter
    FROM (SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_counts
        UNION ALL SELECT programme_id, dim, dim_value, month, metric, bucket, n, amount_cents FROM stat_deltas) c
    WHERE dim NOT IN ('all', 'reminders') AND month <> ''
) q
GROUP BY programme_id, dim, dim_value, quarter, metric, bucket
HAVING SUM(n) <> 0 OR SUM(amount_cents) <> 0;

-- +goose Down
DELETE FROM stat_counts WHERE month LIKE 'T%';
DELETE FROM stat_deltas WHERE month LIKE 'T%';
