-- Charges and allocations one row each again, as migration 7 made them.
-- A charge is rebuilt from its part 0; its allocations find it by
-- fingerprint.
CREATE TABLE cloud_charges (
    id                 INTEGER PRIMARY KEY,
    fingerprint        TEXT NOT NULL UNIQUE,
    import_id          INTEGER NOT NULL,
    line               INTEGER NOT NULL,
    period             TEXT NOT NULL,
    provider           TEXT NOT NULL,
    billing_account_id TEXT NOT NULL,
    sub_account_id     TEXT NOT NULL,
    sub_account_name   TEXT NOT NULL,
    service_name       TEXT NOT NULL,
    service_category   TEXT NOT NULL,
    resource_id        TEXT NOT NULL,
    resource_name      TEXT NOT NULL,
    charge_category    TEXT NOT NULL,
    charge_description TEXT NOT NULL,
    billed_cost        TEXT NOT NULL,
    effective_cost     TEXT NOT NULL,
    currency           TEXT NOT NULL,
    charge_period_start TIMESTAMP NOT NULL,
    charge_period_end  TIMESTAMP NOT NULL,
    tags               TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX cloud_charges_period ON cloud_charges(period);

CREATE TABLE cloud_allocations (
    id            INTEGER PRIMARY KEY,
    charge_id     INTEGER NOT NULL,
    period        TEXT NOT NULL,
    department_id INTEGER,
    rule_id       INTEGER,
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL
);
CREATE INDEX cloud_allocations_period ON cloud_allocations(period, department_id);

INSERT INTO cloud_charges(fingerprint, import_id, line, period, provider, billing_account_id, sub_account_id,
                          sub_account_name, service_name, service_category, resource_id, resource_name,
                          charge_category, charge_description, billed_cost, effective_cost, currency,
                          charge_period_start, charge_period_end, tags)
SELECT json_extract(e.value, '$[3]'), json_extract(e.value, '$[4]'), json_extract(e.value, '$[5]'), b.period, b.provider,
       json_extract(e.value, '$[6]'), json_extract(e.value, '$[7]'), json_extract(e.value, '$[8]'), b.service_name,
       json_extract(e.value, '$[9]'), json_extract(e.value, '$[10]'), json_extract(e.value, '$[11]'),
       json_extract(e.value, '$[12]'), json_extract(e.value, '$[13]'), json_extract(e.value, '$[14]'),
       json_extract(e.value, '$[15]'), b.currency, json_extract(e.value, '$[16]'), json_extract(e.value, '$[17]'),
       json_extract(e.value, '$[18]')
FROM cloud_charge_batches b, json_each(b.data) e
WHERE json_extract(e.value, '$[0]') = 0
ORDER BY b.id, e.key;

INSERT INTO cloud_allocations(charge_id, period, department_id, rule_id, amount, currency)
SELECT c.id, b.period, b.department_id, json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]'), b.currency
FROM cloud_charge_batches b
JOIN json_each(b.data) e
JOIN cloud_charges c ON c.fingerprint = json_extract(e.value, '$[3]')
ORDER BY b.id, e.key;

DROP TABLE cloud_charge_batches;
DROP TABLE cloud_charge_keys;
