-- +goose Up
-- Every lifecycle transition and onboarding advance of a tenant, with who
-- made it and why: the record SPEC §2.2 asks for. Append-only.
CREATE TABLE tenant_events (
    id          uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    kind        text        NOT NULL CHECK (kind IN ('lifecycle', 'onboarding')),
    from_state  text        NULL CHECK (length(from_state) <= 32),
    to_state    text        NOT NULL CHECK (length(to_state) BETWEEN 1 AND 32),
    actor_type  text        NOT NULL CHECK (length(actor_type) BETWEEN 1 AND 32),
    actor_id    text        NOT NULL CHECK (length(actor_id) <= 200),
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    occurred_at timestamptz NOT NULL
);
CREATE INDEX ix_tenant_events_tenant_time ON tenant_events (tenant_id, occurred_at, id);

-- +goose Down
DROP TABLE tenant_events;
