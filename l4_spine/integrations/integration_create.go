package integrations

import (
	"context"

	spine "hoc/l4_spine"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/integrations"
)

// CreateIntegration is POST /api/v1/integrations, in the actor's tenant.
var CreateIntegration = spine.Declare[NewIntegration, CreatedIntegration]("integrations.integrations.create",
	"Create an integration with its first key", tenantActors, spine.RequireScope(scopeWrite))

// ProvisionIntegration is how founders, and the CLI that acts as one, create
// an integration in a tenant they name.
var ProvisionIntegration = spine.Declare[NewIntegration, CreatedIntegration]("integrations.integrations.provision",
	"Create an integration with its first key in a named tenant", spine.Allow(spine.ActorFounder))

// NewIntegration creates an integration in TenantID. Adapters set
// TenantID from the actor for tenant actors; founders name it, through
// ProvisionIntegration.
type NewIntegration = engine.NewIntegration

// CreatedIntegration is a new integration and its key, shown this once.
type CreatedIntegration struct {
	Integration Integration
	Key         string
}

// createIntegration serves both the founders' provisioning, where the tenant
// is named and must exist, and a tenant actor's create in its own tenant.
// The first key of a tenant moves its onboarding to API_KEY_CREATED.
func (h handlers) createIntegration(ctx context.Context, in NewIntegration) (CreatedIntegration, error) {
	if _, err := h.accounts.GetTenant(ctx, in.TenantID); err != nil {
		return CreatedIntegration{}, err
	}
	i, key, err := h.engine.CreateIntegration(ctx, in)
	if err != nil {
		return CreatedIntegration{}, err
	}
	if err := h.keyCreated(ctx, in.TenantID, "integration key created"); err != nil {
		return CreatedIntegration{}, err
	}
	return CreatedIntegration{Integration: i, Key: key}, nil
}

// keyCreated is the onboarding trigger "first API key or integration key
// created → API_KEY_CREATED"; a tenant already past it stays where it is.
func (h handlers) keyCreated(ctx context.Context, tenantID, why string) error {
	if _, err := h.accounts.Advance(ctx, tenantID, accountengine.OnboardingAPIKeyCreated, why); err != nil {
		return err
	}
	return h.completeIfReady(ctx, tenantID)
}

// completeIfReady applies onboarding's COMPLETE rule after a change that can
// satisfy it late (a key created or an integration enabled after telemetry
// was sent): a tenant at SDK_CONNECTED with an enabled integration that has a
// live key is COMPLETE.
func (h handlers) completeIfReady(ctx context.Context, tenantID string) error {
	t, err := h.accounts.GetTenant(ctx, tenantID)
	if err != nil || t.Onboarding != accountengine.OnboardingSDKConnected {
		return err
	}
	live, err := h.engine.HasLiveEnabledIntegration(ctx, tenantID)
	if err != nil || !live {
		return err
	}
	_, err = h.accounts.Advance(ctx, tenantID, accountengine.OnboardingComplete, "an enabled integration has a live key after telemetry was sent")
	return err
}
