package models

import "time"

// IntegrationKey is one secret of an integration, stored only as its hash.
// Keys are revoked, never deleted, so that an audit can tell which key was
// live when.
type IntegrationKey struct {
	ID            string     `gorm:"primaryKey;type:uuid"`
	TenantID      string     `gorm:"type:uuid;not null;index:ix_integration_keys_tenant_integration,priority:1"`
	IntegrationID string     `gorm:"type:uuid;not null;index:ix_integration_keys_tenant_integration,priority:2"`
	SecretHash    []byte     `gorm:"not null;uniqueIndex:ux_integration_keys_secret_hash"`
	CreatedAt     time.Time  `gorm:"not null"`
	RevokedAt     *time.Time `gorm:""`
	LastUsedAt    *time.Time `gorm:""`
}

// TableName pins the table name so a rename of the struct cannot move data.
func (IntegrationKey) TableName() string { return "integration_keys" }
