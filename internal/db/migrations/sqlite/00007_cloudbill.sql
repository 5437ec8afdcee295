-- +goose Up
-- Cloud bills: FOCUS files imported, their rows (charges), the rules that
-- allocate charges to departments and the allocations they produced.

-- One row per imported file: what was read, what was kept, what it cost.
CREATE TABLE cloud_imports (
    id              INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    format          TEXT NOT NULL,
    focus_version   TEXT NOT NULL DEFAULT '',
    basis           TEXT NOT NULL CHECK (basis IN ('effective', 'billed')),
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_accepted   INTEGER NOT NULL DEFAULT 0,
    rows_added      INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    periods         TEXT NOT NULL DEFAULT '',         -- YYYY-MM, comma-separated
    totals_json     TEXT NOT NULL DEFAULT '[]',       -- per provider and currency, billed and effective
    allocation_json TEXT NOT NULL DEFAULT '[]',       -- allocated and unallocated per currency
    warnings_json   TEXT NOT NULL DEFAULT '[]',
    errors_json     TEXT NOT NULL DEFAULT '[]',       -- the first 100 rejected rows
    imported_by_id  INTEGER REFERENCES people(id),
    imported_by     TEXT NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP
);

-- A FOCUS row, identified by its content fingerprint so that importing the
-- same row twice stores it once. Amounts are exact decimals kept as text.
-- Written only by the importer, which creates the import and the ids it
-- refers to in the same transaction.
CREATE TABLE cloud_charges (
    id                 INTEGER PRIMARY KEY,
    fingerprint        TEXT NOT NULL UNIQUE,
    import_id          INTEGER NOT NULL,
    line               INTEGER NOT NULL,
    period             TEXT NOT NULL,           -- YYYY-MM of charge_period_start (UTC)
    provider           TEXT NOT NULL,
    billing_account_id TEXT NOT NULL,
    sub_account_id     TEXT NOT NULL,
    sub_account_name   TEXT NOT NULL,
    service_name       TEXT NOT NULL,
    service_category   TEXT NOT NULL,
    resource_id        TEXT NOT NULL,
    resource_name      TEXT NOT NULL,
    charge_category    TEXT NOT NULL,
    charge_description TEXT NOT NULL,
    billed_cost        TEXT NOT NULL,
    effective_cost     TEXT NOT NULL,
    currency           TEXT NOT NULL,
    charge_period_start TIMESTAMP NOT NULL,
    charge_period_end  TIMESTAMP NOT NULL,
    tags               TEXT NOT NULL DEFAULT '{}'  -- JSON object
);
-- SQLite keeps index entries in rowid order within a period, so (period)
-- serves keyset scans by id.
CREATE INDEX cloud_charges_period ON cloud_charges(period);

-- Allocation rules, tried in position order; the first that matches decides.
-- Rules are never deleted (allocations of closed periods refer to them):
-- removing one archives it.
CREATE TABLE cloud_allocation_rules (
    id               INTEGER PRIMARY KEY,
    position         INTEGER NOT NULL,
    name             TEXT NOT NULL,
    tag_key          TEXT NOT NULL DEFAULT '',
    tag_value        TEXT NOT NULL DEFAULT '',
    sub_account_id   TEXT NOT NULL DEFAULT '',
    service_name     TEXT NOT NULL DEFAULT '',
    service_category TEXT NOT NULL DEFAULT '',
    resource_prefix  TEXT NOT NULL DEFAULT '',
    action           TEXT NOT NULL CHECK (action IN ('assign', 'split', 'driver')),
    driver           TEXT NOT NULL DEFAULT '' CHECK (driver IN ('', 'headcount', 'subscriptions')),
    offering_id      INTEGER REFERENCES offerings(id),
    archived_at      TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX cloud_allocation_rules_position ON cloud_allocation_rules(position);

-- The departments of a rule: the one it assigns to, the fixed shares of a
-- split (percent), or the departments a driver splits over (none: all).
CREATE TABLE cloud_allocation_targets (
    rule_id       INTEGER NOT NULL REFERENCES cloud_allocation_rules(id),
    position      INTEGER NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    percent       TEXT,
    PRIMARY KEY (rule_id, position)
);

-- What each charge costs each department; department_id NULL is the
-- period's unallocated bucket. The parts of a charge add up exactly to its
-- amount on the import's basis, and every charge has at least one part in
-- its period. Written only by the importer and reallocation, with
-- departments and rules taken from cloud_allocation_targets and
-- cloud_allocation_rules (neither of which ever loses a row): the
-- references are not declared, since checking them row by row would cost
-- more than writing the rows.
CREATE TABLE cloud_allocations (
    id            INTEGER PRIMARY KEY,
    charge_id     INTEGER NOT NULL,
    period        TEXT NOT NULL,
    department_id INTEGER,
    rule_id       INTEGER,
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL
);
CREATE INDEX cloud_allocations_period ON cloud_allocations(period, department_id);

-- +goose Down
DROP TABLE cloud_allocations;
DROP TABLE cloud_allocation_targets;
DROP TABLE cloud_allocation_rules;
DROP TABLE cloud_charges;
DROP TABLE cloud_imports;
