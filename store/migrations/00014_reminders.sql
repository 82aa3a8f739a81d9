-- Reminders to young people whose booklet sleeps or whose passes end soon:
-- one per booklet and per month at most (period, YYYY-MM), whatever its
-- kind, recorded when sent. Ids only: erasing a person leaves it whole.

-- +goose Up
CREATE TABLE reminders (
    id             TEXT PRIMARY KEY,
    booklet_id     TEXT NOT NULL REFERENCES booklets (id),
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    programme_id   TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('dormant', 'ending')),
    period         TEXT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    sent_at        BIGINT NOT NULL,
    UNIQUE (booklet_id, period)
);
CREATE INDEX reminders_programme ON reminders (programme_id, kind, sent_at);

-- +goose Down
DROP TABLE reminders;
