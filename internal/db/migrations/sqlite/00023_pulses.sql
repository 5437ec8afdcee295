-- +goose Up
-- Pulses (package pulse): CSAT and NPS surveys about a catalog service or a
-- community, the people each was sent to, and the answers. An answer is
-- kept apart from who gave it: a recipient's row only says that they
-- answered, so no query can put a score or a comment beside a name.
CREATE TABLE pulses (
    id           INTEGER PRIMARY KEY,
    survey       TEXT NOT NULL CHECK (survey IN ('csat', 'nps')),
    question     TEXT NOT NULL,
    service_id   INTEGER REFERENCES services(id),
    community_id INTEGER REFERENCES communities(id),
    subject_name TEXT NOT NULL,
    opens_at     TIMESTAMP NOT NULL,
    closes_at    TIMESTAMP NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES people(id),
    created_at   TIMESTAMP NOT NULL,
    recipients   INTEGER NOT NULL CHECK (recipients > 0),
    answers      INTEGER NOT NULL DEFAULT 0 CHECK (answers >= 0),
    CHECK ((service_id IS NULL) <> (community_id IS NULL)),
    CHECK (closes_at > opens_at)
);
CREATE INDEX pulses_service ON pulses(service_id, opens_at);
CREATE INDEX pulses_community ON pulses(community_id, opens_at);

-- Who a pulse was sent to, fixed when it is sent.
CREATE TABLE pulse_recipients (
    pulse_id  INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    answered  BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (pulse_id, person_id)
);
CREATE INDEX pulse_recipients_person ON pulse_recipients(person_id, pulse_id);

-- The answers, without who gave them.
CREATE TABLE pulse_answers (
    id       INTEGER PRIMARY KEY,
    pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
    score    INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pulse_answers_pulse ON pulse_answers(pulse_id, score);

-- +goose Down
DROP TABLE pulse_answers;
DROP TABLE pulse_recipients;
DROP TABLE pulses;
