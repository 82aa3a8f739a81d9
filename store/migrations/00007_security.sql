-- What an attack review asked for. Attempt counters: every sign-in attempt
-- (and every label application, every draft) is counted here before it is
-- evaluated, per client address and per target, by one upsert that both
-- engines run atomically, so the limits hold under any concurrency and
-- across servers sharing the database (it replaces signin_failures, which
-- recorded failures only after evaluating them). The second factor keeps
-- the last time step used (a TOTP code is accepted once) and one-time
-- recovery codes. A place's SIRET can be released (refused, withdrawn or
-- abandoned applications). A replacement booklet carries only the unused
-- value of the booklet it replaces: its other passes are voided.

-- +goose Up
CREATE TABLE attempt_counters (
    kind       TEXT NOT NULL,
    key_hash   TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (kind, key_hash)
);
CREATE INDEX attempt_counters_started ON attempt_counters (started_at);
DROP TABLE signin_failures;

ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A released SIRET is moved out of the unique column, and kept here.
ALTER TABLE organisations ADD COLUMN released_siret TEXT;
ALTER TABLE organisations ADD COLUMN siret_released_at BIGINT;
CREATE INDEX organisations_released_siret ON organisations (released_siret);

-- A replacement booklet hands out only as many passes as the lost booklet
-- had unused (those its block turned to 'blocked'); its other passes stay
-- 'unassigned', never usable, and voided_passes counts them.
ALTER TABLE booklets ADD COLUMN voided_passes INTEGER NOT NULL DEFAULT 0;
-- Replacements made before this rule handed out a whole booklet: they are
-- marked, kept as they were (the young people really hold those passes),
-- and "passnum check" does not hold them to the new rule.
ALTER TABLE booklets ADD COLUMN replaced_whole INTEGER NOT NULL DEFAULT 0;
UPDATE booklets SET replaced_whole = 1 WHERE id IN (SELECT replaced_by FROM booklets WHERE replaced_by IS NOT NULL);

-- +goose Down
ALTER TABLE booklets DROP COLUMN replaced_whole;
ALTER TABLE booklets DROP COLUMN voided_passes;
DROP INDEX organisations_released_siret;
ALTER TABLE organisations DROP COLUMN siret_released_at;
ALTER TABLE organisations DROP COLUMN released_siret;
DROP TABLE recovery_codes;
ALTER TABLE users DROP COLUMN totp_last_step;
CREATE TABLE signin_failures (
    address TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX signin_failures_address ON signin_failures (address, at);
DROP INDEX attempt_counters_started;
DROP TABLE attempt_counters;
