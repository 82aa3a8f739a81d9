-- Accounts for people who use the web pages: staff users of an
-- organisation, their sign-in sessions (shared by every server instance),
-- one-time links (invitations, password resets), failed sign-ins per
-- address (to slow and then refuse guessing), and place applications saved
-- as drafts between visits.

-- +goose Up
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL DEFAULT '',
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_enabled_at BIGINT,
    disabled_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id, email);

-- A sign-in session: the cookie holds a secret, the table its hash. A staff
-- session names a user; a beneficiary session names a beneficiary. A staff
-- session whose second factor is still awaited has pending_totp = 1.
CREATE TABLE web_sessions (
    secret_hash    TEXT PRIMARY KEY,
    user_id        TEXT REFERENCES users (id),
    beneficiary_id TEXT REFERENCES beneficiaries (id),
    pending_totp   INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (beneficiary_id IS NULL))
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- One-time links: an invitation sets a first password, a reset a new one.
CREATE TABLE account_links (
    secret_hash TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_links_user ON account_links (user_id);

-- Failed sign-ins by client address (never by account, so that a stranger
-- cannot lock someone out of their own account).
CREATE TABLE signin_failures (
    address TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX signin_failures_address ON signin_failures (address, at);

-- A place's application for the label, saved between visits: the form's
-- fields as JSON, reached by a secret link.
CREATE TABLE application_drafts (
    secret_hash     TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    data            TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- +goose Down
DROP TABLE application_drafts;
DROP TABLE signin_failures;
DROP TABLE account_links;
DROP TABLE web_sessions;
DROP TABLE users;
