-- +goose Up
-- Technology needs: the one way the business asks IT for technology.
CREATE TABLE needs (
    id                  INTEGER PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    title               TEXT NOT NULL,
    problem             TEXT NOT NULL DEFAULT '',
    outcome             TEXT NOT NULL DEFAULT '',
    processes           TEXT NOT NULL DEFAULT '',
    requester_id        INTEGER NOT NULL REFERENCES people(id),
    department_id       INTEGER NOT NULL REFERENCES departments(id),
    sponsor_id          INTEGER REFERENCES people(id),
    users               INTEGER NOT NULL DEFAULT 0,
    data_class          TEXT NOT NULL CHECK (data_class IN ('public', 'internal', 'confidential', 'restricted')),
    budget_min          TEXT,
    budget_max          TEXT,
    currency            TEXT NOT NULL DEFAULT 'EUR',
    needed_by           DATE,
    state               TEXT NOT NULL,
    state_since         TIMESTAMP NOT NULL,
    brm_id              INTEGER REFERENCES people(id),
    duplicate_of_id     INTEGER REFERENCES needs(id),
    catalog_offering_id INTEGER REFERENCES offerings(id),
    decision_option_id  INTEGER,
    decision_reason     TEXT NOT NULL DEFAULT '',
    decided_by_id       INTEGER REFERENCES people(id),
    decided_at          TIMESTAMP,
    approval_request_id INTEGER,
    order_id            INTEGER REFERENCES orders(id),
    search_seq          INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    submitted_at        TIMESTAMP
);
CREATE INDEX needs_department ON needs(department_id, id);
CREATE INDEX needs_state ON needs(state, state_since);
CREATE INDEX needs_search_seq ON needs(search_seq);

-- Other departments the need affects.
CREATE TABLE need_departments (
    need_id       INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (need_id, department_id)
);

-- The need's history: every transition, with who and why.
CREATE TABLE need_events (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    at         TIMESTAMP NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX need_events_need ON need_events(need_id, id);

CREATE TABLE need_reviews (
    id          INTEGER PRIMARY KEY,
    need_id     INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('architecture', 'security', 'finance')),
    reviewer_id INTEGER NOT NULL REFERENCES people(id),
    verdict     TEXT NOT NULL CHECK (verdict IN ('approve', 'approve_with_conditions', 'reject')),
    notes       TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL,
    UNIQUE (need_id, kind)
);

CREATE TABLE need_options (
    id            INTEGER PRIMARY KEY,
    need_id       INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('reuse', 'buy', 'build', 'broker')),
    title         TEXT NOT NULL,
    offering_id   INTEGER REFERENCES offerings(id),
    vendor        TEXT NOT NULL DEFAULT '',
    currency      TEXT NOT NULL,
    one_time      TEXT NOT NULL,
    monthly       TEXT NOT NULL,
    delivery_days INTEGER NOT NULL DEFAULT 0,
    risks         TEXT NOT NULL DEFAULT '',
    data_ceiling  TEXT NOT NULL CHECK (data_ceiling IN ('public', 'internal', 'confidential', 'restricted')),
    exception     TEXT NOT NULL DEFAULT '',
    created_by_id INTEGER REFERENCES people(id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX need_options_need ON need_options(need_id);

-- +goose Down
DROP TABLE need_options;
DROP TABLE need_reviews;
DROP TABLE need_events;
DROP TABLE need_departments;
DROP TABLE needs;
