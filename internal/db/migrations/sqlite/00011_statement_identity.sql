-- +goose Up
-- A statement is one department × period × currency for life: a billing run
-- updates it in place, so its id never changes, and statements are never
-- deleted, so no id is used twice. A statement left without lines by a
-- rerun is kept with a zero total and no lines. Each run records the
-- statement's total in statement_history.
ALTER TABLE statements ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
UPDATE statements SET line_count = (SELECT COUNT(*) FROM statement_lines l WHERE l.statement_id = statements.id);

CREATE TABLE statement_history (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    generated_at TIMESTAMP NOT NULL,
    total        TEXT NOT NULL,
    line_count   INTEGER NOT NULL
);
CREATE INDEX statement_history_statement ON statement_history(statement_id, id);
INSERT INTO statement_history(statement_id, generated_at, total, line_count)
SELECT id, generated_at, total, line_count FROM statements ORDER BY id;

-- Late usage: usage for a closed period is stored with its real time and
-- charged by an adjustment in the next open period, one per department,
-- offering, corrected period and currency, which its records point to.
-- (Without REFERENCES, so that the columns can be dropped again.)
ALTER TABLE adjustments ADD COLUMN offering_id INTEGER;
ALTER TABLE adjustments ADD COLUMN late_quantity TEXT NOT NULL DEFAULT '0';
ALTER TABLE adjustments ADD COLUMN late_records INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX adjustments_late ON adjustments(period, department_id, offering_id, corrects, currency) WHERE offering_id IS NOT NULL;
ALTER TABLE usage_batches ADD COLUMN adjustment_id INTEGER;
CREATE INDEX usage_batches_adjustment ON usage_batches(adjustment_id, first_at) WHERE adjustment_id IS NOT NULL;

-- +goose Down
DROP INDEX usage_batches_adjustment;
ALTER TABLE usage_batches DROP COLUMN adjustment_id;
DROP INDEX adjustments_late;
ALTER TABLE adjustments DROP COLUMN late_records;
ALTER TABLE adjustments DROP COLUMN late_quantity;
ALTER TABLE adjustments DROP COLUMN offering_id;
DROP TABLE statement_history;
ALTER TABLE statements DROP COLUMN line_count;
