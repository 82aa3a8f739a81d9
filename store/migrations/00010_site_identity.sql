-- The site's identity, set by the operator for the whole installation: the
-- programme's name shown in the header of every page, and the funders'
-- logos shown there, on the booklet's letter and on its cheques. In the
-- database rather than in files, so that every instance of the site shows
-- the same. A logo is checked before it is stored (a PNG decoded and
-- written again, an SVG refused when it could run or fetch anything) and is
-- never changed afterwards: a new file is a new logo. Its bytes are kept
-- as base64 text, which both engines store alike.

-- +goose Up
CREATE TABLE site_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    updated_at BIGINT NOT NULL
);
CREATE TABLE funder_logos (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 400),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/svg+xml')),
    data TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size > 0),
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    position BIGINT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE funder_logos;
DROP TABLE site_identity;
