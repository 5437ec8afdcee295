-- +goose Up
-- Spend outside IT (package spend): card, expense and accounts-payable
-- lines as they were imported, each with what vendor recognition made of it.
CREATE TABLE spend_imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL DEFAULT '',
    lines       INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    imported_by INTEGER REFERENCES people(id),
    created_at  TIMESTAMP NOT NULL
);

-- line_key identifies a line by its content and its occurrence among equal
-- lines of its file, so that importing the same lines again adds nothing.
CREATE TABLE spend_lines (
    id            INTEGER PRIMARY KEY,
    line_key      TEXT NOT NULL UNIQUE,
    import_id     INTEGER NOT NULL REFERENCES spend_imports(id),
    line_no       INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    spent_on      TEXT NOT NULL,
    period        TEXT NOT NULL,
    merchant      TEXT NOT NULL,
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    person_email  TEXT NOT NULL DEFAULT '',
    mcc           TEXT NOT NULL DEFAULT '',
    memo          TEXT NOT NULL DEFAULT '',
    invoice       TEXT NOT NULL DEFAULT '',
    gl_account    TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '',
    vendor        TEXT NOT NULL DEFAULT '',
    vendor_known  BOOLEAN NOT NULL DEFAULT FALSE,
    software      BOOLEAN NOT NULL DEFAULT FALSE,
    confidence    INTEGER NOT NULL DEFAULT 0,
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX spend_lines_department ON spend_lines(department_id, period);

-- +goose Down
DROP TABLE spend_lines;
DROP TABLE spend_imports;
