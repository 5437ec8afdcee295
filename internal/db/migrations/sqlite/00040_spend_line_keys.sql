-- +goose Up
-- Spend lines' content keys kept as sorted runs per period (db.KeyRuns), as
-- cloud charges' are: an import loads the runs of the periods it meets and
-- tells new lines from stored ones in memory, instead of inserting every
-- line's key at a random place of a unique index. spend_lines.line_key now
-- holds the import and line number (zero-padded, so each import appends to
-- its index); the keys of the lines stored before are moved here, one run
-- each, merged by the next import of their period.
CREATE TABLE spend_line_keys (
    id     INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    keys   BLOB NOT NULL      -- sorted 16-byte keys: a line's content and occurrence
);
CREATE INDEX spend_line_keys_period ON spend_line_keys(period);
INSERT INTO spend_line_keys(period, keys) SELECT period, unhex(line_key) FROM spend_lines WHERE length(line_key) = 32;

-- +goose Down
DROP TABLE spend_line_keys;
