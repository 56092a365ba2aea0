-- +goose Up
-- Every protection decision that was not a plain allow (SPEC §4.3): rejects,
-- throttles, cost warnings, anomalies and state-backend failures.
-- Append-only, written in batches off the request path. Lists page newest
-- first by (occurred_at, id): a tenant's from the tenant index, the
-- founder's cross-tenant list from the time index. Times are the driver's
-- UTC text form, which sorts in time order (see the activity driver).
CREATE TABLE protection_events (
    id          text     NOT NULL PRIMARY KEY,
    occurred_at datetime NOT NULL,
    tenant_id   text     NOT NULL REFERENCES tenants (id),
    actor_type  text     NOT NULL CHECK (length(actor_type) BETWEEN 1 AND 32),
    actor_id    text     NOT NULL CHECK (length(actor_id) <= 200),
    endpoint    text     NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 200),
    method      text     NOT NULL CHECK (length(method) BETWEEN 1 AND 16),
    operation   text     NOT NULL CHECK (operation IN ('read', 'write')),
    decision    text     NOT NULL CHECK (decision IN ('reject', 'throttle', 'warn')),
    dimension   text     NOT NULL CHECK (dimension IN ('rate', 'burst', 'cost', 'anomaly', 'backend_unavailable')),
    details     text     NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
);
CREATE INDEX ix_protection_events_tenant_time ON protection_events (tenant_id, occurred_at, id);
CREATE INDEX ix_protection_events_time ON protection_events (occurred_at, id);

-- +goose Down
DROP TABLE protection_events;
