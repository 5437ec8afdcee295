-- +goose Up
-- Seats actually used (package spend): one row per application and
-- department from the latest single-sign-on export, with the users
-- assigned, those active over the last 30, 60 and 90 days, and those
-- assigned within each window who have not signed in yet (not counted idle).
CREATE TABLE seat_usage (
    id            INTEGER PRIMARY KEY,
    app_key       TEXT NOT NULL,      -- the application's name, lower case
    application   TEXT NOT NULL,
    domain        TEXT NOT NULL DEFAULT '',
    vendor        TEXT NOT NULL DEFAULT '',
    department_id INTEGER NOT NULL REFERENCES departments(id),
    assigned      INTEGER NOT NULL,
    active_30     INTEGER NOT NULL,
    active_60     INTEGER NOT NULL,
    active_90     INTEGER NOT NULL,
    new_30        INTEGER NOT NULL DEFAULT 0,
    new_60        INTEGER NOT NULL DEFAULT 0,
    new_90        INTEGER NOT NULL DEFAULT 0,
    as_of         TEXT NOT NULL,      -- YYYY-MM-DD: the day of the export
    imported_by   INTEGER REFERENCES people(id),
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (app_key, department_id)
);
CREATE INDEX seat_usage_department ON seat_usage(department_id);

-- +goose Down
DROP TABLE seat_usage;
