-- +goose Up
-- Something that happened, published by the package where it happened, in
-- the transaction of the change itself (so a rolled-back change notifies
-- nobody). Inbox items and deliveries point at it.
CREATE TABLE notify_events (
    id        INTEGER PRIMARY KEY,
    type      TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    title     TEXT NOT NULL,
    link      TEXT NOT NULL DEFAULT '',
    data_json TEXT NOT NULL DEFAULT '{}',
    at        TIMESTAMP NOT NULL
);

-- One person's copy of an event, read or not.
CREATE TABLE notify_inbox (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    event_id  INTEGER NOT NULL REFERENCES notify_events(id) ON DELETE CASCADE,
    read_at   TIMESTAMP,
    UNIQUE (person_id, event_id)
);
CREATE INDEX notify_inbox_person ON notify_inbox(person_id, id);
CREATE INDEX notify_inbox_unread ON notify_inbox(person_id) WHERE read_at IS NULL;

-- Outbound webhook endpoints. The secret signs every delivery, so it is kept
-- as given (it cannot be hashed); it is shown to the administrator once.
CREATE TABLE notify_webhooks (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    event_types TEXT NOT NULL DEFAULT '[]',
    secret      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- The durable outbox: one row per event and webhook endpoint (channel
-- webhook) or per event and recipient (channel email). Workers claim due
-- rows by setting claimed_until; a claim that outlives its worker expires.
CREATE TABLE notify_deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES notify_events(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    webhook_id      INTEGER REFERENCES notify_webhooks(id) ON DELETE CASCADE,
    person_id       INTEGER REFERENCES people(id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    CHECK ((channel = 'webhook' AND webhook_id IS NOT NULL) OR (channel = 'email' AND recipient <> ''))
);
CREATE INDEX notify_deliveries_due ON notify_deliveries(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX notify_deliveries_webhook ON notify_deliveries(webhook_id, id);
CREATE INDEX notify_deliveries_state ON notify_deliveries(state, id);

-- Every attempt to deliver: what the receiver answered, or why it could not.
CREATE TABLE notify_attempts (
    id            INTEGER PRIMARY KEY,
    delivery_id   INTEGER NOT NULL REFERENCES notify_deliveries(id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    at            TIMESTAMP NOT NULL,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    status_code   INTEGER NOT NULL DEFAULT 0,
    response_body TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notify_attempts_delivery ON notify_attempts(delivery_id, id);

-- +goose Down
DROP TABLE notify_attempts;
DROP TABLE notify_deliveries;
DROP TABLE notify_webhooks;
DROP TABLE notify_inbox;
DROP TABLE notify_events;
