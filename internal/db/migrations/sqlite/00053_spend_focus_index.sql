-- +goose Up
-- The shadow-spend page and the measures read the SaaS charges of cloud
-- bills (spend lines of kind focus) of the window at every request: an
-- index of those lines alone, so that they do not walk a department's
-- card lines to find them (package spend, cloudShadow). Card and invoice
-- lines are not in it, so that their imports do not maintain it.
CREATE INDEX spend_lines_focus ON spend_lines(period, department_id) WHERE kind = 'focus';

-- +goose Down
DROP INDEX spend_lines_focus;
