package account

import (
	"context"

	spine "hoc/l4_spine"
)

// ListTenants is GET /api/v1/fdr/tenants and `hocd tenants list`.
var ListTenants = spine.Declare[ListTenantsInput, TenantPage]("account.tenants.list",
	"List tenants, oldest first", spine.Allow(spine.ActorFounder))

// ListTenantsInput asks for one page of tenants.
type ListTenantsInput struct {
	Limit  int
	Offset int
}

// TenantPage is one page of tenants and the total count.
type TenantPage struct {
	Items []Tenant
	Total int64
}

func (h handlers) listTenants(ctx context.Context, in ListTenantsInput) (TenantPage, error) {
	ts, total, err := h.engine.ListTenants(ctx, in.Limit, in.Offset)
	if err != nil {
		return TenantPage{}, err
	}
	page := TenantPage{Items: make([]Tenant, len(ts)), Total: total}
	for i, t := range ts {
		page.Items[i], _ = tenantOut(t, nil)
	}
	return page, nil
}
