-- +goose Up
-- The portfolio's register (package process): how far technology enables
-- each process, where the process came from in an ArchiMate model, the
-- business functions and locations that perform it, the customer journeys
-- it is part of, the business applications, and the weighted links of
-- processes to applications and to catalog services.
ALTER TABLE processes ADD COLUMN enablement TEXT NOT NULL DEFAULT '';
ALTER TABLE processes ADD COLUMN archimate_type TEXT NOT NULL DEFAULT '';
ALTER TABLE processes ADD COLUMN archimate_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX processes_archimate ON processes(archimate_id) WHERE archimate_id <> '';

CREATE TABLE process_functions (
    process_id  INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    function_id INTEGER NOT NULL REFERENCES functions(id),
    PRIMARY KEY (process_id, function_id)
);

CREATE TABLE process_locations (
    process_id  INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    PRIMARY KEY (process_id, location_id)
);

CREATE TABLE journeys (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- The processes of a journey, in the order the customer meets them.
CREATE TABLE journey_processes (
    journey_id INTEGER NOT NULL REFERENCES journeys(id) ON DELETE CASCADE,
    process_id INTEGER NOT NULL REFERENCES processes(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (journey_id, process_id)
);
CREATE INDEX journey_processes_process ON journey_processes(process_id);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_person_id INTEGER REFERENCES people(id),
    vendor          TEXT NOT NULL DEFAULT '',
    lifecycle       TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('plan', 'active', 'phase-out', 'retired')),
    functional_fit  INTEGER CHECK (functional_fit BETWEEN 1 AND 5),
    technical_fit   INTEGER CHECK (technical_fit BETWEEN 1 AND 5),
    archimate_id    TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX applications_archimate ON applications(archimate_id) WHERE archimate_id <> '';

-- The catalog services an application runs on or is delivered as.
CREATE TABLE application_services (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    service_id     INTEGER NOT NULL REFERENCES services(id),
    PRIMARY KEY (application_id, service_id)
);

-- Weights are percentages, 0 to 100, exact decimals.
CREATE TABLE process_applications (
    process_id     INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    weight         TEXT NOT NULL,
    PRIMARY KEY (process_id, application_id)
);
CREATE INDEX process_applications_application ON process_applications(application_id);

CREATE TABLE process_services (
    process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL REFERENCES services(id),
    weight     TEXT NOT NULL,
    PRIMARY KEY (process_id, service_id)
);
CREATE INDEX process_services_service ON process_services(service_id);

-- +goose Down
DROP TABLE process_services;
DROP TABLE process_applications;
DROP TABLE application_services;
DROP INDEX applications_archimate;
DROP TABLE applications;
DROP TABLE journey_processes;
DROP TABLE journeys;
DROP TABLE process_locations;
DROP TABLE process_functions;
DROP INDEX processes_archimate;
ALTER TABLE processes DROP COLUMN archimate_id;
ALTER TABLE processes DROP COLUMN archimate_type;
ALTER TABLE processes DROP COLUMN enablement;
