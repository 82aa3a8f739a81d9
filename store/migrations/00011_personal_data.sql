-- A young person's personal data (GDPR): contact details kept only with
-- their consent to be contacted (and a legal guardian's for a minor at
-- registration), the moment their identity was pseudonymised (on request
-- or at the end of its retention), and the log of every read of their
-- record by staff (who, when, why). The log holds ids only, so that
-- erasing a person leaves it whole.

-- +goose Up
ALTER TABLE beneficiaries ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN contact_consent_at BIGINT;
ALTER TABLE beneficiaries ADD COLUMN guardian_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE beneficiaries ADD COLUMN guardian_name TEXT NOT NULL DEFAULT '';
ALTER TABLE beneficiaries ADD COLUMN pseudonymised_at BIGINT;

CREATE TABLE record_reads (
    id              TEXT PRIMARY KEY,
    beneficiary_id  TEXT NOT NULL REFERENCES beneficiaries (id),
    at              BIGINT NOT NULL,
    organisation_id TEXT NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('support', 'correction', 'request', 'control')),
    via             TEXT NOT NULL CHECK (via IN ('page', 'api', 'export'))
);
CREATE INDEX record_reads_beneficiary ON record_reads (beneficiary_id, at);

-- +goose Down
DROP TABLE record_reads;
ALTER TABLE beneficiaries DROP COLUMN pseudonymised_at;
ALTER TABLE beneficiaries DROP COLUMN guardian_name;
ALTER TABLE beneficiaries DROP COLUMN guardian_consent;
ALTER TABLE beneficiaries DROP COLUMN contact_consent_at;
ALTER TABLE beneficiaries DROP COLUMN phone;
ALTER TABLE beneficiaries DROP COLUMN email;
