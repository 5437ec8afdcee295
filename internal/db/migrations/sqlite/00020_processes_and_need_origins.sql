-- +goose Up
-- The process register (package process): value streams and the processes
-- below them, to any depth.
CREATE TABLE processes (
    id                  INTEGER PRIMARY KEY,
    parent_id           INTEGER REFERENCES processes(id),
    kind                TEXT NOT NULL CHECK (kind IN ('value_stream', 'process')),
    ref                 TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    owner_person_id     INTEGER REFERENCES people(id),
    owner_department_id INTEGER REFERENCES departments(id),
    criticality         TEXT NOT NULL DEFAULT 'medium' CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    external_customers  BOOLEAN NOT NULL DEFAULT FALSE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX processes_parent ON processes(parent_id, id);

-- The processes a need affects (package frontdoor), beside the free text.
CREATE TABLE need_processes (
    need_id    INTEGER NOT NULL REFERENCES needs(id) ON DELETE CASCADE,
    process_id INTEGER NOT NULL REFERENCES processes(id),
    PRIMARY KEY (need_id, process_id)
);
CREATE INDEX need_processes_process ON need_processes(process_id);

-- Where a need came from when another area created it on someone's behalf
-- (an idea of a community: kind 'idea', ref '42'); empty for needs written
-- in the front door. One need per origin.
ALTER TABLE needs ADD COLUMN origin_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE needs ADD COLUMN origin_ref TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX needs_origin ON needs(origin_kind, origin_ref) WHERE origin_kind <> '';

-- +goose Down
DROP INDEX needs_origin;
ALTER TABLE needs DROP COLUMN origin_ref;
ALTER TABLE needs DROP COLUMN origin_kind;
DROP TABLE need_processes;
DROP TABLE processes;
