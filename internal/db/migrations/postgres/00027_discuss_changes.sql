-- +goose Up
-- Discussions: a count of the changes to a topic and its replies (a reply,
-- an edit, hiding, accepting, an official answer, a move, a lock), read
-- with the topic to tell whether a kept copy of its replies is current.
ALTER TABLE discuss_topics ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
-- A community's member count (every community page shows it) read from
-- this index alone, not from each membership's row.
CREATE INDEX community_members_counted ON community_members(community_id, by_hand, by_rule, opted_out) WHERE (by_hand OR by_rule) AND NOT opted_out;

-- +goose Down
DROP INDEX community_members_counted;
ALTER TABLE discuss_topics DROP COLUMN changes;
