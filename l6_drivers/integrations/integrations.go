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

// IntegrationRow is a live integration as stored.
type IntegrationRow struct {
	ID               string
	TenantID         string
	Name             string
	ProviderType     string
	DefaultModel     *string
	Status           string
	BudgetLimitCents int64
	TokenLimitMonth  int64
	RateLimitRPM     int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CreateIntegration inserts an integration and returns it with its new id
// and timestamps. The live name is unique per tenant; a clash comes back as
// ErrNameTaken.
func (s *Store) CreateIntegration(ctx context.Context, row IntegrationRow) (IntegrationRow, error) {
	now := db.UTC(time.Now())
	m := models.Integration{
		ID:               newID(),
		TenantID:         row.TenantID,
		Name:             row.Name,
		ProviderType:     row.ProviderType,
		DefaultModel:     row.DefaultModel,
		Status:           row.Status,
		BudgetLimitCents: row.BudgetLimitCents,
		TokenLimitMonth:  row.TokenLimitMonth,
		RateLimitRPM:     row.RateLimitRPM,
		CreatedAt:        now,
		UpdatedAt:        now,
	}
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		return IntegrationRow{}, translateNameClash("insert integration", err)
	}
	return integrationRow(m), nil
}

// GetIntegration returns the tenant's live integration with id, or
// ErrIntegrationNotFound (also for another tenant's or a deleted one).
func (s *Store) GetIntegration(ctx context.Context, tenantID, id string) (IntegrationRow, error) {
	if !db.CanonicalUUIDs(tenantID, id) {
		return IntegrationRow{}, ErrIntegrationNotFound
	}
	var m models.Integration
	err := s.live(ctx, tenantID).Where("id = ?", id).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return IntegrationRow{}, ErrIntegrationNotFound
	}
	if err != nil {
		return IntegrationRow{}, fmt.Errorf("get integration: %w", db.Classify(err))
	}
	return integrationRow(m), nil
}

// ListIntegrations returns one page of the tenant's live integrations,
// oldest first, and how many there are in all.
func (s *Store) ListIntegrations(ctx context.Context, tenantID string, limit, offset int) ([]IntegrationRow, int64, error) {
	if !db.CanonicalUUIDs(tenantID) {
		return []IntegrationRow{}, 0, nil
	}
	var total int64
	if err := s.live(ctx, tenantID).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count integrations: %w", db.Classify(err))
	}
	var ms []models.Integration
	err := s.live(ctx, tenantID).Order("created_at, id").Limit(limit).Offset(offset).Find(&ms).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list integrations: %w", db.Classify(err))
	}
	rows := make([]IntegrationRow, len(ms))
	for i, m := range ms {
		rows[i] = integrationRow(m)
	}
	return rows, total, nil
}

// GetIntegrationsByIDs returns the tenant's live integrations among ids,
// keyed by id, in one query; ids that name none are absent from the map.
// Batch ingest uses it to check every integration a batch names at once.
func (s *Store) GetIntegrationsByIDs(ctx context.Context, tenantID string, ids []string) (map[string]IntegrationRow, error) {
	out := make(map[string]IntegrationRow, len(ids))
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if db.CanonicalUUIDs(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 || !db.CanonicalUUIDs(tenantID) {
		return out, nil
	}
	var ms []models.Integration
	if err := s.live(ctx, tenantID).Where("id IN ?", valid).Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("get integrations: %w", db.Classify(err))
	}
	for _, m := range ms {
		out[m.ID] = integrationRow(m)
	}
	return out, nil
}

// UpdateIntegration writes the named settings columns of a live
// integration — only those, so that two concurrent updates of different
// fields both stand — and returns the row as stored.
func (s *Store) UpdateIntegration(ctx context.Context, row IntegrationRow, columns []string) (IntegrationRow, error) {
	all := map[string]any{
		"name":               row.Name,
		"default_model":      row.DefaultModel,
		"budget_limit_cents": row.BudgetLimitCents,
		"token_limit_month":  row.TokenLimitMonth,
		"rate_limit_rpm":     row.RateLimitRPM,
	}
	set := make(map[string]any, len(columns))
	for _, c := range columns {
		v, ok := all[c]
		if !ok {
			return IntegrationRow{}, fmt.Errorf("update integration: %q is not a settings column", c)
		}
		set[c] = v
	}
	if len(set) > 0 {
		if err := s.update(ctx, row.TenantID, row.ID, set); err != nil {
			return IntegrationRow{}, err
		}
	}
	return s.GetIntegration(ctx, row.TenantID, row.ID)
}

// SetIntegrationStatus sets a live integration's status ("enabled" or
// "disabled"; the database refuses anything else).
func (s *Store) SetIntegrationStatus(ctx context.Context, tenantID, id, status string) error {
	return s.update(ctx, tenantID, id, map[string]any{"status": status})
}

// SoftDeleteIntegration marks a live integration deleted. It disappears from
// every read of this store and its keys stop authenticating; its usage stays.
func (s *Store) SoftDeleteIntegration(ctx context.Context, tenantID, id string) error {
	return s.update(ctx, tenantID, id, map[string]any{"deleted_at": db.UTC(time.Now())})
}

// update sets columns of one live integration and bumps updated_at.
func (s *Store) update(ctx context.Context, tenantID, id string, columns map[string]any) error {
	if !db.CanonicalUUIDs(tenantID, id) {
		return ErrIntegrationNotFound
	}
	columns["updated_at"] = db.UTC(time.Now())
	res := s.live(ctx, tenantID).Where("id = ?", id).UpdateColumns(columns)
	if res.Error != nil {
		return translateNameClash("update integration", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrIntegrationNotFound
	}
	return nil
}

// live scopes a query to the tenant's integrations that are not deleted.
func (s *Store) live(ctx context.Context, tenantID string) *gorm.DB {
	return s.db.Conn(ctx).Model(&models.Integration{}).Where("tenant_id = ? AND deleted_at IS NULL", tenantID)
}

func translateNameClash(action string, err error) error {
	if index, ok := db.IsUniqueViolation(err); ok && index == "ux_integrations_tenant_id_name" {
		return ErrNameTaken
	}
	return fmt.Errorf("%s: %w", action, db.Classify(err))
}

func integrationRow(m models.Integration) IntegrationRow {
	return IntegrationRow{
		ID:               m.ID,
		TenantID:         m.TenantID,
		Name:             m.Name,
		ProviderType:     m.ProviderType,
		DefaultModel:     m.DefaultModel,
		Status:           m.Status,
		BudgetLimitCents: m.BudgetLimitCents,
		TokenLimitMonth:  m.TokenLimitMonth,
		RateLimitRPM:     m.RateLimitRPM,
		CreatedAt:        m.CreatedAt.UTC(),
		UpdatedAt:        m.UpdatedAt.UTC(),
	}
}
