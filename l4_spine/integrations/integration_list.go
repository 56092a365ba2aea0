package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// ListIntegrations is GET /api/v1/integrations.
var ListIntegrations = spine.Declare[ListIntegrationsInput, IntegrationPage]("integrations.integrations.list",
	"List the tenant's integrations, oldest first", tenantActors, spine.RequireScope(scopeRead), spine.ReadOnly())

// ListIntegrationsInput asks for one page of TenantID's integrations.
type ListIntegrationsInput struct {
	TenantID string
	Limit    int
	Offset   int
}

// IntegrationPage is one page of integrations, oldest first, and how many
// live integrations the tenant has in all.
type IntegrationPage struct {
	Items []Integration
	Total int64
}

func (h handlers) listIntegrations(ctx context.Context, in ListIntegrationsInput) (IntegrationPage, error) {
	items, total, err := h.engine.ListIntegrations(ctx, in.TenantID, in.Limit, in.Offset)
	return IntegrationPage{Items: items, Total: total}, err
}
