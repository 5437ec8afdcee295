-- +goose Up
-- Meters (package catalog), declared in the catalog file under an
-- offering: a CloudEvent of event_type becomes usage of the offering, its
-- quantity read at value_path in the event's data (empty for count),
-- aggregated over the billing period by sum, count or max.
CREATE TABLE meters (
    id          INTEGER PRIMARY KEY,
    offering_id INTEGER NOT NULL REFERENCES offerings(id),
    event_type  TEXT NOT NULL UNIQUE,
    value_path  TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL,
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'count', 'max'))
);
CREATE INDEX meters_offering ON meters(offering_id);

-- +goose Down
DROP TABLE meters;
