// Package account adapts the HTTP layer's tenant calls to the account
// operations. Founder operations name tenants explicitly; that is allowed
// only because their policy admits founders alone.
package account

import (
	"context"
	"errors"

	spine "hoc/l4_spine"
	ops "hoc/l4_spine/account"
)

// Tenants calls the tenant operations.
type Tenants struct {
	reg *spine.Registry
}

// NewTenants returns the tenants adapter.
func NewTenants(reg *spine.Registry) (*Tenants, error) {
	if reg == nil {
		return nil, errors.New("tenants adapter: nil registry")
	}
	return &Tenants{reg: reg}, nil
}

// Create creates a tenant.
func (a *Tenants) Create(ctx context.Context, in ops.NewTenant) (ops.Tenant, error) {
	return ops.CreateTenant.Call(ctx, a.reg, in)
}

// Get returns the tenant with id.
func (a *Tenants) Get(ctx context.Context, id string) (ops.Tenant, error) {
	return ops.GetTenant.Call(ctx, a.reg, ops.GetTenantInput{TenantID: id})
}

// List returns one page of tenants.
func (a *Tenants) List(ctx context.Context, limit, offset int) (ops.TenantPage, error) {
	return ops.ListTenants.Call(ctx, a.reg, ops.ListTenantsInput{Limit: limit, Offset: offset})
}

// ChangeLifecycle applies a lifecycle action to a tenant.
func (a *Tenants) ChangeLifecycle(ctx context.Context, in ops.ChangeLifecycleInput) (ops.Tenant, error) {
	return ops.ChangeLifecycle.Call(ctx, a.reg, in)
}

// Update changes a tenant's settings.
func (a *Tenants) Update(ctx context.Context, in ops.TenantChanges) (ops.Tenant, error) {
	return ops.UpdateTenant.Call(ctx, a.reg, in)
}

// AdvanceOnboarding moves a tenant's onboarding forward.
func (a *Tenants) AdvanceOnboarding(ctx context.Context, in ops.AdvanceOnboardingInput) (ops.Tenant, error) {
	return ops.AdvanceOnboarding.Call(ctx, a.reg, in)
}

// SessionContext describes the caller of ctx.
func (a *Tenants) SessionContext(ctx context.Context) (ops.SessionContext, error) {
	return ops.GetSessionContext.Call(ctx, a.reg, ops.SessionInput{})
}
