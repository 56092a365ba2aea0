package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// EnableIntegration is POST /api/v1/integrations/{id}/enable.
var EnableIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.enable",
	"Enable an integration: its telemetry is accepted", tenantActors, spine.RequireScope(scopeWrite))

// enableIntegration may complete the tenant's onboarding: telemetry sent
// earlier now has an enabled integration with a live key.
func (h handlers) enableIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	i, err := h.engine.EnableIntegration(ctx, in.TenantID, in.ID)
	if err != nil {
		return Integration{}, err
	}
	return changed(ctx, h.facts, i, h.completeIfReady(ctx, in.TenantID))
}
