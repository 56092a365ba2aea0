-- +goose Up
-- The price table (SPEC §8). A row prices one model of one provider from
-- effective_from on, for every tenant (tenant_id NULL: the global list) or
-- for one. Prices are integers in micro-dollars per million tokens (the
-- same number as pico-dollars per token), so every published price is
-- exact; a tier, when present, prices a whole call of more than
-- tier_above_input_tokens input tokens. A price is never changed: a new one
-- is a row with a later effective_from, so stored costs never move.
CREATE TABLE prices (
    id                      uuid        PRIMARY KEY,
    tenant_id               uuid        NULL REFERENCES tenants (id),
    provider                text        NOT NULL CHECK (provider = lower(provider) AND length(provider) BETWEEN 1 AND 50),
    model                   text        NOT NULL CHECK (model = lower(model) AND length(model) BETWEEN 1 AND 100),
    effective_from          timestamptz NOT NULL,
    input_upm               bigint      NOT NULL CHECK (input_upm BETWEEN 0 AND 100000000000),
    output_upm              bigint      NOT NULL CHECK (output_upm BETWEEN 0 AND 100000000000),
    cache_read_upm          bigint      NOT NULL CHECK (cache_read_upm BETWEEN 0 AND 100000000000),
    cache_write_upm         bigint      NOT NULL CHECK (cache_write_upm BETWEEN 0 AND 100000000000),
    tier_above_input_tokens bigint      NULL CHECK (tier_above_input_tokens BETWEEN 1 AND 1000000000),
    tier_input_upm          bigint      NULL CHECK (tier_input_upm BETWEEN 0 AND 100000000000),
    tier_output_upm         bigint      NULL CHECK (tier_output_upm BETWEEN 0 AND 100000000000),
    tier_cache_read_upm     bigint      NULL CHECK (tier_cache_read_upm BETWEEN 0 AND 100000000000),
    tier_cache_write_upm    bigint      NULL CHECK (tier_cache_write_upm BETWEEN 0 AND 100000000000),
    source                  text        NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    created_at              timestamptz NOT NULL,
    CHECK ((tier_above_input_tokens IS NULL) = (tier_input_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_output_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_cache_read_upm IS NULL)
       AND (tier_above_input_tokens IS NULL) = (tier_cache_write_upm IS NULL))
);
-- One row per scope, name and effective instant; a tenant's rows and the
-- global ones are distinct scopes (a NULL tenant counts as one scope).
CREATE UNIQUE INDEX ux_prices_scope_model_from ON prices (coalesce(tenant_id::text, ''), provider, model, effective_from);

-- A record's token detail (parts of tokens_in and tokens_out), who decided
-- its cost (the client, the price table, or nobody: unpriced), the client's
-- own cents when hoc priced the record, and the price row it used.
ALTER TABLE usage_records
    ADD COLUMN cache_read_tokens  bigint NOT NULL DEFAULT 0 CHECK (cache_read_tokens BETWEEN 0 AND 1000000000),
    ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_write_tokens BETWEEN 0 AND 1000000000),
    ADD COLUMN reasoning_tokens   bigint NOT NULL DEFAULT 0 CHECK (reasoning_tokens BETWEEN 0 AND 1000000000),
    ADD COLUMN cost_source        text   NOT NULL DEFAULT 'client' CHECK (cost_source IN ('client', 'price_table', 'unpriced')),
    ADD COLUMN client_cost_cents  bigint NULL CHECK (client_cost_cents >= 0),
    ADD COLUMN price_id           uuid   NULL,
    ADD CONSTRAINT usage_records_cache_within_input CHECK (cache_read_tokens + cache_write_tokens <= tokens_in),
    ADD CONSTRAINT usage_records_reasoning_within_output CHECK (reasoning_tokens <= tokens_out);

-- The rollups sum the token detail and count the calls no price covered,
-- for the list of unpriced models.
ALTER TABLE usage_daily
    ADD COLUMN cache_read_tokens  bigint NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
    ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
    ADD COLUMN reasoning_tokens   bigint NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
    ADD COLUMN unpriced_calls     bigint NOT NULL DEFAULT 0 CHECK (unpriced_calls >= 0);

-- A tenant with negotiated prices keeps its clients' figures.
ALTER TABLE tenants
    ADD COLUMN cost_source text NOT NULL DEFAULT 'price_table' CHECK (cost_source IN ('price_table', 'client'));

-- Providers as they are: the price table's providers may name integrations.
ALTER TABLE integrations DROP CONSTRAINT integrations_provider_type_check;
ALTER TABLE integrations ADD CONSTRAINT integrations_provider_type_check CHECK (provider_type IN ('openai', 'anthropic',
    'azure_openai', 'bedrock', 'google', 'mistral', 'cohere', 'groq', 'deepseek', 'xai', 'together', 'fireworks', 'custom'));

-- +goose Down
ALTER TABLE integrations DROP CONSTRAINT integrations_provider_type_check;
ALTER TABLE integrations ADD CONSTRAINT integrations_provider_type_check CHECK (provider_type IN ('openai', 'anthropic',
    'azure_openai', 'bedrock', 'custom'));
ALTER TABLE tenants DROP COLUMN cost_source;
ALTER TABLE usage_daily DROP COLUMN cache_read_tokens, DROP COLUMN cache_write_tokens, DROP COLUMN reasoning_tokens,
    DROP COLUMN unpriced_calls;
ALTER TABLE usage_records DROP CONSTRAINT usage_records_cache_within_input, DROP CONSTRAINT usage_records_reasoning_within_output,
    DROP COLUMN cache_read_tokens, DROP COLUMN cache_write_tokens, DROP COLUMN reasoning_tokens, DROP COLUMN cost_source,
    DROP COLUMN client_cost_cents, DROP COLUMN price_id;
DROP TABLE prices;
