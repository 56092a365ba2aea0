package account

import (
	"context"
	"errors"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/account"
)

// Admits decides whether a request of the tenant's actor may proceed, by
// the lifecycle effects of SPEC §2.2: ACTIVE allows everything, SUSPENDED
// allows reads only, TERMINATED and ARCHIVED refuse everything. It reads
// nothing, so the caller decides how fresh t must be.
func (t Tenant) Admits(write bool) error {
	switch {
	case t.Lifecycle == LifecycleActive:
		return nil
	case t.Lifecycle == LifecycleSuspended && !write:
		return nil
	}
	return fault.New(fault.KindForbidden, fault.CodeTenantSuspended, "the tenant's lifecycle state does not allow this request").
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
