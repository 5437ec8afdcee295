-- +goose Up
-- Announcements may be meant for a community (package catalog keeps the
-- audience; package community says who belongs).
ALTER TABLE announcement_audience DROP CONSTRAINT announcement_audience_kind_check;
ALTER TABLE announcement_audience ADD CONSTRAINT announcement_audience_kind_check
    CHECK (kind IN ('department', 'location', 'function', 'community'));

-- +goose Down
DELETE FROM announcement_audience WHERE kind = 'community';
ALTER TABLE announcement_audience DROP CONSTRAINT announcement_audience_kind_check;
ALTER TABLE announcement_audience ADD CONSTRAINT announcement_audience_kind_check
    CHECK (kind IN ('department', 'location', 'function'));
