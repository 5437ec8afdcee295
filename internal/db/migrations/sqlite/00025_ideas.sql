-- +goose Up
-- Ideas (package idea): the votes and status of the topics of kind idea,
-- the history of their status, and the front-door need an idea became.
-- A topic with no row here is a new idea without votes. (topic_id is BIGINT,
-- not INTEGER: the topic's id, which SQLite must not take for a new row id.)
CREATE TABLE idea_ideas (
    topic_id       BIGINT PRIMARY KEY REFERENCES discuss_topics(id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'under_review', 'planned', 'declined', 'done')),
    reason         TEXT NOT NULL DEFAULT '',
    votes          INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
    need_id        INTEGER,
    need_reference TEXT NOT NULL DEFAULT '',
    need_state     TEXT NOT NULL DEFAULT '',
    status_at      TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX idea_ideas_need ON idea_ideas(need_id);

-- One vote per person per idea; withdrawing deletes it.
CREATE TABLE idea_votes (
    topic_id  INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    at        TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, person_id)
);
CREATE INDEX idea_votes_person ON idea_votes(person_id);

-- Every change of an idea's status, by a person or by its need moving
-- (actor_id NULL, need_reference set).
CREATE TABLE idea_status_events (
    id             INTEGER PRIMARY KEY,
    topic_id       INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    actor_id       INTEGER REFERENCES people(id),
    need_reference TEXT NOT NULL DEFAULT '',
    at             TIMESTAMP NOT NULL
);
CREATE INDEX idea_status_events_topic ON idea_status_events(topic_id, id);

-- +goose Down
DROP TABLE idea_status_events;
DROP TABLE idea_votes;
DROP TABLE idea_ideas;
