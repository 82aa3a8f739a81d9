-- A funder's breakdowns and closing table are published once a month:
-- computed at the first reading of the month and kept here, so that every
-- reading of that month gives the same figures (stat_publication.go). Read
-- live, two readings around one redemption would differ by that one use,
-- and tell its commune, age band, distributor, place and service. view
-- names what is published ("stats:commune:2026-01:2026-12", "closing"),
-- month the Paris month it stands for, body its figures as JSON.

-- +goose Up
CREATE TABLE stat_publications (
    programme_id TEXT NOT NULL,
    view         TEXT NOT NULL,
    month        TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (programme_id, view, month)
);

-- +goose Down
DROP TABLE stat_publications;
