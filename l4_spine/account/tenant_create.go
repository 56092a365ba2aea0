package account

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/account"
)

// CreateTenant is POST /api/v1/fdr/tenants and `hocd tenants create`.
var CreateTenant = spine.Declare[NewTenant, Tenant]("account.tenants.create",
	"Create a tenant (ACTIVE, onboarding CREATED)", spine.Allow(spine.ActorFounder))

// NewTenant creates a tenant; empty Slug and Plan take defaults.
type NewTenant = engine.NewTenant

func (h handlers) createTenant(ctx context.Context, in NewTenant) (Tenant, error) {
	return tenantOut(h.engine.CreateTenant(ctx, in))
}
