-- +goose Up
-- A token's scope limits what it may do: 'full' acts as its person in
-- everything; 'gate' may only ask the delivery gate, for a pipeline.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'gate'));

-- A session started by single sign-on keeps its ID token, sent back to the
-- provider as id_token_hint when the person signs out (RP-initiated logout).
ALTER TABLE sessions ADD COLUMN id_token TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN id_token;
ALTER TABLE api_tokens DROP COLUMN scope;
