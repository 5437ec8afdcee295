-- +goose Up
-- Engagement figures read right after a change, from indexes alone rather
-- than a row fetched behind each index entry: every current membership
-- (community, person), for member counts, active members and coverage;
-- each person's last signal, for coverage and the dark populations.
CREATE INDEX community_members_current ON community_members(community_id, person_id) WHERE (by_hand OR by_rule) AND NOT opted_out;
CREATE INDEX engagement_people_last ON engagement_people(person_id, last_at);

-- +goose Down
DROP INDEX engagement_people_last;
DROP INDEX community_members_current;
