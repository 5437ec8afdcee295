-- +goose Up
-- Cost pools: what running IT cost in a month, by TBM category, loaded by
-- finance and allocated to services to give unit cost and cost recovery.
CREATE TABLE cost_pools (
    id         INTEGER PRIMARY KEY,
    period     TEXT NOT NULL,              -- YYYY-MM
    category   TEXT NOT NULL CHECK (category IN ('labour', 'hardware', 'software', 'external-vendor', 'facilities')),
    name       TEXT NOT NULL,
    amount     TEXT NOT NULL,              -- exact decimal
    currency   TEXT NOT NULL,
    method     TEXT NOT NULL DEFAULT 'none' CHECK (method IN ('none', 'percent', 'subscription-quantity', 'charged-amount')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (period, name)
);

-- The services a pool is allocated to: a percentage each, or (for a
-- driver) the services the driver is measured over; none means all.
CREATE TABLE cost_pool_targets (
    pool_id    INTEGER NOT NULL REFERENCES cost_pools(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    service_id INTEGER NOT NULL REFERENCES services(id),
    percent    TEXT,
    PRIMARY KEY (pool_id, service_id)
);
CREATE INDEX cost_pool_targets_service ON cost_pool_targets(service_id);

-- +goose Down
DROP TABLE cost_pool_targets;
DROP TABLE cost_pools;
