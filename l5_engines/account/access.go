package account

import (
	"context"
	"errors"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// Admit decides whether a request of a tenant's actor may proceed, by the
// lifecycle effects of SPEC §2.2: ACTIVE allows everything, SUSPENDED allows
// reads only, TERMINATED and ARCHIVED refuse everything. It returns the
// tenant as read, so a caller needs no second read.
func (e *Engine) Admit(ctx context.Context, tenantID string, write bool) (Tenant, error) {
	t, err := e.GetTenant(ctx, tenantID)
	if err != nil {
		return Tenant{}, err
	}
	switch {
	case t.Lifecycle == LifecycleActive:
		return t, nil
	case t.Lifecycle == LifecycleSuspended && !write:
		return t, nil
	}
	return Tenant{}, fault.New(fault.KindForbidden, fault.CodeTenantSuspended, "the tenant's lifecycle state does not allow this request").
		WithDetail("lifecycle_state", string(t.Lifecycle))
}

// ResolveOrg finds the tenant a customer token's organisation claim names:
// by external_org_id, else by tenant id. An unknown organisation is 403
// tenant_not_provisioned: the person is real, their tenant is not set up.
func (e *Engine) ResolveOrg(ctx context.Context, org string) (Tenant, error) {
	row, err := e.store.FindTenantByOrg(ctx, org)
	if errors.Is(err, store.ErrTenantNotFound) {
		return Tenant{}, fault.Forbidden("tenant_not_provisioned", "no tenant is provisioned for this organisation")
	}
	if err != nil {
		return Tenant{}, err
	}
	return tenantFromRow(row)
}
