-- +goose Up
-- usage_records is append-only. (tenant_id, call_id) is the idempotency key:
-- ingest inserts with ON CONFLICT DO NOTHING on it, so two concurrent
-- requests can never both store a call. History pages newest first by
-- (occurred_at, id); the two time indexes serve it with and without an
-- integration filter.
CREATE TABLE usage_records (
    id             uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL REFERENCES tenants (id),
    integration_id uuid        NOT NULL,
    call_id        text        NOT NULL CHECK (length(call_id) BETWEEN 1 AND 100),
    provider       text        NOT NULL CHECK (length(provider) BETWEEN 1 AND 50),
    model          text        NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
    tokens_in      bigint      NOT NULL CHECK (tokens_in >= 0),
    tokens_out     bigint      NOT NULL CHECK (tokens_out >= 0),
    cost_cents     bigint      NOT NULL CHECK (cost_cents >= 0),
    cost_micros    bigint      NOT NULL CHECK (cost_micros >= 0),
    latency_ms     bigint      NULL CHECK (latency_ms >= 0),
    session_id     text        NULL CHECK (length(session_id) <= 100),
    agent_id       text        NULL CHECK (length(agent_id) <= 100),
    policy_result  text        NOT NULL CHECK (policy_result IN ('allowed', 'warned', 'blocked')),
    error_code     text        NULL CHECK (length(error_code) <= 50),
    error_message  text        NULL CHECK (length(error_message) <= 4096),
    metadata       jsonb       NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
    occurred_at    timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    content_hash   bytea       NOT NULL,
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE UNIQUE INDEX ux_usage_records_tenant_id_call_id ON usage_records (tenant_id, call_id);
CREATE INDEX ix_usage_records_tenant_time ON usage_records (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX ix_usage_records_tenant_integration_time ON usage_records (tenant_id, integration_id, occurred_at DESC, id DESC);

-- usage_daily is the rollup of usage_records by UTC day of occurred_at,
-- maintained by upserts in the transaction that inserts the records, so
-- summaries cost O(days x integrations x models), not O(records).
CREATE TABLE usage_daily (
    tenant_id      uuid   NOT NULL REFERENCES tenants (id),
    day            date   NOT NULL,
    integration_id uuid   NOT NULL,
    provider       text   NOT NULL,
    model          text   NOT NULL,
    calls          bigint NOT NULL DEFAULT 0 CHECK (calls >= 0),
    tokens_in      bigint NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out     bigint NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    cost_cents     bigint NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
    cost_micros    bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
    latency_sum    bigint NOT NULL DEFAULT 0 CHECK (latency_sum >= 0),
    latency_count  bigint NOT NULL DEFAULT 0 CHECK (latency_count >= 0),
    error_count    bigint NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    blocked_count  bigint NOT NULL DEFAULT 0 CHECK (blocked_count >= 0),
    PRIMARY KEY (tenant_id, day, integration_id, provider, model),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE INDEX ix_usage_daily_tenant_integration_day ON usage_daily (tenant_id, integration_id, day);

-- +goose Down
DROP TABLE usage_daily;
DROP TABLE usage_records;
