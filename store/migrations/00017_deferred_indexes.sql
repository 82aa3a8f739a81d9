-- Secondary indexes a bulk load (passnum seed) dropped, to build them once
-- at its end instead of inserting into them row by row (bulk_indexes.go).
-- Each row is an index to build again, with the statement that builds it
-- as the engine's catalog gave it. Opening the database builds any left
-- here, so a load stopped midway never leaves a database without them.

-- +goose Up
CREATE TABLE deferred_indexes (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);

-- +goose Down
DROP TABLE deferred_indexes;
