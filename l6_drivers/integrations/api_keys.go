package integrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// APIKeyRow is a tenant's machine API key as stored. Status is the stored
// "active" or "revoked"; expiry and freezing are separate facts that the
// engine combines into the key's effective state.
type APIKeyRow struct {
	ID           string
	TenantID     string
	Name         string
	Prefix       string
	SecretHash   []byte
	Scopes       []string
	Status       string
	Frozen       bool
	RateLimitRPM int
	ExpiresAt    *time.Time
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// CreateAPIKey inserts an API key and returns it with its new id and
// creation time. Scopes are stored sorted and de-duplicated.
func (s *Store) CreateAPIKey(ctx context.Context, row APIKeyRow) (APIKeyRow, error) {
	scopes, err := joinScopes(row.Scopes)
	if err != nil {
		return APIKeyRow{}, fmt.Errorf("insert api key: %w", err)
	}
	m := models.APIKey{
		ID:           newID(),
		TenantID:     row.TenantID,
		Name:         row.Name,
		Prefix:       row.Prefix,
		SecretHash:   row.SecretHash,
		Scopes:       scopes,
		Status:       row.Status,
		Frozen:       row.Frozen,
		RateLimitRPM: row.RateLimitRPM,
		ExpiresAt:    storedPtr(row.ExpiresAt),
		CreatedAt:    db.UTC(time.Now()),
	}
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		return APIKeyRow{}, fmt.Errorf("insert api key: %w", db.Classify(err))
	}
	return apiKeyRow(m), nil
}

// FindAPIKeyByHash returns the key with secretHash whatever its status, so
// that the engine decides what revoked, frozen and expired mean; or
// ErrAPIKeyNotFound. Looking up by hash is safe; see the package comment.
func (s *Store) FindAPIKeyByHash(ctx context.Context, secretHash []byte) (APIKeyRow, error) {
	if len(secretHash) == 0 {
		return APIKeyRow{}, ErrAPIKeyNotFound
	}
	var m models.APIKey
	err := s.db.Conn(ctx).Where("secret_hash = ?", secretHash).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return APIKeyRow{}, ErrAPIKeyNotFound
	}
	if err != nil {
		return APIKeyRow{}, fmt.Errorf("find api key: %w", db.Classify(err))
	}
	return apiKeyRow(m), nil
}

// RevokeAPIKey revokes a key for good. Revoking a revoked key is a no-op.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) error {
	return s.setAPIKey(ctx, "revoke api key", id, "status", "revoked")
}

// FreezeAPIKey freezes a key; the engine refuses frozen keys.
func (s *Store) FreezeAPIKey(ctx context.Context, id string) error {
	return s.setAPIKey(ctx, "freeze api key", id, "frozen", true)
}

// TouchAPIKey records that the key was used at at. The engine calls it at
// most once a minute per key, so authentication stays a read.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	return s.setAPIKey(ctx, "touch api key", id, "last_used_at", db.UTC(at))
}

// setAPIKey sets one column of the key with id, or reports ErrAPIKeyNotFound.
func (s *Store) setAPIKey(ctx context.Context, action, id, column string, value any) error {
	if !db.CanonicalUUIDs(id) {
		return ErrAPIKeyNotFound
	}
	res := s.db.Conn(ctx).Model(&models.APIKey{}).Where("id = ?", id).UpdateColumn(column, value)
	if res.Error != nil {
		return fmt.Errorf("%s: %w", action, db.Classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return ErrAPIKeyNotFound
	}
	return nil
}

func apiKeyRow(m models.APIKey) APIKeyRow {
	return APIKeyRow{
		ID:           m.ID,
		TenantID:     m.TenantID,
		Name:         m.Name,
		Prefix:       m.Prefix,
		SecretHash:   m.SecretHash,
		Scopes:       splitScopes(m.Scopes),
		Status:       m.Status,
		Frozen:       m.Frozen,
		RateLimitRPM: m.RateLimitRPM,
		ExpiresAt:    utcPtr(m.ExpiresAt),
		CreatedAt:    m.CreatedAt.UTC(),
		LastUsedAt:   utcPtr(m.LastUsedAt),
	}
}
