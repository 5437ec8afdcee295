-- +goose Up
-- Human-readable sequences (Q-2026-000042, ORD-2026-000007), one row per name and year.
CREATE TABLE counters (
    name  TEXT NOT NULL,
    year  INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name, year)
);

CREATE TABLE services (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    summary            TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('business', 'technical', 'application')),
    family             TEXT NOT NULL,
    owner_id           INTEGER REFERENCES people(id),
    sourcing           TEXT NOT NULL CHECK (sourcing IN ('built', 'bought', 'brokered')),
    vendor             TEXT NOT NULL DEFAULT '',
    lifecycle          TEXT NOT NULL CHECK (lifecycle IN ('planned', 'pilot', 'live', 'retiring', 'retired')),
    delivery_model     TEXT NOT NULL CHECK (delivery_model IN ('legacy', 'cloud')),
    data_ceiling       TEXT NOT NULL CHECK (data_ceiling IN ('public', 'internal', 'confidential', 'restricted')),
    arch_status        TEXT NOT NULL CHECK (arch_status IN ('standard', 'approved', 'tolerated', 'sunset')),
    sla_availability   TEXT NOT NULL DEFAULT '',
    sla_support_hours  TEXT NOT NULL DEFAULT '',
    sla_lead_time_days INTEGER NOT NULL DEFAULT 0,
    audience_all       BOOLEAN NOT NULL DEFAULT TRUE,
    tags               TEXT NOT NULL DEFAULT '',
    links_json         TEXT NOT NULL DEFAULT '[]',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX services_family ON services(family);

-- Who a service is offered to when it is not offered to everyone.
CREATE TABLE service_audience (
    service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('department', 'location', 'function')),
    ref_id     INTEGER NOT NULL,
    PRIMARY KEY (service_id, kind, ref_id)
);

CREATE TABLE offerings (
    id             INTEGER PRIMARY KEY,
    service_id     INTEGER NOT NULL REFERENCES services(id),
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    lifecycle      TEXT NOT NULL CHECK (lifecycle IN ('planned', 'pilot', 'live', 'retiring', 'retired')),
    lead_time_days INTEGER NOT NULL DEFAULT 0,
    position       INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX offerings_service ON offerings(service_id, position);

-- Prices. A plan is effective from a date (inclusive) to an optional date
-- (exclusive); plans of one offering never overlap. Amounts are exact
-- decimals kept as text; tiers are a JSON array of {up_to, unit_price}.
CREATE TABLE rate_plans (
    id             INTEGER PRIMARY KEY,
    offering_id    INTEGER NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    currency       TEXT NOT NULL,
    unit           TEXT NOT NULL,
    tier_mode      TEXT NOT NULL DEFAULT '',
    unit_price     TEXT NOT NULL DEFAULT '0',
    fixed_monthly  TEXT NOT NULL DEFAULT '0',
    one_time       TEXT NOT NULL DEFAULT '0',
    minimum        TEXT NOT NULL DEFAULT '0',
    tiers_json     TEXT NOT NULL DEFAULT '[]',
    effective_from DATE NOT NULL,
    effective_to   DATE,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX rate_plans_offering ON rate_plans(offering_id, effective_from);

CREATE TABLE quotes (
    id            INTEGER PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    requester_id  INTEGER NOT NULL REFERENCES people(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    title         TEXT NOT NULL DEFAULT '',
    term_months   INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    one_time      TEXT NOT NULL,
    monthly       TEXT NOT NULL,
    term_total    TEXT NOT NULL,
    valid_until   DATE NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX quotes_department ON quotes(department_id, id);

CREATE TABLE quote_lines (
    quote_id    INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    offering_id INTEGER NOT NULL REFERENCES offerings(id),
    plan_id     INTEGER NOT NULL REFERENCES rate_plans(id),
    quantity    TEXT NOT NULL,
    one_time    TEXT NOT NULL,
    monthly     TEXT NOT NULL,
    term_total  TEXT NOT NULL,
    PRIMARY KEY (quote_id, position)
);

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL CHECK (kind IN ('new', 'change', 'cancel')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'fulfilled')),
    quote_id            INTEGER REFERENCES quotes(id),
    requester_id        INTEGER NOT NULL REFERENCES people(id),
    department_id       INTEGER NOT NULL REFERENCES departments(id),
    currency            TEXT NOT NULL,
    one_time            TEXT NOT NULL,
    monthly             TEXT NOT NULL,
    start_date          DATE NOT NULL,
    note                TEXT NOT NULL DEFAULT '',
    approval_request_id INTEGER,
    decision_reason     TEXT NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX orders_department ON orders(department_id, id);
CREATE INDEX orders_requester ON orders(requester_id, id);

CREATE TABLE order_lines (
    order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    offering_id     INTEGER NOT NULL REFERENCES offerings(id),
    subscription_id INTEGER,
    quantity        TEXT NOT NULL,
    monthly         TEXT NOT NULL,
    one_time        TEXT NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    offering_id   INTEGER NOT NULL REFERENCES offerings(id),
    order_id      INTEGER REFERENCES orders(id),
    quantity      TEXT NOT NULL,
    start_date    DATE NOT NULL,
    end_date      DATE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX subscriptions_department ON subscriptions(department_id);
CREATE INDEX subscriptions_offering ON subscriptions(offering_id);

-- Quantity over time: a change starts a new segment, so billing can split a
-- month at the change.
CREATE TABLE subscription_segments (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    effective_from  DATE NOT NULL,
    quantity        TEXT NOT NULL,
    order_id        INTEGER REFERENCES orders(id),
    PRIMARY KEY (subscription_id, effective_from)
);

CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    service_id   INTEGER REFERENCES services(id),
    kind         TEXT NOT NULL CHECK (kind IN ('launch', 'change', 'retirement', 'news')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    audience_all BOOLEAN NOT NULL DEFAULT TRUE,
    author_id    INTEGER REFERENCES people(id),
    published_at TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX announcements_published ON announcements(published_at);

CREATE TABLE announcement_audience (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('department', 'location', 'function')),
    ref_id          INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, kind, ref_id)
);

-- Reach: who saw an announcement, who went on to the service, who ordered.
CREATE TABLE announcement_reach (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    person_id       INTEGER NOT NULL REFERENCES people(id),
    seen_at         TIMESTAMP NOT NULL,
    clicked_at      TIMESTAMP,
    ordered_at      TIMESTAMP,
    PRIMARY KEY (announcement_id, person_id)
);

-- +goose Down
DROP TABLE announcement_reach;
DROP TABLE announcement_audience;
DROP TABLE announcements;
DROP TABLE subscription_segments;
DROP TABLE subscriptions;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE quote_lines;
DROP TABLE quotes;
DROP TABLE rate_plans;
DROP TABLE offerings;
DROP TABLE service_audience;
DROP TABLE services;
DROP TABLE counters;
