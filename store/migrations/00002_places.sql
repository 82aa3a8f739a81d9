-- Places: the directory of digital mediation sites (one row per site, as in
-- the national open-data standard), place applications for the label, bank
-- details with their history, the catalogue of trainings, dated sessions and
-- bookings; and each programme's territory.

-- +goose Up
ALTER TABLE programmes ADD COLUMN territory TEXT NOT NULL DEFAULT 'reg:27';
ALTER TABLE programmes ADD COLUMN max_passes_per_training INTEGER NOT NULL DEFAULT 5;

-- One site ("lieu", "point de présence") per row: an imported directory entry
-- (organisation_id NULL, can be invited to apply) or a site of a place
-- organisation. Multi-valued open-data fields are kept joined by "|".
CREATE TABLE sites (
    id                              TEXT PRIMARY KEY,
    organisation_id                 TEXT REFERENCES organisations (id),
    opendata_id                     TEXT NOT NULL UNIQUE,
    pivot                           TEXT NOT NULL,
    name                            TEXT NOT NULL,
    commune_insee                   TEXT NOT NULL,
    commune_name                    TEXT NOT NULL,
    postcode                        TEXT NOT NULL,
    address                         TEXT NOT NULL,
    address_complement              TEXT NOT NULL DEFAULT '',
    latitude                        DOUBLE PRECISION,
    longitude                       DOUBLE PRECISION,
    typology                        TEXT NOT NULL DEFAULT '',
    phone                           TEXT NOT NULL DEFAULT '',
    emails                          TEXT NOT NULL DEFAULT '',
    website                         TEXT NOT NULL DEFAULT '',
    opening_hours                   TEXT NOT NULL DEFAULT '',
    summary                         TEXT NOT NULL DEFAULT '',
    description                     TEXT NOT NULL DEFAULT '',
    source                          TEXT NOT NULL DEFAULT '',
    itinerance                      TEXT NOT NULL DEFAULT '',
    parent_structure                TEXT NOT NULL DEFAULT '',
    services                        TEXT NOT NULL DEFAULT '',
    publics                         TEXT NOT NULL DEFAULT '',
    specific_support                TEXT NOT NULL DEFAULT '',
    fees                            TEXT NOT NULL DEFAULT '',
    national_programmes             TEXT NOT NULL DEFAULT '',
    labels                          TEXT NOT NULL DEFAULT '',
    other_labels                    TEXT NOT NULL DEFAULT '',
    access_modes                    TEXT NOT NULL DEFAULT '',
    support_modes                   TEXT NOT NULL DEFAULT '',
    accessibility_url               TEXT NOT NULL DEFAULT '',
    booking_url                     TEXT NOT NULL DEFAULT '',
    updated_on                      TEXT NOT NULL,
    created_at                      BIGINT NOT NULL,
    updated_at                      BIGINT NOT NULL,
    CHECK (latitude IS NULL OR (latitude BETWEEN -90 AND 90)),
    CHECK (longitude IS NULL OR (longitude BETWEEN -180 AND 180))
);
CREATE INDEX sites_organisation ON sites (organisation_id);
CREATE INDEX sites_pivot ON sites (pivot);
CREATE INDEX sites_commune ON sites (commune_insee);

-- A place's application for the label: what the operator reviews. The
-- organisation's status says where it stands; this holds what was declared.
CREATE TABLE place_profiles (
    organisation_id       TEXT PRIMARY KEY REFERENCES organisations (id),
    legal_rep_name        TEXT NOT NULL DEFAULT '',
    legal_rep_role        TEXT NOT NULL DEFAULT '',
    contact_email         TEXT NOT NULL DEFAULT '',
    contact_phone         TEXT NOT NULL DEFAULT '',
    questionnaire         TEXT NOT NULL DEFAULT '',
    charter_version       TEXT NOT NULL DEFAULT '',
    charter_accepted_at   BIGINT,
    submitted_at          BIGINT,
    decided_at            BIGINT,
    decision_reason       TEXT NOT NULL DEFAULT '',
    updated_at            BIGINT NOT NULL
);

-- Bank details are never edited: a change is a new row, pending until the
-- operator approves it; the approved row replaced is closed with its date.
CREATE TABLE bank_accounts (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    holder          TEXT NOT NULL,
    iban            TEXT NOT NULL,
    bic             TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'replaced')),
    submitted_at    BIGINT NOT NULL,
    submitted_by    TEXT NOT NULL,
    decided_at      BIGINT,
    decided_by      TEXT,
    decision_reason TEXT NOT NULL DEFAULT '',
    valid_from      BIGINT,
    valid_until     BIGINT
);
CREATE INDEX bank_accounts_organisation ON bank_accounts (organisation_id, submitted_at);
CREATE UNIQUE INDEX bank_accounts_one_approved ON bank_accounts (organisation_id) WHERE status = 'approved';
CREATE UNIQUE INDEX bank_accounts_one_pending ON bank_accounts (organisation_id) WHERE status = 'pending';

CREATE TABLE trainings (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    title            TEXT NOT NULL,
    service          TEXT NOT NULL,
    level            TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    passes_cost      INTEGER NOT NULL DEFAULT 1 CHECK (passes_cost >= 1),
    description      TEXT NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       BIGINT NOT NULL
);
CREATE INDEX trainings_organisation ON trainings (organisation_id);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    training_id TEXT NOT NULL REFERENCES trainings (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    booked      INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0),
    status      TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_at  BIGINT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (booked <= capacity)
);
CREATE INDEX sessions_training ON sessions (training_id, starts_at);
CREATE INDEX sessions_site_time ON sessions (site_id, starts_at);
CREATE INDEX sessions_time ON sessions (starts_at);

CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions (id),
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    status         TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    created_at     BIGINT NOT NULL,
    cancelled_at   BIGINT,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL
);
CREATE UNIQUE INDEX bookings_one_active ON bookings (session_id, beneficiary_id) WHERE status = 'booked';
CREATE INDEX bookings_beneficiary ON bookings (beneficiary_id);

-- +goose Down
DROP TABLE bookings;
DROP TABLE sessions;
DROP TABLE trainings;
DROP TABLE bank_accounts;
DROP TABLE place_profiles;
DROP TABLE sites;
ALTER TABLE programmes DROP COLUMN max_passes_per_training;
ALTER TABLE programmes DROP COLUMN territory;
