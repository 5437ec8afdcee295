-- +goose Up
-- The shadow-spend page and the measures read the SaaS charges of cloud
-- bills (spend lines of kind focus) of the window at every request: an
-- index of those lines alone, so that they do not walk a department's
-- card lines to find them (package spend, cloudShadow). Card and invoice
-- lines are not in it, so that their imports do not maintain it.
CREATE INDEX spend_lines_focus ON spend_lines(period, department_id) WHERE kind = 'focus';

-- An import COPYs millions of lines; PostgreSQL checks a foreign key with
-- a query a row, which took half of its time. The references hold without
-- them: a line's import is recorded in the transaction that writes its
-- lines (and deleted only when it added none), and its department is one
-- the import read from departments, which Engage never deletes. SQLite,
-- whose checks are an index lookup in the process, keeps them (dropping
-- one there means copying the table).
ALTER TABLE spend_lines DROP CONSTRAINT spend_lines_import_id_fkey;
ALTER TABLE spend_lines DROP CONSTRAINT spend_lines_department_id_fkey;

-- +goose Down
ALTER TABLE spend_lines ADD CONSTRAINT spend_lines_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments(id);
ALTER TABLE spend_lines ADD CONSTRAINT spend_lines_import_id_fkey FOREIGN KEY (import_id) REFERENCES spend_imports(id);
DROP INDEX spend_lines_focus;
