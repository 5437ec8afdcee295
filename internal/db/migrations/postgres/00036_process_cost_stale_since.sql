-- +goose Up
-- When a month's figures were marked stale (a change of links, of the
-- register or of its cost pools): the background worker recomputes a month
-- once it has stayed unchanged for a moment, so that a burst of changes
-- costs one recompute. NULL while the month is fresh.
ALTER TABLE process_cost_periods ADD COLUMN stale_since TIMESTAMPTZ;

-- +goose Down
ALTER TABLE process_cost_periods DROP COLUMN stale_since;
