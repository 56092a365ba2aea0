package account

import (
	"context"

	spine "hoc/l4_spine"
)

// UpdateTenant is PATCH /api/v1/fdr/tenants/{id}: the founder changes a
// tenant's settings. Today there is one, cost_source (SPEC §8): whether hoc
// prices the tenant's records from the price table or keeps its clients'
// figures, for a tenant with negotiated prices.
var UpdateTenant = spine.Declare[TenantChanges, Tenant]("account.tenants.update",
	"Change a tenant's settings (cost_source)", spine.Allow(spine.ActorFounder))

// TenantChanges are the settings to change; a nil field stays as it is.
type TenantChanges struct {
	TenantID   string
	CostSource *string
}

// updateTenant changes the settings given and drops the tenant's cached
// facts once the change commits, so that this replica's next ingest prices
// by the new setting.
func (h handlers) updateTenant(ctx context.Context, in TenantChanges) (Tenant, error) {
	if in.CostSource == nil {
		return tenantOut(h.engine.GetTenant(ctx, in.TenantID))
	}
	t, err := h.engine.SetCostSource(ctx, in.TenantID, *in.CostSource)
	if err == nil {
		spine.AfterCommit(ctx, func() { h.tenants.Forget(in.TenantID) })
	}
	return tenantOut(t, err)
}
