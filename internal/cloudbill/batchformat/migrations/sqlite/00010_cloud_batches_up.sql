-- Cloud charges are stored in batches rather than one row per charge and
-- one per allocation: the allocations that share a period, department,
-- provider, service and currency are one row, at most 10,000 of them, in
-- allocation order. Each is a JSON array of
--   [part, rule, amount, fingerprint, import, line, billing account,
--    sub-account id, sub-account name, service category, resource id,
--    resource name, charge category, description, billed cost,
--    effective cost, period start, period end, tags]
-- where part numbers a charge's allocations in order: the charge's own
-- fields are read from part 0. Fingerprints are kept apart, as sorted runs
-- of their first 16 bytes per period, which the import loads to tell new
-- charges from ones already stored (filled in Go from part 0 elements).
-- Amounts, costs and times are text as stored; tags the object itself.
-- amount is the exact sum of the elements' amounts: SQLite cannot add
-- decimal text exactly, so it is written as '0' here and added up in Go
-- afterwards (internal/cloudbill/migrate.go).
CREATE TABLE cloud_charge_keys (
    id     INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    keys   BLOB NOT NULL      -- sorted 16-byte keys, each the first half of a fingerprint
);
CREATE INDEX cloud_charge_keys_period ON cloud_charge_keys(period);

CREATE TABLE cloud_charge_batches (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,      -- YYYY-MM
    department_id INTEGER,            -- NULL: the period's unallocated bucket
    provider      TEXT NOT NULL,
    service_name  TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        TEXT NOT NULL,      -- exact decimal sum of the elements' amounts
    charges       INTEGER NOT NULL,   -- number of elements
    data          TEXT,               -- JSON array of elements, or NULL:
    packed        BLOB                -- the same, compressed (S2 block format)
);
CREATE INDEX cloud_charge_batches_period ON cloud_charge_batches(period, department_id, provider, service_name);


-- Batches take ids in the order of their first allocation, as if the
-- allocations had been written to them in the order they were made.
-- json() marks element as JSON again: its subtype does not survive the
-- subquery, and json_group_array would otherwise quote it as a string.
INSERT INTO cloud_charge_batches(period, department_id, provider, service_name, currency, amount, charges, data)
SELECT period, department_id, provider, service_name, currency, '0', COUNT(*),
       json_group_array(json(element) ORDER BY id)
FROM (
    SELECT a.id, a.period, a.department_id, c.provider, c.service_name, a.currency,
           (ROW_NUMBER() OVER (PARTITION BY a.period, a.department_id, c.provider, c.service_name, a.currency ORDER BY a.id) - 1) / 10000 AS chunk,
           json_array(ROW_NUMBER() OVER (PARTITION BY a.charge_id ORDER BY a.id) - 1, a.rule_id, a.amount,
                      c.fingerprint, c.import_id, c.line, c.billing_account_id, c.sub_account_id, c.sub_account_name,
                      c.service_category, c.resource_id, c.resource_name, c.charge_category, c.charge_description,
                      c.billed_cost, c.effective_cost, c.charge_period_start, c.charge_period_end, json(c.tags)) AS element
    FROM cloud_allocations a JOIN cloud_charges c ON c.id = a.charge_id
)
GROUP BY period, department_id, provider, service_name, currency, chunk
ORDER BY MIN(id);

DROP TABLE cloud_allocations;
DROP TABLE cloud_charges;
