-- +goose Up
-- Integrations are soft deleted: usage rows keep pointing at them, and the
-- unique name covers live rows only so that a deleted name can be reused.
-- ux_integrations_tenant_id_id exists for the composite foreign keys below:
-- a key or a usage row can never name another tenant's integration.
CREATE TABLE integrations (
    id                 text     NOT NULL PRIMARY KEY,
    tenant_id          text     NOT NULL REFERENCES tenants (id),
    name               text     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    provider_type      text     NOT NULL CHECK (provider_type IN ('openai', 'anthropic', 'azure_openai', 'bedrock', 'custom')),
    default_model      text     NULL CHECK (length(default_model) <= 100),
    status             text     NOT NULL CHECK (status IN ('enabled', 'disabled')),
    budget_limit_cents integer  NOT NULL DEFAULT 0 CHECK (budget_limit_cents >= 0),
    token_limit_month  integer  NOT NULL DEFAULT 0 CHECK (token_limit_month >= 0),
    rate_limit_rpm     integer  NOT NULL DEFAULT 0 CHECK (rate_limit_rpm >= 0),
    created_at         datetime NOT NULL,
    updated_at         datetime NOT NULL,
    deleted_at         datetime NULL
);
CREATE UNIQUE INDEX ux_integrations_tenant_id_name ON integrations (tenant_id, name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_integrations_tenant_id_id ON integrations (tenant_id, id);
CREATE INDEX ix_integrations_tenant_created ON integrations (tenant_id, created_at, id);

-- Secrets are stored only as hashes (at least 256 bits). Authentication
-- looks a key up by its hash alone, hence the one index that does not lead
-- with tenant_id.
CREATE TABLE integration_keys (
    id             text     NOT NULL PRIMARY KEY,
    tenant_id      text     NOT NULL REFERENCES tenants (id),
    integration_id text     NOT NULL,
    secret_hash    blob     NOT NULL CHECK (typeof(secret_hash) = 'blob' AND length(secret_hash) >= 32),
    created_at     datetime NOT NULL,
    revoked_at     datetime NULL,
    last_used_at   datetime NULL,
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE UNIQUE INDEX ux_integration_keys_secret_hash ON integration_keys (secret_hash);
CREATE INDEX ix_integration_keys_tenant_integration ON integration_keys (tenant_id, integration_id);

-- Scopes are one space-separated, sorted string ('' for none).
CREATE TABLE api_keys (
    id             text     NOT NULL PRIMARY KEY,
    tenant_id      text     NOT NULL REFERENCES tenants (id),
    name           text     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix         text     NOT NULL CHECK (length(prefix) BETWEEN 1 AND 12),
    secret_hash    blob     NOT NULL CHECK (typeof(secret_hash) = 'blob' AND length(secret_hash) >= 32),
    scopes         text     NOT NULL DEFAULT '',
    status         text     NOT NULL CHECK (status IN ('active', 'revoked')),
    frozen         boolean  NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1)),
    rate_limit_rpm integer  NOT NULL DEFAULT 0 CHECK (rate_limit_rpm >= 0),
    expires_at     datetime NULL,
    created_at     datetime NOT NULL,
    last_used_at   datetime NULL
);
CREATE UNIQUE INDEX ux_api_keys_secret_hash ON api_keys (secret_hash);
CREATE INDEX ix_api_keys_tenant_created ON api_keys (tenant_id, created_at, id);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE integration_keys;
DROP TABLE integrations;
