package integrations

import (
	"context"
	"fmt"
)

// RotatedKey is a new integration key, shown this once, and how many of the
// integration's earlier keys were revoked with it.
type RotatedKey struct {
	Key     string
	Revoked int64
}

// RotateIntegrationKey adds a key to the tenant's live integration id. With
// revokeExisting every earlier key is revoked first; the caller runs both
// writes in one transaction, so there is never a moment with no live key
// nor one where a failed rotation has revoked the old keys. Keys of a
// disabled integration may be rotated: they still authenticate.
func (e *Engine) RotateIntegrationKey(ctx context.Context, tenantID, id string, revokeExisting bool) (RotatedKey, error) {
	if _, err := e.GetIntegration(ctx, tenantID, id); err != nil {
		return RotatedKey{}, err
	}
	var out RotatedKey
	if revokeExisting {
		n, err := e.keys.RevokeIntegrationKeys(ctx, tenantID, id)
		if err != nil {
			return RotatedKey{}, fmt.Errorf("revoke integration keys: %w", err)
		}
		out.Revoked = n
	}
	key, err := e.newIntegrationKey(ctx, tenantID, id)
	if err != nil {
		return RotatedKey{}, notFoundOr(err)
	}
	out.Key = key
	return out, nil
}
