package integrations

import (
	"context"
	"fmt"
	"time"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// IntegrationKeyRow is one key of an integration, as stored.
type IntegrationKeyRow struct {
	ID            string
	TenantID      string
	IntegrationID string
	SecretHash    []byte
	CreatedAt     time.Time
	RevokedAt     *time.Time
	LastUsedAt    *time.Time
}

// IntegrationKeyMatch is an unrevoked key together with the live integration
// it belongs to, read in one query so that authentication costs one round
// trip. The engine checks that both tenants equal the one the key text names.
type IntegrationKeyMatch struct {
	Key         IntegrationKeyRow
	Integration IntegrationRow
}

// CreateIntegrationKey stores a new key hash for the tenant's live
// integration, or returns ErrIntegrationNotFound.
func (s *Store) CreateIntegrationKey(ctx context.Context, tenantID, integrationID string, secretHash []byte) (IntegrationKeyRow, error) {
	if _, err := s.GetIntegration(ctx, tenantID, integrationID); err != nil {
		return IntegrationKeyRow{}, err
	}
	m := models.IntegrationKey{
		ID:            newID(),
		TenantID:      tenantID,
		IntegrationID: integrationID,
		SecretHash:    secretHash,
		CreatedAt:     db.UTC(time.Now()),
	}
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		return IntegrationKeyRow{}, fmt.Errorf("insert integration key: %w", db.Classify(err))
	}
	return integrationKeyRow(m), nil
}

// RevokeIntegrationKeys revokes every unrevoked key of the tenant's
// integration and reports how many it revoked. Rotation calls it before
// CreateIntegrationKey, inside one transaction.
func (s *Store) RevokeIntegrationKeys(ctx context.Context, tenantID, integrationID string) (int64, error) {
	if !db.CanonicalUUIDs(tenantID, integrationID) {
		return 0, nil
	}
	res := s.db.Conn(ctx).Model(&models.IntegrationKey{}).
		Where("tenant_id = ? AND integration_id = ? AND revoked_at IS NULL", tenantID, integrationID).
		UpdateColumn("revoked_at", db.UTC(time.Now()))
	if res.Error != nil {
		return 0, fmt.Errorf("revoke integration keys: %w", db.Classify(res.Error))
	}
	return res.RowsAffected, nil
}

// keyMatchColumns selects a key and its integration under prefixed names, so
// that one flat scan can fill both halves of an IntegrationKeyMatch.
const keyMatchColumns = `k.id AS k_id, k.tenant_id AS k_tenant_id, k.integration_id AS k_integration_id,
	k.secret_hash AS k_secret_hash, k.created_at AS k_created_at, k.revoked_at AS k_revoked_at,
	k.last_used_at AS k_last_used_at,
	i.id AS i_id, i.tenant_id AS i_tenant_id, i.name AS i_name, i.provider_type AS i_provider_type,
	i.default_model AS i_default_model, i.status AS i_status, i.budget_limit_cents AS i_budget_limit_cents,
	i.token_limit_month AS i_token_limit_month, i.rate_limit_rpm AS i_rate_limit_rpm,
	i.created_at AS i_created_at, i.updated_at AS i_updated_at, i.deleted_at AS i_deleted_at`

// keyMatchScan receives one row of keyMatchColumns.
type keyMatchScan struct {
	Key         models.IntegrationKey `gorm:"embedded;embeddedPrefix:k_"`
	Integration models.Integration    `gorm:"embedded;embeddedPrefix:i_"`
}

// FindIntegrationKey returns the unrevoked key with secretHash that belongs
// to integrationID, with that integration, or ErrIntegrationKeyNotFound when
// there is none or the integration is deleted. A disabled integration's key
// is found: refusing its telemetry is the engine's decision, not a failed
// authentication. Looking up by hash is safe; see the package comment.
func (s *Store) FindIntegrationKey(ctx context.Context, integrationID string, secretHash []byte) (IntegrationKeyMatch, error) {
	if !db.CanonicalUUIDs(integrationID) || len(secretHash) == 0 {
		return IntegrationKeyMatch{}, ErrIntegrationKeyNotFound
	}
	var found []keyMatchScan
	err := s.db.Conn(ctx).Raw(`SELECT `+keyMatchColumns+`
		FROM integration_keys k
		JOIN integrations i ON i.tenant_id = k.tenant_id AND i.id = k.integration_id
		WHERE k.secret_hash = ? AND k.integration_id = ? AND k.revoked_at IS NULL AND i.deleted_at IS NULL`,
		secretHash, integrationID).Find(&found).Error
	if err != nil {
		return IntegrationKeyMatch{}, fmt.Errorf("find integration key: %w", db.Classify(err))
	}
	if len(found) == 0 {
		return IntegrationKeyMatch{}, ErrIntegrationKeyNotFound
	}
	return IntegrationKeyMatch{Key: integrationKeyRow(found[0].Key), Integration: integrationRow(found[0].Integration)}, nil
}

// TouchIntegrationKey records that the key was used at at. The engine calls
// it at most once a minute per key, so authentication stays a read.
func (s *Store) TouchIntegrationKey(ctx context.Context, id string, at time.Time) error {
	if !db.CanonicalUUIDs(id) {
		return ErrIntegrationKeyNotFound
	}
	res := s.db.Conn(ctx).Model(&models.IntegrationKey{}).Where("id = ?", id).UpdateColumn("last_used_at", db.UTC(at))
	if res.Error != nil {
		return fmt.Errorf("touch integration key: %w", db.Classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return ErrIntegrationKeyNotFound
	}
	return nil
}

func integrationKeyRow(m models.IntegrationKey) IntegrationKeyRow {
	return IntegrationKeyRow{
		ID:            m.ID,
		TenantID:      m.TenantID,
		IntegrationID: m.IntegrationID,
		SecretHash:    m.SecretHash,
		CreatedAt:     m.CreatedAt.UTC(),
		RevokedAt:     utcPtr(m.RevokedAt),
		LastUsedAt:    utcPtr(m.LastUsedAt),
	}
}
