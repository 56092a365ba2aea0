-- +goose Up
-- usage_records is append-only. (tenant_id, call_id) is the idempotency key:
-- ingest inserts with ON CONFLICT DO NOTHING on it, so two concurrent
-- requests can never both store a call. History pages newest first by
-- (occurred_at, id); the two time indexes serve it with and without an
-- integration filter. Times are the driver's UTC text form, which sorts in
-- time order (see the activity driver).
CREATE TABLE usage_records (
    id             text     NOT NULL PRIMARY KEY,
    tenant_id      text     NOT NULL REFERENCES tenants (id),
    integration_id text     NOT NULL,
    call_id        text     NOT NULL CHECK (length(call_id) BETWEEN 1 AND 100),
    provider       text     NOT NULL CHECK (length(provider) BETWEEN 1 AND 50),
    model          text     NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
    tokens_in      integer  NOT NULL CHECK (tokens_in >= 0),
    tokens_out     integer  NOT NULL CHECK (tokens_out >= 0),
    cost_cents     integer  NOT NULL CHECK (cost_cents >= 0),
    cost_micros    integer  NOT NULL CHECK (cost_micros >= 0),
    latency_ms     integer  NULL CHECK (latency_ms >= 0),
    session_id     text     NULL CHECK (length(session_id) <= 100),
    agent_id       text     NULL CHECK (length(agent_id) <= 100),
    policy_result  text     NOT NULL CHECK (policy_result IN ('allowed', 'warned', 'blocked')),
    error_code     text     NULL CHECK (length(error_code) <= 50),
    error_message  text     NULL CHECK (length(error_message) <= 4096),
    metadata       text     NOT NULL CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    occurred_at    datetime NOT NULL,
    received_at    datetime NOT NULL,
    content_hash   blob     NOT NULL CHECK (typeof(content_hash) = 'blob'),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE UNIQUE INDEX ux_usage_records_tenant_id_call_id ON usage_records (tenant_id, call_id);
CREATE INDEX ix_usage_records_tenant_time ON usage_records (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX ix_usage_records_tenant_integration_time ON usage_records (tenant_id, integration_id, occurred_at DESC, id DESC);

-- usage_daily is the rollup of usage_records by UTC day of occurred_at,
-- maintained by upserts in the transaction that inserts the records, so
-- summaries cost O(days x integrations x models), not O(records). day is
-- 'YYYY-MM-DD' text, which sorts and compares as dates.
CREATE TABLE usage_daily (
    tenant_id      text    NOT NULL REFERENCES tenants (id),
    day            text    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    integration_id text    NOT NULL,
    provider       text    NOT NULL,
    model          text    NOT NULL,
    calls          integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
    tokens_in      integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out     integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    cost_cents     integer NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
    cost_micros    integer NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
    latency_sum    integer NOT NULL DEFAULT 0 CHECK (latency_sum >= 0),
    latency_count  integer NOT NULL DEFAULT 0 CHECK (latency_count >= 0),
    error_count    integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    blocked_count  integer NOT NULL DEFAULT 0 CHECK (blocked_count >= 0),
    PRIMARY KEY (tenant_id, day, integration_id, provider, model),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE INDEX ix_usage_daily_tenant_integration_day ON usage_daily (tenant_id, integration_id, day);

-- +goose Down
DROP TABLE usage_daily;
DROP TABLE usage_records;
