-- +goose Up
-- Topics measured before topics sent their title and kind with their first
-- signal: their titles (the lists and CSV behind a community's figures)
-- and whether they are ideas (an idea is not a question waiting for IT).
UPDATE engagement_topics SET title = (SELECT t.title FROM discuss_topics t WHERE t.id = engagement_topics.topic_id)
WHERE title = '' AND EXISTS (SELECT 1 FROM discuss_topics t WHERE t.id = engagement_topics.topic_id);
UPDATE engagement_topics SET idea = TRUE
WHERE NOT idea AND EXISTS (SELECT 1 FROM discuss_topics t WHERE t.id = engagement_topics.topic_id AND t.kind = 'idea');

-- +goose Down
-- The titles and kinds filled in are true of the topics: nothing to undo.
SELECT 1;
