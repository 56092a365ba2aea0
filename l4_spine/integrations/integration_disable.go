package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// DisableIntegration is POST /api/v1/integrations/{id}/disable.
var DisableIntegration = spine.Declare[IntegrationInput, Integration]("integrations.integrations.disable",
	"Disable an integration: its telemetry is refused, its keys still authenticate", tenantActors, spine.RequireScope(scopeWrite))

func (h handlers) disableIntegration(ctx context.Context, in IntegrationInput) (Integration, error) {
	i, err := h.engine.DisableIntegration(ctx, in.TenantID, in.ID)
	return changed(ctx, h.facts, i, err)
}
