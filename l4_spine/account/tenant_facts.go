package account

import (
	"context"
	"errors"
	"time"

	"hoc/l4_spine/cache"
	engine "hoc/l5_engines/account"
)

// TenantFactsTTL is how long a tenant read for the per-request checks (the
// lifecycle guard, onboarding's telemetry trigger) is reused. A suspension,
// termination or archive made on another replica is therefore enforced
// within two seconds; the replica that makes it enforces it at once.
const TenantFactsTTL = 2 * time.Second

// maxCachedTenants bounds the cache.
const maxCachedTenants = 100_000

// TenantFacts reads tenants for the checks every request makes, through a
// cache of TenantFactsTTL, so that the tenant guard costs no round trip on a
// busy tenant. Reads that a caller shows to a person (the tenant API, the
// session context) go to the engine directly.
type TenantFacts struct {
	engine  *engine.Engine
	tenants *cache.TTL[string, engine.Tenant]
	orgs    *cache.TTL[string, engine.Tenant] // by the organisation a customer token names
}

// NewTenantFacts returns tenant facts read through e on the clock now.
func NewTenantFacts(e *engine.Engine, now func() time.Time) (*TenantFacts, error) {
	if e == nil || now == nil {
		return nil, errors.New("tenant facts: nil engine or clock")
	}
	return &TenantFacts{
		engine:  e,
		tenants: cache.New[string, engine.Tenant](TenantFactsTTL, maxCachedTenants, now),
		orgs:    cache.New[string, engine.Tenant](TenantFactsTTL, maxCachedTenants, now),
	}, nil
}

// Get returns the tenant, at most TenantFactsTTL old.
func (f *TenantFacts) Get(ctx context.Context, id string) (engine.Tenant, error) {
	if t, ok := f.tenants.Get(id); ok {
		return t, nil
	}
	t, err := f.engine.GetTenant(ctx, id)
	if err != nil {
		return engine.Tenant{}, err
	}
	f.tenants.Put(id, t)
	return t, nil
}

// ByOrg returns the tenant a customer token's organisation names (see
// engine.ResolveOrg), at most TenantFactsTTL old.
func (f *TenantFacts) ByOrg(ctx context.Context, org string) (engine.Tenant, error) {
	if t, ok := f.orgs.Get(org); ok {
		return t, nil
	}
	t, err := f.engine.ResolveOrg(ctx, org)
	if err != nil {
		return engine.Tenant{}, err
	}
	f.orgs.Put(org, t)
	return t, nil
}

// Forget drops the tenant, after a change this replica made to it. The
// organisations are all dropped: they are few, and changes are rare.
func (f *TenantFacts) Forget(id string) {
	f.tenants.Delete(id)
	f.orgs.Clear()
}
