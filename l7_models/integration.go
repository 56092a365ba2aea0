package models

import "time"

// Integration is a tenant's connection to an LLM provider. It is soft
// deleted (DeletedAt set) so that the usage it recorded keeps its foreign key
// target; the unique name index covers live rows only, so a deleted name can
// be reused. ux_integrations_tenant_id_id is the target of the composite
// foreign keys that keep keys and usage inside the integration's tenant.
type Integration struct {
	ID               string     `gorm:"primaryKey;type:uuid;uniqueIndex:ux_integrations_tenant_id_id,priority:2;index:ix_integrations_tenant_created,priority:3"`
	TenantID         string     `gorm:"type:uuid;not null;uniqueIndex:ux_integrations_tenant_id_name,priority:1,where:deleted_at IS NULL;uniqueIndex:ux_integrations_tenant_id_id,priority:1;index:ix_integrations_tenant_created,priority:1"`
	Name             string     `gorm:"not null;uniqueIndex:ux_integrations_tenant_id_name,priority:2,where:deleted_at IS NULL"`
	ProviderType     string     `gorm:"not null"`
	DefaultModel     *string    `gorm:""`
	Status           string     `gorm:"not null"`
	BudgetLimitCents int64      `gorm:"not null;default:0"`
	TokenLimitMonth  int64      `gorm:"not null;default:0"`
	RateLimitRPM     int        `gorm:"column:rate_limit_rpm;type:integer;not null;default:0"`
	CreatedAt        time.Time  `gorm:"not null;index:ix_integrations_tenant_created,priority:2"`
	UpdatedAt        time.Time  `gorm:"not null"`
	DeletedAt        *time.Time `gorm:""`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (Integration) TableName() string { return "integrations" }
