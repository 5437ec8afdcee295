-- +goose Up
-- Billing periods are calendar months; closed ones never change.
CREATE TABLE billing_periods (
    period       TEXT PRIMARY KEY,          -- YYYY-MM
    state        TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    last_run_at  TIMESTAMP,
    closed_at    TIMESTAMP,
    closed_by_id INTEGER REFERENCES people(id)
);

-- Metered usage, one row per record, identified by the sender's key.
CREATE TABLE usage_records (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    at              TIMESTAMP NOT NULL,
    period          TEXT NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    subscription_id INTEGER REFERENCES subscriptions(id),
    offering_id     INTEGER NOT NULL REFERENCES offerings(id),
    quantity        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMP NOT NULL
);
CREATE INDEX usage_records_period ON usage_records(period, department_id, offering_id);

-- Usage kept aggregated as it arrives, per plan in force at the usage time,
-- so a billing run reads totals instead of rescanning every record.
CREATE TABLE usage_totals (
    period        TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    offering_id   INTEGER NOT NULL REFERENCES offerings(id),
    plan_id       INTEGER NOT NULL REFERENCES rate_plans(id),
    quantity      TEXT NOT NULL,
    records       INTEGER NOT NULL,
    PRIMARY KEY (period, department_id, offering_id, plan_id)
);

CREATE TABLE statements (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL REFERENCES billing_periods(period),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    currency      TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('showback', 'chargeback')),
    total         TEXT NOT NULL,
    generated_at  TIMESTAMP NOT NULL,
    UNIQUE (period, department_id, currency)
);

CREATE TABLE statement_lines (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    service_id   INTEGER REFERENCES services(id),
    offering_id  INTEGER REFERENCES offerings(id),
    subscription_id INTEGER,
    description  TEXT NOT NULL,
    quantity     TEXT NOT NULL,
    unit         TEXT NOT NULL DEFAULT '',
    days         INTEGER NOT NULL DEFAULT 0,
    period_days  INTEGER NOT NULL DEFAULT 0,
    exact_amount TEXT NOT NULL,
    amount       TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX statement_lines_statement ON statement_lines(statement_id, position);

-- Corrections after a period closed land in an open period as their own line.
CREATE TABLE adjustments (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    corrects      TEXT NOT NULL DEFAULT '',
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    author_id     INTEGER REFERENCES people(id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX adjustments_period ON adjustments(period, department_id);

-- +goose Down
DROP TABLE adjustments;
DROP TABLE statement_lines;
DROP TABLE statements;
DROP TABLE usage_totals;
DROP TABLE usage_records;
DROP TABLE billing_periods;
