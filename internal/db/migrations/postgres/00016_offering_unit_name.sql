-- +goose Up
-- What one unit of an offering is ("GB", "VM", "namespace"), so that prices
-- read "per GB-month" rather than "per unit per month". Empty: a unit.
ALTER TABLE offerings ADD COLUMN unit_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE offerings DROP COLUMN unit_name;
