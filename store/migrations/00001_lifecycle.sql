-- The pass lifecycle: organisations, keys, programmes, stock, beneficiaries,
-- booklets, passes, redemptions, the money ledger, the audit trail and
-- idempotency records. Portable SQL: both SQLite and PostgreSQL run it.
-- Times are BIGINT microseconds since 1970 (UTC); days are TEXT YYYY-MM-DD.

-- +goose Up
CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('operator', 'funder', 'distributor', 'place')),
    name          TEXT NOT NULL,
    siret         TEXT UNIQUE,
    commune_insee TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'pending', 'labelled', 'suspended', 'refused', 'withdrawn')),
    created_at    BIGINT NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind, id);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX api_keys_organisation ON api_keys (organisation_id);

CREATE TABLE programmes (
    id                           TEXT PRIMARY KEY,
    name                         TEXT NOT NULL,
    face_value_cents             BIGINT NOT NULL CHECK (face_value_cents > 0),
    booklet_size                 INTEGER NOT NULL CHECK (booklet_size > 0),
    valid_from                   TEXT NOT NULL,
    valid_until                  TEXT NOT NULL,
    last_redeem_day              TEXT NOT NULL,
    grace_days                   INTEGER NOT NULL CHECK (grace_days >= 0),
    min_age                      INTEGER NOT NULL,
    max_age                      INTEGER NOT NULL,
    max_booklets_per_beneficiary INTEGER NOT NULL CHECK (max_booklets_per_beneficiary > 0),
    cancel_window_hours          INTEGER NOT NULL CHECK (cancel_window_hours >= 0),
    issued_booklets              BIGINT NOT NULL DEFAULT 0 CHECK (issued_booklets >= 0),
    unallocated_booklets         BIGINT NOT NULL DEFAULT 0 CHECK (unallocated_booklets >= 0),
    created_at                   BIGINT NOT NULL,
    CHECK (valid_until >= valid_from),
    CHECK (unallocated_booklets <= issued_booklets)
);

CREATE TABLE programme_funders (
    programme_id    TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    share_bps       BIGINT NOT NULL CHECK (share_bps > 0 AND share_bps <= 10000),
    PRIMARY KEY (programme_id, organisation_id)
);

-- A distributor's stock per programme; the CHECK is the last guard against
-- handing out booklets it does not have.
CREATE TABLE distributor_stock (
    programme_id       TEXT NOT NULL REFERENCES programmes (id),
    distributor_id     TEXT NOT NULL REFERENCES organisations (id),
    allocated_booklets BIGINT NOT NULL CHECK (allocated_booklets >= 0),
    available_booklets BIGINT NOT NULL CHECK (available_booklets >= 0),
    PRIMARY KEY (programme_id, distributor_id),
    CHECK (available_booklets <= allocated_booklets)
);

CREATE TABLE allocations (
    id             TEXT PRIMARY KEY,
    programme_id   TEXT NOT NULL REFERENCES programmes (id),
    distributor_id TEXT NOT NULL REFERENCES organisations (id),
    booklets       BIGINT NOT NULL CHECK (booklets > 0),
    created_at     BIGINT NOT NULL
);
CREATE INDEX allocations_programme ON allocations (programme_id, id);

CREATE TABLE beneficiaries (
    id             TEXT PRIMARY KEY,
    distributor_id TEXT NOT NULL REFERENCES organisations (id),
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    birth_date     TEXT NOT NULL,
    commune_insee  TEXT NOT NULL,
    job_seeker     BOOLEAN NOT NULL,
    in_studies     BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX beneficiaries_distributor ON beneficiaries (distributor_id, id);

-- How many booklets of a programme a beneficiary holds: the guarded counter
-- behind max_booklets_per_beneficiary.
CREATE TABLE beneficiary_booklets (
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    programme_id   TEXT NOT NULL REFERENCES programmes (id),
    booklets       INTEGER NOT NULL CHECK (booklets >= 0),
    PRIMARY KEY (beneficiary_id, programme_id)
);

-- Booklets are issued by the hundred thousand: no foreign key to the
-- programme either (see passes below); "passnum check" counts them.
CREATE TABLE booklets (
    id             TEXT PRIMARY KEY,
    programme_id   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('stock', 'allocated', 'handed_out', 'blocked')),
    distributor_id TEXT REFERENCES organisations (id),
    beneficiary_id TEXT REFERENCES beneficiaries (id),
    allocated_at   BIGINT,
    handed_out_at  BIGINT,
    CHECK (status = 'stock' OR distributor_id IS NOT NULL),
    CHECK (status NOT IN ('handed_out', 'blocked') OR beneficiary_id IS NOT NULL)
);
CREATE INDEX booklets_stock ON booklets (programme_id, status, distributor_id, id);
CREATE INDEX booklets_beneficiary ON booklets (beneficiary_id);
CREATE INDEX booklets_distributor ON booklets (distributor_id, status);

-- Passes are written a million at a time: their references to the
-- programme and booklet carry no foreign key, which would cost a lookup per
-- pass; "passnum check" verifies that every pass has its booklet.
CREATE TABLE passes (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    programme_id TEXT NOT NULL,
    booklet_id   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('unassigned', 'assigned', 'redeemed', 'blocked'))
);
CREATE INDEX passes_booklet ON passes (booklet_id);

-- Redemptions are never deleted; a cancelled one keeps its row. At most one
-- active redemption per pass, whatever the application does. The programme
-- and place columns carry no foreign key on purpose: on PostgreSQL every
-- concurrent redemption would share-lock the same programme and place rows,
-- which serialises them through multixacts; "passnum check" verifies them.
CREATE TABLE redemptions (
    id                TEXT PRIMARY KEY,
    pass_id           TEXT NOT NULL REFERENCES passes (id),
    programme_id      TEXT NOT NULL,
    place_id          TEXT NOT NULL,
    site_id           TEXT,
    session_id        TEXT,
    service           TEXT NOT NULL,
    amount_cents      BIGINT NOT NULL CHECK (amount_cents > 0),
    redeemed_at       BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    actor_kind        TEXT NOT NULL,
    actor_id          TEXT NOT NULL,
    cancelled_at      BIGINT,
    cancelled_by_kind TEXT,
    cancelled_by_id   TEXT,
    cancel_reason     TEXT,
    settlement_id     TEXT,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE UNIQUE INDEX redemptions_one_active_per_pass ON redemptions (pass_id) WHERE status = 'active';
CREATE INDEX redemptions_place ON redemptions (place_id, redeemed_at, id);
CREATE INDEX redemptions_time ON redemptions (redeemed_at, id);
CREATE INDEX redemptions_programme ON redemptions (programme_id, status);

-- The money ledger: append-only. A redemption writes +amount, its
-- cancellation -amount; settlements will reference these rows.
CREATE TABLE ledger_entries (
    id            TEXT PRIMARY KEY,
    redemption_id TEXT NOT NULL REFERENCES redemptions (id),
    programme_id  TEXT NOT NULL,
    place_id      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('redemption', 'cancellation')),
    amount_cents  BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    UNIQUE (redemption_id, kind),
    CHECK ((kind = 'redemption' AND amount_cents > 0) OR (kind = 'cancellation' AND amount_cents < 0))
);
CREATE INDEX ledger_place ON ledger_entries (place_id, at);

CREATE TABLE audit_log (
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    organisation_id TEXT NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    details         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_object ON audit_log (object_type, object_id);
CREATE INDEX audit_at ON audit_log (at, id);

-- A POST's answer, kept under its Idempotency-Key in the same transaction as
-- the write it answers.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
DROP TABLE ledger_entries;
DROP TABLE redemptions;
DROP TABLE passes;
DROP TABLE booklets;
DROP TABLE beneficiary_booklets;
DROP TABLE beneficiaries;
DROP TABLE allocations;
DROP TABLE distributor_stock;
DROP TABLE programme_funders;
DROP TABLE programmes;
DROP TABLE api_keys;
DROP TABLE organisations;
