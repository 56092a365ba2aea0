// Package integrations adapts the HTTP layer's and the CLI's integration and
// API key calls to the integrations operations, scoping every call to the
// actor's tenant.
package integrations

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/integrations"
)

// Integrations calls the integration and API key operations.
type Integrations struct {
	reg *spine.Registry
}

// NewIntegrations returns the integrations adapter.
func NewIntegrations(reg *spine.Registry) (*Integrations, error) {
	if reg == nil {
		return nil, errors.New("integrations adapter: nil registry")
	}
	return &Integrations{reg: reg}, nil
}

// scopeTenant returns the tenant a call acts in: always the actor's own for
// tenant actors, whatever the input says; founders name the tenant.
func scopeTenant(ctx context.Context, requested string) string {
	if actor, ok := spine.ActorFrom(ctx); ok && actor.Type != spine.ActorFounder {
		return actor.TenantID
	}
	return requested
}

// Create creates an integration and its first key. A founder who names a
// tenant (the CLI) provisions into it; every other caller creates in its own
// tenant, and a founder who names none (the customer API) is refused by
// that operation's policy, since a founder has no tenant.
func (a *Integrations) Create(ctx context.Context, in ops.NewIntegration) (ops.CreatedIntegration, error) {
	if actor, ok := spine.ActorFrom(ctx); ok && actor.Type == spine.ActorFounder && in.TenantID != "" {
		return ops.ProvisionIntegration.Call(ctx, a.reg, in)
	}
	in.TenantID = scopeTenant(ctx, in.TenantID)
	return ops.CreateIntegration.Call(ctx, a.reg, in)
}

// CreateAPIKey creates a machine API key.
func (a *Integrations) CreateAPIKey(ctx context.Context, in ops.NewAPIKey) (ops.CreatedAPIKey, error) {
	in.TenantID = scopeTenant(ctx, in.TenantID)
	return ops.CreateAPIKey.Call(ctx, a.reg, in)
}

// RevokeAPIKey revokes a machine API key.
func (a *Integrations) RevokeAPIKey(ctx context.Context, id string) error {
	_, err := ops.RevokeAPIKey.Call(ctx, a.reg, ops.APIKeyInput{ID: id})
	return err
}

// FreezeAPIKey freezes a machine API key.
func (a *Integrations) FreezeAPIKey(ctx context.Context, id string) error {
	_, err := ops.FreezeAPIKey.Call(ctx, a.reg, ops.APIKeyInput{ID: id})
	return err
}
