-- +goose Up
-- The BRM's shadow-IT cases (package spend): one per vendor × department
-- with shadow spend, its state, what its actions made (the need, the
-- quote, the draft service) and its history.
CREATE TABLE shadow_cases (
    id               INTEGER PRIMARY KEY,
    vendor           TEXT NOT NULL,
    department_id    INTEGER NOT NULL REFERENCES departments(id),
    state            TEXT NOT NULL,
    need_ref         TEXT NOT NULL DEFAULT '',
    quote_number     TEXT NOT NULL DEFAULT '',
    service_id       INTEGER,
    security_verdict TEXT NOT NULL DEFAULT '',
    review_by        TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    reopened         INTEGER NOT NULL DEFAULT 0,
    run_rate         TEXT NOT NULL DEFAULT '0',
    saving           TEXT NOT NULL DEFAULT '0',
    currency         TEXT NOT NULL DEFAULT '',
    opened_at        TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL,
    UNIQUE (vendor, department_id)
);
CREATE INDEX shadow_cases_department ON shadow_cases(department_id, state);

CREATE TABLE shadow_case_events (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES shadow_cases(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    actor_id   INTEGER REFERENCES people(id),
    actor_name TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL
);
CREATE INDEX shadow_case_events_case ON shadow_case_events(case_id, id);

-- +goose Down
DROP TABLE shadow_case_events;
DROP TABLE shadow_cases;
