-- +goose Up
-- The vendor dictionary's extension (package spend): vendors finance adds,
-- and the aliases people teach it when they confirm or correct a match.
-- Each row is one name (a vendor's own name or an alias, normalised) and
-- the vendor it stands for; the shipped dictionary gives way to it.
CREATE TABLE spend_vendor_names (
    name       TEXT PRIMARY KEY,
    vendor     TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    software   BOOLEAN NOT NULL DEFAULT TRUE,
    domain     TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES people(id),
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE spend_vendor_names;
