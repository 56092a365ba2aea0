package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// GetIntegration is GET /api/v1/integrations/{id}.
var GetIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.get",
	"Get one of the tenant's integrations", tenantActors, spine.RequireScope(scopeRead), spine.ReadOnly())

func (h handlers) getIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	return h.engine.GetIntegration(ctx, in.TenantID, in.ID)
}
