-- A training that costs several passes is redeemed in one gesture: its
-- redemptions share a group id, so that they are cancelled together (all or
-- none, both ways). A single-pass redemption has none.

-- +goose Up
ALTER TABLE redemptions ADD COLUMN group_id TEXT;
CREATE INDEX redemptions_group ON redemptions (group_id) WHERE group_id IS NOT NULL;

-- +goose Down
DROP INDEX redemptions_group;
ALTER TABLE redemptions DROP COLUMN group_id;
