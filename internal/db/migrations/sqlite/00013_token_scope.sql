-- +goose Up
-- A token's scope limits what it may do: 'full' acts as its person in
-- everything; 'gate' may only ask the delivery gate, for a pipeline.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'gate'));

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN scope;
