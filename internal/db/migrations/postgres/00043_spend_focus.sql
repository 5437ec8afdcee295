-- +goose Up
-- SaaS charges of cloud bills as spend lines (package spend): the kind
-- focus, the cloud import that brought them, and for a product its own
-- provider bills (through IT's cloud account) that provider, which
-- sanctions the vendor.
ALTER TABLE spend_imports ADD COLUMN cloud_import_id BIGINT;
ALTER TABLE spend_lines ADD COLUMN billed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX spend_lines_billed_by ON spend_lines(billed_by, vendor, department_id) WHERE billed_by <> '';
CREATE INDEX spend_imports_cloud ON spend_imports(cloud_import_id) WHERE cloud_import_id IS NOT NULL;

-- +goose Down
DROP INDEX spend_imports_cloud;
DROP INDEX spend_lines_billed_by;
ALTER TABLE spend_lines DROP COLUMN billed_by;
ALTER TABLE spend_imports DROP COLUMN cloud_import_id;
