-- +goose Up
-- What the shadow-spend page and the BRM's queue read instead of the lines
-- (package spend): the sure software lines' sums per month × department ×
-- vendor × currency, and who paid, a row per person × vendor × department ×
-- currency × year with a bit per month (bit m-1 for month m). Amounts are
-- kept as exact decimal text and added in Go. Both are kept in the
-- transaction of every import, correction and learnt vendor; lines stored
-- before this migration are summed by the next import (spend.sums_stale),
-- and until then the pages read the lines.
CREATE TABLE spend_sums (
    period        TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    vendor        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    lines         INTEGER NOT NULL,
    amount        TEXT NOT NULL,
    last_spent_on TEXT NOT NULL,
    PRIMARY KEY (period, department_id, vendor, currency)
);
CREATE TABLE spend_people (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    vendor        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    email         TEXT NOT NULL,
    year          INTEGER NOT NULL,
    months        INTEGER NOT NULL,
    PRIMARY KEY (department_id, vendor, currency, email, year)
);
INSERT INTO settings(key, value) SELECT 'spend.sums_stale', '1' WHERE EXISTS (SELECT 1 FROM spend_lines);

-- +goose Down
DELETE FROM settings WHERE key = 'spend.sums_stale';
DROP TABLE spend_people;
DROP TABLE spend_sums;
