package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// DeleteIntegration is DELETE /api/v1/integrations/{id}.
var DeleteIntegration = spine.Declare[IntegrationInput, struct{}]("integrations.integrations.delete",
	"Soft-delete an integration and revoke its keys", tenantActors, spine.RequireScope(scopeWrite))

// deleteIntegration hides the integration and revokes its keys in one
// transaction.
func (h handlers) deleteIntegration(ctx context.Context, in IntegrationInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.DeleteIntegration(ctx, in.TenantID, in.ID))
}
