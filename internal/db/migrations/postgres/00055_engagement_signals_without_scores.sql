-- +goose Up
-- A pulse answer's score is counted in its pulse's tallies (migration 00050
-- rebuilt them from the signals) and is no longer kept beside the person
-- who gave it: pulse answers are kept apart from names.
UPDATE engagement_signals SET score = 0 WHERE score <> 0;

-- +goose Down
-- The scores are gone; nothing to bring back.
SELECT 1;
