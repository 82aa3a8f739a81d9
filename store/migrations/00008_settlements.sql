-- Paying the places: the programme's budget, hand-out closing day, paying
-- account and four-eyes setting; settlements (one immutable run up to a
-- cut-off day, one line per place, each line shared between the funders);
-- corrections of settled redemptions; payments in the ledger; second
-- approvals of bank details; stock moved between distributors; the
-- programme's expiry.
--
-- redemptions and ledger_entries hold millions of rows. redemptions is
-- not rebuilt: the rule "a settled redemption is never cancelled" is the
-- CHECK of a new column, settled_at, which both engines add without
-- rewriting the table (SQLite and PostgreSQL read the rows once to check
-- it). ledger_entries must be rebuilt, since its CHECK on the kinds of
-- entry has to change and neither engine alters a CHECK in place: it is
-- copied once, in this migration's transaction; nothing references it.

-- +goose Up

-- The budget caps the face value issued; NULL until the operator sets it.
-- The CHECK is the last guard: no issuance may take the programme beyond.
ALTER TABLE programmes ADD COLUMN budget_cents BIGINT CONSTRAINT programmes_within_budget
    CHECK (budget_cents IS NULL OR (budget_cents > 0 AND issued_booklets * booklet_size * face_value_cents <= budget_cents));
ALTER TABLE programmes ADD COLUMN four_eyes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE programmes ADD COLUMN handout_until TEXT CONSTRAINT programmes_handout_within_validity
    CHECK (handout_until IS NULL OR (handout_until >= valid_from AND handout_until <= valid_until));
ALTER TABLE programmes ADD COLUMN payer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN payer_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE programmes ADD COLUMN payer_bic TEXT NOT NULL DEFAULT '';
UPDATE programmes SET handout_until = valid_until;

-- With four eyes, new bank details are approved twice: the first approval
-- is recorded here while the account stays pending; the second, by
-- another operator, approves it.
ALTER TABLE bank_accounts ADD COLUMN first_approved_by TEXT CONSTRAINT bank_accounts_four_eyes
    CHECK (first_approved_by IS NULL OR status <> 'approved' OR decided_by <> first_approved_by);
ALTER TABLE bank_accounts ADD COLUMN first_approved_at BIGINT;

-- Settlement numbers, one counter for the installation: its row is taken
-- first by every run, which also makes concurrent runs wait for each other.
CREATE TABLE settlement_sequence (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_number BIGINT NOT NULL CHECK (last_number >= 0)
);
INSERT INTO settlement_sequence (id, last_number) VALUES (1, 0);

CREATE TABLE settlements (
    id                  TEXT PRIMARY KEY,
    programme_id        TEXT NOT NULL REFERENCES programmes (id),
    number              BIGINT NOT NULL UNIQUE,
    reference           TEXT NOT NULL UNIQUE,
    cutoff              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('created', 'sent', 'payment_recorded', 'paid')),
    four_eyes           BOOLEAN NOT NULL,
    total_cents         BIGINT NOT NULL CHECK (total_cents >= 0),
    created_at          BIGINT NOT NULL,
    created_by          TEXT NOT NULL,
    sent_at             BIGINT,
    sent_by             TEXT,
    paid_on             TEXT,
    bank_reference      TEXT,
    payment_recorded_at BIGINT,
    payment_recorded_by TEXT,
    paid_at             BIGINT,
    paid_by             TEXT,
    CHECK ((status = 'created') = (sent_at IS NULL)),
    CHECK ((status IN ('payment_recorded', 'paid')) = (paid_on IS NOT NULL)),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    CHECK ((status = 'payment_recorded') OR (status = 'paid' AND four_eyes) OR payment_recorded_at IS NULL),
    -- Four eyes: who confirms the payment is not who recorded it.
    CHECK (payment_recorded_by IS NULL OR paid_by IS NULL OR paid_by <> payment_recorded_by),
    CHECK (NOT four_eyes OR status <> 'paid' OR payment_recorded_by IS NOT NULL)
);
CREATE INDEX settlements_programme ON settlements (programme_id, created_at, id);
CREATE INDEX settlements_created ON settlements (created_at, id);

-- One line per place and settlement. A paid line:
--   amount + carried_out = redemptions + adjustments + carried_in
-- with amount >= 0 and carried_out <= 0; a held-back line pays nothing,
-- takes nothing, and passes the carry on.
CREATE TABLE settlement_lines (
    settlement_id     TEXT NOT NULL REFERENCES settlements (id),
    place_id          TEXT NOT NULL REFERENCES organisations (id),
    programme_id      TEXT NOT NULL,
    number            BIGINT NOT NULL,
    count             BIGINT NOT NULL CHECK (count >= 0),
    redemptions_cents BIGINT NOT NULL CHECK (redemptions_cents >= 0),
    adjustments_cents BIGINT NOT NULL CHECK (adjustments_cents <= 0),
    carried_in_cents  BIGINT NOT NULL CHECK (carried_in_cents <= 0),
    amount_cents      BIGINT NOT NULL CHECK (amount_cents >= 0),
    carried_out_cents BIGINT NOT NULL CHECK (carried_out_cents <= 0),
    held_back         BOOLEAN NOT NULL,
    held_back_reason  TEXT CHECK (held_back_reason IN ('no_bank_account', 'place_suspended', 'place_withdrawn')),
    held_count        BIGINT NOT NULL DEFAULT 0 CHECK (held_count >= 0),
    held_cents        BIGINT NOT NULL DEFAULT 0 CHECK (held_cents >= 0),
    bank_account_id   TEXT REFERENCES bank_accounts (id),
    holder            TEXT,
    iban              TEXT,
    bic               TEXT,
    PRIMARY KEY (settlement_id, place_id),
    CHECK (amount_cents + carried_out_cents = redemptions_cents + adjustments_cents + carried_in_cents),
    CHECK (amount_cents = 0 OR carried_out_cents = 0),
    CHECK (held_back = (held_back_reason IS NOT NULL)),
    CHECK (held_back OR (bank_account_id IS NOT NULL AND iban IS NOT NULL AND held_count = 0 AND held_cents = 0)),
    CHECK (NOT held_back OR (count = 0 AND redemptions_cents = 0 AND adjustments_cents = 0 AND amount_cents = 0 AND bank_account_id IS NULL))
);
CREATE INDEX settlement_lines_place ON settlement_lines (programme_id, place_id, number);
CREATE INDEX settlement_lines_of_place ON settlement_lines (place_id, number);

-- Each paid line split between the programme's funders by their shares
-- (largest remainder: the parts sum to the line's amount).
CREATE TABLE settlement_line_shares (
    settlement_id TEXT NOT NULL,
    place_id      TEXT NOT NULL,
    funder_id     TEXT NOT NULL REFERENCES organisations (id),
    share_bps     BIGINT NOT NULL CHECK (share_bps > 0 AND share_bps <= 10000),
    amount_cents  BIGINT NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (settlement_id, place_id, funder_id),
    FOREIGN KEY (settlement_id, place_id) REFERENCES settlement_lines (settlement_id, place_id)
);
CREATE INDEX settlement_line_shares_funder ON settlement_line_shares (funder_id, settlement_id);

-- A settled redemption taken back (a mistake, fraud, a duplicate): once,
-- as a negative adjustment of the place's next line.
CREATE TABLE corrections (
    id            TEXT PRIMARY KEY,
    redemption_id TEXT NOT NULL UNIQUE REFERENCES redemptions (id),
    programme_id  TEXT NOT NULL,
    place_id      TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL CHECK (amount_cents < 0),
    reason        TEXT NOT NULL CHECK (reason <> ''),
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    settlement_id TEXT REFERENCES settlements (id)
);
CREATE INDEX corrections_programme ON corrections (programme_id, settlement_id, place_id);
CREATE INDEX corrections_settlement ON corrections (settlement_id, place_id);

-- A redemption belongs to at most one settlement (one column), and a
-- settled redemption is never cancelled (the CHECK). Settling sets both
-- settlement_id and settled_at in one statement.
ALTER TABLE redemptions ADD COLUMN settled_at BIGINT CONSTRAINT redemptions_settled_stay_active
    CHECK ((settled_at IS NULL) = (settlement_id IS NULL) AND (settled_at IS NULL OR status = 'active'));
-- What a run reads and takes: the active redemptions not yet settled, by
-- programme and place; then a settlement's redemptions, by place.
CREATE INDEX redemptions_unsettled ON redemptions (programme_id, place_id, redeemed_at, amount_cents)
    WHERE status = 'active' AND settlement_id IS NULL;
CREATE INDEX redemptions_settlement ON redemptions (settlement_id, place_id, redeemed_at) WHERE settlement_id IS NOT NULL;

-- The ledger, rebuilt with two more kinds: a correction (−, one per
-- corrected redemption) and a payment (− the line's amount, written when
-- the settlement is paid). A place's balance is the sum of its entries:
-- what it is still owed.
CREATE TABLE ledger_entries_v8 (
    id            TEXT PRIMARY KEY,
    redemption_id TEXT REFERENCES redemptions (id),
    settlement_id TEXT REFERENCES settlements (id),
    programme_id  TEXT NOT NULL,
    place_id      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('redemption', 'cancellation', 'correction', 'payment')),
    amount_cents  BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    UNIQUE (redemption_id, kind),
    UNIQUE (settlement_id, place_id),
    CHECK ((kind = 'redemption') = (amount_cents > 0)),
    CHECK (amount_cents <> 0),
    CHECK ((kind = 'payment') = (redemption_id IS NULL)),
    CHECK ((kind = 'payment') = (settlement_id IS NOT NULL))
);
INSERT INTO ledger_entries_v8 (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
    SELECT id, redemption_id, programme_id, place_id, kind, amount_cents, at FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_v8 RENAME TO ledger_entries;
CREATE INDEX ledger_place ON ledger_entries (place_id, at);
CREATE INDEX ledger_programme ON ledger_entries (programme_id, kind);

-- Booklets not handed out moved from one distributor to another, or back
-- to the programme's central stock (to_distributor_id NULL).
CREATE TABLE stock_transfers (
    id                  TEXT PRIMARY KEY,
    programme_id        TEXT NOT NULL REFERENCES programmes (id),
    from_distributor_id TEXT NOT NULL REFERENCES organisations (id),
    to_distributor_id   TEXT REFERENCES organisations (id),
    booklets            BIGINT NOT NULL CHECK (booklets > 0),
    reason              TEXT NOT NULL CHECK (reason <> ''),
    created_at          BIGINT NOT NULL,
    created_by          TEXT NOT NULL,
    CHECK (to_distributor_id IS NULL OR to_distributor_id <> from_distributor_id)
);
CREATE INDEX stock_transfers_programme ON stock_transfers (programme_id, created_at, id);

-- The end of a programme: after the grace period the operator expires its
-- unused passes, once. Pass rows keep their status ("expired" is computed
-- from the programme's last redeem day, as it always was); this records
-- who did it, when, and the figures frozen then.
CREATE TABLE programme_expiries (
    programme_id          TEXT PRIMARY KEY REFERENCES programmes (id),
    expired_at            BIGINT NOT NULL,
    expired_by            TEXT NOT NULL,
    passes_issued         BIGINT NOT NULL,
    passes_used           BIGINT NOT NULL,
    passes_unused         BIGINT NOT NULL,
    passes_not_handed_out BIGINT NOT NULL,
    released_cents        BIGINT NOT NULL,
    CHECK (passes_used + passes_unused + passes_not_handed_out = passes_issued)
);

-- +goose Down
DROP TABLE programme_expiries;
DROP TABLE stock_transfers;
CREATE TABLE ledger_entries_v7 (
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
INSERT INTO ledger_entries_v7 (id, redemption_id, programme_id, place_id, kind, amount_cents, at)
    SELECT id, redemption_id, programme_id, place_id, kind, amount_cents, at FROM ledger_entries WHERE kind IN ('redemption', 'cancellation');
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_v7 RENAME TO ledger_entries;
CREATE INDEX ledger_place ON ledger_entries (place_id, at);
DROP INDEX redemptions_settlement;
DROP INDEX redemptions_unsettled;
ALTER TABLE redemptions DROP COLUMN settled_at;
DROP TABLE corrections;
DROP TABLE settlement_line_shares;
DROP TABLE settlement_lines;
DROP TABLE settlements;
DROP TABLE settlement_sequence;
ALTER TABLE bank_accounts DROP COLUMN first_approved_at;
ALTER TABLE bank_accounts DROP COLUMN first_approved_by;
ALTER TABLE programmes DROP COLUMN payer_bic;
ALTER TABLE programmes DROP COLUMN payer_iban;
ALTER TABLE programmes DROP COLUMN payer_name;
ALTER TABLE programmes DROP COLUMN handout_until;
ALTER TABLE programmes DROP COLUMN four_eyes;
ALTER TABLE programmes DROP COLUMN budget_cents;
