-- +goose Up
-- The portfolio's strategic objectives and the board's budget scenarios
-- (package portfolio). An objective is owned by a person (a business
-- leader), has a horizon and a measure, and is linked to processes of the
-- register and to needs (by their stable reference). A saved scenario keeps
-- the weights and the ranking as they were when it was saved.
CREATE TABLE portfolio_objectives (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_person_id INTEGER NOT NULL REFERENCES people(id),
    horizon         TEXT NOT NULL,
    measure         TEXT NOT NULL,
    target          TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE portfolio_objective_processes (
    objective_id INTEGER NOT NULL REFERENCES portfolio_objectives(id) ON DELETE CASCADE,
    process_id   INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, process_id)
);
CREATE INDEX portfolio_objective_processes_process ON portfolio_objective_processes(process_id);

CREATE TABLE portfolio_objective_needs (
    objective_id INTEGER NOT NULL REFERENCES portfolio_objectives(id) ON DELETE CASCADE,
    need_ref     TEXT NOT NULL,
    PRIMARY KEY (objective_id, need_ref)
);
CREATE INDEX portfolio_objective_needs_need ON portfolio_objective_needs(need_ref);

CREATE TABLE portfolio_scenarios (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    budget_year        INTEGER NOT NULL,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    content            TEXT NOT NULL,
    created_by_id      INTEGER REFERENCES people(id),
    created_by_name    TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE portfolio_scenarios;
DROP INDEX portfolio_objective_needs_need;
DROP TABLE portfolio_objective_needs;
DROP INDEX portfolio_objective_processes_process;
DROP TABLE portfolio_objective_processes;
DROP TABLE portfolio_objectives;
