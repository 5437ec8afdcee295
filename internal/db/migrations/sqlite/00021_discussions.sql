-- +goose Up
-- Discussions (package discuss): topics and replies in communities, who
-- follows them, the earlier versions of edited posts, and flags.
CREATE TABLE discuss_topics (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities(id),
    kind              TEXT NOT NULL CHECK (kind IN ('question', 'discussion', 'idea')),
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    author_id         INTEGER NOT NULL REFERENCES people(id),
    pinned            BOOLEAN NOT NULL DEFAULT FALSE,
    locked            BOOLEAN NOT NULL DEFAULT FALSE,
    hidden            BOOLEAN NOT NULL DEFAULT FALSE,
    accepted_reply_id INTEGER,
    it_answered_at    TIMESTAMP,
    replies           INTEGER NOT NULL DEFAULT 0,
    last_post_at      TIMESTAMP NOT NULL,
    search_seq        INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX discuss_topics_community ON discuss_topics(community_id, pinned, last_post_at, id);
CREATE INDEX discuss_topics_author ON discuss_topics(author_id, created_at);
CREATE INDEX discuss_topics_search_seq ON discuss_topics(search_seq);

CREATE TABLE discuss_replies (
    id         INTEGER PRIMARY KEY,
    topic_id   INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES people(id),
    body       TEXT NOT NULL,
    official   BOOLEAN NOT NULL DEFAULT FALSE,
    hidden     BOOLEAN NOT NULL DEFAULT FALSE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX discuss_replies_topic ON discuss_replies(topic_id, id);
CREATE INDEX discuss_replies_author ON discuss_replies(author_id, created_at);

-- Followers are told of replies in their inbox; a topic's author follows it.
CREATE TABLE discuss_followers (
    topic_id  INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    since     TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, person_id)
);
CREATE INDEX discuss_followers_person ON discuss_followers(person_id);

-- Every edit keeps the text it replaced: reply_id 0 is the topic itself.
CREATE TABLE discuss_revisions (
    id        INTEGER PRIMARY KEY,
    topic_id  INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    reply_id  INTEGER NOT NULL DEFAULT 0,
    version   INTEGER NOT NULL,
    title     TEXT NOT NULL DEFAULT '',
    body      TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES people(id),
    edited_by INTEGER REFERENCES people(id),
    edited_at TIMESTAMP NOT NULL,
    written_at TIMESTAMP NOT NULL
);
CREATE INDEX discuss_revisions_post ON discuss_revisions(topic_id, reply_id, version);

-- Flags: anyone who reads a post may flag it once; moderators resolve them.
CREATE TABLE discuss_flags (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER NOT NULL REFERENCES discuss_topics(id) ON DELETE CASCADE,
    reply_id    INTEGER NOT NULL DEFAULT 0,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    reason      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES people(id),
    outcome     TEXT NOT NULL DEFAULT '',
    UNIQUE (topic_id, reply_id, person_id)
);
CREATE INDEX discuss_flags_open ON discuss_flags(resolved_at, at);

-- +goose Down
DROP TABLE discuss_flags;
DROP TABLE discuss_revisions;
DROP TABLE discuss_followers;
DROP TABLE discuss_replies;
DROP TABLE discuss_topics;
