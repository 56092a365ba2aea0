package account

import (
	"context"

	spine "hoc/l4_spine"
)

// GetTenant is GET /api/v1/fdr/tenants/{id}.
var GetTenant = spine.Declare[GetTenantInput, Tenant]("account.tenants.get",
	"Get one tenant by id", spine.Allow(spine.ActorFounder))

// GetTenantInput names one tenant.
type GetTenantInput struct {
	TenantID string
}

func (h handlers) getTenant(ctx context.Context, in GetTenantInput) (Tenant, error) {
	return tenantOut(h.engine.GetTenant(ctx, in.TenantID))
}
