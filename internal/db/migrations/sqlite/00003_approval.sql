-- +goose Up
-- Approval policies: conditions (JSON) and ordered stages of approvers.
CREATE TABLE approval_policies (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    priority        INTEGER NOT NULL,
    conditions_json TEXT NOT NULL DEFAULT '{}',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX approval_policies_priority ON approval_policies(priority, id);

CREATE TABLE approval_policy_stages (
    policy_id      INTEGER NOT NULL REFERENCES approval_policies(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    quorum         TEXT NOT NULL CHECK (quorum IN ('all', 'any', 'n')),
    quorum_n       INTEGER NOT NULL DEFAULT 0,
    approvers_json TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (policy_id, position)
);

-- A request for consent about one subject (an order, a need, …). Amounts are
-- exact decimals kept as text.
CREATE TABLE approval_requests (
    id            INTEGER PRIMARY KEY,
    subject_type  TEXT NOT NULL,
    subject_id    INTEGER NOT NULL,
    title         TEXT NOT NULL,
    link          TEXT NOT NULL DEFAULT '',
    requester_id  INTEGER NOT NULL REFERENCES people(id),
    department_id INTEGER REFERENCES departments(id),
    amount        TEXT NOT NULL DEFAULT '0',
    currency      TEXT NOT NULL DEFAULT '',
    offering_ids  TEXT NOT NULL DEFAULT '[]',
    service_ids   TEXT NOT NULL DEFAULT '[]',
    data_class    TEXT NOT NULL DEFAULT '',
    policy_id     INTEGER REFERENCES approval_policies(id),
    policy_name   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled')),
    current_stage INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL DEFAULT '',
    decided_at    TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX approval_requests_requester ON approval_requests(requester_id, id);
CREATE INDEX approval_requests_subject ON approval_requests(subject_type, subject_id);
CREATE INDEX approval_requests_status ON approval_requests(status, id);

-- The stages of a request, copied from its policy at submission.
CREATE TABLE approval_request_stages (
    request_id INTEGER NOT NULL REFERENCES approval_requests(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    quorum     TEXT NOT NULL CHECK (quorum IN ('all', 'any', 'n')),
    quorum_n   INTEGER NOT NULL DEFAULT 0,
    status     TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'declined', 'cancelled')),
    decided_at TIMESTAMP,
    PRIMARY KEY (request_id, position)
);

-- Who may approve each stage, resolved at submission so that later changes
-- to the organisation do not silently change who approves.
CREATE TABLE approval_request_approvers (
    request_id INTEGER NOT NULL,
    stage      INTEGER NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    rule       TEXT NOT NULL,
    PRIMARY KEY (request_id, stage, person_id),
    FOREIGN KEY (request_id, stage) REFERENCES approval_request_stages(request_id, position) ON DELETE CASCADE
);
CREATE INDEX approval_request_approvers_person ON approval_request_approvers(person_id, request_id);

-- Every approval, decline and cancellation: who acted, in whose place, why.
CREATE TABLE approval_decisions (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES approval_requests(id) ON DELETE CASCADE,
    stage        INTEGER NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('approve', 'decline', 'cancel')),
    decider_id   INTEGER REFERENCES people(id),
    decider_name TEXT NOT NULL,
    approver_id  INTEGER REFERENCES people(id),
    reason       TEXT NOT NULL DEFAULT '',
    via          TEXT NOT NULL CHECK (via IN ('inbox', 'link', 'api')),
    at           TIMESTAMP NOT NULL,
    UNIQUE (request_id, stage, approver_id)
);
CREATE INDEX approval_decisions_decider ON approval_decisions(decider_id, id);

-- Someone away lets a named person decide in their place, for whole days (UTC).
CREATE TABLE approval_delegations (
    id           INTEGER PRIMARY KEY,
    delegator_id INTEGER NOT NULL REFERENCES people(id),
    delegate_id  INTEGER NOT NULL REFERENCES people(id),
    starts_on    DATE NOT NULL,
    ends_on      DATE NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    CHECK (delegator_id <> delegate_id),
    CHECK (starts_on <= ends_on)
);
CREATE INDEX approval_delegations_delegator ON approval_delegations(delegator_id, starts_on);
CREATE INDEX approval_delegations_delegate ON approval_delegations(delegate_id, starts_on);

-- +goose Down
DROP TABLE approval_delegations;
DROP TABLE approval_decisions;
DROP TABLE approval_request_approvers;
DROP TABLE approval_request_stages;
DROP TABLE approval_requests;
DROP TABLE approval_policy_stages;
DROP TABLE approval_policies;
