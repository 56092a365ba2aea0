-- +goose NO TRANSACTION
-- +goose Up
-- See the Postgres migration of this version for what each change is for.
-- SQLite cannot change a CHECK constraint in place, so the integrations
-- table is rebuilt with the wider set of providers (the procedure of
-- sqlite.org/lang_altertable.html: foreign keys off, a transaction, copy,
-- swap, check, foreign keys on); the migration therefore manages its own
-- transaction.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE prices (
    id                      text     NOT NULL PRIMARY KEY,
    tenant_id               text     NULL REFERENCES tenants (id),
    provider                text     NOT NULL CHECK (provider = lower(provider) AND length(provider) BETWEEN 1 AND 50),
    model                   text     NOT NULL CHECK (model = lower(model) AND length(model) BETWEEN 1 AND 100),
    effective_from          datetime NOT NULL,
    input_upm               integer  NOT NULL CHECK (input_upm BETWEEN 0 AND 100000000000),
    output_upm              integer  NOT NULL CHECK (output_upm BETWEEN 0 AND 100000000000),
    cache_read_upm          integer  NOT NULL CHECK (cache_read_upm BETWEEN 0 AND 100000000000),
    cache_write_upm         integer  NOT NULL CHECK (cache_write_upm BETWEEN 0 AND 100000000000),
    tier_above_input_tokens integer  NULL CHECK (tier_above_input_tokens BETWEEN 1 AND 1000000000),
    tier_input_upm          integer  NULL CHECK (tier_input_upm BETWEEN 0 AND 100000000000),
    tier_output_upm         integer  NULL CHECK (tier_output_upm BETWEEN 0 AND 100000000000),
    tier_cache_read_upm     integer  NULL CHECK (tier_cache_read_upm BETWEEN 0 AND 100000000000),
    tier_cache_write_upm    integer  NULL CHECK (tier_cache_write_upm BETWEEN 0 AND 100000000000),
    source                  text     NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    created_at              datetime NOT NULL,
    CHECK ((tier_above_input_tokens IS NULL) = (tier_input_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_output_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_cache_read_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_cache_write_upm IS NULL))
);
CREATE UNIQUE INDEX ux_prices_scope_model_from ON prices (coalesce(tenant_id, ''), provider, model, effective_from);

ALTER TABLE usage_records ADD COLUMN cache_read_tokens integer NOT NULL DEFAULT 0 CHECK (cache_read_tokens BETWEEN 0 AND 1000000000);
ALTER TABLE usage_records ADD COLUMN cache_write_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_tokens BETWEEN 0 AND 1000000000 AND cache_read_tokens + cache_write_tokens <= tokens_in);
ALTER TABLE usage_records ADD COLUMN reasoning_tokens integer NOT NULL DEFAULT 0 CHECK (reasoning_tokens BETWEEN 0 AND 1000000000 AND reasoning_tokens <= tokens_out);
ALTER TABLE usage_records ADD COLUMN cost_source text NOT NULL DEFAULT 'client' CHECK (cost_source IN ('client', 'price_table', 'unpriced'));
ALTER TABLE usage_records ADD COLUMN client_cost_cents integer NULL CHECK (client_cost_cents >= 0);
ALTER TABLE usage_records ADD COLUMN price_id text NULL;

ALTER TABLE usage_daily ADD COLUMN cache_read_tokens integer NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0);
ALTER TABLE usage_daily ADD COLUMN cache_write_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0);
ALTER TABLE usage_daily ADD COLUMN reasoning_tokens integer NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0);
ALTER TABLE usage_daily ADD COLUMN unpriced_calls integer NOT NULL DEFAULT 0 CHECK (unpriced_calls >= 0);

ALTER TABLE tenants ADD COLUMN cost_source text NOT NULL DEFAULT 'price_table' CHECK (cost_source IN ('price_table', 'client'));

CREATE TABLE integrations_rebuilt (
    id                 text     NOT NULL PRIMARY KEY,
    tenant_id          text     NOT NULL REFERENCES tenants (id),
    name               text     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    provider_type      text     NOT NULL CHECK (provider_type IN ('openai', 'anthropic', 'azure_openai', 'bedrock', 'google', 'mistral', 'cohere', 'groq', 'deepseek', 'xai', 'together', 'fireworks', 'custom')),
    default_model      text     NULL CHECK (length(default_model) <= 100),
    status             text     NOT NULL CHECK (status IN ('enabled', 'disabled')),
    budget_limit_cents integer  NOT NULL DEFAULT 0 CHECK (budget_limit_cents >= 0),
    token_limit_month  integer  NOT NULL DEFAULT 0 CHECK (token_limit_month >= 0),
    rate_limit_rpm     integer  NOT NULL DEFAULT 0 CHECK (rate_limit_rpm >= 0),
    created_at         datetime NOT NULL,
    updated_at         datetime NOT NULL,
    deleted_at         datetime NULL
);
INSERT INTO integrations_rebuilt SELECT id, tenant_id, name, provider_type, default_model, status, budget_limit_cents,
    token_limit_month, rate_limit_rpm, created_at, updated_at, deleted_at FROM integrations;
DROP TABLE integrations;
ALTER TABLE integrations_rebuilt RENAME TO integrations;
CREATE UNIQUE INDEX ux_integrations_tenant_id_name ON integrations (tenant_id, name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_integrations_tenant_id_id ON integrations (tenant_id, id);
CREATE INDEX ix_integrations_tenant_created ON integrations (tenant_id, created_at, id);

COMMIT;
PRAGMA foreign_keys = ON;
PRAGMA foreign_key_check;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE prices;
ALTER TABLE usage_records DROP COLUMN cache_read_tokens;
ALTER TABLE usage_records DROP COLUMN cache_write_tokens;
ALTER TABLE usage_records DROP COLUMN reasoning_tokens;
ALTER TABLE usage_records DROP COLUMN cost_source;
ALTER TABLE usage_records DROP COLUMN client_cost_cents;
ALTER TABLE usage_records DROP COLUMN price_id;
ALTER TABLE usage_daily DROP COLUMN cache_read_tokens;
ALTER TABLE usage_daily DROP COLUMN cache_write_tokens;
ALTER TABLE usage_daily DROP COLUMN reasoning_tokens;
ALTER TABLE usage_daily DROP COLUMN unpriced_calls;
ALTER TABLE tenants DROP COLUMN cost_source;
COMMIT;
PRAGMA foreign_keys = ON;
