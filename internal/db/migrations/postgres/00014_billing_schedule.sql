-- +goose Up
-- When the scheduled billing run last ran, so that replicas run it by the
-- clock, once between them, however often each one restarts.
CREATE TABLE billing_schedule (
    name        TEXT PRIMARY KEY,
    last_run_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE billing_schedule;
