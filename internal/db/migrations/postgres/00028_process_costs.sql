-- +goose Up
-- What each process costs (package processcost): each process's own share
-- of a month's statement lines (basis 'charged', per department) and of
-- its services' cost from the cost pools (basis 'cost', department 0),
-- with process 0 holding what no process claims. A month is computed
-- whole by the billing run, or again when its inputs changed (stale).
CREATE TABLE process_cost_periods (
    period      TEXT PRIMARY KEY,
    computed_at TIMESTAMPTZ NOT NULL,
    stale       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE process_costs (
    period        TEXT NOT NULL,
    basis         TEXT NOT NULL CHECK (basis IN ('charged', 'cost')),
    process_id    BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    amount        NUMERIC NOT NULL,
    PRIMARY KEY (period, basis, process_id, department_id, currency)
);

-- +goose Down
DROP TABLE process_costs;
DROP TABLE process_cost_periods;
