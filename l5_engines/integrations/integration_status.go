package integrations

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
)

// EnableIntegration lets a live integration's telemetry in again.
func (e *Engine) EnableIntegration(ctx context.Context, tenantID, id string) (Integration, error) {
	return e.setStatus(ctx, tenantID, id, StatusEnabled)
}

// DisableIntegration makes telemetry for a live integration INTEGRATION_DISABLED.
// Its keys still authenticate, so an SDK learns why it is refused, and can
// still read its limits.
func (e *Engine) DisableIntegration(ctx context.Context, tenantID, id string) (Integration, error) {
	return e.setStatus(ctx, tenantID, id, StatusDisabled)
}

// setStatus sets the status and returns the integration; setting the status
// it already has writes nothing, so repeating the action changes nothing.
func (e *Engine) setStatus(ctx context.Context, tenantID, id, status string) (Integration, error) {
	current, err := e.GetIntegration(ctx, tenantID, id)
	if err != nil || current.Status == status {
		return current, err
	}
	if err := e.integrations.SetIntegrationStatus(ctx, tenantID, id, status); err != nil {
		return Integration{}, notFoundOr(err)
	}
	return e.GetIntegration(ctx, tenantID, id)
}

// DeleteIntegration soft-deletes the tenant's live integration id and
// revokes its keys. From then on it is NOT_FOUND everywhere and its keys no
// longer authenticate; the usage it recorded stays, and its name is free
// for a new integration. Revoking the keys as well as hiding the
// integration leaves no key that looks live to an audit. The two writes
// belong in one transaction.
func (e *Engine) DeleteIntegration(ctx context.Context, tenantID, id string) error {
	if uuid.Validate(id) != nil {
		return fault.NotFound("integration")
	}
	if err := e.integrations.SoftDeleteIntegration(ctx, tenantID, id); err != nil {
		return notFoundOr(err)
	}
	if _, err := e.keys.RevokeIntegrationKeys(ctx, tenantID, id); err != nil {
		return fmt.Errorf("revoke the keys of a deleted integration: %w", err)
	}
	return nil
}
