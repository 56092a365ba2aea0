package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"hoc/l6_drivers/db"
	models "hoc/l7_models"
)

// ErrTenantNotFound is returned when no tenant has the requested id.
var ErrTenantNotFound = errors.New("tenant not found")

// ErrSlugTaken is returned when another tenant already has the slug.
var ErrSlugTaken = errors.New("tenant slug already taken")

// ErrExternalOrgTaken is returned when another tenant already has the
// external organisation id.
var ErrExternalOrgTaken = errors.New("tenant external_org_id already taken")

// TenantRow is a tenant as stored. States are the raw stored values; the
// engine parses them strictly.
type TenantRow struct {
	ID              string
	Name            string
	Slug            string
	ExternalOrgID   *string
	Plan            string
	LifecycleState  string
	OnboardingState int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CostSource      string
}

// Store reads and writes tenants.
type Store struct {
	db *db.DB
}

// NewStore returns a store on d.
func NewStore(d *db.DB) (*Store, error) {
	if d == nil {
		return nil, errors.New("account store: nil database")
	}
	return &Store{db: d}, nil
}

// CreateTenant inserts a tenant and returns it with its new id and
// timestamps. Uniqueness is enforced by the database; a violation comes back
// as ErrSlugTaken or ErrExternalOrgTaken.
func (s *Store) CreateTenant(ctx context.Context, row TenantRow) (TenantRow, error) {
	now := db.UTC(time.Now())
	m := models.Tenant{
		ID:              uuid.Must(uuid.NewV7()).String(),
		Name:            row.Name,
		Slug:            row.Slug,
		ExternalOrgID:   row.ExternalOrgID,
		Plan:            row.Plan,
		LifecycleState:  row.LifecycleState,
		OnboardingState: int16(row.OnboardingState),
		CreatedAt:       now,
		UpdatedAt:       now,
		CostSource:      row.CostSource,
	}
	if err := s.db.Conn(ctx).Create(&m).Error; err != nil {
		return TenantRow{}, translateTenantWrite(err)
	}
	return tenantRow(m), nil
}

// GetTenant returns the tenant with id, or ErrTenantNotFound.
func (s *Store) GetTenant(ctx context.Context, id string) (TenantRow, error) {
	if !db.CanonicalUUIDs(id) {
		return TenantRow{}, ErrTenantNotFound
	}
	var m models.Tenant
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return TenantRow{}, ErrTenantNotFound
	}
	if err != nil {
		return TenantRow{}, fmt.Errorf("get tenant: %w", db.Classify(err))
	}
	return tenantRow(m), nil
}

// ListTenants returns one page of tenants, oldest first, and the total count.
func (s *Store) ListTenants(ctx context.Context, limit, offset int) ([]TenantRow, int64, error) {
	var total int64
	conn := s.db.Conn(ctx)
	if err := conn.Model(&models.Tenant{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count tenants: %w", db.Classify(err))
	}
	var ms []models.Tenant
	if err := conn.Order("created_at, id").Limit(limit).Offset(offset).Find(&ms).Error; err != nil {
		return nil, 0, fmt.Errorf("list tenants: %w", db.Classify(err))
	}
	rows := make([]TenantRow, len(ms))
	for i, m := range ms {
		rows[i] = tenantRow(m)
	}
	return rows, total, nil
}

func translateTenantWrite(err error) error {
	if constraint, ok := db.IsUniqueViolation(err); ok {
		switch constraint {
		case "ux_tenants_slug":
			return ErrSlugTaken
		case "ux_tenants_external_org_id":
			return ErrExternalOrgTaken
		}
	}
	return fmt.Errorf("insert tenant: %w", db.Classify(err))
}

func tenantRow(m models.Tenant) TenantRow {
	return TenantRow{
		ID:              m.ID,
		Name:            m.Name,
		Slug:            m.Slug,
		ExternalOrgID:   m.ExternalOrgID,
		Plan:            m.Plan,
		LifecycleState:  m.LifecycleState,
		OnboardingState: int(m.OnboardingState),
		CreatedAt:       m.CreatedAt.UTC(),
		UpdatedAt:       m.UpdatedAt.UTC(),
		CostSource:      m.CostSource,
	}
}

// SetCostSource changes who decides the cost of the tenant's records and
// returns the tenant, or ErrTenantNotFound.
func (s *Store) SetCostSource(ctx context.Context, id, source string) (TenantRow, error) {
	if !db.CanonicalUUIDs(id) {
		return TenantRow{}, ErrTenantNotFound
	}
	res := s.db.Conn(ctx).Model(&models.Tenant{}).Where("id = ?", id).
		Updates(map[string]any{"cost_source": source, "updated_at": db.UTC(time.Now())})
	if res.Error != nil {
		return TenantRow{}, fmt.Errorf("set cost source: %w", db.Classify(res.Error))
	}
	if res.RowsAffected == 0 {
		return TenantRow{}, ErrTenantNotFound
	}
	return s.GetTenant(ctx, id)
}
