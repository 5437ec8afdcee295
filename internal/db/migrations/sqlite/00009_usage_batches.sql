-- +goose Up
-- Usage is stored in batches rather than one row per record: the records of
-- one request that share a period, department, offering and unit are one
-- row, their fields a JSON array of [key, time, subscription, quantity,
-- source] per record (json_each reads them in SQL). Idempotency keys are
-- kept apart, once each. Statements read usage_totals; batches serve the
-- drill-down to the records behind a statement line.
CREATE TABLE usage_keys (
    idempotency_key TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE usage_batches (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    offering_id   INTEGER NOT NULL REFERENCES offerings(id),
    unit          TEXT NOT NULL,
    first_at      TIMESTAMP NOT NULL,
    last_at       TIMESTAMP NOT NULL,
    records       INTEGER NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    data          TEXT NOT NULL
);
CREATE INDEX usage_batches_period ON usage_batches(period, department_id, offering_id, first_at);

INSERT INTO usage_keys(idempotency_key) SELECT idempotency_key FROM usage_records;
INSERT INTO usage_batches(period, department_id, offering_id, unit, first_at, last_at, records, received_at, data)
SELECT period, department_id, offering_id, unit, MIN(at), MAX(at), COUNT(*), MAX(received_at),
       json_group_array(json_array(idempotency_key, at, subscription_id, quantity, source))
FROM (SELECT * FROM usage_records ORDER BY at, id)
GROUP BY period, department_id, offering_id, unit;
DROP TABLE usage_records;

-- +goose Down
CREATE TABLE usage_records (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    at              TIMESTAMP NOT NULL,
    period          TEXT NOT NULL,
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    subscription_id INTEGER REFERENCES subscriptions(id),
    offering_id     INTEGER NOT NULL REFERENCES offerings(id),
    quantity        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMP NOT NULL
);
CREATE INDEX usage_records_period ON usage_records(period, department_id, offering_id);
INSERT INTO usage_records(idempotency_key, at, period, department_id, subscription_id, offering_id, quantity, unit, source, received_at)
SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), b.period, b.department_id, json_extract(r.value, '$[2]'),
       b.offering_id, json_extract(r.value, '$[3]'), b.unit, json_extract(r.value, '$[4]'), b.received_at
FROM usage_batches b, json_each(b.data) r
ORDER BY b.id, r.key;
DROP TABLE usage_batches;
DROP TABLE usage_keys;
