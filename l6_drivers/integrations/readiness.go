package integrations

import (
	"context"
	"fmt"

	"hoc/l6_drivers/db"
)

// HasLiveKeyOnEnabledIntegration reports whether the tenant has an enabled,
// live integration with at least one unrevoked key: half of onboarding's
// COMPLETE rule (the other half is having sent telemetry).
func (s *Store) HasLiveKeyOnEnabledIntegration(ctx context.Context, tenantID string) (bool, error) {
	if !db.CanonicalUUIDs(tenantID) {
		return false, nil
	}
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM integrations i
		JOIN integration_keys k ON k.tenant_id = i.tenant_id AND k.integration_id = i.id AND k.revoked_at IS NULL
		WHERE i.tenant_id = ? AND i.status = 'enabled' AND i.deleted_at IS NULL`, tenantID).Find(&n).Error
	if err != nil {
		return false, fmt.Errorf("find a live key on an enabled integration: %w", db.Classify(err))
	}
	return n > 0, nil
}
