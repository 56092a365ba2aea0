package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// RotateIntegrationKey is POST /api/v1/integrations/{id}/keys.
var RotateIntegrationKey = spine.Declare[RotateKeyInput, RotatedKey]("integrations.keys.rotate",
	"Create a new integration key, optionally revoking the existing ones", tenantActors, spine.RequireScope(scopeWrite))

// RotateKeyInput adds a key to an integration; with RevokeExisting every
// earlier key of it is revoked in the same transaction.
type RotateKeyInput struct {
	TenantID       string
	ID             string
	RevokeExisting bool
}

// RotatedKey is a new integration key, shown this once, and how many earlier
// keys were revoked with it.
type RotatedKey struct {
	Key     string
	Revoked int64
}

// rotateIntegrationKey revokes (when asked) and creates in one transaction:
// a failed rotation leaves the old keys working.
func (h handlers) rotateIntegrationKey(ctx context.Context, in RotateKeyInput) (RotatedKey, error) {
	k, err := h.engine.RotateIntegrationKey(ctx, in.TenantID, in.ID, in.RevokeExisting)
	if err != nil {
		return RotatedKey{}, err
	}
	if err := h.keyCreated(ctx, in.TenantID, "integration key created"); err != nil {
		return RotatedKey{}, err
	}
	return changed(ctx, h.facts, RotatedKey{Key: k.Key, Revoked: k.Revoked}, nil)
}
