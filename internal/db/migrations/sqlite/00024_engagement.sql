-- +goose Up
-- Engagement measurement (package engagement): the signals the areas send,
-- and the small tables kept up to date as each one arrives, from which every
-- metric is read without rescanning the areas' activity.
CREATE TABLE engagement_signals (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    person_id     INTEGER NOT NULL DEFAULT 0,
    department_id INTEGER NOT NULL DEFAULT 0,
    community_id  INTEGER NOT NULL DEFAULT 0,
    topic_id      INTEGER NOT NULL DEFAULT 0,
    survey        TEXT NOT NULL DEFAULT '',
    score         INTEGER NOT NULL DEFAULT 0,
    ref           TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL
);
CREATE INDEX engagement_signals_kind_at ON engagement_signals(kind, at);

-- Each person's last signal of their own, and last community contribution
-- with the department they were in then.
CREATE TABLE engagement_people (
    person_id         BIGINT NOT NULL PRIMARY KEY,
    last_at           TIMESTAMP NOT NULL,
    last_community_at TIMESTAMP,
    department_id     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX engagement_people_community ON engagement_people(last_community_at, department_id);

-- Each person's first and last contribution to each community.
CREATE TABLE engagement_participation (
    community_id INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    first_at     TIMESTAMP NOT NULL,
    last_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, person_id)
);
-- Covering: the figures read recent participation from the index alone.
CREATE INDEX engagement_participation_last ON engagement_participation(last_at, community_id, person_id, first_at);

-- Each topic: when it was opened, first answered by IT, and solved.
CREATE TABLE engagement_topics (
    topic_id     BIGINT NOT NULL PRIMARY KEY,
    community_id INTEGER NOT NULL DEFAULT 0,
    person_id    INTEGER NOT NULL DEFAULT 0,
    ref          TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    opened_at    TIMESTAMP NOT NULL,
    answered_at  TIMESTAMP,
    accepted_at  TIMESTAMP,
    idea         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX engagement_topics_community ON engagement_topics(community_id, opened_at);
-- Covering: every community's topic figures are read from the index alone.
CREATE INDEX engagement_topics_opened ON engagement_topics(opened_at, community_id, answered_at, accepted_at, idea);

-- Counters per department and month (YYYY-MM, UTC).
CREATE TABLE engagement_months (
    department_id INTEGER NOT NULL,
    month         TEXT NOT NULL,
    orders        INTEGER NOT NULL DEFAULT 0,
    needs_sent    INTEGER NOT NULL DEFAULT 0,
    needs_decided INTEGER NOT NULL DEFAULT 0,
    contributions INTEGER NOT NULL DEFAULT 0,
    active_people INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, month)
);

-- The months in which a person contributed to a community, so that each
-- counts once in its department's active_people.
CREATE TABLE engagement_person_months (
    person_id INTEGER NOT NULL,
    month     TEXT NOT NULL,
    PRIMARY KEY (person_id, month)
);

-- Pulse answers per community or department, month and survey: answers,
-- high (CSAT 4-5, NPS 9-10) and low (CSAT 1-2, NPS 0-6).
CREATE TABLE engagement_pulses (
    scope    TEXT NOT NULL CHECK (scope IN ('community', 'department')),
    scope_id INTEGER NOT NULL,
    month    TEXT NOT NULL,
    survey   TEXT NOT NULL,
    answers  INTEGER NOT NULL DEFAULT 0,
    high     INTEGER NOT NULL DEFAULT 0,
    low      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, scope_id, month, survey)
);

-- The weekly digest: one row per person and ISO week (2026-W49), written
-- once whichever replica gets there first.
CREATE TABLE engagement_digests (
    person_id INTEGER NOT NULL,
    week      TEXT NOT NULL,
    sent_at   TIMESTAMP NOT NULL,
    items     INTEGER NOT NULL DEFAULT 0,
    content   TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (person_id, week)
);
CREATE INDEX engagement_digests_week ON engagement_digests(week);

-- +goose Down
DROP TABLE engagement_digests;
DROP TABLE engagement_pulses;
DROP TABLE engagement_person_months;
DROP TABLE engagement_months;
DROP TABLE engagement_topics;
DROP TABLE engagement_participation;
DROP TABLE engagement_people;
DROP TABLE engagement_signals;
