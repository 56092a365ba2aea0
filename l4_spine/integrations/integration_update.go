package integrations

import (
	"context"

	spine "hoc/l4_spine"
	engine "hoc/l5_engines/integrations"
)

// UpdateIntegration is PATCH /api/v1/integrations/{id}.
var UpdateIntegration = spine.Declare[UpdateIntegrationInput, Integration]("integrations.integrations.update",
	"Change an integration's name, default model or limits", tenantActors, spine.RequireScope(scopeWrite))

// UpdateIntegrationInput changes settings of one integration of TenantID; a
// nil field is left as it is (see engine.IntegrationChanges).
type UpdateIntegrationInput struct {
	TenantID string
	ID       string
	engine.IntegrationChanges
}

// updateIntegration reads, changes and writes in one transaction, so the
// result it returns is the row it wrote.
func (h handlers) updateIntegration(ctx context.Context, in UpdateIntegrationInput) (Integration, error) {
	i, err := h.engine.UpdateIntegration(ctx, in.TenantID, in.ID, in.IntegrationChanges)
	return changed(ctx, h.facts, i, err)
}
