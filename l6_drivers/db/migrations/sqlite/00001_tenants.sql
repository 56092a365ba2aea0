-- +goose Up
CREATE TABLE tenants (
    id               text     NOT NULL PRIMARY KEY,
    name             text     NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug             text     NOT NULL CHECK (slug NOT GLOB '*[^a-z0-9-]*' AND slug NOT GLOB '-*' AND slug NOT GLOB '*-' AND slug NOT GLOB '*--*' AND length(slug) BETWEEN 1 AND 63),
    external_org_id  text     NULL CHECK (length(external_org_id) BETWEEN 1 AND 200),
    plan             text     NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
    lifecycle_state  text     NOT NULL CHECK (lifecycle_state IN ('ACTIVE', 'SUSPENDED', 'TERMINATED', 'ARCHIVED')),
    onboarding_state integer  NOT NULL CHECK (onboarding_state BETWEEN 0 AND 4),
    created_at       datetime NOT NULL,
    updated_at       datetime NOT NULL
);
CREATE UNIQUE INDEX ux_tenants_slug ON tenants (slug);
CREATE UNIQUE INDEX ux_tenants_external_org_id ON tenants (external_org_id);
CREATE INDEX ix_tenants_created_at ON tenants (created_at, id);

-- +goose Down
DROP TABLE tenants;
