package integrations

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/integrations"
)

// CreateAPIKey is POST /api/v1/fdr/tenants/{id}/api-keys and
// `hocd apikeys create`.
var CreateAPIKey = spine.Declare[NewAPIKey, CreatedAPIKey]("integrations.api_keys.create",
	"Create a machine API key for a tenant", spine.Allow(spine.ActorFounder))

// NewAPIKey creates an API key in TenantID.
type NewAPIKey = engine.NewAPIKey

// APIKey is a machine API key as operations return it, never its secret.
type APIKey = engine.APIKey

// CreatedAPIKey is a new API key and its secret, shown this once.
type CreatedAPIKey struct {
	APIKey APIKey
	Key    string
}

func (h handlers) createAPIKey(ctx context.Context, in NewAPIKey) (CreatedAPIKey, error) {
	if _, err := h.accounts.GetTenant(ctx, in.TenantID); err != nil {
		return CreatedAPIKey{}, err
	}
	k, key, err := h.engine.CreateAPIKey(ctx, in)
	if err != nil {
		return CreatedAPIKey{}, err
	}
	if err := h.keyCreated(ctx, in.TenantID, "API key created"); err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{APIKey: k, Key: key}, nil
}
