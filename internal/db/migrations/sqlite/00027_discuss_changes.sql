-- +goose Up
-- Discussions: a count of the changes to a topic and its replies (a reply,
-- an edit, hiding, accepting, an official answer, a move, a lock), read
-- with the topic to tell whether a kept copy of its replies is current.
ALTER TABLE discuss_topics ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE discuss_topics DROP COLUMN changes;
