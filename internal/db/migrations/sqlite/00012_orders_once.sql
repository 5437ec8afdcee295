-- +goose Up
-- A quote is ordered once: a second order of it answers with the first.
CREATE UNIQUE INDEX orders_quote ON orders(quote_id);
-- Who placed an order (or made a quote) when it was not its requester: a
-- business relationship manager ordering for a need's department.
ALTER TABLE orders ADD COLUMN placed_by_id INTEGER REFERENCES people(id);
ALTER TABLE quotes ADD COLUMN placed_by_id INTEGER REFERENCES people(id);
-- What a quote was made for (a need's reference), once per subject.
ALTER TABLE quotes ADD COLUMN subject TEXT;
CREATE UNIQUE INDEX quotes_subject ON quotes(subject);
-- What approvers read: "€6,696.00 over 36 months (€186.00 a month)".
ALTER TABLE approval_requests ADD COLUMN summary TEXT NOT NULL DEFAULT '';
-- Why someone approves when the rule had to walk up the organisation.
ALTER TABLE approval_request_approvers ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- Idempotency keys of API POSTs: the first answer to a key, per principal
-- and route, is given again to a repeat of the same request.
CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,
    route        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    body_hash    TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, route, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- +goose Down
DROP TABLE idempotency_keys;
ALTER TABLE approval_request_approvers DROP COLUMN note;
ALTER TABLE approval_requests DROP COLUMN summary;
DROP INDEX quotes_subject;
ALTER TABLE quotes DROP COLUMN subject;
ALTER TABLE quotes DROP COLUMN placed_by_id;
ALTER TABLE orders DROP COLUMN placed_by_id;
DROP INDEX orders_quote;
