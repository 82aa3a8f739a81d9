-- Finding a place. The search reads the sites in a latitude/longitude box
-- from the index alone (position and id), then only the nearest whole. A
-- site without coordinates is placed at its commune's centre: a small
-- partial index lists those by commune, so that no search reads the whole
-- directory for them.

-- +goose Up
CREATE INDEX sites_position_id ON sites (latitude, longitude, id);
CREATE INDEX sites_without_position ON sites (commune_insee) WHERE latitude IS NULL OR longitude IS NULL;

-- +goose Down
DROP INDEX sites_without_position;
DROP INDEX sites_position_id;
