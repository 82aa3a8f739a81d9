-- A lost or stolen booklet is blocked: its unused passes can no longer be
-- redeemed. It may then be replaced by a new booklet from the same agency's
-- stock; the new booklet takes the old one's place under the programme's
-- per-beneficiary limit, so a replaced booklet no longer counts towards it.
-- Beneficiaries are also looked up by birth date (the duplicate-person
-- warning and the beneficiary's own sign-in).

-- +goose Up
ALTER TABLE booklets ADD COLUMN blocked_at BIGINT;
ALTER TABLE booklets ADD COLUMN replaced_by TEXT;
-- A booklet replaces at most one other.
CREATE UNIQUE INDEX booklets_replaced_by ON booklets (replaced_by) WHERE replaced_by IS NOT NULL;
CREATE INDEX beneficiaries_birth_date ON beneficiaries (birth_date);

-- +goose Down
DROP INDEX beneficiaries_birth_date;
DROP INDEX booklets_replaced_by;
ALTER TABLE booklets DROP COLUMN replaced_by;
ALTER TABLE booklets DROP COLUMN blocked_at;
