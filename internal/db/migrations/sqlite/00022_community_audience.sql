-- +goose Up
-- Announcements may be meant for a community (package catalog keeps the
-- audience; package community says who belongs).
ALTER TABLE announcement_audience RENAME TO announcement_audience_old;
CREATE TABLE announcement_audience (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('department', 'location', 'function', 'community')),
    ref_id          INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, kind, ref_id)
);
INSERT INTO announcement_audience(announcement_id, kind, ref_id) SELECT announcement_id, kind, ref_id FROM announcement_audience_old;
DROP TABLE announcement_audience_old;

-- +goose Down
DELETE FROM announcement_audience WHERE kind = 'community';
ALTER TABLE announcement_audience RENAME TO announcement_audience_old;
CREATE TABLE announcement_audience (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('department', 'location', 'function')),
    ref_id          INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, kind, ref_id)
);
INSERT INTO announcement_audience(announcement_id, kind, ref_id) SELECT announcement_id, kind, ref_id FROM announcement_audience_old;
DROP TABLE announcement_audience_old;
