package integrations

import (
	"context"

	ops "hoc/l4_spine/integrations"
)

// The customer API's calls on one tenant's integrations. The tenant is
// always the actor's: nothing a client sends can name another one, and an
// id of another tenant's integration is simply not found.

// List returns one page of the tenant's integrations.
func (a *Integrations) List(ctx context.Context, limit, offset int) (ops.IntegrationPage, error) {
	return ops.ListIntegrations.Call(ctx, a.reg, ops.ListIntegrationsInput{TenantID: scopeTenant(ctx, ""), Limit: limit, Offset: offset})
}

// Get returns one of the tenant's integrations.
func (a *Integrations) Get(ctx context.Context, id string) (ops.Integration, error) {
	return ops.GetIntegration.Call(ctx, a.reg, named(ctx, id))
}

// Update changes an integration's settings.
func (a *Integrations) Update(ctx context.Context, in ops.UpdateIntegrationInput) (ops.Integration, error) {
	in.TenantID = scopeTenant(ctx, "")
	return ops.UpdateIntegration.Call(ctx, a.reg, in)
}

// Delete soft-deletes an integration.
func (a *Integrations) Delete(ctx context.Context, id string) error {
	_, err := ops.DeleteIntegration.Call(ctx, a.reg, named(ctx, id))
	return err
}

// Enable enables an integration.
func (a *Integrations) Enable(ctx context.Context, id string) (ops.Integration, error) {
	return ops.EnableIntegration.Call(ctx, a.reg, named(ctx, id))
}

// Disable disables an integration.
func (a *Integrations) Disable(ctx context.Context, id string) (ops.Integration, error) {
	return ops.DisableIntegration.Call(ctx, a.reg, named(ctx, id))
}

// RotateKey creates a new key for an integration.
func (a *Integrations) RotateKey(ctx context.Context, in ops.RotateKeyInput) (ops.RotatedKey, error) {
	in.TenantID = scopeTenant(ctx, "")
	return ops.RotateIntegrationKey.Call(ctx, a.reg, in)
}

// Limits returns an integration's limits against this month's usage.
func (a *Integrations) Limits(ctx context.Context, id string) (ops.IntegrationLimits, error) {
	return ops.GetIntegrationLimits.Call(ctx, a.reg, named(ctx, id))
}

// UsageToday returns an integration's usage so far this UTC day.
func (a *Integrations) UsageToday(ctx context.Context, id string) (ops.UsageToday, error) {
	return ops.GetIntegrationUsageToday.Call(ctx, a.reg, named(ctx, id))
}

// named names integration id in the actor's tenant.
func named(ctx context.Context, id string) ops.IntegrationInput {
	return ops.IntegrationInput{TenantID: scopeTenant(ctx, ""), ID: id}
}
